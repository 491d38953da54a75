# watch takes one input; a missing file is 66, as for every command.
moestat watch a.mlog b.mlog
echo "status $?"
moestat watch --every 0 a.mlog
echo "status $?"
moestat watch -o out.ndjson a.mlog
echo "status $?"
moestat watch missing.mlog
