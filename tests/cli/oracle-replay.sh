# `moestat replay` against the independent Python oracle (tests/oracle/oracle.py
# replay, written from the specification, not from this code) on the sample
# logs. Prints "differs: ..." (and jsoncmp's mismatches, and the oracle's notes
# on selections that hinge on ties) for every disagreement and exits 1 if there
# was any; silent and 0 when all agree.
. "$TESTS/oracle/check.sh"

mix=$SAMPLES/mixtral.mlog.gz
code=$SAMPLES/olmoe-code.mlog.gz
chat=$SAMPLES/olmoe-chat.mlog.gz

check replay --batch 64 "$mix"
check replay --strategy none,lossfree,dynamic,capacity --rate 0.001,0.01 --capacity-factor 1,1.5 "$mix"
check replay --groups 8 --group-topk 4 --batch 32 "$code"
check replay --drop-policy probs --strategy capacity "$code"
check replay --overflow reroute --strategy capacity "$code"
# The distribution-shift experiment: a bias fitted (lossfree) on the code log,
# kept fixed on the chat log, whose hot experts are others.
check replay --strategy none,lossfree,fixed --bias-from "$code" "$chat"

# Beyond the list above: sigmoid scores, the decay, dead experts, small chunks,
# and fixed/lossfree/dynamic starting from a bias file (made by the oracle:
# lossfree's final biases on the code log, batch 16).
check replay --score sigmoid --batch 16 --rate 0.01 --decay 0.5 --threshold 50 \
	--strategy none,lossfree,dynamic,capacity --overflow reroute "$mix"
python3 "$TESTS/oracle/oracle.py" replay --strategy lossfree --batch 16 --rate 0.002 "$code" >lossfree.json &&
python3 -c '
import json, sys
d = json.load(open("lossfree.json"))
json.dump({"layers": [{"layer": l["layer"], "bias": l["bias"]} for l in d["strategies"][0]["layers"]]}, sys.stdout)
' >bias.json || differs "oracle.py could not make bias.json"
check replay --strategy none,lossfree,dynamic,fixed --bias-file bias.json --batch 16 --threshold 100 "$chat"
check replay --strategy fixed,capacity --bias-file bias.json --bias-from "$code" --batch 16 --rate 0.002 \
	--drop-policy probs --capacity-factor 1.25 "$chat"

exit $status
