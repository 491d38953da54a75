# An input that cannot be opened: exit 66.
moestat summarize nonexistent.log.gz
echo "status $?"
moestat summarize .
