# The replay trade-off of the report is what `moestat replay` computes with the same
# strategies and settings: each row's mean maxvio_batch, retained, changed and dropped,
# to 4 decimals, from the report's table and from replay's JSON.
moestat report --batch 64 --layers 0-3 -o report.html "$SAMPLES/mixtral.mlog.gz"
sed -n 's/^<tr><td>[0-9]*<\/td><td style="[^"]*">\([a-z]*\)<\/td><td>\([^<]*\)<\/td><td>\([^<]*\)<\/td><td>\([^<]*\)<\/td><td>\([^<]*\)<\/td><td>\([^<]*\)<\/td><\/tr>$/\1 \3 \4 \5 \6/p' \
	report.html > from-report
moestat replay --json --strategy none,lossfree,dynamic,capacity --rate 0.0001,0.001,0.01 \
	--capacity-factor 1,1.25,1.5 --batch 64 --layers 0-3 "$SAMPLES/mixtral.mlog.gz" |
	jq -r '.strategies[] | [.strategy, (.mean.maxvio_batch, .mean.retained, .mean.changed, .mean.dropped
	       | tostring)] | join(" ")' |
	awk '{ printf "%s", $1; for (i = 2; i <= NF; i++) printf " %.4f", $i; print "" }' > from-replay
wc -l < from-report
diff from-replay from-report && echo "the report's replay rows are replay's"
