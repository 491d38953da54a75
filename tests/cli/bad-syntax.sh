# Ids are digits only: "+3" is not one.
printf "0 1,2\n0 +3,4\n" > r.mlog
moestat summarize r.mlog
