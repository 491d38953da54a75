# An empty file and an empty gzip member are valid: zero records, said on standard error.
: > empty.log
printf "" | gzip -c > empty.gz
moestat summarize empty.log empty.gz
moestat summarize --json empty.gz | jq -c "[.input.records, .input.format, .layers, .overall.maxvio_global]"
