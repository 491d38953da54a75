# summarize --batch 2 --by-domain on tests/data/domains.mlog (N = 2), by hand. Picks 0 0 | 1 0:
# chunk counts expert 0: 2, 1 -> mean 1.5, std .5, cv 1/3; expert 1: 0, 1 -> .5, .5, 1.
# Shares: code (0,0) -> 1, 0; chat (1,0) -> .5, .5. Specialisation = max share / mean share:
# expert 0: 1 / .75 = 4/3; expert 1: .5 / .25 = 2.
cp "$DATA/domains.mlog" .
moestat summarize --batch 2 --by-domain --json domains.mlog |
	jq -c '.batch, [.layers[0].experts[] | [.batch_mean, .batch_std, .batch_cv, .domain_shares, .specialisation]]'
moestat summarize --batch 2 --by-domain domains.mlog | sed -n '/^batch_/,/^$/p;/^expert/,/^$/p' | head -n 6
