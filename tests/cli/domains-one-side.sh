# Domains present on one side only, by hand, on tests/data/three-domains.mlog (N = 2):
# layer 0: code picks 0 0, chat 1 0, math 1; layer 1: only code, which picks 1.
# Specialisation in layer 0 (shares code 1,0; chat .5,.5; math 0,1): expert 0: max 1 / mean
# (1.5 / 3) = 2; expert 1: 1 / .5 = 2. In layer 1 only code has records: its shares 0, 1 give
# expert 1 a specialisation of 1 and expert 0 none (mean share 0).
cp "$DATA/three-domains.mlog" .
moestat summarize --by-domain --json three-domains.mlog |
	jq -c '[.layers[] | [.layer, [.experts[] | [.domain_shares, .specialisation]]]]'
# compare with a domain that has no records: every layer is on one side only.
moestat compare --domains code,nothing --json three-domains.mlog | jq -c '[.layers, .layers_only_in_a, .layers_only_in_b, .overall]'
# code against math: layer 1 is code's alone; layer 0: a = (1, 0), b = (0, 1): JSD 1, TVD 1.
moestat compare --domains code,math --json three-domains.mlog | jq -c '[.layers[] | [.layer, .jsd, .tvd, .dead_only_in_a, .dead_only_in_b]], .layers_only_in_a'
