/* pairs.c: counts co-selected expert pairs per layer, O(k^2) a record, and ranks each layer's top pairs. */
#include "pairs.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bylayer.h"

void pairs_init(struct pairs *p, unsigned experts)
{
	memset(p, 0, sizeof *p);
	p->capacity = experts;
}

size_t pairs_index(uint32_t a, uint32_t b, unsigned n)
{
	/* Rows 0 .. a-1 hold (n-1) + (n-2) + ... + (n-a) = a (2n - a - 1) / 2 pairs;
	 * one of a and 2n - a - 1 is even, so the halving is exact. */
	return (size_t)a * (2 * (size_t)n - a - 1) / 2 + (b - a - 1);
}

/* Slots of a pair table for n experts. */
static size_t pair_slots(unsigned n)
{
	return n < 2 ? 0 : (size_t)n * (n - 1) / 2;
}

double pairs_lift(uint64_t pair_count, uint64_t tokens, uint64_t count_a, uint64_t count_b)
{
	if (count_a == 0 || count_b == 0)
		return NAN;
	/* In doubles: the products of 64-bit counts can pass 2^64. */
	return ((double)pair_count * (double)tokens) / ((double)count_a * (double)count_b);
}

static void free_layer(void *object)
{
	struct pairs_layer *l = object;

	if (!l)
		return;
	free(l->count);
	free(l->pair);
	free(l);
}

/* Grows a layer's count array from old to cap experts; the new experts have never been used.
 * A longer array than the capacity says is harmless, so this may run before the pairs move. */
static int grow_counts(struct pairs_layer *l, unsigned old, unsigned cap)
{
	uint64_t *count;

	if (cap == old)
		return 0;
	count = realloc(l->count, cap * sizeof *count);
	if (!count)
		return -1;
	l->count = count;
	memset(count + old, 0, (cap - old) * sizeof *count);
	return 0;
}

/* Copies a pair table laid out for old experts into a zeroed one for cap: row a keeps
 * its old - 1 - a pairs at its head, the pairs with the new experts follow as zeros. */
static void relayout(uint32_t *to, const uint32_t *from, unsigned old, unsigned cap)
{
	for (uint32_t a = 0; a + 1 < old; a++)
		memcpy(to + pairs_index(a, a + 1, cap), from + pairs_index(a, a + 1, old),
		       (old - 1 - a) * sizeof *to);
}

int pairs_reserve(struct pairs *p, unsigned n)
{
	unsigned cap;
	size_t slots;
	uint32_t **fresh;

	if (n <= p->capacity)
		return 0;
	if (!(cap = bylayer_capacity(p->capacity, n)))
		return -1;
	slots = pair_slots(cap);
	if (slots > SIZE_MAX / sizeof **fresh)
		return -1;
	for (unsigned i = 0; i < p->layers.nslots; i++)
		if (p->layers.slot[i] && grow_counts(p->layers.slot[i], p->capacity, cap) < 0)
			return -1;
	/* Every table is allocated before any moves: pairs_index depends on the one
	 * capacity of all layers, so a failure half way must leave every table as it was. */
	fresh = calloc(p->layers.nslots ? p->layers.nslots : 1, sizeof *fresh);
	if (!fresh)
		return -1;
	for (unsigned i = 0; i < p->layers.nslots; i++) {
		if (p->layers.slot[i] && !(fresh[i] = calloc(slots, sizeof **fresh))) {
			for (unsigned j = 0; j < i; j++)
				free(fresh[j]);
			free(fresh);
			return -1;
		}
	}
	for (unsigned i = 0; i < p->layers.nslots; i++) {
		struct pairs_layer *l = p->layers.slot[i];

		if (!l)
			continue;
		relayout(fresh[i], l->pair, p->capacity, cap);
		free(l->pair);
		l->pair = fresh[i];
	}
	free(fresh);
	p->capacity = cap;
	return 0;
}

static struct pairs_layer *add_layer(struct pairs *p, unsigned id)
{
	struct pairs_layer *l;
	size_t slots = pair_slots(p->capacity);

	l = calloc(1, sizeof *l);
	/* calloc(0) may return NULL: a table for fewer than two experts stays NULL. */
	if (!l || grow_counts(l, 0, p->capacity) < 0 ||
	    (slots && !(l->pair = calloc(slots, sizeof *l->pair))) || bylayer_put(&p->layers, id, l) < 0) {
		free_layer(l);
		return NULL;
	}
	l->layer = id;
	return l;
}

int pairs_add(struct pairs *p, const struct moe_record *rec)
{
	struct pairs_layer *l;
	const uint32_t *e = rec->experts;

	for (size_t i = 0; i < rec->k; i++)
		if (e[i] >= p->capacity && pairs_reserve(p, e[i] + 1) < 0)
			return PAIRS_NOMEM;
	l = bylayer_get(&p->layers, rec->layer);
	if (!l && !(l = add_layer(p, rec->layer)))
		return PAIRS_NOMEM;
	/* A pair count is at most the layer's tokens, so capping tokens keeps every
	 * 32-bit pair counter from wrapping without a test per pair. */
	if (l->tokens >= UINT32_MAX)
		return PAIRS_OVERFLOW;
	l->tokens++;
	for (size_t i = 0; i < rec->k; i++) {
		l->count[e[i]]++;
		for (size_t j = i + 1; j < rec->k; j++) {
			uint32_t a = e[i] < e[j] ? e[i] : e[j], b = e[i] < e[j] ? e[j] : e[i];

			/* The reader hands out distinct ids; a repeated one would index
			 * outside its row (before the table, for a = 0). */
			if (a != b)
				l->pair[pairs_index(a, b, p->capacity)]++;
		}
	}
	return 0;
}

const struct pairs_layer *pairs_next(const struct pairs *p, unsigned from)
{
	return bylayer_next(&p->layers, from);
}

unsigned pairs_layers(const struct pairs *p)
{
	return bylayer_count(&p->layers);
}

void pairs_free(struct pairs *p)
{
	bylayer_free(&p->layers, free_layer);
	memset(p, 0, sizeof *p);
}

/* Whether x ranks below y: fewer tokens, or as many and a higher (a, b). */
static int ranks_below(const struct pair *x, const struct pair *y)
{
	if (x->count != y->count)
		return x->count < y->count;
	if (x->a != y->a)
		return x->a > y->a;
	return x->b > y->b;
}

/* Restores the heap of n pairs below i, the lowest-ranked pair at the root. */
static void sift_down(struct pair *h, size_t n, size_t i)
{
	for (;;) {
		size_t low = i, c = 2 * i + 1;

		if (c < n && ranks_below(&h[c], &h[low]))
			low = c;
		if (c + 1 < n && ranks_below(&h[c + 1], &h[low]))
			low = c + 1;
		if (low == i)
			return;
		struct pair t = h[i];
		h[i] = h[low];
		h[low] = t;
		i = low;
	}
}

/* The top n pairs among a < b < experts: a heap of the n best so far with the
 * lowest-ranked at its root, so a pair costs one comparison unless it gets in:
 * O(P log n) at worst, not a sort of all P pairs. */
static int build_layer(struct pairs_report_layer *out, const struct pairs_layer *l, unsigned cap,
                       unsigned experts, size_t k)
{
	size_t n = pair_slots(experts), m = 0;
	struct pair *h;

	out->layer = l->layer;
	out->tokens = l->tokens;
	if (k < n)
		n = k;
	if (n == 0)
		return 0;
	if (!(h = malloc(n * sizeof *h)))
		return -1;
	out->top = h;
	out->n = n;
	for (uint32_t a = 0; a + 1 < experts; a++) {
		const uint32_t *row = l->pair + pairs_index(a, a + 1, cap);

		for (uint32_t b = a + 1; b < experts; b++) {
			uint64_t c = row[b - a - 1];

			if (m < n) {
				h[m++] = (struct pair){ .a = a, .b = b, .count = c };
				if (m == n)
					for (size_t i = n / 2; i-- > 0;)
						sift_down(h, n, i);
			} else if (c > h[0].count) {
				/* Pairs come in ascending (a, b), so one that merely ties the
				 * root ranks below it and stays out: ">" is the whole order here. */
				h[0] = (struct pair){ .a = a, .b = b, .count = c };
				sift_down(h, n, 0);
			}
		}
	}
	/* Heapsort: the lowest-ranked goes to the end each time, leaving the best first. */
	for (size_t end = n - 1; end > 0; end--) {
		struct pair t = h[0];
		h[0] = h[end];
		h[end] = t;
		sift_down(h, end, 0);
	}
	for (size_t i = 0; i < n; i++)
		h[i].lift = pairs_lift(h[i].count, l->tokens, l->count[h[i].a], l->count[h[i].b]);
	return 0;
}

int pairs_report_build(struct pairs_report *r, const struct pairs *p, unsigned experts, size_t k)
{
	const struct pairs_layer *l;
	size_t i = 0;

	memset(r, 0, sizeof *r);
	r->experts = experts;
	r->top = k;
	r->nlayers = pairs_layers(p);
	r->layers = calloc(r->nlayers ? r->nlayers : 1, sizeof *r->layers);
	if (!r->layers)
		return -1;
	for (l = pairs_next(p, 0); l; l = pairs_next(p, l->layer + 1))
		if (build_layer(&r->layers[i++], l, p->capacity, experts, k) < 0)
			return -1;
	return 0;
}

void pairs_report_free(struct pairs_report *r)
{
	for (size_t i = 0; r->layers && i < r->nlayers; i++)
		free(r->layers[i].top);
	free(r->layers);
	memset(r, 0, sizeof *r);
}
