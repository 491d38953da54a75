# No FILE and "-" read standard input; gzip is told by its bytes; several files are one stream.
cp "$DATA/tiny.mlog" .
gzip -c tiny.mlog > tiny.txt
moestat summarize --json < tiny.mlog | jq -c '[.layers[].tokens], .input.files'
gzip -c tiny.mlog | moestat summarize --json | jq -c '[.layers[].tokens]'
moestat summarize --json - < tiny.txt | jq -c '[.layers[].tokens]'
moestat summarize --json tiny.mlog - < tiny.txt | jq -c '[.layers[].tokens], .input.files'
cat tiny.mlog tiny.mlog > twice.mlog
moestat summarize --json twice.mlog | jq -c '[.layers[].tokens]'
cat tiny.txt tiny.txt > twice.gz
moestat summarize --json twice.gz | jq -c '[.layers[].tokens]'
# Options may follow the files, as with other GNU tools.
moestat summarize tiny.mlog --json --layers 1 | jq -c '[.layers[].layer]'
