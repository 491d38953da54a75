# The GNU parallel recipe of the README, run as written on sample logs of one model
# cut into four ranks (each with its header and #domain), prints what one run over
# the ranks prints: for summarize, and for dead with the same recipe.
recipe=$(grep '^parallel moestat summarize --save-state' "$TESTS/../README.md")
[ -n "$recipe" ] || { echo "no GNU parallel recipe in README.md"; exit 1; }
echo "$recipe"
for f in olmoe-chat olmoe-code; do
	gzip -dc "$SAMPLES/$f.mlog.gz" > "$f.mlog"
done
# rank N: the 1600 records from N * 1600 + 1 on, and the header and #domain in force
for rank in 0 1 2 3; do
	awk -v lo=$((rank * 1600 + 1)) -v hi=$(((rank + 1) * 1600)) '
		FNR == 1 { header = $0; if (NR == 1) print; next }
		/^#domain/ { domain = $0; next }
		/^#/ { next }
		{ n++; if (n == lo && domain) print domain; if (n >= lo && n <= hi) print }' \
		olmoe-chat.mlog olmoe-code.mlog > rank$rank.log
	head -n 1 olmoe-chat.mlog | cat - rank$rank.log | awk 'NR == 1 || !/^#moestat/' | gzip > rank$rank.log.gz
done
rm rank?.log
sh -c "$recipe" > merged.txt
moestat summarize rank*.log.gz > one.txt
cmp one.txt merged.txt && echo "summarize: merge = one run"
head -n 1 one.txt
parallel moestat dead --threshold 500 --save-state {}.state {} ::: rank*.log.gz && moestat merge rank*.state > merged.txt
moestat dead --threshold 500 rank*.log.gz > one.txt
cmp one.txt merged.txt && echo "dead: merge = one run"
