# A record of another length than the header's topk.
printf "#moestat v1 experts=8 topk=2\n0 1,2\n\n0 1,2,3\n" > r.mlog
moestat summarize --json r.mlog
