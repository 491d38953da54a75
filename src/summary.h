/* summary.h: the figures of `summarize` for every layer, computed from a stats accumulator. */
#ifndef MOESTAT_SUMMARY_H
#define MOESTAT_SUMMARY_H

#include <stddef.h>
#include <stdint.h>

#include "metrics.h"
#include "stats.h"

struct summary_expert {
	uint32_t expert;
	uint64_t count;
	double share;           /* count / selections */
	double ratio;           /* count / mean, mean = selections / N */
};

struct summary_layer {
	unsigned layer;
	uint64_t tokens;
	uint64_t selections;
	unsigned topk;          /* the common list length; 0 when lengths differ */
	size_t unused;
	double maxvio_global, cv, entropy_norm, gini;   /* NAN when undefined */
	size_t nleast;
	const struct moe_expert_count *least;   /* the nleast least-used, in order */
	struct summary_expert *experts;         /* all N, by id */
	struct moe_expert_count *ascending;     /* all N, least-used first (owns least) */
};

/* Over all layers: sums of the counts, arithmetic means of the figures. */
struct summary_overall {
	uint64_t tokens;
	uint64_t selections;
	size_t unused;
	double maxvio_global, cv, entropy_norm, gini;
};

struct summary {
	unsigned experts;       /* N, the same for every layer */
	size_t nlayers;
	struct summary_layer *layers;   /* ascending layer id */
	struct summary_overall overall;
};

/* Fills s from st with N = experts (st must have room for them, see
 * stats_reserve) and the `bottom` least-used experts a layer; -1 when out of memory. */
int summary_build(struct summary *s, const struct stats *st, unsigned experts, size_t bottom);

void summary_free(struct summary *s);

#endif
