/* stats.c: counts selections per layer and expert in O(k) a record and O(layers x N) memory. */
#include "stats.h"

#include "bylayer.h"

#include <stdlib.h>
#include <string.h>

void stats_init(struct stats *st, unsigned experts, bool gaps)
{
	memset(st, 0, sizeof *st);
	st->capacity = experts;
	st->gaps = gaps;
}

static void free_layer(void *object)
{
	struct stats_layer *l = object;

	if (!l)
		return;
	free(l->count);
	free(l->first_used);
	free(l->last_used);
	free(l->max_gap);
	free(l);
}

/* Grows a position array from old to cap entries of -1 (never). */
static int grow_positions(int64_t **a, unsigned old, unsigned cap)
{
	int64_t *p = realloc(*a, cap * sizeof *p);

	if (!p)
		return -1;
	for (unsigned i = old; i < cap; i++)
		p[i] = -1;
	*a = p;
	return 0;
}

/* Grows a layer's arrays from old to cap experts; the new experts have never been used. */
static int grow_layer(struct stats_layer *l, unsigned old, unsigned cap, bool gaps)
{
	uint64_t *count;

	if (cap == old)
		return 0;
	count = realloc(l->count, cap * sizeof *count);
	if (!count)
		return -1;
	l->count = count;
	memset(count + old, 0, (cap - old) * sizeof *count);
	if (!gaps)
		return 0;
	if (grow_positions(&l->first_used, old, cap) < 0 || grow_positions(&l->last_used, old, cap) < 0)
		return -1;
	uint64_t *gap = realloc(l->max_gap, cap * sizeof *gap);
	if (!gap)
		return -1;
	l->max_gap = gap;
	memset(gap + old, 0, (cap - old) * sizeof *gap);
	return 0;
}

int stats_reserve(struct stats *st, unsigned n)
{
	unsigned cap;

	if (n <= st->capacity)
		return 0;
	if (!(cap = bylayer_capacity(st->capacity, n)))
		return -1;
	for (unsigned i = 0; i < st->layers.nslots; i++)
		if (st->layers.slot[i] && grow_layer(st->layers.slot[i], st->capacity, cap, st->gaps) < 0)
			return -1;
	st->capacity = cap;
	return 0;
}

static struct stats_layer *add_layer(struct stats *st, unsigned id)
{
	struct stats_layer *l = calloc(1, sizeof *l);

	if (!l || grow_layer(l, 0, st->capacity, st->gaps) < 0 || bylayer_put(&st->layers, id, l) < 0) {
		free_layer(l);
		return NULL;
	}
	l->layer = id;
	return l;
}

/* The layer's figures for n more records of k ids, but for the experts'. */
static inline void add_records(struct stats_layer *l, size_t n, size_t k)
{
	if (l->tokens == 0 || k < l->k_min)
		l->k_min = k;
	if (k > l->k_max)
		l->k_max = k;
	l->tokens += n;
	l->selections += n * k;
}

/* stats_add, inline in the loops of stats_add_run; in_room says that every
 * id is below the room there is. */
static inline __attribute__((always_inline)) int
add_ids(struct stats *st, unsigned layer, const uint32_t *ids, size_t k, bool in_room)
{
	struct stats_layer *l = bylayer_get(&st->layers, layer);
	uint64_t pos;

	if (!l && !(l = add_layer(st, layer)))
		return -1;
	pos = l->tokens;
	add_records(l, 1, k);
	/* An id past the room there is makes room as it comes, in the same pass
	 * (a branch never taken once N is reached, where a pass for the largest id
	 * first would cost a second loop a record). The loops work on local copies,
	 * which only a new room changes. */
	unsigned room = st->capacity;
	uint64_t *count = l->count;

	if (!st->gaps) {
		for (size_t i = 0; i < k; i++) {
			uint32_t e = ids[i];

			if (!in_room && e >= room) {
				if (stats_reserve(st, e + 1) < 0)
					return -1;
				room = st->capacity;
				count = l->count;
			}
			count[e]++;
		}
		return 0;
	}
	int64_t *first = l->first_used, *last = l->last_used;
	uint64_t *max_gap = l->max_gap;

	for (size_t i = 0; i < k; i++) {
		uint32_t e = ids[i];

		if (!in_room && e >= room) {
			if (stats_reserve(st, e + 1) < 0)
				return -1;
			room = st->capacity;
			count = l->count;
			first = l->first_used;
			last = l->last_used;
			max_gap = l->max_gap;
		}
		/* The run of positions last+1 .. pos-1 ends here. */
		int64_t before = last[e];
		uint64_t gap = pos - (uint64_t)(before + 1);

		if (before < 0)
			first[e] = (int64_t)pos;
		count[e]++;
		if (gap > max_gap[e])
			max_gap[e] = gap;
		last[e] = (int64_t)pos;
	}
	return 0;
}

int stats_add(struct stats *st, const struct moe_record *rec)
{
	return add_ids(st, rec->layer, rec->experts, rec->k, false);
}

int stats_add_run(struct stats *st, const struct moe_run *run)
{
	/* With the room for every id the run may hold made first, the loops
	 * need not look for an id past it. */
	if (run->below && stats_reserve(st, run->below) == 0) {
		for (size_t i = 0; i < run->n; i++)
			if (add_ids(st, run->layer[i], run->ids + run->start[i], run->start[i + 1] - run->start[i],
			            true) < 0)
				return -1;
		return 0;
	}
	for (size_t i = 0; i < run->n; i++)
		if (add_ids(st, run->layer[i], run->ids + run->start[i], run->start[i + 1] - run->start[i],
		            false) < 0)
			return -1;
	return 0;
}

int stats_add_layer(struct stats *st, unsigned layer, const uint32_t *ids, size_t n, size_t k,
                    unsigned below)
{
	bool in_room = below && stats_reserve(st, below) == 0;
	struct stats_layer *l;

	/* Counts alone, with room for every id: one loop over all n k ids, the
	 * layer's figures once. */
	if (in_room && !st->gaps && n > 0) {
		if (!(l = bylayer_get(&st->layers, layer)) && !(l = add_layer(st, layer)))
			return -1;
		add_records(l, n, k);
		uint64_t *count = l->count;

		for (size_t i = 0, m = n * k; i < m; i++)
			count[ids[i]]++;
		return 0;
	}
	for (size_t i = 0; i < n; i++)
		if ((in_room ? add_ids(st, layer, ids + i * k, k, true) : add_ids(st, layer, ids + i * k, k, false)) < 0)
			return -1;
	return 0;
}

int stats_add_records(struct stats *st, unsigned layer, size_t n, size_t k)
{
	struct stats_layer *l = bylayer_get(&st->layers, layer);

	if (!l && !(l = add_layer(st, layer)))
		return -1;
	add_records(l, n, k);
	return 0;
}

int stats_add_counts(struct stats *st, unsigned layer, const uint32_t *experts, size_t n,
                     const uint32_t *count, unsigned below)
{
	struct stats_layer *l;

	if (stats_reserve(st, below) < 0)
		return -1;
	if (!(l = bylayer_get(&st->layers, layer)) && !(l = add_layer(st, layer)))
		return -1;
	for (size_t i = 0; i < n; i++)
		l->count[experts[i]] += count[experts[i]];
	return 0;
}

const struct stats_layer *stats_layer(const struct stats *st, unsigned layer)
{
	return bylayer_get(&st->layers, layer);
}

const struct stats_layer *stats_next(const struct stats *st, unsigned from)
{
	return bylayer_next(&st->layers, from);
}

unsigned stats_layers(const struct stats *st)
{
	return bylayer_count(&st->layers);
}

int stats_merge_layer(struct stats *into, const struct stats_layer *from, unsigned n)
{
	struct stats_layer *l = bylayer_get(&into->layers, from->layer);
	uint64_t before;

	if (n > into->capacity && stats_reserve(into, n) < 0)
		return -1;
	if (!l && !(l = add_layer(into, from->layer)))
		return -1;
	before = l->tokens;
	if (before == 0 || from->k_min < l->k_min)
		l->k_min = from->k_min;
	if (from->k_max > l->k_max)
		l->k_max = from->k_max;
	l->tokens += from->tokens;
	l->selections += from->selections;
	if (!into->gaps) {
		/* A loop of adds alone (1,325 instructions a layer of 256, not
		 * 1,840): the parts of a big file are joined on the thread that
		 * inflates it. */
		uint64_t *restrict to = l->count;
		const uint64_t *restrict add = from->count;

		for (unsigned e = 0; e < n; e++)
			to[e] += add[e];
		return 0;
	}
	for (unsigned e = 0; e < n; e++) {
		l->count[e] += from->count[e];
		if (from->first_used[e] < 0)
			continue;
		/* The run open at the end of into goes on until the first use in from. */
		uint64_t open = before - (uint64_t)(l->last_used[e] + 1);
		uint64_t joined = open + (uint64_t)from->first_used[e];

		if (l->last_used[e] < 0)
			l->first_used[e] = (int64_t)before + from->first_used[e];
		l->max_gap[e] = joined > l->max_gap[e] ? joined : l->max_gap[e];
		l->max_gap[e] = from->max_gap[e] > l->max_gap[e] ? from->max_gap[e] : l->max_gap[e];
		l->last_used[e] = (int64_t)before + from->last_used[e];
	}
	return 0;
}

int stats_merge(struct stats *into, const struct stats *from)
{
	const struct stats_layer *l;

	for (l = stats_next(from, 0); l; l = stats_next(from, l->layer + 1))
		if (l->tokens > 0 && stats_merge_layer(into, l, from->capacity) < 0)
			return -1;
	return 0;
}

int stats_move_layers(struct stats *to, struct stats *from, unsigned shard, unsigned nshards)
{
	unsigned cap = to->capacity > from->capacity ? to->capacity : from->capacity;

	if (stats_reserve(to, cap) < 0 || stats_reserve(from, cap) < 0)
		return -1;
	return bylayer_move(&to->layers, &from->layers, shard, nshards);
}

void stats_clear(struct stats *st)
{
	for (unsigned i = 0; i < st->layers.nslots; i++) {
		struct stats_layer *l = st->layers.slot[i];

		if (!l)
			continue;
		l->tokens = l->selections = 0;
		l->k_min = l->k_max = 0;
		memset(l->count, 0, st->capacity * sizeof *l->count);
		if (!st->gaps)
			continue;
		memset(l->max_gap, 0, st->capacity * sizeof *l->max_gap);
		for (unsigned e = 0; e < st->capacity; e++)
			l->first_used[e] = l->last_used[e] = -1;
	}
}

void stats_free(struct stats *st)
{
	bylayer_free(&st->layers, free_layer);
	memset(st, 0, sizeof *st);
}
