# summarize --format csv on tests/data/tiny.mlog, by hand. Layer 0 counts 3,1,0,0 of 4
# selections: shares .75 .25 0 0, ratios (count / (4 / 4)) 3 1 0 0; layer 1 counts
# 0,0,1,1 of 2: shares .5, ratios (count / (2 / 4)) 2. With --batch 2: layer 0 chunks
# {0,0} {0,1}: expert 0 loads 2,1 (mean 1.5, std .5, cv 1/3), expert 1 0,1 (.5, .5, 1),
# 2 and 3 none (cv undefined: empty); layer 1 one chunk {2,3}: 1 each (mean 1, std 0, cv 0).
cp "$DATA/tiny.mlog" .
moestat summarize --format csv tiny.mlog
moestat summarize --format csv --batch 2 tiny.mlog | sed -n '2,3p;4p;8p'
moestat summarize --save-state tiny.state --batch 2 tiny.mlog
moestat merge --format csv tiny.state | sed -n 2p
