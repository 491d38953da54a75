/* compare.c: per layer, how far two sides' shares lie apart (JSD, TVD), who moved most, who died. */
#include "compare.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "metrics.h"

/* A rounded sum of n shares can stray a few ulps past the bounds the formula
 * guarantees; the figure is clamped so that [0, 1] holds as documented. */
static double unit_interval(long double x)
{
	return x < 0 ? 0.0 : x > 1 ? 1.0 : (double)x;
}

double compare_jsd(const uint64_t *count_a, uint64_t selections_a, const uint64_t *count_b,
                   uint64_t selections_b, size_t n)
{
	long double sum = 0;

	if (selections_a == 0 || selections_b == 0)
		return NAN;
	for (size_t i = 0; i < n; i++) {
		long double a = (long double)count_a[i] / selections_a;
		long double b = (long double)count_b[i] / selections_b;
		long double d, ta = 0, tb = 0;

		if (a == 0 && b == 0)
			continue;
		/* a / m = 1 + d and b / m = 1 - d: log1p keeps the terms of nearly
		 * equal shares accurate, where log(a / m) would round to about 0. */
		d = (a - b) / (a + b);
		if (a > 0)
			ta = a * log1pl(d);
		if (b > 0)
			tb = b * log1pl(-d);    /* 0 log 0 = 0 on either side */
		sum += ta + tb;         /* one rounding for the pair: JSD(a, b) = JSD(b, a) to the bit */
	}
	return unit_interval(sum / (2 * logl(2.0L)));
}

double compare_tvd(const uint64_t *count_a, uint64_t selections_a, const uint64_t *count_b,
                   uint64_t selections_b, size_t n)
{
	long double sum = 0;

	if (selections_a == 0 || selections_b == 0)
		return NAN;
	for (size_t i = 0; i < n; i++)
		sum += fabsl((long double)count_a[i] / selections_a -
		             (long double)count_b[i] / selections_b);
	return unit_interval(sum / 2);
}

/* An expert's |share_b - share_a| times selections_a selections_b, which is the
 * integer |count_b selections_a - count_a selections_b|: ranking by it makes
 * equal differences tie exactly, where differences of rounded shares often
 * come out an ulp apart (1 - 1/3 against 2/3 - 0 in long double, say). */
struct rank {
	uint64_t hi, lo;
	uint32_t expert;
};

/* x y in 128 bits from 32-bit halves: C11 has no wider integer type. */
static void mul_wide(uint64_t x, uint64_t y, uint64_t *hi, uint64_t *lo)
{
	const uint64_t mask = 0xffffffffu;
	uint64_t ll = (x & mask) * (y & mask), lh = (x & mask) * (y >> 32);
	uint64_t hl = (x >> 32) * (y & mask), hh = (x >> 32) * (y >> 32);
	uint64_t mid = (ll >> 32) + (lh & mask) + (hl & mask);  /* < 3 2^32: no carry lost */

	*lo = (mid << 32) | (ll & mask);
	*hi = hh + (lh >> 32) + (hl >> 32) + (mid >> 32);
}

static void rank_expert(struct rank *r, uint32_t expert, uint64_t count_a, uint64_t selections_a,
                        uint64_t count_b, uint64_t selections_b)
{
	uint64_t ph, pl, qh, ql;

	mul_wide(count_b, selections_a, &ph, &pl);
	mul_wide(count_a, selections_b, &qh, &ql);
	if (ph < qh || (ph == qh && pl < ql)) {
		uint64_t t = ph;
		ph = qh;
		qh = t;
		t = pl;
		pl = ql;
		ql = t;
	}
	r->expert = expert;
	r->lo = pl - ql;
	r->hi = ph - qh - (pl < ql);
}

static int larger_move(const void *x, const void *y)
{
	const struct rank *a = x, *b = y;

	if (a->hi != b->hi)
		return a->hi > b->hi ? -1 : 1;
	if (a->lo != b->lo)
		return a->lo > b->lo ? -1 : 1;
	return a->expert < b->expert ? -1 : a->expert > b->expert;
}

/* The top movers of one layer; scratch has room for experts ranks. */
static int build_movers(struct compare_layer *out, const struct stats_layer *la,
                        const struct stats_layer *lb, unsigned experts, size_t movers,
                        struct rank *scratch)
{
	size_t n = movers < experts ? movers : experts;

	/* Without selections on a side there are no shares to move between. */
	if (n == 0 || la->selections == 0 || lb->selections == 0)
		return 0;
	for (uint32_t i = 0; i < experts; i++)
		rank_expert(&scratch[i], i, la->count[i], la->selections, lb->count[i], lb->selections);
	qsort(scratch, experts, sizeof *scratch, larger_move);
	if (!(out->movers = malloc(n * sizeof *out->movers)))
		return -1;
	for (size_t i = 0; i < n; i++) {
		uint32_t e = scratch[i].expert;

		out->movers[i].expert = e;
		out->movers[i].share_a = metrics_share(la->count[e], la->selections);
		out->movers[i].share_b = metrics_share(lb->count[e], lb->selections);
	}
	out->nmovers = n;
	return 0;
}

/* Experts with count 0 in `dead` but used in `used`, ascending id; NULL when there is none. */
static int dead_only(uint32_t **list, size_t *n, const uint64_t *dead, const uint64_t *used,
                     unsigned experts)
{
	size_t k = 0;

	for (unsigned i = 0; i < experts; i++)
		k += dead[i] == 0 && used[i] > 0;
	if (k == 0)
		return 0;
	if (!(*list = malloc(k * sizeof **list)))
		return -1;
	for (uint32_t i = 0; i < experts; i++)
		if (dead[i] == 0 && used[i] > 0)
			(*list)[(*n)++] = i;
	return 0;
}

static int build_layer(struct compare_layer *out, const struct stats_layer *la,
                       const struct stats_layer *lb, unsigned experts, size_t movers,
                       struct rank *scratch)
{
	out->layer = la->layer;
	out->tokens_a = la->tokens;
	out->tokens_b = lb->tokens;
	out->jsd = compare_jsd(la->count, la->selections, lb->count, lb->selections, experts);
	out->tvd = compare_tvd(la->count, la->selections, lb->count, lb->selections, experts);
	if (dead_only(&out->dead_only_in_a, &out->ndead_a, la->count, lb->count, experts) < 0 ||
	    dead_only(&out->dead_only_in_b, &out->ndead_b, lb->count, la->count, experts) < 0)
		return -1;
	return build_movers(out, la, lb, experts, movers, scratch);
}

int compare_build(struct compare_report *r, const struct stats *a, const struct stats *b,
                  unsigned experts, size_t movers)
{
	unsigned na = stats_layers(a), nb = stats_layers(b);
	const struct stats_layer *la = stats_next(a, 0), *lb = stats_next(b, 0);
	long double jsd = 0, tvd = 0;
	struct rank *scratch = NULL;

	memset(r, 0, sizeof *r);
	r->experts = experts;
	/* Sized for the worst case of each, so the merge below never reallocates. */
	r->layers = calloc(na < nb ? (na ? na : 1) : (nb ? nb : 1), sizeof *r->layers);
	r->layers_only_in_a = malloc((na ? na : 1) * sizeof *r->layers_only_in_a);
	r->layers_only_in_b = malloc((nb ? nb : 1) * sizeof *r->layers_only_in_b);
	if (!r->layers || !r->layers_only_in_a || !r->layers_only_in_b)
		goto fail;
	if (movers && experts && !(scratch = malloc(experts * sizeof *scratch)))
		goto fail;
	/* Both walks go by ascending id, so one merge finds the common layers. */
	while (la || lb) {
		struct compare_layer *out;

		if (!lb || (la && la->layer < lb->layer)) {
			r->layers_only_in_a[r->nonly_a++] = la->layer;
			la = stats_next(a, la->layer + 1);
			continue;
		}
		if (!la || lb->layer < la->layer) {
			r->layers_only_in_b[r->nonly_b++] = lb->layer;
			lb = stats_next(b, lb->layer + 1);
			continue;
		}
		out = &r->layers[r->nlayers++];
		if (build_layer(out, la, lb, experts, movers, scratch) < 0)
			goto fail;
		jsd += out->jsd;
		tvd += out->tvd;
		r->ndead_only_a += out->ndead_a;
		r->ndead_only_b += out->ndead_b;
		la = stats_next(a, la->layer + 1);
		lb = stats_next(b, lb->layer + 1);
	}
	free(scratch);
	r->mean_jsd = r->nlayers ? (double)(jsd / r->nlayers) : NAN;
	r->mean_tvd = r->nlayers ? (double)(tvd / r->nlayers) : NAN;
	return 0;

fail:
	free(scratch);
	compare_free(r);
	return -1;
}

void compare_free(struct compare_report *r)
{
	for (size_t i = 0; r->layers && i < r->nlayers; i++) {
		free(r->layers[i].movers);
		free(r->layers[i].dead_only_in_a);
		free(r->layers[i].dead_only_in_b);
	}
	free(r->layers);
	free(r->layers_only_in_a);
	free(r->layers_only_in_b);
	memset(r, 0, sizeof *r);
}
