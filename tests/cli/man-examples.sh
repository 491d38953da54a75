# man-examples: every command in the EXAMPLES section of moestat(1) works.
# The commands are read from the page itself, so the two cannot drift: each
# is a `.Dl $ COMMAND` line, run with `sh -c` from the top of the source tree.
# A command fails if it exits non-zero or writes anything to standard error
# other than "moestat: warning: ..." lines (which catches a moestat that fails
# inside a pipeline, whose exit status the shell drops). An example that is
# meant to exit non-zero must say so in shell, e.g. inside an `if`.
# Only the escapes \& \- and \e may appear in an example line.
# Prints nothing when every example passes; failures go to standard error,
# which the runner shows.
set -u

: "${TESTS:?set TESTS to the tests directory}"
top=$(cd "$TESTS/.." && pwd)
page=$top/man/moestat.1
work=$PWD

[ -r "$page" ] || { echo "man-examples: $page: cannot read" >&2; exit 1; }

# The .Dl lines of the EXAMPLES section, as written in the page.
awk '/^\.Sh / { in_examples = ($0 == ".Sh EXAMPLES") }
     in_examples && /^\.Dl/' "$page" >"$work/examples.raw"

if [ ! -s "$work/examples.raw" ]; then
	echo "man-examples: no .Dl line in the EXAMPLES section of $page" >&2
	exit 1
fi

fail=0
if grep -v '^\.Dl \$ ' "$work/examples.raw" >"$work/examples.odd"; then
	echo "man-examples: these EXAMPLES lines are not in the form '.Dl \$ COMMAND':" >&2
	cat "$work/examples.odd" >&2
	fail=1
fi

# Strip '.Dl $ ' and undo the roff escapes; \e last, so that it yields a
# backslash that no other rule sees.
sed -n 's/^\.Dl \$ //p' "$work/examples.raw" |
	sed -e 's/\\&//g' -e 's/\\-/-/g' -e 's/\\e/\\/g' >"$work/examples"

if sed 's/\\[&e-]//g' "$work/examples.raw" | grep '[\]' >"$work/examples.odd"; then
	printf '%s\n' 'man-examples: an example uses a roff escape other than \& \- \e:' >&2
	cat "$work/examples.odd" >&2
	fail=1
fi

n=0
while IFS= read -r cmd; do
	n=$((n + 1))
	(cd "$top" && sh -c "$cmd") >"$work/example.out" 2>"$work/example.err" </dev/null
	status=$?
	if [ "$status" -ne 0 ]; then
		echo "FAIL example $n: exit status $status: $cmd" >&2
		sed 's/^/  /' "$work/example.err" | head -n 5 >&2
		fail=1
	elif grep -v '^moestat: warning: ' "$work/example.err" >/dev/null; then
		echo "FAIL example $n: error on standard error: $cmd" >&2
		sed 's/^/  /' "$work/example.err" | head -n 5 >&2
		fail=1
	fi
done <"$work/examples"

exit $fail
