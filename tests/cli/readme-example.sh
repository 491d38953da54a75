# Every example of the README that shows its output ("$ moestat ..." at the top of a
# block) prints what the README shows.
# They show what 80 columns give (summarize --heatmap), not the caller's terminal.
unset COLUMNS
cd "$TESTS/.."
awk '/^```/ { if (inblock) { inblock = 0; next } inblock = 1; n++; next }
     inblock { print > (ENVIRON["OLDPWD"] "/block." n) }' README.md
status=0
found=0
for block in "$OLDPWD"/block.*; do
	first=$(head -n 1 "$block")
	case $first in
	'$ moestat '*) ;;
	*) continue ;;
	esac
	found=$((found + 1))
	tail -n +2 "$block" > "$OLDPWD/expected"
	sh -c "${first#\$ }" > "$OLDPWD/actual" 2>/dev/null
	diff -u "$OLDPWD/expected" "$OLDPWD/actual" || { echo "differs: $first"; status=1; }
done
[ $found -ge 2 ] || { echo "only $found examples with output found in README.md"; exit 1; }
exit $status
