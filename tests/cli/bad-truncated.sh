# A gzip file cut short: exit 74 and nothing on standard output.
printf "0 1,2\n0 3,4\n0 5,6\n0 7,0\n" | gzip -c > full.gz
head -c 30 full.gz > cut.gz
moestat summarize cut.gz
