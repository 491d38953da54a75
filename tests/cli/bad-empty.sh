# An empty file and an empty gzip member are valid: zero records, said on standard error.
# So is a file of blank lines after a byte order mark; an empty member between two
# others adds nothing to theirs.
: > empty.log
printf "" | gzip -c > empty.gz
moestat summarize empty.log empty.gz
moestat summarize --json empty.gz | jq -c "[.input.records, .input.format, .layers, .overall.maxvio_global]"
printf '\357\273\277\n\n \t\r\n' > blank.log
moestat summarize --json blank.log | jq -c "[.input.records, .input.format]"
printf "0 1\n" | gzip -c > one.gz
cat one.gz empty.gz one.gz > sandwich.gz
moestat summarize --experts 2 --json sandwich.gz | jq -c "[.input.records, .layers[0].tokens]"
