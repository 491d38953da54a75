# MaxVio per chunk on tests/data/tiny.mlog (N = 4, k = 1), by hand. Layer 0 picks 0 0 0 1,
# layer 1 picks 2 3. A chunk's MaxVio = (max c_i - c_mean) / c_mean, c_mean = selections / 4.
# B = 1: c_mean 1/4, max 1: 3 in every chunk. B = 2: layer 0 chunks (0,0) -> (2 - .5) / .5 = 3
# and (0,1) -> 1: mean 2, p95 (2nd of 2) 3, max 3; layer 1 (2,3) -> 1. B = 3: layer 0 one full
# chunk (0,0,0) -> (3 - .75) / .75 = 3; layer 1 has only a partial chunk (2,3) -> 1.
# The default sweep keeps the sizes a layer has tokens for: B = 1 only.
cp "$DATA/tiny.mlog" .
moestat maxvio tiny.mlog
moestat maxvio --json --batch 3,2,2 tiny.mlog | jq -c '.sizes, [.layers[] | [.layer, .maxvio_global, [.batch[] | [.size, .chunks, .partial, .maxvio_batch, .maxvio_p95, .maxvio_max]]]], .overall'
moestat maxvio --micro-batch 1 --ep-dp 2 --json tiny.mlog | jq -c '.sizes'
