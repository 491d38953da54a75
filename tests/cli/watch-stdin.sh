# watch on standard input (tests/data/tiny.mlog, N = 4) ends at its end with a final
# snapshot. --every 1: a snapshot each time every layer seen has one more token:
# layer 0 at 1, 2, 3 tokens (layer 1 not seen yet); then layer 1 lags behind, so
# only the final one. --threshold 2 --window 1. By hand: layer 0 chose 0, 0, 0, 1:
# at 2 tokens idle 0, 2, 2, 2 (1-3 newly dead); at the end idle 1, 0, 4, 4: 2 and 3
# dead. Layer 1 chose 2, 3: idle 2, 2, 1, 0 at the end, 0 and 1 newly dead. A
# window of one record of one expert: MaxVio (1 - 1/4) / (1/4) = 3.
cp "$DATA/tiny.mlog" .
moestat watch --every 1 --window 1 --threshold 2 - < tiny.mlog |
	jq -c '[.snapshot, .final, [.layers[] | [.layer, .tokens, .maxvio_window, .dead, .newly_dead]]]'
