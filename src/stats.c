/* stats.c: counts selections per layer and expert in O(k) a record and O(layers x N) memory. */
#include "stats.h"

#include <stdlib.h>
#include <string.h>

void stats_init(struct stats *st, unsigned experts, bool gaps)
{
	memset(st, 0, sizeof *st);
	st->capacity = experts;
	st->gaps = gaps;
}

static void free_layer(struct stats_layer *l)
{
	if (!l)
		return;
	free(l->count);
	free(l->last_used);
	free(l->max_gap);
	free(l);
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
	int64_t *last = realloc(l->last_used, cap * sizeof *last);
	if (!last)
		return -1;
	l->last_used = last;
	for (unsigned i = old; i < cap; i++)
		last[i] = -1;
	uint64_t *gap = realloc(l->max_gap, cap * sizeof *gap);
	if (!gap)
		return -1;
	l->max_gap = gap;
	memset(gap + old, 0, (cap - old) * sizeof *gap);
	return 0;
}

int stats_reserve(struct stats *st, unsigned n)
{
	unsigned cap = st->capacity ? st->capacity : 8;

	if (n <= st->capacity)
		return 0;
	if (n > MOE_MAX_EXPERTS)
		return -1;
	while (cap < n)
		cap *= 2;
	if (cap > MOE_MAX_EXPERTS)
		cap = MOE_MAX_EXPERTS;
	for (unsigned i = 0; i < st->nslots; i++)
		if (st->by_id[i] && grow_layer(st->by_id[i], st->capacity, cap, st->gaps) < 0)
			return -1;
	st->capacity = cap;
	return 0;
}

static struct stats_layer *add_layer(struct stats *st, unsigned id)
{
	struct stats_layer *l;

	if (id >= st->nslots) {
		unsigned n = st->nslots ? st->nslots : 64;
		struct stats_layer **by_id;

		while (n <= id)
			n *= 2;
		by_id = realloc(st->by_id, n * sizeof *by_id);
		if (!by_id)
			return NULL;
		memset(by_id + st->nslots, 0, (n - st->nslots) * sizeof *by_id);
		st->by_id = by_id;
		st->nslots = n;
	}
	l = calloc(1, sizeof *l);
	if (!l || grow_layer(l, 0, st->capacity, st->gaps) < 0) {
		free_layer(l);
		return NULL;
	}
	l->layer = id;
	st->by_id[id] = l;
	return l;
}

int stats_add(struct stats *st, const struct moe_record *rec)
{
	struct stats_layer *l = rec->layer < st->nslots ? st->by_id[rec->layer] : NULL;
	uint64_t pos;

	for (size_t i = 0; i < rec->k; i++)
		if (rec->experts[i] >= st->capacity && stats_reserve(st, rec->experts[i] + 1) < 0)
			return -1;
	if (!l && !(l = add_layer(st, rec->layer)))
		return -1;
	pos = l->tokens++;
	l->selections += rec->k;
	if (pos == 0 || rec->k < l->k_min)
		l->k_min = rec->k;
	if (rec->k > l->k_max)
		l->k_max = rec->k;
	for (size_t i = 0; i < rec->k; i++) {
		uint32_t e = rec->experts[i];

		l->count[e]++;
		if (st->gaps) {
			/* The run of positions last_used+1 .. pos-1 ends here. */
			uint64_t gap = pos - (uint64_t)(l->last_used[e] + 1);
			if (gap > l->max_gap[e])
				l->max_gap[e] = gap;
			l->last_used[e] = (int64_t)pos;
		}
	}
	return 0;
}

const struct stats_layer *stats_layer(const struct stats *st, unsigned layer)
{
	return layer < st->nslots ? st->by_id[layer] : NULL;
}

const struct stats_layer *stats_next(const struct stats *st, unsigned from)
{
	for (unsigned i = from; i < st->nslots; i++)
		if (st->by_id[i])
			return st->by_id[i];
	return NULL;
}

unsigned stats_layers(const struct stats *st)
{
	unsigned n = 0;

	for (unsigned i = 0; i < st->nslots; i++)
		n += st->by_id[i] != NULL;
	return n;
}

void stats_free(struct stats *st)
{
	for (unsigned i = 0; i < st->nslots; i++)
		free_layer(st->by_id[i]);
	free(st->by_id);
	memset(st, 0, sizeof *st);
}
