# --by-domain on tests/data/domains.mlog, by hand (N = 2):
# all: counts 3,1, mean 2: maxvio .5, cv 1/2 = .5, entropy -(.75 ln .75 + .25 ln .25) / ln 2
#   = 2 - .75 log2(3) = .8113, gini 2 * 2 / (2 * 4 * 2) = .25;
# code: counts 2,0, mean 1: maxvio 1, cv 1, entropy 0, gini 4 / 8 = .5;
# chat: counts 1,1: all 0, entropy 1.
cp "$DATA/domains.mlog" .
moestat summarize --by-domain domains.mlog
moestat summarize --by-domain --json domains.mlog | jq -c '[.domains[] | .domain, [.layers[0].experts[].count]]'
moestat summarize --domain chat --json domains.mlog | jq -c '[.input.records, .layers[0].tokens]'
moestat summarize --domain none --json domains.mlog | jq -c '[.input.records, .layers]'
