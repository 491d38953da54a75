# The same expert twice in one record is an error.
printf "0 1,2\n0 3,3\n" > r.mlog
moestat dead r.mlog
