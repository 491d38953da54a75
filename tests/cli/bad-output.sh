# -o writes the whole output or nothing: a full disk is an I/O error (exit 74), a
# missing directory cannot be created (exit 73), and an existing FILE survives a failure.
printf "0 1\n" > r.mlog
moestat summarize -o out.txt r.mlog && head -n 1 out.txt
echo keep > kept.txt
moestat summarize -o kept.txt missing.mlog
cat kept.txt
ls
moestat summarize -o no/such/dir/x r.mlog
echo "status $?"
moestat summarize -o /dev/full r.mlog
