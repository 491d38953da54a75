# States that do not merge: each message names the state file and what is wrong;
# bad data is 65, a missing state 66, no state at all 64.
printf '#moestat v1 experts=8\n0 1,2\n' > a.mlog
printf '#moestat v1 experts=16\n0 1,2\n' > b.mlog
printf '0 1,2\n0 9\n' > ids.mlog
moestat summarize --save-state a.state a.mlog
moestat summarize --save-state b.state b.mlog
moestat summarize --bottom 3 --save-state a3.state a.mlog
moestat dead --save-state dead.state a.mlog
moestat summarize --save-state ids.state ids.mlog
moestat merge a.state b.state
echo "status $?"
moestat merge a.state a3.state
echo "status $?"
moestat merge a.state dead.state
echo "status $?"
moestat merge a.state ids.state
echo "status $?"
moestat merge ids.state a.state
echo "status $?"
printf '{"moestat_state": 1,\n "command": "summarize",\n' > cut.state
moestat merge a.state cut.state
echo "status $?"
sed 's/"moestat_state":1/"moestat_state":2/' a.state > v2.state
moestat merge v2.state
echo "status $?"
sed 's/"count":\[0,1,1,0,0,0,0,0\]/"count":[0,1,1]/' a.state > short.state
moestat merge short.state
echo "status $?"
moestat merge a.state missing.state
echo "status $?"
moestat merge --format csv dead.state
echo "status $?"
moestat summarize --save-state x.state -o x.txt a.mlog
echo "status $?"
moestat merge --save-state x.state -o x.txt a.state
echo "status $?"
moestat merge
