# Every formula is written once in code and once in moestat(5), in the same words:
# each "/* NAME = ... */" comment of the headers that define figures and the
# comments of struct dead_expert in src/dead.h, struct replay_figures and enum
# replay_strategy in src/replay.h, enum place_kind in src/place.h must stand in man/moestat.5
# (white space aside).
top=$TESTS/..
flat() { tr -s ' \t\n' '   '; }
page=$(sed -e 's/\\-/-/g' -e 's/\\&//g' "$top/man/moestat.5" | flat)
{
	# The comments that define a figure, one line or several.
	awk '/^\/\* .* = / { s = $0; while (s !~ /\*\/$/) { getline l; sub(/^[ \t]*\* ?/, "", l); s = s " " l }
	                      gsub(/^\/\* | \*\/$/, "", s); print s }' \
		"$top/src/metrics.h" "$top/src/batch.h" "$top/src/pairs.h" "$top/src/compare.h" \
		"$top/src/route.h" "$top/src/replay.h" "$top/src/place.h" "$top/src/devload.h" \
		"$top/src/heat.h"
	# The figures of a dead expert: the comments in struct dead_expert.
	sed -n '/^struct dead_expert {/,/^};/s/.*\/\* \(.*\) \*\/$/\1/p' "$top/src/dead.h"
	# The figures of a replayed layer: the comments in struct replay_figures.
	sed -n '/^struct replay_figures {/,/^};/s/.*\/\* \(.*\) \*\/$/\1/p' "$top/src/replay.h"
	# The strategies' rules: the comments in enum replay_strategy.
	sed -n '/^enum replay_strategy {/,/^};/s/.*\/\* \(.*\) \*\/$/\1/p' "$top/src/replay.h"
	# The placements' rules: the comments in enum place_kind.
	sed -n '/^enum place_kind {/,/^};/s/.*\/\* \(.*\) \*\/$/\1/p' "$top/src/place.h"
} > formulas
[ -s formulas ] || { echo "no formula comments found"; exit 1; }
status=0
while IFS= read -r formula; do
	words=$(printf '%s' "$formula" | flat)
	case $page in
	*"$words"*) ;;
	*) echo "not in moestat.5: $words"; status=1 ;;
	esac
done < formulas
exit $status
