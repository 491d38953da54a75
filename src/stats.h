/* stats.h: the streaming accumulator: per layer and expert, counts, last use and longest idle gap. */
#ifndef MOESTAT_STATS_H
#define MOESTAT_STATS_H

#include <stdbool.h>
#include <stdint.h>

#include "bylayer.h"
#include "moestat.h"

struct stats_layer {
	unsigned layer;
	uint64_t tokens;        /* records so far; also the next record's position */
	uint64_t selections;
	size_t k_min, k_max;    /* shortest and longest list */
	uint64_t *count;        /* [capacity] records naming each expert */
	int64_t *first_used;    /* [capacity] position of the first record naming it, -1 = none */
	int64_t *last_used;     /* [capacity] position of the last record naming it, -1 = none */
	uint64_t *max_gap;      /* [capacity] longest idle run before a use; the open run is not in it */
};

/* Layers are kept by id; every layer has room for the same number of experts. */
struct stats {
	unsigned capacity;      /* experts each layer has room for */
	bool gaps;              /* keep first_used, last_used and max_gap (dead experts) */
	struct bylayer layers;  /* of struct stats_layer */
};

/* experts may be 0 when N is not known yet; the arrays grow with the ids. */
void stats_init(struct stats *st, unsigned experts, bool gaps);

/* Adds one record; -1 when out of memory. */
int stats_add(struct stats *st, const struct moe_record *rec);

/* Adds the records of a run (moestat.h), as stats_add one by one. */
int stats_add_run(struct stats *st, const struct moe_run *run);

/* Adds n records of layer, in order, each of the k ids ids[i k .. i k + k),
 * as stats_add one by one; below, when not 0, is above every id. */
int stats_add_layer(struct stats *st, unsigned layer, const uint32_t *ids, size_t n, size_t k,
                    unsigned below);

/* Adds n records of layer, each of k ids, as stats_add_layer does, but for
 * the experts' counts, which come from stats_add_counts: for a caller that
 * counts the ids once elsewhere (maxvio's chunks, state.h). Not with gaps. */
int stats_add_records(struct stats *st, unsigned layer, size_t n, size_t k);

/* Adds count[e] to the count of expert e of layer, for the n experts e of
 * experts[0 .. n), each below below. -1 when out of memory. */
int stats_add_counts(struct stats *st, unsigned layer, const uint32_t *experts, size_t n,
                     const uint32_t *count, unsigned below);

/* Makes room for n experts in every layer (the final N may pass the ids seen); -1 out of memory. */
int stats_reserve(struct stats *st, unsigned n);

/* The layer with id layer, or NULL when it had no records. */
const struct stats_layer *stats_layer(const struct stats *st, unsigned layer);

/* The first layer with records whose id is >= from, or NULL: for (l = stats_next(st, 0); l; l = stats_next(st, l->layer + 1)). */
const struct stats_layer *stats_next(const struct stats *st, unsigned from);

/* Number of layers with records. */
unsigned stats_layers(const struct stats *st);

/* Adds the records of from (n experts in its arrays; its first_used, last_used
 * and max_gap read when into keeps gaps) as if they came after into's records
 * of the same layer: counts add, positions shift by into's tokens, and the idle
 * run at the end of into joins the run before the first use in from. -1 when
 * out of memory. */
int stats_merge_layer(struct stats *into, const struct stats_layer *from, unsigned n);

/* The same for every layer of from with records, which keeps gaps when into does. */
int stats_merge(struct stats *into, const struct stats *from);

/* Moves the layers of from whose id % nshards is shard (all of them with
 * nshards 1), with their records, into to, which has none of them, both
 * with the same gaps; the room of both made the same first. -1 when out of
 * memory. */
int stats_move_layers(struct stats *to, struct stats *from, unsigned shard, unsigned nshards);

/* Forgets every record, keeping the memory: layers stay, with none. */
void stats_clear(struct stats *st);

void stats_free(struct stats *st);

#endif
