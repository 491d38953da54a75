/* summary.h: the figures of `summarize` for every layer, computed from a stats accumulator. */
#ifndef MOESTAT_SUMMARY_H
#define MOESTAT_SUMMARY_H

#include <stddef.h>
#include <stdint.h>

#include "batch.h"
#include "metrics.h"
#include "stats.h"

struct summary_expert {
	uint32_t expert;
	uint64_t count;
	double share;           /* count / selections */
	double ratio;           /* count / mean, mean = selections / N */
	double batch_mean, batch_std, batch_cv;        /* over chunks (summarize --batch); else NAN */
	double specialisation;  /* over the domains (summarize --by-domain); else NAN */
};

/* Top-N coverage: the share of the selections taken by the n most-used experts. */
struct summary_coverage {
	size_t n;               /* 1, 2, 4, ... up to N, and N itself */
	double share;
	double uniform;         /* n / N: what balanced routing would give */
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
	size_t ncoverage;
	struct summary_coverage *coverage;
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
	void *arrays;           /* every layer's experts and ascending, in one (bigmem.h) */
	struct summary_overall overall;
};

/* Fills s from st with N = experts (st must have room for them, see
 * stats_reserve) and the `bottom` least-used experts a layer; with chunks
 * (not NULL, per_expert, with room for experts), each expert's load per chunk.
 * -1 when out of memory. */
int summary_build(struct summary *s, const struct stats *st, unsigned experts, size_t bottom,
                  const struct batch *chunks);

/* Fills the specialisation of every expert of all from the same layer of the
 * ndomains summaries of by_domain. */
void summary_specialise(struct summary *all, const struct summary *by_domain, size_t ndomains);

/* The layer with id layer, or NULL. */
const struct summary_layer *summary_find_layer(const struct summary *s, unsigned layer);

void summary_free(struct summary *s);

#endif
