# -j: the first file (in the order given) that fails stops the run with its error;
# with --skip-bad, what -j reports (skipped records, a truncated input, its exit
# status 74) is what one stream reports, and so is what merge reports of the states.
printf '#moestat v1 experts=4\n0 1\n0 2\n' > a.mlog
printf '#moestat v1 experts=4\n0 1\n0 9\n0 2\n' > bad.mlog
gzip -c a.mlog | head -c 30 > cut.mlog.gz
moestat summarize -j 2 a.mlog missing.mlog bad.mlog
echo "status $?"
moestat summarize -j 2 a.mlog bad.mlog missing.mlog
echo "status $?"
moestat summarize -j 2 --skip-bad a.mlog bad.mlog cut.mlog.gz a.mlog > jobs.txt
echo "status $?"
moestat summarize --skip-bad a.mlog bad.mlog cut.mlog.gz a.mlog > one.txt
cmp jobs.txt one.txt && head -n 1 one.txt
for f in a.mlog bad.mlog cut.mlog.gz; do
	moestat summarize --skip-bad --save-state "$f.state" "$f" 2>/dev/null
done
moestat merge a.mlog.state bad.mlog.state cut.mlog.gz.state a.mlog.state > merged.txt
status=$?
cmp merged.txt one.txt && echo "merge: the same"
exit $status
