# Concatenated files whose headers disagree are not one model: given as two files,
# as gzip members of one file, or in two formats.
printf "#moestat v1 experts=8\n0 1\n" > a.mlog
printf "#moestat v1 experts=16\n0 1\n" > b.mlog
cat a.mlog a.mlog > same.mlog
moestat summarize --json same.mlog | jq -c .input.records
gzip -c a.mlog > a.gz
gzip -c b.mlog > b.gz
cat a.gz b.gz > ab.gz
moestat summarize ab.gz
echo "status $?"
printf '{"moestat": 1, "experts": 8, "topk": 1}\n{"experts": [1]}\n' > c.jsonl
printf '#moestat v1 topk=2\n0 1,2\n' > d.mlog
moestat summarize c.jsonl d.mlog
echo "status $?"
moestat summarize a.mlog b.mlog
