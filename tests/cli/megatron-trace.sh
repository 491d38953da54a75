# A Megatron-LM router trace, router_trace_rank0.jsonl, with its bfloat16 logits
# sidecar logits_rank0.bin, written here by Python in the shapes of Megatron's
# router_trace.py: one record per step and layer, "top_indices" [tokens][k],
# "logit_offset"/"logit_bytes"/"logit_shape" into the sidecar, and a
# multi-token prediction layer ("block": "mtp", "mtp_idx": 0, "layer": 1),
# which moestat numbers 1001. The logits are multiples of 1/8, exact in
# bfloat16, distinct within a token; each token's top_indices are its top 2.
# Python counts the selections itself; moestat must count the same, replay
# without a bias must agree with every selection, and convert keeps it all.
python3 - <<'PY'
import json, random, struct
random.seed(7)
N, K, T = 8, 2, 5
counts = {}
offset = 0
with open("router_trace_rank0.jsonl", "w") as trace, open("logits_rank0.bin", "wb") as side:
    for step in range(3):
        for block, mtp, layer in (("decoder", None, 0), ("decoder", None, 1), ("mtp", 0, 1)):
            rows, picks = [], []
            for t in range(T):
                row = [k / 8 for k in random.sample(range(-32, 33), N)]
                rows.append(row)
                picks.append(sorted(range(N), key=lambda e: -row[e])[:K])
            for row in rows:
                for v in row:
                    bits = struct.unpack("<I", struct.pack("<f", v))[0]
                    side.write(struct.pack("<H", bits >> 16))
            rec = {"step": step, "stage": "pre_dispatch", "block": block, "layer": layer,
                   "rank": 0, "num_tokens": T, "topk": K, "top_indices": picks,
                   "logit_offset": offset, "logit_bytes": T * N * 2, "logit_shape": [T, N]}
            if mtp is not None:
                rec["mtp_idx"] = mtp
            offset += T * N * 2
            trace.write(json.dumps(rec) + "\n")
            key = layer + (1000 * (mtp + 1) if mtp is not None else 0)
            for p in picks:
                for e in p:
                    counts.setdefault(key, [0] * N)[e] += 1
with open("expected.json", "w") as f:
    json.dump([[k, counts[k]] for k in sorted(counts)], f, separators=(",", ":"))
    f.write("\n")
PY
moestat summarize --experts 8 --experts-table --json router_trace_rank0.jsonl |
	jq -c '[.layers[] | [.layer, [.experts[].count]]]' >counted.json
cmp counted.json expected.json && echo "counts: as Python counted them"
jq -c '.[] | .[0]' expected.json | tr '\n' ' '; echo
moestat replay --strategy none --score softmax --experts 8 --json router_trace_rank0.jsonl |
	jq -c '[.strategies[0].layers[] | [.layer, .agreement]]'
moestat convert --experts 8 -o trace.mlog router_trace_rank0.jsonl
head -n 1 trace.mlog
moestat replay --strategy none --score softmax --json trace.mlog |
	jq -c '[.strategies[0].layers[] | [.layer, .agreement]]'
for cmd in "summarize --by-domain" "maxvio" "replay --strategy lossfree,capacity --score softmax"; do
	moestat $cmd --experts 8 --json router_trace_rank0.jsonl | jq -S 'del(.input.files, .input.format, .input.experts_from)' >a.json
	moestat $cmd --json trace.mlog | jq -S 'del(.input.files, .input.format, .input.experts_from)' >b.json
	cmp -s a.json b.json && echo "$cmd: the same on the trace and its conversion (N from --experts, then from the header)"
done
# The sidecar is looked for beside the trace, wherever that is; damage is said.
mkdir elsewhere && mv router_trace_rank0.jsonl logits_rank0.bin elsewhere/
moestat summarize --experts 8 elsewhere/router_trace_rank0.jsonl | head -n 1
head -c 100 elsewhere/logits_rank0.bin >elsewhere/short.bin && mv elsewhere/short.bin elsewhere/logits_rank0.bin
moestat summarize --experts 8 elsewhere/router_trace_rank0.jsonl; echo "exit $?"
rm elsewhere/logits_rank0.bin
moestat summarize --experts 8 elsewhere/router_trace_rank0.jsonl; echo "exit $?"
moestat summarize --experts 8 - <elsewhere/router_trace_rank0.jsonl; echo "exit $?"
