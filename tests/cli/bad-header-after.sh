# A header is first: after records it could not have checked them, in one file, in
# the next file, or in JSON Lines.
printf "0 1\n0 2\n#moestat v1 experts=8\n0 3\n" > r.mlog
printf "0 1\n" > plain.mlog
printf "#moestat v1 experts=8\n0 3\n" > header.mlog
moestat summarize plain.mlog header.mlog
printf '{"experts": [1]}\n{"moestat": 1, "experts": 8}\n' > r.jsonl
moestat summarize r.jsonl
moestat summarize r.mlog
