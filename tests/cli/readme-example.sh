# The README's `dead` example prints what the README shows.
cd "$TESTS/.."
sed -n '/^\$ moestat dead --threshold 500/,/^```/p' README.md | sed -e '1d' -e '$d' > "$OLDPWD/expected"
[ -s "$OLDPWD/expected" ] || { echo "no example in README.md"; exit 1; }
moestat dead --threshold 500 sample-logs/deepseek-v3.mlog.gz > "$OLDPWD/actual"
diff -u "$OLDPWD/expected" "$OLDPWD/actual"
