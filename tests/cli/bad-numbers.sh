# Router logits and gate weights: NaN and infinities, written or overflowing, are
# bad records (exit 65); so are N+1 logits where the header says experts=N, a count
# that changes when N is not known, and a weight count other than the expert count.
bad() {
	printf "$2" > "$1"
	moestat summarize "$1" >/dev/null
	echo "$1: $?"
}
h='#moestat v1 experts=4 fields=layer,experts,logits,weights\n'
bad mlog-nan "${h}0 1,2 0.5,nan,1,2 0.5,0.5\n"
bad mlog-inf "${h}0 1,2 0.5,-inf,1,2 0.5,0.5\n"
bad mlog-overflow "${h}0 1,2 0.5,1e999,1,2 0.5,0.5\n"
bad mlog-weight-nan "${h}0 1,2 0,0,1,2 NaN,1\n"
bad mlog-logits-count "${h}0 1,2 0,0,1,2,3 0.5,0.5\n"
bad mlog-weights-count "${h}0 1,2 0,0,1,2 0.5\n"
bad jsonl-nan '{"experts": [1], "logits": [NaN, 1]}\n'
bad jsonl-inf '{"experts": [1], "logits": [Infinity, 1]}\n'
bad jsonl-overflow '{"experts": [1], "logits": [-1e400, 1]}\n'
bad jsonl-logits-count '{"experts": [1], "logits": [0, 1]}\n{"experts": [1], "logits": [0, 1, 2]}\n'
bad jsonl-weights-count '{"experts": [1, 2], "weights": [1]}\n'
bad csv-nan 'experts,logits\n1,"[nan, 1]"\n'
bad csv-inf 'experts,weights\n1,inf\n'
bad csv-weights-count 'experts,weights\n"1 2","0.5 0.25 0.25"\n'
