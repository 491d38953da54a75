# Every sample log against the independent Python oracle (tests/oracle/oracle.py,
# written from the specification, not from this code): summarize, dead, maxvio,
# pairs and compare. Prints "differs: ..." (and jsoncmp's mismatches) for every
# disagreement and exits 1 if there was any; silent and 0 when all agree.
. "$TESTS/oracle/check.sh"

# One sample a background job, each in a directory of its own: the oracle is slow
# and the machine has more than one processor.
i=0
for f in "$SAMPLES"/*.gz; do
	i=$((i + 1))
	mkdir "job.$i"
	(
		cd "job.$i" || exit 1
		for args in "summarize" "summarize --by-domain --bottom 3" "dead --threshold 300" \
		            "dead --gap --threshold 40" "summarize --experts 300" "summarize --key domain=dataset --by-domain" \
		            "summarize --batch 64" "summarize --key domain=dataset --by-domain --batch 7" \
		            "maxvio" "maxvio --batch 1,5,64,100000" "pairs --top 12"; do
			# shellcheck disable=SC2086 # $args is a list of words
			check $args "$f"
		done
		exit $status
	) >"job.$i/out" 2>"job.$i/err" &
done
wait
collect

# compare: two domains of one stream (mlog #domain lines; a jsonl key) ...
check compare --domains code,chat "$SAMPLES/mixtral.mlog.gz"
check compare --key domain=dataset --domains humaneval,gsm8k "$SAMPLES/vllm.jsonl.gz"
check compare --top 3 --key domain=dataset --domains gsm8k,humaneval "$SAMPLES/vllm.jsonl.gz"
# ... and two files: the mixtral sample's halves (header + the code records, header +
# the chat records), each a log of its own.
zcat "$SAMPLES/mixtral.mlog.gz" >all.mlog
sed -n '1p' all.mlog >chat.mlog
sed -n '/^#domain chat/,$p' all.mlog >>chat.mlog
sed '/^#domain chat/,$d' all.mlog >code.mlog
check compare code.mlog chat.mlog
check compare --top 8 chat.mlog code.mlog

exit $status
