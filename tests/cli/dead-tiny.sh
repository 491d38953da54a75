# tests/data/tiny.mlog by hand. Layer 0 (positions 0-3): expert 0 at 0,1,2; expert 1 at 3;
# 2 and 3 never: idle 4. Layer 1 (positions 0-1): 2 at 0, 3 at 1; 0 and 1 never: idle 2.
# Expert 1 of layer 0 was idle for positions 0-2: max_gap 3, idle 0.
cp "$DATA/tiny.mlog" .
moestat dead --threshold 2 tiny.mlog
echo "--- gap 3"
moestat dead --gap --threshold 3 --json tiny.mlog | jq -c '.criterion, .listed, [.layers[] | [.layer, [.dead[] | [.expert, .count, .last_used, .idle, .max_gap]]]]'
echo "--- threshold 5"
moestat dead --threshold 5 tiny.mlog
