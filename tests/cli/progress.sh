# --progress writes only to standard error, as \r-redrawn lines erased at the end (nothing at
# all when the run ends before the first tenth of a second); standard output stays the same.
cp "$DATA/tiny.mlog" .
moestat summarize --json tiny.mlog > plain.out
moestat summarize --json --progress tiny.mlog > meter.out 2> meter.err
cmp plain.out meter.out && echo "same output"
tr -d '\r' < meter.err | grep -v '^moestat: [0-9.]* MB read' | tr -d ' ' | grep . || echo "only the meter on stderr"
moestat summarize --json --no-progress tiny.mlog 2> quiet.err > /dev/null
[ -s quiet.err ] || echo "nothing with --no-progress"
