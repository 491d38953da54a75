# A UTF-8 byte order mark at the start of a file is passed over, in every format,
# gzip'd or not, in each of several files; anywhere else it is a byte of the record,
# which is then bad (exit 65).
bom=$(printf '\357\273\277')
printf '%s#moestat v1 experts=4\n0 1,2\n' "$bom" > a.mlog
printf '%s{"experts": [1, 2]}\n' "$bom" > a.jsonl
printf '%sexperts\n"[1, 2]"\n' "$bom" > a.csv
printf '%s[{"0": [[1, 2]]}]\n' "$bom" > a.json
gzip -c a.mlog > a.mlog.gz
for f in a.mlog a.jsonl a.csv a.json a.mlog.gz; do
	moestat summarize --experts 4 --json "$f" | jq -c '[.input.format, .input.records, .layers[0].experts[1:3]]'
done
moestat summarize --json a.mlog a.mlog.gz | jq -c '[.input.records]'
cat a.mlog a.mlog > twice.mlog
moestat summarize twice.mlog
echo "status $?"
