# convert keeps every figure: each sample log, and the same records as CSV and
# as steps (made here with awk from a sample, not by moestat), converted to
# mlog and to JSON Lines, plain and gzip'd, give what the original gives to
# summarize (with domains), dead, maxvio and, with logits, replay. Only the
# input's file names and format may differ.
same() {
	# same NAME ARGS...: the command's JSON on the original and on each conversion.
	name=$1
	shift
	moestat "$@" --json "$in" | jq -S 'del(.input.files, .input.format)' >want.json
	jq -e '.input.records > 0' want.json >/dev/null || echo "$label $name: no records read"
	for out in conv.mlog conv.jsonl conv.mlog.gz conv.jsonl.gz; do
		moestat "$@" --json "$out" | jq -S 'del(.input.files, .input.format)' >got.json
		if cmp -s want.json got.json; then echo "$label $out $name: same"
		else echo "$label $out $name: DIFFERENT"; diff want.json got.json | head -5; fi
	done
}

check() {
	label=$1 in=$2
	shift 2
	moestat convert "$@" -o conv.mlog "$in"
	moestat convert "$@" -o conv.mlog.gz "$in"
	moestat convert "$@" --to jsonl -o conv.jsonl "$in"
	moestat convert "$@" --to jsonl -o conv.jsonl.gz "$in"
	gzip -t conv.mlog.gz conv.jsonl.gz
	same summarize summarize --by-domain "$@"
	same dead dead --threshold 100 --gap "$@"
	same maxvio maxvio "$@"
	if [ "$(moestat convert "$@" "$in" | head -n 1 | grep -c logits)" = 1 ]; then
		same replay replay --strategy lossfree,capacity "$@"
	fi
}

for f in mixtral.mlog deepseek-v3.mlog plain.log vllm.jsonl olmoe-code.mlog olmoe-chat.mlog; do
	check "$f" "$SAMPLES/$f.gz" 2>/dev/null
done

# CSV with a quoted list and a domain column; steps: each layer's tokens of a step.
gzip -dc "$SAMPLES/mixtral.mlog.gz" | awk '
	BEGIN { print "layer,token_idx,expert_ids,domain" }
	/^#domain/ { d = $2; next }
	/^#/ { next }
	{ print $1 "," n++ ",\"" $2 "\"," d }' >mixtral.csv
check mixtral.csv mixtral.csv --experts 8
gzip -dc "$SAMPLES/deepseek-v3.mlog.gz" | awk '
	/^#/ { next }
	{ ids[$1] = ids[$1] (ids[$1] == "" ? "" : ", ") "[" $2 "]" ; if ($1 == 60) {
		s = ""; for (l = 3; l <= 60; l++) s = s (s == "" ? "" : ", ") "\"" l "\": [" ids[l] "]"
		printf "%s{%s}", (steps++ ? ",\n" : "["), s; delete ids } }
	END { print "]" }' >deepseek.steps
check deepseek.steps deepseek.steps --experts 256
