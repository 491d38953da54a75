# summarize --heatmap on a terminal (script(1) gives it one) is in the 256 colours of
# xterm, from src/heat.h by hand for layer 2 of tests/data/heat.mlog: ratio 0, heat -1,
# blue (33, 102, 172), the cube's (1, 2, 3): 16 + 36 + 12 + 3 = 67; ratio 8, heat 1,
# red (178, 24, 43), the cube's (3, 0, 1): 16 + 108 + 1 = 125. NO_COLOR set: no colour.
cp "$DATA/heat.mlog" .
unset NO_COLOR
export COLUMNS=80
script -qec 'moestat summarize --heatmap --layers 2 heat.mlog' /dev/null | tr -d '\r' | sed -n '7p' | cat -v
NO_COLOR=1 script -qec 'moestat summarize --heatmap --layers 2 heat.mlog' /dev/null | tr -d '\r' | sed -n '7p'
