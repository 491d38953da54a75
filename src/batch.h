/* batch.h: each layer's records cut into consecutive chunks of B tokens: per-chunk MaxVio and per-expert chunk loads. */
#ifndef MOESTAT_BATCH_H
#define MOESTAT_BATCH_H

#include <stdbool.h>
#include <stdint.h>

#include "bylayer.h"
#include "moestat.h"

/* How often a chunk ended with a given largest count and number of selections:
 * its MaxVio depends on nothing else, so this is all a chunk leaves behind. */
struct batch_shape {
	uint64_t max;           /* max_i c_i */
	uint64_t selections;    /* sum_i c_i */
	uint64_t chunks;
};

struct batch_layer {
	unsigned layer;
	uint64_t tokens;
	uint32_t *chunk_count;          /* [capacity] c_i of the chunk being filled (<= B < 2^32) */
	uint64_t chunk_max;             /* max_i c_i of it, kept as the counts grow */
	uint32_t *touched;              /* [capacity + 1] the experts with c_i > 0 in it, to clear
	                                 * it in O(touched); one spare for a store past the last */
	size_t ntouched;
	uint64_t chunk_tokens, chunk_selections;
	uint64_t chunks;                /* full chunks */
	struct batch_shape *shape;      /* distinct shapes of the full chunks: an open hash table */
	size_t nshapes, cap_shapes;
	struct batch_shape *last_shape; /* the one counted last, in shape[] */
	uint64_t *sum, *sum_sq;         /* [capacity] sum over full chunks of c_i and c_i^2 (per_expert) */
};

/* Told of each full chunk as it closes: l->chunk_count[e] for the experts e in
 * l->touched[0 .. l->ntouched) are its counts. Returns 0, or -1 to stop (out of memory). */
typedef int (*batch_chunk_fn)(void *ctx, const struct batch_layer *l);

struct batch {
	uint64_t size;                  /* B */
	struct batch *parent;           /* a larger size fed from this one's chunks, or NULL */
	batch_chunk_fn on_chunk;        /* or NULL */
	void *on_chunk_ctx;
	bool per_expert;                /* keep sum and sum_sq, for burstiness */
	unsigned capacity;
	struct bylayer layers;          /* of struct batch_layer */
};

/* experts may be 0 when N is not known yet; the arrays grow with the ids.
 * size is at most UINT32_MAX: a chunk's counts are 32 bits, half the memory
 * traffic of a sweep's hottest arrays. */
void batch_init(struct batch *b, uint64_t size, unsigned experts, bool per_expert);

/* Adds one record to its layer's chunk, closing the chunk at B tokens; -1 when out of memory. */
int batch_add(struct batch *b, const struct moe_record *rec);

/* Adds n records of layer, in order, each of the k ids ids[i k .. i k + k),
 * as batch_add one by one; below, when not 0, is above every id. -1 when out
 * of memory. */
int batch_add_layer(struct batch *b, unsigned layer, const uint32_t *ids, size_t n, size_t k,
                    unsigned below);

/* Makes room for n experts in every layer; -1 when out of memory. */
int batch_reserve(struct batch *b, unsigned n);

/* Feeds parent, whose size is a multiple of child's, with child's chunks as they
 * close, instead of with records: a sweep of nested sizes (1, 8, 64, ...) counts
 * each selection once, not once a size. Only the smallest of a chain gets records. */
void batch_chain(struct batch *child, struct batch *parent);

/* Calls fn(ctx, layer) for every full chunk, before its counts are cleared. */
void batch_on_chunk(struct batch *b, batch_chunk_fn fn, void *ctx);

/* At the end of the records: passes every layer's open chunk up the chain, so
 * that each size's open chunk holds the layer's last records. -1 out of memory. */
int batch_finish(struct batch *b);

const struct batch_layer *batch_layer(const struct batch *b, unsigned layer);

/* Adds the chunks of from (n experts in its arrays; sum and sum_sq read when
 * into is per_expert; its shape[0 .. cap_shapes) with chunks > 0) to the same
 * layer of into, of the same size, as if its records came after into's, each
 * part cut into chunks from its start: the full chunks add up, and from's
 * unfinished chunk replaces into's, whose records count in tokens only.
 * Both are finished (batch_finish). -1 when out of memory. */
int batch_merge_layer(struct batch *into, const struct batch_layer *from, unsigned n);

/* The same for every layer of from. */
int batch_merge(struct batch *into, const struct batch *from);

/* Moves the layers of from whose id % nshards is shard (all of them with
 * nshards 1), open chunks and all, into to, of the same size and options,
 * which has none of them; the room of both made the same first. -1 when out
 * of memory. */
int batch_move_layers(struct batch *to, struct batch *from, unsigned shard, unsigned nshards);

void batch_free(struct batch *b);

/* The MaxVio of the chunks of a layer, for N experts. */
struct batch_maxvio {
	uint64_t size;
	uint64_t chunks;        /* full chunks; 1 when only the partial one counts */
	bool partial;           /* the layer has no full chunk: its one partial chunk is used */
	double mean;            /* MaxVio_batch: the mean per-chunk MaxVio */
	double max;             /* the largest per-chunk MaxVio */
	double p95;             /* the 95th percentile: the smallest per-chunk MaxVio that at least
	                         * 95% of the chunks do not exceed (nearest rank) */
};

/* MaxVio_batch(B) = the mean over full chunks of (max_i c_i - c_mean) / c_mean,
 * c_mean = (selections in the chunk) / N; a layer with no full chunk uses its
 * one partial chunk. */
/* Fills out for layer l and n experts; -1 when out of memory. */
int batch_maxvio(const struct batch_layer *l, uint64_t size, unsigned n, struct batch_maxvio *out);

/* An expert's load over the full chunks of its layer: batch_mean = mean of c_i,
 * batch_std = population standard deviation of c_i, batch_cv = batch_std / batch_mean.
 * NAN when the layer has no full chunk (and batch_cv when batch_mean is 0). */
void batch_expert(const struct batch_layer *l, uint32_t expert, double *mean, double *std,
                  double *cv);

#endif
