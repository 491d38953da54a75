/* compare.h: how routing differs between two sides (two inputs, or two domains of one input), per layer. */
#ifndef MOESTAT_COMPARE_H
#define MOESTAT_COMPARE_H

#include <stddef.h>
#include <stdint.h>

#include "stats.h"

/* Each formula takes the counts of both sides over the same n experts; the
 * shares are share_i = count_i / selections of that side. NAN when a side has
 * no selections. */

/* JSD = 1/2 sum_i a_i log2(a_i / m_i) + 1/2 sum_i b_i log2(b_i / m_i),
 * m_i = (a_i + b_i) / 2, over the shares a and b, with 0 log 0 = 0: in [0, 1]. */
double compare_jsd(const uint64_t *count_a, uint64_t selections_a, const uint64_t *count_b,
                   uint64_t selections_b, size_t n);

/* TVD = 1/2 sum_i |a_i - b_i| over the shares a and b: in [0, 1]. */
double compare_tvd(const uint64_t *count_a, uint64_t selections_a, const uint64_t *count_b,
                   uint64_t selections_b, size_t n);

struct compare_mover {
	uint32_t expert;
	double share_a, share_b;
};

struct compare_layer {
	unsigned layer;
	uint64_t tokens_a, tokens_b;
	double jsd, tvd;
	size_t nmovers;
	struct compare_mover *movers;   /* largest |share_b - share_a| first, ties to the lower id */
	size_t ndead_a, ndead_b;
	uint32_t *dead_only_in_a;       /* count 0 in A, > 0 in B; ascending id */
	uint32_t *dead_only_in_b;       /* count 0 in B, > 0 in A */
};

struct compare_report {
	unsigned experts;
	size_t nlayers;
	struct compare_layer *layers;   /* the layers both sides have, ascending id */
	size_t nonly_a, nonly_b;
	unsigned *layers_only_in_a;     /* layers with records in A alone; ascending */
	unsigned *layers_only_in_b;
	/* Over the layers both sides have: arithmetic means (NAN when there is none). */
	double mean_jsd, mean_tvd;
	size_t ndead_only_a, ndead_only_b;      /* dead_only_in_* summed over those layers */
};

/* Compares a and b (both with room for experts, see stats_reserve), keeping
 * the movers top movers a layer; -1 when out of memory. */
int compare_build(struct compare_report *r, const struct stats *a, const struct stats *b,
                  unsigned experts, size_t movers);

void compare_free(struct compare_report *r);

#endif
