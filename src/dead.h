/* dead.h: the figures of `dead`: experts idle for a threshold of tokens at the end, or at some time. */
#ifndef MOESTAT_DEAD_H
#define MOESTAT_DEAD_H

#include <stddef.h>
#include <stdint.h>

#include "stats.h"

enum dead_criterion {
	DEAD_IDLE,              /* idle >= threshold: dead now */
	DEAD_GAP,               /* max_gap >= threshold: dead for a while, maybe back */
};

struct dead_expert {
	uint32_t expert;
	uint64_t count;
	int64_t last_used;      /* position, -1 when never used */
	uint64_t idle;          /* tokens - 1 - last_used; tokens when never used */
	uint64_t max_gap;       /* longest run of positions without the expert, the open run included */
};

struct dead_layer {
	unsigned layer;
	uint64_t tokens;
	size_t n;
	struct dead_expert *experts;    /* the listed ones, ascending id */
};

struct dead_report {
	uint64_t threshold;
	enum dead_criterion criterion;
	size_t nlayers;
	struct dead_layer *layers;      /* every layer with records, ascending id */
	size_t total;                   /* listed experts over all layers */
};

/* Lists, for every layer of st (which must keep gaps and have room for
 * experts), the experts meeting the criterion; -1 when out of memory. */
int dead_build(struct dead_report *d, const struct stats *st, unsigned experts, uint64_t threshold,
               enum dead_criterion criterion);

/* The figures of one expert of a layer (also for experts that are not listed). */
struct dead_expert dead_expert_of(const struct stats_layer *l, uint32_t expert);

void dead_free(struct dead_report *d);

#endif
