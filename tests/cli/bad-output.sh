# -o writes the whole output or nothing: a full disk is an I/O error (exit 74), a
# missing directory cannot be created (exit 73), and an existing FILE survives a failure.
# The file size limit (ulimit -f, here 1 block) fails a write as a full disk does: the
# temporary file is removed and kept.txt stays as it was.
printf "0 1\n" > r.mlog
moestat summarize -o out.txt r.mlog && head -n 1 out.txt
echo keep > kept.txt
moestat summarize -o kept.txt missing.mlog
cat kept.txt
ls
moestat summarize -o no/such/dir/x r.mlog
echo "status $?"
(ulimit -f 1 && moestat summarize --experts-table --experts 2000 -o kept.txt r.mlog 2>limit.err)
echo "status $?"
cat limit.err >&2
cat kept.txt
rm limit.err
ls
# The help, too, is an output: a full disk fails it.
moestat --help > /dev/full
echo "status $?"
moestat help summarize > /dev/full
echo "status $?"
moestat summarize -o /dev/full r.mlog
