# --skip-bad passes over bad records, counts them and says so; the figures use the rest.
printf "#moestat v1 experts=4 topk=1\n0 1\n0 9\n0 x\n0 2,3\n0 3\n" > r.mlog
moestat summarize --skip-bad --json r.mlog | jq -c "[.input.records, .input.skipped, .input.truncated, .layers[0].tokens]"
