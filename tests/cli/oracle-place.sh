# place against the independent Python oracle (tests/oracle/oracle.py, written from
# moestat(1) and moestat(5), with EPLB ported from DeepSeek's eplb.py): the
# DeepSeek-V3-shaped sample for P = 8, 16, 32, 64, with and without replicas, EPLB's
# hierarchical and global policies, and the other samples. Silent and 0 when all agree.
. "$TESTS/oracle/check.sh"

ds=$SAMPLES/deepseek-v3.mlog.gz
i=0
for args in "--ep 8 --batch 256" "--ep 16 --batch 256" "--ep 32 --redundant 64 --batch 256" \
            "--ep 64 --redundant 64 --batch 256" "--ep 8 --redundant 64 --batch 100" \
            "--ep 16 --redundant 32 --nodes 4 --groups 8 --batch 256" \
            "--ep 16 --redundant 32 --nodes 2 --groups 3 --batch 4096" \
            "--ep 32 --batch 64 --placement contiguous,eplb"; do
	i=$((i + 1))
	mkdir "job.$i"
	(
		cd "job.$i" || exit 1
		# shellcheck disable=SC2086 # $args is a list of words
		check place $args "$ds"
		exit $status
	) >"job.$i/out" 2>"job.$i/err" &
	# Two at a time: the oracle is slow.
	[ $((i % 2)) -eq 0 ] && wait
done
wait
collect
check place --ep 4 --redundant 4 --batch 64 "$SAMPLES/mixtral.mlog.gz"
check place --ep 8 --redundant 8 --nodes 2 --groups 4 --batch 64 "$SAMPLES/olmoe-chat.mlog.gz"
check place --ep 2 --batch 2 --redundant 2 "$DATA/place.mlog"
exit $status
