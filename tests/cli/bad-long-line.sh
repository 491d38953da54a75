# A line of 100 MB, over the 64 MiB limit of a line (moestat(5), LIMITS): a bad
# record named with the limit, exit 65, read in memory bounded by the limit; with
# --skip-bad it is passed over and the records around it count. Plain or gzip, any
# format. The lines are made here, not kept in the tree.
long() {
	printf "$1"
	head -c 100000000 /dev/zero | tr '\0' "$2"
	printf "$3"
}
long '0 1\n' 1 '\n0 2\n' | moestat summarize --experts 4
echo "status $?"
long '0 1\n' 1 '\n0 2\n' | moestat summarize --experts 4 --skip-bad --json | jq -c '[.input.records, .input.skipped]'
long '0 1\n' ' ' '0 2\n' | gzip -1 | moestat summarize --experts 4
echo "status $?"
long '{"experts": [1], "pad": "' a '"}\n' | moestat summarize --experts 4
echo "status $?"
