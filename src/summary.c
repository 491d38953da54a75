/* summary.c: turns per-layer counts into the figures of `summarize` by calling the formulas in metrics.c. */
#include "summary.h"

#include <stdlib.h>
#include <string.h>

static int build_layer(struct summary_layer *out, const struct stats_layer *l, unsigned n,
                       size_t bottom)
{
	out->layer = l->layer;
	out->tokens = l->tokens;
	out->selections = l->selections;
	out->topk = l->k_min == l->k_max ? (unsigned)l->k_min : 0;
	out->unused = metrics_unused(l->count, n);
	out->maxvio_global = metrics_maxvio(l->count, n, l->selections);
	out->cv = metrics_cv(l->count, n, l->selections);
	out->entropy_norm = metrics_entropy_norm(l->count, n, l->selections);
	out->experts = malloc(n * sizeof *out->experts);
	out->ascending = malloc(n * sizeof *out->ascending);
	if (!out->experts || !out->ascending)
		return -1;
	for (unsigned i = 0; i < n; i++) {
		out->experts[i].expert = i;
		out->experts[i].count = l->count[i];
		out->experts[i].share = metrics_share(l->count[i], l->selections);
		out->experts[i].ratio = metrics_ratio(l->count[i], n, l->selections);
		out->ascending[i].expert = i;
		out->ascending[i].count = l->count[i];
	}
	metrics_sort_ascending(out->ascending, n);
	out->gini = metrics_gini_sorted(out->ascending, n, l->selections);
	out->least = out->ascending;
	out->nleast = bottom < n ? bottom : n;
	return 0;
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

int summary_build(struct summary *s, const struct stats *st, unsigned experts, size_t bottom)
{
	const struct stats_layer *l;
	size_t i = 0;

	memset(s, 0, sizeof *s);
	s->experts = experts;
	s->nlayers = stats_layers(st);
	s->layers = calloc(s->nlayers ? s->nlayers : 1, sizeof *s->layers);
	if (!s->layers)
		return -1;
	for (l = stats_next(st, 0); l; l = stats_next(st, l->layer + 1))
		if (build_layer(&s->layers[i++], l, experts, bottom) < 0)
			return -1;
	build_overall(s);
	return 0;
}

void summary_free(struct summary *s)
{
	for (size_t i = 0; s->layers && i < s->nlayers; i++) {
		free(s->layers[i].experts);
		free(s->layers[i].ascending);
	}
	free(s->layers);
	memset(s, 0, sizeof *s);
}
