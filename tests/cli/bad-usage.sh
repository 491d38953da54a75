# Usage errors: exit 64 with a hint.
moestat summarize --frobnicate x
echo "status $?"
moestat summarize --layers 3-1 x
echo "status $?"
moestat dead --threshold 0 x
echo "status $?"
moestat summarize --experts
echo "status $?"
moestat frob
echo "status $?"
moestat --frob
echo "status $?"
moestat
