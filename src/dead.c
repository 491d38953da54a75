/* dead.c: closes each expert's open idle run at the end of the stream and applies the threshold. */
#include "dead.h"

#include <stdlib.h>
#include <string.h>

struct dead_expert dead_expert_of(const struct stats_layer *l, uint32_t expert)
{
	struct dead_expert e;

	e.expert = expert;
	e.count = l->count[expert];
	e.last_used = l->last_used[expert];
	/* The run after the last use (or the whole layer, never used) is still open. */
	e.idle = e.last_used < 0 ? l->tokens : l->tokens - 1 - (uint64_t)e.last_used;
	e.max_gap = l->max_gap[expert] > e.idle ? l->max_gap[expert] : e.idle;
	return e;
}

static int build_layer(struct dead_layer *out, const struct stats_layer *l, unsigned experts,
                       uint64_t threshold, enum dead_criterion criterion)
{
	out->layer = l->layer;
	out->tokens = l->tokens;
	for (uint32_t i = 0; i < experts; i++) {
		struct dead_expert e = dead_expert_of(l, i);
		uint64_t figure = criterion == DEAD_IDLE ? e.idle : e.max_gap;

		if (figure < threshold)
			continue;
		if (!out->experts && !(out->experts = malloc(experts * sizeof *out->experts)))
			return -1;
		out->experts[out->n++] = e;
	}
	return 0;
}

int dead_build(struct dead_report *d, const struct stats *st, unsigned experts, uint64_t threshold,
               enum dead_criterion criterion)
{
	const struct stats_layer *l;
	size_t i = 0;

	memset(d, 0, sizeof *d);
	d->threshold = threshold;
	d->criterion = criterion;
	d->nlayers = stats_layers(st);
	d->layers = calloc(d->nlayers ? d->nlayers : 1, sizeof *d->layers);
	if (!d->layers)
		return -1;
	for (l = stats_next(st, 0); l; l = stats_next(st, l->layer + 1)) {
		if (build_layer(&d->layers[i], l, experts, threshold, criterion) < 0)
			return -1;
		d->total += d->layers[i++].n;
	}
	return 0;
}

void dead_free(struct dead_report *d)
{
	for (size_t i = 0; d->layers && i < d->nlayers; i++)
		free(d->layers[i].experts);
	free(d->layers);
	memset(d, 0, sizeof *d);
}
