# --help, COMMAND --help and help COMMAND print the same usage on standard output, exit 0.
moestat summarize --help > a
moestat help summarize > b
cmp a b && echo "summarize: same"
moestat dead -h > a
moestat help dead > b
cmp a b && echo "dead: same"
head -n 1 a
moestat --help | head -n 1
moestat help | head -n 1
moestat --version | sed 's/[0-9][0-9.]*$/VERSION/'
