# replay on tests/data/replay.mlog, B = 2, by hand (see tests/check_replay.c, lossfree):
# lossfree at u = 0.1 picks 0, 0, then 1, 1; its bias ends at 0, 0, 0.2; maxvio_global .5,
# maxvio_batch 2, changed .5. none agrees with the log everywhere. capacity f = 1: C = ceil(2/3)
# = 1 a chunk: the second token of each chunk is dropped: dropped .5.
cp "$DATA/replay.mlog" .
moestat replay --batch 2 --rate 0.1 --threshold 2 --strategy none,lossfree,capacity replay.mlog
moestat replay --json --batch 2 --rate 0.1 --threshold 2 --strategy none,lossfree,capacity replay.mlog |
	jq -c '.score, .batch, [.strategies[] | [.strategy, .params, .mean.maxvio_batch, .mean.changed, .mean.dropped, .mean.agreement, [.layers[0].bias[] | . * 10 | round]]]'
# --save-bias writes the lossfree bias; --bias-file reads it back for fixed, which then picks
# expert 1 over 0 only if s1 + 0 > s0 + 0: it does not (b0 = b1 = 0), so fixed = none here.
moestat replay --batch 2 --rate 0.1 --strategy lossfree --save-bias bias.json replay.mlog > /dev/null
jq -c '[.layers[] | [.layer, (.bias | map(. * 10 | round))]]' bias.json
moestat replay --json --batch 2 --strategy fixed --bias-file bias.json replay.mlog | jq -c '[.strategies[0].mean.changed]'
