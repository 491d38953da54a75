# The text table of tests/data/tiny.mlog: the figures of summarize-tiny-json.sh, rounded to 4 places.
cp "$DATA/tiny.mlog" .
moestat summarize tiny.mlog
