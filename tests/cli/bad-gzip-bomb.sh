# Gzip bombs, made here. 500 MB of comment lines from 0.5 MB of gzip (five members
# of 100 MB), then a record: inflated as a stream, its peak RSS stays within 32 MiB
# of moestat --version's (whatever the build: ASan and valgrind add their own).
# 1 GB of zeros from 1 MB: one line over the 64 MiB limit, stopped there, exit 65.
python3 -c 'import sys; sys.stdout.buffer.write((b"#" * 1048575 + b"\n") * 100)' | gzip -c > member.gz
for i in 1 2 3 4 5; do cat member.gz; done > bomb.gz
printf '0 1,2\n' | gzip -c >> bomb.gz
"$TESTS/peak-rss" base moestat --version >/dev/null
"$TESTS/peak-rss" bomb moestat summarize --experts 4 --json bomb.gz | jq -c '[.input.records, .layers[0].unused]'
grow=$(($(cat bomb) - $(cat base)))
if [ $grow -lt 32768 ]; then
	echo "peak RSS within 32 MiB of moestat --version's"
else
	echo "peak RSS $(cat bomb) KiB, $grow KiB above moestat --version's"
fi
head -c 100000000 /dev/zero | gzip -c > zeros.gz
for i in 1 2 3 4 5 6 7 8 9 10; do cat zeros.gz; done > zeros-bomb.gz
moestat summarize zeros-bomb.gz
