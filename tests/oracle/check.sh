# check.sh: sourced by the command-line cases that hold moestat against the
# oracle. `check ARGS...` runs `moestat ARGS --json` and `oracle.py ARGS`: they
# must agree on every figure, or both reject the input. A disagreement prints
# "differs: ARGS" on stdout and on stderr ahead of jsoncmp's details and the
# oracle's notes (the runner shows the head of stderr), and sets status to 1.
status=0

check() {
	moestat "$@" --json >actual.json 2>/dev/null
	got=$?
	python3 "$TESTS/oracle/oracle.py" "$@" >expected.json 2>oracle.txt
	want=$?
	if [ $got -ne 0 ] && [ $want -ne 0 ]; then
		return
	elif [ $got -ne 0 ] || [ $want -ne 0 ]; then
		differs "$* (moestat exit $got, oracle exit $want)"
	elif ! python3 "$TESTS/oracle/jsoncmp.py" expected.json actual.json 2>mismatch.txt; then
		differs "$*"
		cat mismatch.txt oracle.txt >&2
	fi
}

differs() {
	echo "differs: $1"
	echo "differs: $1" >&2
	status=1
}

# After `wait` for background cases that each wrote job.N/out and job.N/err: shows
# them and sets status when one of them printed a "differs" line.
collect() {
	for j in job.*; do
		cat "$j/out"
		cat "$j/err" >&2
		grep -q . "$j/out" && status=1
	done
}
