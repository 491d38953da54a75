/* record_hash.h: an order-sensitive hash of a run's records, and reader parts that fold theirs the same way: check_blocks.c and fuzz_blocks.c compare whole runs with it. */
#ifndef MOESTAT_RECORD_HASH_H
#define MOESTAT_RECORD_HASH_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "reader.h"

#define RECORD_PRIME 0x100000001b3ull

/* FNV-1a over a record's fields, its line (0 to leave it out) and the bits
 * of its weights and logits. */
static inline uint64_t record_hash(const struct moe_record *rec, long line)
{
	uint64_t h = 0xcbf29ce484222325ull, bits;

	h = (h ^ rec->layer) * RECORD_PRIME;
	h = (h ^ rec->k) * RECORD_PRIME;
	h = (h ^ (uint64_t)rec->token) * RECORD_PRIME;
	h = (h ^ (uint64_t)(int64_t)rec->domain) * RECORD_PRIME;
	h = (h ^ (uint64_t)line) * RECORD_PRIME;
	for (size_t i = 0; i < rec->k; i++)
		h = (h ^ rec->experts[i]) * RECORD_PRIME;
	for (size_t i = 0; rec->weights && i < rec->nweights; i++) {
		memcpy(&bits, &rec->weights[i], sizeof bits);
		h = (h ^ bits) * RECORD_PRIME;
	}
	for (size_t i = 0; rec->logits && i < rec->nlogits; i++) {
		memcpy(&bits, &rec->logits[i], sizeof bits);
		h = (h ^ bits) * RECORD_PRIME;
	}
	return h;
}

/* A sequence of hashes x_1 .. x_n folded as sum x_i P^(n-i), with P^n: two
 * folds join in order as H(a b) = H(a) P^|b| + H(b). */
struct record_fold {
	uint64_t hash, power;
	uint64_t parts;                 /* folds joined into this one */
};

static inline void record_fold_init(struct record_fold *f)
{
	*f = (struct record_fold){ 0, 1, 0 };
}

static inline void record_fold_add(struct record_fold *f, uint64_t x)
{
	f->hash = f->hash * RECORD_PRIME + x;
	f->power *= RECORD_PRIME;
}

/* reader_parts (reader.h) whose parts are folds of their records (lines
 * left out: parts do not know them), joined into the fold at ctx. */
static inline void *record_part_open(void *ctx)
{
	struct record_fold *f = malloc(sizeof *f);

	(void)ctx;
	if (f)
		record_fold_init(f);
	return f;
}

static inline void record_part_empty(void *part)
{
	record_fold_init(part);
}

static inline int record_part_add(void *part, const struct moe_record *rec)
{
	record_fold_add(part, record_hash(rec, 0));
	return 0;
}

static inline int record_part_add_run(void *part, const struct moe_run *run)
{
	struct moe_record rec;

	for (size_t i = 0; i < run->n; i++) {
		moe_run_record(run, i, &rec);
		record_fold_add(part, record_hash(&rec, 0));
	}
	return 0;
}

static inline int record_part_join(void *ctx, const void *part)
{
	struct record_fold *into = ctx;
	const struct record_fold *p = part;

	into->hash = into->hash * p->power + p->hash;
	into->power *= p->power;
	into->parts++;
	return 0;
}

static inline void record_part_close(void *part)
{
	free(part);
}

static inline struct reader_parts record_parts(struct record_fold *run)
{
	return (struct reader_parts){ record_part_open, record_part_empty, record_part_add,
	                              record_part_add_run, record_part_join, record_part_close, run };
}

/* The records of each layer, folded in order: what shards (reader.h) keep. */
#define RECORD_LAYERS 256

struct record_layers {
	struct record_fold fold[RECORD_LAYERS];
	uint64_t shards;                /* shards opened on it */
};

static inline void record_layers_init(struct record_layers *l)
{
	for (size_t i = 0; i < RECORD_LAYERS; i++)
		record_fold_init(&l->fold[i]);
	l->shards = 0;
}

/* A record as a shard sees it: its layer and ids. */
static inline void record_layers_add(struct record_layers *l, unsigned layer, const uint32_t *ids, size_t k)
{
	uint64_t h = 0xcbf29ce484222325ull;

	h = (h ^ layer) * RECORD_PRIME;
	h = (h ^ k) * RECORD_PRIME;
	for (size_t i = 0; i < k; i++)
		h = (h ^ ids[i]) * RECORD_PRIME;
	record_fold_add(&l->fold[layer % RECORD_LAYERS], h);
}

/* reader_shards whose shards take over the folds of their layers from the
 * record_layers at ctx, and give them back. */
struct record_shard {
	struct record_layers layers;
	unsigned shard, nshards;
};

static inline void *record_shard_open(void *ctx, unsigned shard, unsigned nshards)
{
	struct record_layers *owner = ctx;
	struct record_shard *s = malloc(sizeof *s);

	if (!s)
		return NULL;
	record_layers_init(&s->layers);
	s->shard = shard;
	s->nshards = nshards;
	for (unsigned i = shard; i < RECORD_LAYERS; i += nshards)
		s->layers.fold[i] = owner->fold[i];
	owner->shards++;
	return s;
}

static inline int record_shard_add_layer(void *shard, unsigned layer, const uint32_t *ids, size_t n, size_t k,
                                         unsigned below)
{
	struct record_shard *s = shard;

	(void)below;
	if (layer % s->nshards != s->shard)
		return -1;
	for (size_t i = 0; i < n; i++)
		record_layers_add(&s->layers, layer, ids + i * k, k);
	return 0;
}

static inline int record_shard_close(void *ctx, void *shard)
{
	struct record_layers *owner = ctx;
	struct record_shard *s = shard;

	for (unsigned i = s->shard; i < RECORD_LAYERS; i += s->nshards)
		owner->fold[i] = s->layers.fold[i];
	free(s);
	return 0;
}

static inline struct reader_shards record_shards(struct record_layers *layers)
{
	return (struct reader_shards){ record_shard_open, record_shard_add_layer, record_shard_close, layers };
}

#endif
