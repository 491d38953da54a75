# contrib/python against moestat (tests/python/test_contrib.py), with the first
# Python that has torch: skipped, saying why, when there is none.
for py in python3 /usr/bin/python3; do
	if command -v "$py" >/dev/null 2>&1 && "$py" -c "import torch" 2>/dev/null; then
		CONTRIB="$TESTS/../contrib/python" exec "$py" "$TESTS/python/test_contrib.py" -q
	fi
done
echo "python-contrib: skipped: no python3 with torch (Debian: apt-get install python3-torch)" >&2
