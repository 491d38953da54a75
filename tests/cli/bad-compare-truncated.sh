# compare on a cut-short input: exit 74 and nothing on standard output, whichever side it is;
# with --skip-bad the figures of what was read, and still exit 74.
seq 1 3000 | sed 's/.*/0 1,2/' | gzip -c > full.gz
head -c 60 full.gz > cut.gz
moestat compare cut.gz full.gz
echo "status $?"
moestat compare full.gz cut.gz
echo "status $?"
moestat compare --skip-bad --json -o out.json full.gz cut.gz
status=$?
jq -c '[.input.truncated, .input_b.truncated, .overall.layers]' out.json
exit $status
