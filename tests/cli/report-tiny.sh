# report of tests/data/heat.mlog, chunks of 8 tokens, dead at 30 idle tokens; worked out by hand.
# Layer 0, 32 tokens in this order: expert 1 at position 0, 2 at 1-2, 3 at 3-6, 4 at 7-14,
# 6 at 15, 7 at 16-31. Mean 4.
#   expert 0: count 0, ratio 0, heat -1: blue #2166ac (33, 102, 172); never used, idle 32: dead.
#   expert 1: count 1, ratio 1/4, heat -1: blue; last use 0, idle 31: dead. Expert 5: never, idle 32: dead. Expert 6: idle 16.
#   expert 3: count 4, share 1/8, ratio 1, heat 0: grey #dddddd.
#   expert 7: count 16, share 1/2, ratio 4, heat 1: red #b2182b (178, 24, 43); last use 31.
#   MaxVio_global = (16 - 4) / 4 = 3. Chunks of 8 (mean 1 each): 0-7 max 4 (expert 3): 3;
#   8-15 max 7 (expert 4): 6; 16-23 and 24-31 max 8 (expert 7): 7, 7. MaxVio_batch = 23 / 4 = 5.75.
# Layer 2, 16 tokens, all expert 3 (mean 2): ratio 8, red; the others idle 16 < 30: not dead.
#   MaxVio_global = (16 - 2) / 2 = 7; each chunk (8 - 1) / 1 = 7.
# 2 layers x 8 experts: 16 cells; 3 dead marks.
cp "$DATA/heat.mlog" .
moestat report --batch 8 --threshold 30 -o report.html heat.mlog
grep -c '<rect class="cell"' report.html
sed -n '/<svg id="load-heatmap"/,/<\/svg>/p' report.html | grep -c '<path class="dead" d='
grep -o '<rect class="cell"[^>]*fill="#[0-9a-f]*"><title>layer 0, expert [0137]: [^<]*' report.html | sed 's/.*fill=//'
grep -o '<rect class="cell"[^>]*fill="#[0-9a-f]*"><title>layer 2, expert [03]: [^<]*' report.html | sed 's/.*fill=//'
grep -o '<title>layer [02]: MaxVio[^<]*' report.html
grep -o '<code>moestat report[^<]*' report.html
# Self-contained: nothing to fetch, no script.
grep -i -E '(src|href)=|url\(|<script|<link|@import' report.html || echo 'nothing to fetch'
# --ep 2 on tests/data/place.mlog in chunks of 2, by hand (tests/cli/place-tiny.sh has the plans):
# contiguous, d0 {0,1} d1 {2,3}: layer 0 counts 2 1 2 2, global loads 3 4, mean 3.5:
#   ratios 6/7 = 0.8571 and 8/7 = 1.1429; chunk imbalance 2, 2, 1: 5/3 = 1.6667.
#   Layer 1 counts 0 0 0 1: loads 0 1, ratios 0 and 2; imbalance 2.
# --ep 3: 4 experts do not divide by 3 devices: balanced and eplb (no redundant) are left
# out with a warning; contiguous (2 1 1) and round-robin place them.
cp "$DATA/place.mlog" .
moestat report --ep 2 --batch 2 -o ep.html place.mlog
grep -o '<title>contiguous, layer [01], device [01]: [^<]*' ep.html
grep -o '<title>layer [01]: contiguous [^<]*' ep.html
moestat report --ep 3 -o ep3.html place.mlog
grep -o '<h3>[a-z-]*</h3>' ep3.html
