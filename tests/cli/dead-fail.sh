# --fail: exit 1 when an expert is listed (like grep), 0 when none is.
if moestat dead --fail --threshold 5 "$DATA/tiny.mlog" >/dev/null; then echo "none at 5: 0"; fi
moestat dead --fail --threshold 4 "$DATA/tiny.mlog" >/dev/null
echo "two at 4: $?"
