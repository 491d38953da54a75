# The JSD bars of report --by-domain are compare's, and the MaxVio bars maxvio's: each
# layer's figure to 4 decimals from the page's <title>s and from the commands' JSON.
moestat report --by-domain --batch 64 -o report.html "$SAMPLES/mixtral.mlog.gz"
grep -o '<title>layer [0-9]*: code vs chat [^<]*' report.html | awk '{ print $2, $6 }' | tr -d : > jsd-report
moestat compare --json --domains code,chat "$SAMPLES/mixtral.mlog.gz" |
	jq -r '.layers[] | "\(.layer) \(.jsd)"' | awk '{ printf "%s %.4f\n", $1, $2 }' > jsd-compare
wc -l < jsd-report
diff jsd-compare jsd-report && echo "the report's JSD is compare's"
grep -o '<title>layer [0-9]*: MaxVio_[gb][^<]*' report.html | awk '{ print $2, $NF }' | tr -d : > maxvio-report
moestat maxvio --json --batch 64 "$SAMPLES/mixtral.mlog.gz" |
	jq -r '.layers[] | "\(.layer) \(.maxvio_global)\n\(.layer) \(.batch[0].maxvio_batch)"' |
	awk '{ printf "%s %.4f\n", $1, $2 }' > maxvio-maxvio
wc -l < maxvio-report
diff maxvio-maxvio maxvio-report && echo "the report's MaxVio is maxvio's"
