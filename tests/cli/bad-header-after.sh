# A header is first: after records it could not have checked them.
printf "0 1\n0 2\n#moestat v1 experts=8\n0 3\n" > r.mlog
moestat summarize r.mlog
