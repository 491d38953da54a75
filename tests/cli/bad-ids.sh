# Expert ids are whole numbers from 0 to 65535 written in digits only, in every
# format: a negative id, "+3", "3.0", ids past 2^31, 2^32 and 2^64 are bad records
# (exit 65), each named by its file and line; JSON's 3.0 is a real, not an id.
bad() {
	printf "$2" > "$1"
	moestat summarize "$1"
	echo "$1: $?"
}
for id in -1 +3 3.0 2147483648 4294967296 18446744073709551616; do
	bad "mlog$id" "0 1,2\n0 1,$id\n"
done
bad jsonl-neg '{"experts": [1, -1]}\n'
bad jsonl-plus '{"experts": [+3]}\n'
bad jsonl-real '{"experts": [3.0]}\n'
bad jsonl-2e31 '{"experts": [2147483648]}\n'
bad jsonl-2e64 '{"experts": [18446744073709551616]}\n'
bad csv-neg 'experts\n"[1, -1]"\n'
bad csv-plus 'experts\n+3\n'
bad csv-real 'experts\n3.0\n'
bad csv-2e32 'layer,experts\n0,4294967296\n'
bad steps-neg '[{"0": [[1, -1]]}]\n'
bad steps-real '[{"0": [[3.0]]}]\n'
bad steps-2e31 '[{"0": [[2147483648]]}]\n'
