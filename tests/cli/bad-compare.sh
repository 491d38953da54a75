# compare's own errors: the sides must be two, and of one model.
printf '#moestat v1 experts=2\n0 1\n' > a.mlog
printf '#moestat v1 experts=4\n0 1\n' > b.mlog
moestat compare a.mlog
echo "status $?"
moestat compare --domains code a.mlog
echo "status $?"
moestat compare a.mlog b.mlog
