# pairs on tests/data/pairs.mlog, by hand: 4 tokens choosing {0,1} {0,1} {1,2} {0,3}:
# counts 3 3 1 1. Pair {0,1}: 2 tokens, lift 2 * 4 / (3 * 3) = 8/9; {0,3}: 1 * 4 / (3 * 1)
# = 4/3; {1,2}: 4/3; the three pairs never chosen together have lift 0. Ties in count go to
# the lower a, then the lower b.
cp "$DATA/pairs.mlog" .
moestat pairs --top 4 pairs.mlog
moestat pairs --top 10 --json pairs.mlog | jq -c '.top, [.layers[0].pairs[] | [.a, .b, .count, .lift]]'
