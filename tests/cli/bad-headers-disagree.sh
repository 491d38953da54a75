# Concatenated files whose headers disagree are not one model.
printf "#moestat v1 experts=8\n0 1\n" > a.mlog
printf "#moestat v1 experts=16\n0 1\n" > b.mlog
cat a.mlog a.mlog > same.mlog
moestat summarize --json same.mlog | jq -c .input.records
moestat summarize a.mlog b.mlog
