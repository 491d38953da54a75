/* pairs.h: co-selection: per layer, how many tokens chose both experts of each unordered pair. */
#ifndef MOESTAT_PAIRS_H
#define MOESTAT_PAIRS_H

#include <stddef.h>
#include <stdint.h>

#include "bylayer.h"
#include "moestat.h"

/* What pairs_add returns besides 0. */
#define PAIRS_NOMEM (-1)
#define PAIRS_OVERFLOW (-2)     /* a layer passed UINT32_MAX tokens: pair counts are 32-bit */

struct pairs_layer {
	unsigned layer;
	uint64_t tokens;
	uint64_t *count;        /* [capacity] records naming each expert */
	uint32_t *pair;         /* [capacity (capacity - 1) / 2]: a < b at pairs_index(a, b, capacity) */
};

/* Layers by id, each with room for the same number of experts, as in stats.h. */
struct pairs {
	unsigned capacity;
	struct bylayer layers;  /* of struct pairs_layer */
};

/* experts may be 0 when N is not known yet: the tables grow with the ids. */
void pairs_init(struct pairs *p, unsigned experts);

/* Counts the k (k - 1) / 2 pairs of one record; 0, PAIRS_NOMEM or PAIRS_OVERFLOW. */
int pairs_add(struct pairs *p, const struct moe_record *rec);

/* Makes room for n experts in every layer; -1 when out of memory. */
int pairs_reserve(struct pairs *p, unsigned n);

/* Where pair a < b sits in a table for n experts (row-major upper triangle). */
size_t pairs_index(uint32_t a, uint32_t b, unsigned n);

/* lift = (pair count * tokens) / (count_a * count_b): 1 when the two are chosen
 * together as often as chance would have it; NAN when count_a or count_b is 0. */
double pairs_lift(uint64_t pair_count, uint64_t tokens, uint64_t count_a, uint64_t count_b);

/* The first layer with records whose id is >= from, or NULL. */
const struct pairs_layer *pairs_next(const struct pairs *p, unsigned from);

/* Number of layers with records. */
unsigned pairs_layers(const struct pairs *p);

void pairs_free(struct pairs *p);

struct pair {
	uint32_t a, b;          /* a < b */
	uint64_t count;
	double lift;
};

struct pairs_report_layer {
	unsigned layer;
	uint64_t tokens;
	size_t n;
	struct pair *top;       /* the n most co-selected pairs: count descending, ties to the lower a, then b */
};

struct pairs_report {
	unsigned experts;
	size_t top;             /* pairs asked for per layer */
	size_t nlayers;
	struct pairs_report_layer *layers;      /* every layer with records, ascending id */
};

/* The top k pairs of every layer of p (which has room for experts, see
 * pairs_reserve); fewer when the layer has fewer pairs. -1 when out of memory. */
int pairs_report_build(struct pairs_report *r, const struct pairs *p, unsigned experts, size_t k);
void pairs_report_free(struct pairs_report *r);

#endif
