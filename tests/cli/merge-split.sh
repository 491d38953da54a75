# For random splits of generated logs into 1 to 5 parts, 'moestat merge' of the
# parts' states prints what one run over the parts prints: text exactly, JSON
# with floats within 1e-12 relative. The cuts fall at multiples of 32 tokens, so
# that no chunk of the batch sizes used spans parts. Every grouping of merges
# agrees, and -j 2 prints what -j 1 prints. Each part starts with the header and
# the #domain in force, as a log of its own.
gen() {
	awk -v seed="$1" 'BEGIN { srand(seed); print "#moestat v1 experts=8"
		for (t = 0; t < 160; t++) {
			if (t % 24 == 0) print "#domain d" int(rand() * 3)
			for (l = 0; l < 4; l++) {
				a = int(rand() ^ 3 * 8); b = (a + 1 + int(rand() * 7)) % 8
				if (rand() < 0.9) print l, a "," b
				else print l, a
			}
		} }'
}
# part SEED P: cuts log.mlog into P parts at random multiples of 32 tokens (128 records).
part() {
	awk -v seed="$1" -v parts="$2" 'BEGIN { srand(seed); cut[0] = 0
		for (i = 1; i < parts; i++) cut[i] = 128 * int(rand() * 6)
		cut[parts] = 1e9; n = parts
		for (i = 1; i <= n; i++) for (j = i; j > 1 && cut[j - 1] > cut[j]; j--) { x = cut[j]; cut[j] = cut[j - 1]; cut[j - 1] = x } }
	NR == 1 { header = $0; next }
	/^#domain/ { domain = $0; next }
	{ while (p < parts && (p == 0 || r >= cut[p + 1])) { p++; f = "part" p ".mlog"; print header > f; if (domain) print domain > f } 
	  print > f; r++ }
	END { for (q = p + 1; q <= parts; q++) { f = "part" q ".mlog"; print header > f } }' log.mlog
}
same() {
	cmp -s "$1" "$2" || { echo "differ: $3"; diff "$1" "$2" | head -n 5; exit 1; }
}
for seed in 1 2 3 4 5 6; do
	gen "$seed" > log.mlog
	parts=$((seed % 5 + 1))
	rm -f part*.mlog
	part "$seed" "$parts"
	set -- $(ls part*.mlog | sort -V)
	for cmd in "summarize --by-domain --batch 8" "dead --threshold 20" "dead --gap --threshold 12" \
	           "maxvio --batch 1,8,16,32"; do
		i=0
		states=
		for f in "$@"; do
			moestat $cmd --save-state "$f.state" "$f" || exit 1
			states="$states $f.state"
		done
		moestat $cmd "$@" > one.txt
		moestat merge $states > merged.txt
		same one.txt merged.txt "seed $seed, $cmd: merge"
		moestat $cmd --json "$@" > one.json
		moestat merge --json $states > merged.json
		"$TESTS/cli/same-json" one.json merged.json || exit 1
		moestat $cmd -j 1 "$@" > j1.txt
		moestat $cmd -j 2 "$@" > j2.txt
		same j1.txt j2.txt "seed $seed, $cmd: -j 2"
		same one.txt j1.txt "seed $seed, $cmd: -j 1"
		# (first second) rest = first (second rest), when there are three parts or more
		if [ $# -ge 3 ]; then
			first=$1.state; second=$2.state; shift 2
			rest=$(for f in "$@"; do printf '%s.state ' "$f"; done)
			moestat merge --save-state left.state "$first" "$second"
			moestat merge left.state $rest > left.txt
			moestat merge --save-state right.state "$second" $rest
			moestat merge "$first" right.state > right.txt
			same left.txt right.txt "seed $seed, $cmd: groupings"
			same one.txt left.txt "seed $seed, $cmd: grouping against one run"
			set -- $(ls part*.mlog | sort -V)
		fi
	done
	echo "seed $seed: $# parts, merge = one run"
done
