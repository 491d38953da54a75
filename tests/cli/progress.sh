# --progress writes only to standard error, as \r-redrawn lines erased at the end (nothing at
# all when the run ends before the first tenth of a second); standard output stays the same.
cp "$DATA/tiny.mlog" .
moestat summarize --json tiny.mlog > plain.out
moestat summarize --json --progress tiny.mlog > meter.out 2> meter.err
cmp plain.out meter.out && echo "same output"
tr -d '\r' < meter.err | grep -v '^moestat: [0-9.]* MB read' | tr -d ' ' | grep . || echo "only the meter on stderr"
moestat summarize --json --no-progress tiny.mlog 2> quiet.err > /dev/null
[ -s quiet.err ] || echo "nothing with --no-progress"
# A run that lasts: records 40,000 and 40,000 with a pause between, through a
# pipe. The meter is drawn (after 49,152 records, past the pause) on standard
# error only, without a percentage (a pipe's size is not known), and erased:
# the last bytes are \r, as many spaces as the last line drawn, \r (a line
# drawn over a longer one is padded with spaces to its length).
half() { awk 'BEGIN { for (i = 0; i < 40000; i++) print i % 4, i % 8 "," (i + 1) % 8 }'; }
{ echo "#moestat v1 experts=8 topk=2 fields=layer,experts"; half; sleep 1; half; } |
	moestat summarize --json --progress - > slow.out 2> slow.err
{ echo "#moestat v1 experts=8 topk=2 fields=layer,experts"; half; half; } | moestat summarize --json - > fast.out
cmp slow.out fast.out && echo "same output from the slow pipe"
tr '\r' '\n' < slow.err | grep -c '^moestat: [0-9]*\.[0-9] MB read, [0-9]*\.[0-9] MB/s, 0:0[0-9] *$' |
	sed 's/^[1-9][0-9]*$/the meter drawn/'
grep -q % slow.err || echo "no percentage for a pipe"
tr '\r' '\n' < slow.err | awk '
	/^moestat: / { sub(/ +$/, ""); last = length($0); next }
	/^ +$/ { blank = length($0); next }
	/./ { other = 1 }
	END { if (!other && blank == last && last > 0) print "erased at the end" }'
tail -c 1 slow.err | od -An -c | tr -d ' '
