# summarize --heatmap of tests/data/heat.mlog, worked out by hand from the counts in
# its header and the shades of src/heat.h (ratio 0: ' ', < 1/2: the lightest, 1/2 to 2,
# 2 to 4, 4 or more: the darkest; a ratio on an edge takes the darker shade):
#   layer 0, ratios 0, 1/4, 1/2, 1, 2, 0, 1/4, 4: ' ░▒▒▓ ░█' (ASCII ' .::+ .#');
#   layer 2, ratio 8 for expert 3 alone: '   █    '.
# Standard output is not a terminal: 80 columns and no colour, whatever NO_COLOR says.
cp "$DATA/heat.mlog" .
unset COLUMNS NO_COLOR
moestat summarize --heatmap heat.mlog
moestat summarize --heatmap --ascii heat.mlog
# COLUMNS=10 leaves 4 columns after the layer's: experts 0-3, then 4-7 (no id of a
# multiple of 8 to write above them).
COLUMNS=10 moestat summarize --heatmap --ascii heat.mlog
