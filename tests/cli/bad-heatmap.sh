# --heatmap's usage errors.
moestat summarize --ascii x
moestat summarize --heatmap --json x
moestat summarize --heatmap --format csv x
