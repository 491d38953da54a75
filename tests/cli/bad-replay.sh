# replay's own errors: what it cannot do, and logs it cannot replay.
printf '#moestat v1 experts=4 topk=2 score=softmax\n0 1,2\n' > nologits.mlog
printf '{"experts": [1], "logits": [0.5, 0.2]}\n' > noscore.jsonl
printf '#moestat v1 experts=6 topk=2 score=sigmoid fields=layer,experts,logits\n0 1,2 1,2,3,4,5,6\n' > six.mlog
moestat replay --strategy fixed six.mlog
echo "status $?"
moestat replay --drop-policy probs --overflow reroute six.mlog
echo "status $?"
moestat replay --groups 4 six.mlog
echo "status $?"
moestat replay --groups 4 --group-topk 1 six.mlog
echo "status $?"
moestat replay --bias-file missing.json six.mlog
echo "status $?"
printf '{"layers": [{"layer": 0, "bias": [0, 0]}]}' > short.json
moestat replay --bias-file short.json six.mlog
echo "status $?"
moestat replay noscore.jsonl
echo "status $?"
moestat replay nologits.mlog
