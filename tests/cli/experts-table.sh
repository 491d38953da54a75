# --experts-table on tests/data/tiny.mlog: layer 0 counts 3,1,0,0 of 4 (shares .75 .25,
# ratios 3 1 against a mean of 1), layer 1 counts 0,0,1,1 of 2 (ratio 2 against .5).
# Bars are 40 characters for the layer's busiest expert: 1 of 3 is round(13.3) = 13.
cp "$DATA/tiny.mlog" .
moestat summarize --experts-table --bottom 2 tiny.mlog | sed -n '/^layer 0:/,$p'
