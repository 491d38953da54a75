# Every sample log, summarize and dead, against the independent Python oracle
# (tests/oracle/oracle.py, written from the specification, not from this code).
for f in "$SAMPLES"/*.gz; do
	for args in "summarize" "summarize --by-domain --bottom 3" "dead --threshold 300" \
	            "dead --gap --threshold 40" "summarize --experts 300" "summarize --key domain=dataset --by-domain"; do
		moestat $args --json "$f" >actual.json 2>/dev/null
		python3 "$TESTS/oracle/oracle.py" $args "$f" >expected.json 2>/dev/null
		python3 "$TESTS/oracle/jsoncmp.py" expected.json actual.json || echo "differs: $args $f"
	done
done
