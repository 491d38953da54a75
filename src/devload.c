/* devload.c: device loads of each chunk as it closes, O(touched experts + P) a chunk; no chunk is kept. */
#include "devload.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static void free_layer(struct devload_layer *l)
{
	place_free(&l->plan);
	free(l->busiest);
	free(l->device_load);
	free(l->device_ratio);
}

int devload_init(struct devload *d, enum place_kind kind, unsigned devices, const struct place_eplb *eplb,
                 const struct counts *fit)
{
	memset(d, 0, sizeof *d);
	d->kind = kind;
	d->eplb = *eplb;
	d->devices = devices;
	d->scratch = calloc(devices, sizeof *d->scratch);
	d->layers = calloc(fit->nlayers ? fit->nlayers : 1, sizeof *d->layers);
	if (!d->scratch || !d->layers)
		return -1;
	for (size_t i = 0; i < fit->nlayers; i++) {
		struct devload_layer *l = &d->layers[d->nlayers++];

		l->layer = fit->layer[i];
		l->busiest = calloc(devices, sizeof *l->busiest);
		l->device_load = calloc(devices, sizeof *l->device_load);
		l->device_ratio = calloc(devices, sizeof *l->device_ratio);
		if (!l->busiest || !l->device_load || !l->device_ratio ||
		    place_plan(&l->plan, kind, &fit->load[i * fit->experts], fit->experts, devices, eplb) < 0)
			return -1;
	}
	return 0;
}

static struct devload_layer *find(struct devload *d, unsigned layer)
{
	size_t lo = 0, hi = d->nlayers;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (d->layers[mid].layer == layer)
			return &d->layers[mid];
		if (d->layers[mid].layer < layer)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* One chunk's counts c_i of the experts touched. */
static void add_chunk(struct devload *d, struct devload_layer *l, const uint32_t *count,
                      const uint32_t *touched, size_t ntouched)
{
	memset(d->scratch, 0, d->devices * sizeof *d->scratch);
	for (size_t i = 0; i < ntouched; i++)
		place_add(&l->plan, touched[i], (double)count[touched[i]], d->scratch);
	l->sum_imbalance += place_imbalance(d->scratch, d->devices);
	l->sum_balancedness += place_balancedness(d->scratch, d->devices);
	l->busiest[place_busiest(d->scratch, d->devices)]++;
}

int devload_chunk(struct devload *d, const struct batch_layer *bl)
{
	struct devload_layer *l = find(d, bl->layer);

	if (l)
		add_chunk(d, l, bl->chunk_count, bl->touched, bl->ntouched);
	return 0;
}

static void global(struct devload *d, struct devload_layer *l, const double *row)
{
	memset(d->scratch, 0, d->devices * sizeof *d->scratch);
	for (unsigned e = 0; e < l->plan.experts; e++)
		place_add(&l->plan, e, row[e], d->scratch);
	for (unsigned i = 0; i < d->devices; i++)
		l->device_load[i] = (double)d->scratch[i];
	place_ratios(d->scratch, d->devices, l->device_ratio);
	l->f.imbalance_global = place_imbalance(d->scratch, d->devices);
	l->f.balancedness_global = place_balancedness(d->scratch, d->devices);
}

static void chunk_figures(struct devload *d, struct devload_layer *l, const struct batch *chunks)
{
	const struct batch_layer *bl = batch_layer(chunks, l->layer);

	l->f.imbalance = l->f.balancedness = NAN;
	if (!bl)
		return;
	l->tokens = bl->tokens;
	l->chunks = bl->chunks;
	if (l->chunks == 0 && bl->chunk_tokens > 0) {
		/* No full chunk: the partial one stands for the layer. */
		add_chunk(d, l, bl->chunk_count, bl->touched, bl->ntouched);
		l->chunks = 1;
		l->partial = true;
	}
	if (l->chunks == 0)
		return;
	l->f.imbalance = (double)(l->sum_imbalance / l->chunks);
	l->f.balancedness = (double)(l->sum_balancedness / l->chunks);
	for (unsigned i = 1; i < d->devices; i++)
		if (l->busiest[i] > l->busiest[l->straggler])
			l->straggler = i;
}

void devload_finish(struct devload *d, const struct counts *eval, const struct batch *chunks)
{
	struct devload_figures *m = &d->mean;
	size_t kept = 0;

	for (size_t i = 0; i < d->nlayers; i++) {
		struct devload_layer *l = &d->layers[i];
		const double *row = counts_row(eval, l->layer);

		if (!row) {
			free_layer(l);
			continue;
		}
		global(d, l, row);
		l->f.imbalance = l->f.balancedness = NAN;
		if (chunks)
			chunk_figures(d, l, chunks);
		d->layers[kept++] = *l;
	}
	d->nlayers = kept;
	memset(m, 0, sizeof *m);
	for (size_t i = 0; i < kept; i++) {
		m->imbalance += d->layers[i].f.imbalance;
		m->balancedness += d->layers[i].f.balancedness;
		m->imbalance_global += d->layers[i].f.imbalance_global;
		m->balancedness_global += d->layers[i].f.balancedness_global;
	}
	if (kept == 0) {
		m->imbalance = m->balancedness = m->imbalance_global = m->balancedness_global = NAN;
		return;
	}
	m->imbalance /= (double)kept;
	m->balancedness /= (double)kept;
	m->imbalance_global /= (double)kept;
	m->balancedness_global /= (double)kept;
}

void devload_free(struct devload *d)
{
	for (size_t i = 0; d->layers && i < d->nlayers; i++)
		free_layer(&d->layers[i]);
	free(d->layers);
	free(d->scratch);
	memset(d, 0, sizeof *d);
}

int devload_set_chunk(void *set, const struct batch_layer *l)
{
	const struct devload_set *s = set;

	for (size_t i = 0; i < s->n; i++)
		devload_chunk(&s->dl[i], l);
	return 0;
}
