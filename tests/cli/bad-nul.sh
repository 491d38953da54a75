# NUL bytes: in the first line, the file is no router log; in a later line, that
# record is bad, in every format. Exit 65 either way.
printf '0 1,2\0\n' > first.mlog
printf '0 1,2\n0 1\0002\n' > later.mlog
printf '{"experts": [1]}\n{"experts": [1\0002]}\n' > later.jsonl
printf 'experts\n1\n"1\0002"\n' > later.csv
printf '[{"0": [[1]]},\n\0]\n' > later.json
for f in first.mlog later.mlog later.jsonl later.csv later.json; do
	moestat summarize "$f"
	echo "$f: $?"
done
