# The figures of tests/data/tiny.mlog, worked out by hand (jq prints the
# shortest decimal that gives the same double: 2.0 is 2):
# layer 0: counts 3,1,0,0; 4 tokens, 4 selections, mean 1.
#   maxvio = (3 - 1) / 1 = 2; cv = sqrt((4 + 0 + 1 + 1) / 4) / 1 = sqrt(1.5);
#   entropy = (ln 4 - 3/4 ln 3) / ln 4 = 1 - 0.75 log4(3); gini = 20 / (2 * 16 * 1) = 0.625;
#   least used 2:0 3:0 1:1 0:3 (ties to the lower id); shares .75 .25 0 0, ratios 3 1 0 0.
# layer 1: counts 0,0,1,1; 2 tokens, mean 0.5.
#   maxvio = (1 - .5) / .5 = 1; cv = sqrt(.25) / .5 = 1; entropy = ln 2 / ln 4 = .5;
#   gini = 8 / (2 * 16 * .5) = .5.
# overall: sums 6 tokens, 6 selections, 4 unused; means 1.5, (sqrt(1.5) + 1) / 2, ..., .5625.
moestat summarize --json "$DATA/tiny.mlog" |
	jq -c '.layers[] | [.layer, .tokens, .selections, .topk, .unused, .maxvio_global, .cv,
	        .entropy_norm, .gini, [.least_used[] | [.expert, .count]],
	        [.experts[] | [.count, .share, .ratio]]]'
moestat summarize --json "$DATA/tiny.mlog" | jq -c '.overall, (.input | del(.files))'
# Top-N coverage, N = 1, 2, 4 of 4 experts: layer 0 counts sorted 3,1,0,0 of 4 selections
# give .75, 1, 1; layer 1 (1,1,0,0 of 2) gives .5, 1, 1; balanced routing N / 4.
moestat summarize --json "$DATA/tiny.mlog" | jq -c '[.layers[] | [.coverage[] | [.n, .share, .uniform]]]'
