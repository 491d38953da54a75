# report's usage errors, a missing input and an output that cannot be created.
cp "$DATA/heat.mlog" .
moestat report --json heat.mlog; echo "status $?"
moestat report --redundant 4 heat.mlog; echo "status $?"
moestat report --ep 2 - < heat.mlog; echo "status $?"
moestat report --batch 0 heat.mlog; echo "status $?"
moestat report -o report.html nothing.mlog; echo "status $?"
moestat report -o no/such/dir/report.html heat.mlog; echo "status $?"
ls
