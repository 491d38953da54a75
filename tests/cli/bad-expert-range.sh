# An id at or above experts=N: the file and line, exit 65, nothing on standard output.
printf "#moestat v1 experts=4\n0 1\n0 4\n" > r.mlog
moestat summarize r.mlog
