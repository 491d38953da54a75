# An empty expert list is a bad record (exit 65) in every format. A trailing comma
# is an empty item, and bad, except inside the brackets of a CSV list cell, where
# moestat(5) allows one at either end ("[8, 26, 56,]"): that record is good.
bad() {
	printf "$2" > "$1"
	moestat summarize --experts 8 "$1" >/dev/null
	echo "$1: $?"
}
bad mlog-empty '#moestat v1 fields=layer,experts\n0 1\n0 ,\n'
bad mlog-trailing '0 1,2\n0 1,2,\n'
bad mlog-leading '0 ,1\n'
bad jsonl-empty '{"experts": [1]}\n{"experts": []}\n'
bad jsonl-batch-empty '{"topk_ids": [[1], []]}\n'
bad jsonl-trailing '{"experts": [1, 2,]}\n'
bad csv-empty 'layer,experts\n0,[]\n'
bad csv-empty-cell 'layer,experts\n0,\n'
bad csv-trailing 'experts\n"1,2,"\n'
bad csv-bracket-trailing 'experts\n"[1, 2,]"\n'
bad steps-empty '[{"0": [[1], []]}]\n'
bad steps-trailing '[{"0": [[1, 2,]]}]\n'
