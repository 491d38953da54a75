# watch follows a log while it is written, through a rotation and a truncation,
# with --every 2 --window 2 --threshold 3 (N = 4, one layer). By hand:
#   positions 0-1 chose 0, 1: counts 1,1,0,0; window {0,1}: max 1, mean 2/4, MaxVio 1;
#     idle 1, 0, 2, 2: none dead.
#   2-3 chose 0, 0: counts 3,1,0,0; window {0,0}: MaxVio (2 - .5) / .5 = 3;
#     idle 0, 2, 4, 4: 2 and 3 newly dead.
#   (rotated) 4-5 chose 2, 2: counts 3,1,2,0; MaxVio 3; idle 2, 4, 0, 6: 1 and 3 dead,
#     1 newly.
#   (truncated) 6-7 chose 3, 3: counts 3,1,2,2; MaxVio 3; idle 4, 6, 2, 0: 0 and 1 dead,
#     0 newly.
#   SIGTERM: a final snapshot of the same figures, no one newly dead; exit 0.
# Then promtool checks the Prometheus file, written for the last snapshot.
printf '#moestat v1 experts=4 topk=1\n' > live.mlog
moestat watch --every 2 --window 2 --threshold 3 --prom live.prom live.mlog > out.ndjson &
pid=$!
wait_for() {
	n=0
	until [ "$(wc -l < out.ndjson)" -ge "$1" ]; do
		sleep 0.1
		n=$((n + 1))
		if [ $n -gt 150 ]; then
			echo "no snapshot $1 after 15 s"
			kill $pid
			exit 1
		fi
	done
}
printf '0 0\n0 1\n' >> live.mlog
wait_for 1
printf '0 0\n0 0\n' >> live.mlog
wait_for 2
mv live.mlog live.mlog.1
printf '#moestat v1 experts=4 topk=1\n0 2\n0 2\n' > live.mlog
wait_for 3
: > live.mlog
printf '0 3\n0 3\n' >> live.mlog
wait_for 4
kill -TERM $pid
wait $pid
echo "exit $?"
jq -c '[.snapshot, .final, .layers[0].tokens, .layers[0].counts, .layers[0].maxvio_window,
        .layers[0].dead, .layers[0].newly_dead]' out.ndjson
grep -c '^moestat_' live.prom
promtool check metrics < live.prom && echo "promtool: ok"
