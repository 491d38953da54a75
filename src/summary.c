/* summary.c: turns per-layer counts into the figures of `summarize` by calling the formulas in metrics.c. */
#include "summary.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bigmem.h"

/* 1, 2, 4, ... below n, then n. */
static int build_coverage(struct summary_layer *out, unsigned n)
{
	size_t count = 0;

	for (size_t top = 1; top < n; top *= 2)
		count++;
	out->coverage = malloc((count + 1) * sizeof *out->coverage);
	if (!out->coverage)
		return -1;
	for (size_t top = 1;; top = top * 2 < n ? top * 2 : n) {
		struct summary_coverage *c = &out->coverage[out->ncoverage++];

		c->n = top;
		c->share = metrics_coverage(out->ascending, n, top, out->selections);
		c->uniform = (double)top / n;
		if (top == n)
			break;
	}
	return 0;
}

/* out's experts and ascending are set: n of each. */
static int build_layer(struct summary_layer *out, const struct stats_layer *l, unsigned n,
                       size_t bottom, const struct batch *chunks)
{
	const struct batch_layer *bl = chunks ? batch_layer(chunks, l->layer) : NULL;

	out->layer = l->layer;
	out->tokens = l->tokens;
	out->selections = l->selections;
	out->topk = l->k_min == l->k_max ? (unsigned)l->k_min : 0;
	out->unused = metrics_unused(l->count, n);
	out->maxvio_global = metrics_maxvio(l->count, n, l->selections);
	out->cv = metrics_cv(l->count, n, l->selections);
	out->entropy_norm = metrics_entropy_norm(l->count, n, l->selections);
	for (unsigned i = 0; i < n; i++) {
		out->experts[i].expert = i;
		out->experts[i].count = l->count[i];
		out->experts[i].share = metrics_share(l->count[i], l->selections);
		out->experts[i].ratio = metrics_ratio(l->count[i], n, l->selections);
		out->experts[i].batch_mean = out->experts[i].batch_std = out->experts[i].batch_cv = NAN;
		if (bl)
			batch_expert(bl, i, &out->experts[i].batch_mean, &out->experts[i].batch_std,
			             &out->experts[i].batch_cv);
		out->experts[i].specialisation = NAN;
		out->ascending[i].expert = i;
		out->ascending[i].count = l->count[i];
	}
	metrics_sort_ascending(out->ascending, n);
	out->gini = metrics_gini_sorted(out->ascending, n, l->selections);
	out->least = out->ascending;
	out->nleast = bottom < n ? bottom : n;
	return build_coverage(out, n);
}

static void build_overall(struct summary *s)
{
	struct summary_overall *o = &s->overall;

	memset(o, 0, sizeof *o);
	for (size_t i = 0; i < s->nlayers; i++) {
		const struct summary_layer *l = &s->layers[i];

		o->tokens += l->tokens;
		o->selections += l->selections;
		o->unused += l->unused;
		o->maxvio_global += l->maxvio_global;
		o->cv += l->cv;
		o->entropy_norm += l->entropy_norm;
		o->gini += l->gini;
	}
	if (s->nlayers == 0)
		return;
	o->maxvio_global /= (double)s->nlayers;
	o->cv /= (double)s->nlayers;
	o->entropy_norm /= (double)s->nlayers;
	o->gini /= (double)s->nlayers;
}

/* The bytes of every layer's experts, then of every layer's ascending. */
static size_t arrays_size(const struct summary *s)
{
	return s->nlayers * s->experts * (sizeof *s->layers->experts + sizeof *s->layers->ascending);
}

int summary_build(struct summary *s, const struct stats *st, unsigned experts, size_t bottom,
                  const struct batch *chunks)
{
	const struct stats_layer *l;
	size_t i = 0;

	memset(s, 0, sizeof *s);
	s->experts = experts;
	s->nlayers = stats_layers(st);
	s->layers = calloc(s->nlayers ? s->nlayers : 1, sizeof *s->layers);
	/* A big model's figures are a MiB, written once as the run ends: in one
	 * allocation, not two a layer, and in 2 MiB pages, not 290 page faults. */
	if (!s->layers || (arrays_size(s) && !(s->arrays = bigmem_alloc(arrays_size(s)))))
		return -1;
	for (l = stats_next(st, 0); l; l = stats_next(st, l->layer + 1), i++) {
		if (s->arrays) {
			struct summary_expert *by_id = s->arrays;

			s->layers[i].experts = by_id + i * experts;
			s->layers[i].ascending = (struct moe_expert_count *)(by_id + s->nlayers * experts) + i * experts;
		}
		if (build_layer(&s->layers[i], l, experts, bottom, chunks) < 0)
			return -1;
	}
	build_overall(s);
	return 0;
}

void summary_free(struct summary *s)
{
	for (size_t i = 0; s->layers && i < s->nlayers; i++)
		free(s->layers[i].coverage);
	bigmem_free(s->arrays, arrays_size(s));
	free(s->layers);
	memset(s, 0, sizeof *s);
}

const struct summary_layer *summary_find_layer(const struct summary *s, unsigned layer)
{
	size_t lo = 0, hi = s->nlayers;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (s->layers[mid].layer < layer)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < s->nlayers && s->layers[lo].layer == layer ? &s->layers[lo] : NULL;
}

void summary_specialise(struct summary *all, const struct summary *by_domain, size_t ndomains)
{
	double share[MOE_MAX_DOMAINS];

	for (size_t i = 0; i < all->nlayers; i++) {
		struct summary_layer *l = &all->layers[i];

		for (unsigned e = 0; e < all->experts; e++) {
			size_t n = 0;

			/* Only the domains that reach this layer have a share in it. */
			for (size_t d = 0; d < ndomains; d++) {
				const struct summary_layer *dl = summary_find_layer(&by_domain[d], l->layer);
				if (dl)
					share[n++] = dl->experts[e].share;
			}
			l->experts[e].specialisation = metrics_specialisation(share, n);
		}
	}
}
