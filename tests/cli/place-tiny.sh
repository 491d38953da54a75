# place on tests/data/place.mlog (N = 4, k = 1) over P = 2 devices in chunks of B = 2, by hand.
# Layer 0 picks 0 0 | 2 3 | 1 2 | 3 (the last a partial chunk, left out); counts 2 1 2 2.
# Layer 1 picks 3: no full chunk, its one partial chunk stands for it; counts 0 0 0 1.
# A chunk's imbalance = max device load / mean device load, balancedness = mean / max.
#
# contiguous, d0 {0,1} d1 {2,3}. Layer 0: chunk loads 2 0 | 0 2 | 1 1: imbalance 2, 2, 1
#   (mean 5/3), balancedness 1/2, 1/2, 1 (mean 2/3); busiest d0, d1, d0 (tie: lower):
#   straggler d0 in 2 of 3. Global loads 3 4: 4/3.5 = 8/7 = 1.1429, 7/8.
#   Layer 1: loads 0 1: 2 and 1/2, straggler d1 1 of 1; global the same.
#   Means: (5/3 + 2)/2 = 11/6 = 1.8333, (2/3 + 1/2)/2 = 7/12 = 0.5833,
#   (8/7 + 2)/2 = 11/7 = 1.5714, (7/8 + 1/2)/2 = 11/16 = 0.6875.
# round-robin, d0 {0,2} d1 {1,3}. Layer 0: loads 2 0 | 1 1 | 1 1: 2, 1, 1 (mean 4/3),
#   1/2, 1, 1 (mean 5/6); busiest d0 in all 3. Global 4 3: 8/7, 7/8. Layer 1 as contiguous.
#   Means: 5/3 = 1.6667, 2/3 = 0.6667, 11/7, 11/16.
# balanced, 2 experts a device. Layer 0, counts 2 1 2 2, heaviest first 0 2 3 1:
#   0 -> d0, 2 -> d1, 3 -> d0 (tie 2 = 2: lower), 1 -> d1: phy2log 0 3 2 1.
#   Loads 2 0 | 1 1 | 0 2: 2, 1, 2 (mean 5/3), 1/2, 1, 1/2 (2/3); busiest d0, d0, d1:
#   straggler d0 2 of 3. Global 4 3: 8/7.
#   Layer 1, counts 0 0 0 1, order 3 0 1 2: 3 -> d0, 0 -> d1, 1 -> d1, 2 -> d0:
#   phy2log 3 2 0 1. Loads 1 0: 2, 1/2, straggler d0. Means as contiguous.
# eplb --redundant 2 (6 slots, 3 a device). Layer 0: replicas to the largest count / replicas:
#   2 1 2 2 -> expert 0 (first), then 1 1 2 2 -> expert 2. Slots 0 1 2 3 0 2 weigh
#   1 1 1 2 1 1; packed heaviest first (ties to the lower slot), 3 a device:
#   s3 -> d0, s0 -> d1, s1 -> d1, s2 -> d0, s4 -> d1 (full), s5 -> d0: phy2log 3 2 2 0 1 0,
#   logcnt 2 1 2 1. Chunks: 0 0 -> both replicas of 0 on d1: loads 0 2; 2 3 -> expert 2's
#   token halved over its replicas, both on d0, and 3 on d0: 2 0; 1 2 -> 1 1. Imbalance
#   2, 2, 1 (5/3); balancedness 2/3; busiest d1, d0, d0: straggler d0 2 of 3.
#   Global: d0 2 + 2/2 + 2/2 = 4, d1 2 + 1 = 3: 8/7, 7/8.
#   Layer 1: 0 0 0 1 -> expert 3 twice (1, then 1/2): slots 0 1 2 3 3 3 weigh 0 0 0 1/3 1/3 1/3;
#   s3 -> d0, s4 -> d1, s5 -> d0 (tie: lower), s0 -> d1, s1 -> d1, s2 -> d0:
#   phy2log 3 3 2 3 0 1, logcnt 1 1 1 3. The token of 3 split in thirds: loads 2/3 1/3:
#   imbalance (2/3)/(1/2) = 4/3, balancedness 3/4, straggler d0; global the same.
#   Means: (5/3 + 4/3)/2 = 1.5, (2/3 + 3/4)/2 = 17/24 = 0.7083,
#   (8/7 + 4/3)/2 = 26/21 = 1.2381, (7/8 + 3/4)/2 = 13/16 = 0.8125.
cp "$DATA/place.mlog" .
moestat place --ep 2 --batch 2 --redundant 2 place.mlog
moestat place --ep 2 --batch 2 --redundant 2 --json place.mlog |
	jq -c '.ep, .batch, .fitted_on, (.placements[] | [.placement, .params, .fitted, .mean], (.layers[] | [.layer, .tokens, .chunks, .partial, .straggler, .phy2log, .logcnt, .device_load]))'
