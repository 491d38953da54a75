# The dead experts planted in the DeepSeek-V3-shaped sample (sample-logs/README.md), at 500 tokens:
# never chosen 3/17, 3/200, 30/99, 60/5, 60/6, 60/7; stopped 10/42, 20/3 (idle 502), 45/128.
moestat dead --threshold 500 --json "$SAMPLES/deepseek-v3.mlog.gz" |
	jq -c '.listed, [.layers[] | select(.dead != []) | [.layer, [.dead[] | [.expert, .idle]]]]'
# 20/3 is idle for 502 tokens: at 503 it is not listed.
moestat dead --threshold 503 --json "$SAMPLES/deepseek-v3.mlog.gz" | jq '.listed'
