# With --skip-bad, the figures of what was read, "truncated": true, and still exit 74.
seq 1 2000 | sed "s/.*/0 1,2/" | gzip -c > full.gz
head -c 40 full.gz > cut.gz
moestat summarize --skip-bad --experts 3 --json -o out.json cut.gz full.gz
status=$?
jq -c "[.input.truncated, .input.records > 2000, .input.records < 4000, .layers[0].unused]" out.json
exit $status
