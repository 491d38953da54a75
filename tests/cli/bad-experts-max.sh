# N is at most 65536 (moestat(5), LIMITS): a header or --experts above it is refused,
# and so is an id of 65536 or more, which no N could hold; 65536 itself is good.
printf '#moestat v1 experts=65537\n0 1\n' > over.mlog
moestat summarize over.mlog
echo "header: $?"
printf '{"moestat": 1, "experts": 65537}\n{"experts": [1]}\n' > over.jsonl
moestat summarize over.jsonl
echo "jsonl header: $?"
printf '#moestat v1 experts=0\n0 1\n' > zero.mlog
moestat summarize zero.mlog
echo "zero: $?"
printf '0 65536\n' > id.mlog
moestat summarize id.mlog
echo "id: $?"
moestat summarize --experts 65537 id.mlog
echo "option: $?"
printf '#moestat v1 experts=65536 topk=1\n7 65535\n' > max.mlog
moestat summarize --json max.mlog | jq -c '[.input.experts, .layers[0].unused]'
