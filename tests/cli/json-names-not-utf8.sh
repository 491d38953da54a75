# Names in the JSON output that are not valid UTF-8 (a domain, a file, a
# model): each bad byte is U+FFFD, nothing is left out (moestat(5), JSON
# OUTPUT), and the document is valid JSON.
printf '#moestat v1 experts=4 model=m\377\n#domain d\377\n0 1,2\n#domain ok\n0 2,3\n' > "log-$(printf '\377').mlog"
moestat summarize --json --by-domain log-*.mlog > out.json
jq -r '.input.files[0], .input.model, (.domains[] | .domain)' out.json
