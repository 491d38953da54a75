# convert: usage errors; records a log of one set of columns cannot hold, with
# the file and line of the record, and no output file left behind; a full disk.
printf '{"layer": 0, "experts": [1, 2], "weights": [0.5, 0.5]}\n{"layer": 0, "experts": [3, 1]}\n' >mixed.jsonl
printf '{"experts": [1, 2], "domain": "a"}\n{"experts": [3, 1]}\n' >undomained.jsonl
printf '{"experts": [1, 2], "domain": "two words"}\n' >spaced.jsonl
moestat convert --to xml mixed.jsonl; echo "exit $?"
moestat convert --json mixed.jsonl; echo "exit $?"
moestat convert -o out.mlog mixed.jsonl; echo "exit $?"
moestat convert -o out.mlog undomained.jsonl; echo "exit $?"
moestat convert -o out.mlog spaced.jsonl; echo "exit $?"
ls out.mlog 2>/dev/null || echo "no out.mlog"
# JSON Lines can say what mlog cannot.
moestat convert --to jsonl undomained.jsonl spaced.jsonl 2>/dev/null; echo "exit $?"
moestat convert -o /dev/full "$SAMPLES/mixtral.mlog.gz"; echo "exit $?"
# No records: the header alone, and the warning.
printf '#moestat v1 experts=4 topk=2\n' | moestat convert; echo "exit $?"
