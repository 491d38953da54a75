/* window.c: a ring of the last W records of each layer, with the counts kept as records come and go. */
#include "window.h"

#include <stdlib.h>
#include <string.h>

void window_init(struct window *w, uint64_t size)
{
	memset(w, 0, sizeof *w);
	w->size = size;
}

static void free_layer(void *object)
{
	struct window_layer *l = object;

	if (!l)
		return;
	free(l->count);
	free(l->ids);
	free(l->k);
	free(l);
}

static int grow_count(struct window_layer *l, unsigned old, unsigned cap)
{
	uint64_t *count = realloc(l->count, cap * sizeof *count);

	if (!count)
		return -1;
	memset(count + old, 0, (cap - old) * sizeof *count);
	l->count = count;
	return 0;
}

int window_reserve(struct window *w, unsigned n)
{
	unsigned cap;

	if (n <= w->capacity)
		return 0;
	if (!(cap = bylayer_capacity(w->capacity, n)))
		return -1;
	for (unsigned i = 0; i < w->layers.nslots; i++)
		if (w->layers.slot[i] && grow_count(w->layers.slot[i], w->capacity, cap) < 0)
			return -1;
	w->capacity = cap;
	return 0;
}

/* Room for lists of k ids in every slot of the ring, keeping the records in it. */
static int widen(struct window_layer *l, uint64_t size, size_t k)
{
	uint32_t *ids;

	if (k <= l->stride)
		return 0;
	ids = calloc(size * k, sizeof *ids);
	if (!ids)
		return -1;
	for (uint64_t s = 0; l->ids && s < size; s++)
		memcpy(ids + s * k, l->ids + s * l->stride, l->k[s] * sizeof *ids);
	free(l->ids);
	l->ids = ids;
	l->stride = k;
	return 0;
}

int window_add(struct window *w, const struct moe_record *rec)
{
	struct window_layer *l = bylayer_get(&w->layers, rec->layer);
	uint32_t top = 0, *slot;

	for (size_t i = 0; i < rec->k; i++)
		top = rec->experts[i] > top ? rec->experts[i] : top;
	if (top >= w->capacity && window_reserve(w, top + 1) < 0)
		return -1;
	if (!l) {
		if (!(l = calloc(1, sizeof *l)) || !(l->k = calloc(w->size, sizeof *l->k)) ||
		    grow_count(l, 0, w->capacity) < 0 || bylayer_put(&w->layers, rec->layer, l) < 0) {
			free_layer(l);
			return -1;
		}
		l->layer = rec->layer;
	}
	if (widen(l, w->size, rec->k) < 0)
		return -1;
	slot = l->ids + l->head * l->stride;
	if (l->tokens == w->size) {
		/* Full: the oldest record, in the slot about to be reused, leaves. */
		for (uint32_t i = 0; i < l->k[l->head]; i++)
			l->count[slot[i]]--;
		l->selections -= l->k[l->head];
	} else {
		l->tokens++;
	}
	for (size_t i = 0; i < rec->k; i++)
		l->count[slot[i] = rec->experts[i]]++;
	l->k[l->head] = (uint32_t)rec->k;
	l->selections += rec->k;
	l->head = (l->head + 1) % w->size;
	return 0;
}

const struct window_layer *window_layer(const struct window *w, unsigned layer)
{
	return bylayer_get(&w->layers, layer);
}

void window_free(struct window *w)
{
	bylayer_free(&w->layers, free_layer);
	memset(w, 0, sizeof *w);
}
