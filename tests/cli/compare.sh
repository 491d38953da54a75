# compare on tests/data/domains.mlog, by hand: domain code picks 0 0 (shares a = 1, 0), chat
# picks 1 0 (b = .5, .5); m = (.75, .25). JSD = 1/2 log2(1/.75) + 1/4 log2(.5/.75) + 1/4 log2(.5/.25)
# = 1.5 - .75 log2 3 = .3112781244591329 (the double nearest to .311278124459132864); TVD = 1/2 (.5 + .5) = .5. Both experts moved by .5:
# the tie goes to expert 0. Expert 1 is dead in code only.
cp "$DATA/domains.mlog" .
moestat compare --domains code,chat domains.mlog
moestat compare --domains code,chat --json domains.mlog |
	jq -c '.sides, .input_b, [.layers[] | [.layer, .tokens_a, .tokens_b, .jsd, .tvd, .movers, .dead_only_in_a, .dead_only_in_b]], .overall'
# Two inputs: the same halves as files; B also has a layer 5 that A lacks.
printf '#moestat v1 experts=2 topk=1\n0 0\n0 0\n' > code.mlog
printf '#moestat v1 experts=2 topk=1\n0 1\n0 0\n5 1\n' > chat.mlog
moestat compare --json --top 1 code.mlog chat.mlog |
	jq -c '.sides, .input_b.files, [.layers[] | [.jsd, .tvd, .movers]], .layers_only_in_a, .layers_only_in_b'
