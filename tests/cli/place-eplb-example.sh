# DeepSeek EPLB's published example, given as --counts: 2 layers of 12 experts, 16 physical
# experts (--redundant 4), 4 groups, 2 nodes, 8 GPUs. EPLB's README gives
#   phy2log = [[5,6,5,7,8,4,3,4,10,9,10,2,0,1,11,1],[7,10,6,8,6,11,8,9,2,4,5,1,5,0,3,1]]
# Device loads by hand (a replicated expert's load halved): layer 0 (total 1033, mean
# 129.125): d0 165/2+39 = 121.5, d1 82.5+4 = 86.5, d2 73+52 = 125, d3 61+52 = 113,
# d4 91.5+56 = 147.5, d5 91.5+40 = 131.5, d6 90+66 = 156, d7 86+66 = 152:
# imbalance_global 156/129.125 = 1.2081, balancedness_global 0.8277.
# Layer 1 (total 1156, mean 144.5): d0 157+16 = 173, d1 93.5+86 = 179.5, d2 93.5+27 = 120.5,
# d3 86+86 = 172, d4 104+19 = 123, d5 98.5+53.5 = 152, d6 98.5+20 = 118.5, d7 64+53.5 = 117.5:
# 179.5/144.5 = 1.2422, 0.8050. Means: 1.2252 and 0.8164.
cp "$DATA/eplb-example.json" .
moestat place --ep 8 --placement eplb --redundant 4 --nodes 2 --groups 4 --counts eplb-example.json
moestat place --ep 8 --placement eplb --redundant 4 --nodes 2 --groups 4 --counts eplb-example.json --json |
	jq -c '.counts, .batch, .fitted_on, (.placements[0] | .params, (.layers[] | .phy2log, .logcnt, .device_slots, .device_load, .straggler, .imbalance))'
# The same as CSV, with a header and the layers numbered 3 and 7.
printf 'layer,e0,e1,e2,e3,e4,e5,e6,e7,e8,e9,e10,e11\n7,20,107,104,64,19,197,187,157,172,86,16,27\n3,90,132,40,61,104,165,39,4,73,56,183,86\n' > example.csv
moestat place --ep 8 --placement eplb --redundant 4 --nodes 2 --groups 4 --counts example.csv --json |
	jq -c '.placements[0].layers[] | [.layer, .phy2log]'
