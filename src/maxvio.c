/* maxvio.c: gathers, for each layer, MaxVio_global from the counts and MaxVio_batch from each chunk accumulator. */
#include "maxvio.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "metrics.h"

static int build_layer(struct maxvio_layer *out, const struct stats_layer *l,
                       const struct batch *batches, const uint64_t *sizes, size_t nsizes,
                       unsigned experts, bool only_fitting)
{
	out->layer = l->layer;
	out->tokens = l->tokens;
	out->maxvio_global = metrics_maxvio(l->count, experts, l->selections);
	out->batch = calloc(nsizes ? nsizes : 1, sizeof *out->batch);
	if (!out->batch)
		return -1;
	for (size_t i = 0; i < nsizes; i++) {
		if (only_fitting && sizes[i] > l->tokens)
			continue;
		if (batch_maxvio(batch_layer(&batches[i], l->layer), sizes[i], experts,
		                 &out->batch[out->nbatch++]) < 0)
			return -1;
	}
	return 0;
}

int maxvio_build(struct maxvio_report *r, const struct stats *st, const struct batch *batches,
                 const uint64_t *sizes, size_t nsizes, unsigned experts, bool only_fitting)
{
	const struct stats_layer *l;
	size_t i = 0;

	memset(r, 0, sizeof *r);
	r->experts = experts;
	r->nlayers = stats_layers(st);
	r->layers = calloc(r->nlayers ? r->nlayers : 1, sizeof *r->layers);
	r->sizes = calloc(nsizes ? nsizes : 1, sizeof *r->sizes);
	r->mean_batch = calloc(nsizes ? nsizes : 1, sizeof *r->mean_batch);
	r->layers_with = calloc(nsizes ? nsizes : 1, sizeof *r->layers_with);
	if (!r->layers || !r->sizes || !r->mean_batch || !r->layers_with)
		return -1;
	for (l = stats_next(st, 0); l; l = stats_next(st, l->layer + 1))
		if (build_layer(&r->layers[i++], l, batches, sizes, nsizes, experts, only_fitting) < 0)
			return -1;
	/* The overall row: arithmetic means over the layers that report each size;
	 * a size no layer reports (the default sweep past every layer) is left out. */
	for (size_t s = 0; s < nsizes; s++) {
		size_t with = 0;
		double sum = 0;

		for (i = 0; i < r->nlayers; i++)
			for (size_t j = 0; j < r->layers[i].nbatch; j++)
				if (r->layers[i].batch[j].size == sizes[s]) {
					sum += r->layers[i].batch[j].mean;
					with++;
				}
		if (with == 0)
			continue;
		r->sizes[r->nsizes] = sizes[s];
		r->layers_with[r->nsizes] = with;
		r->mean_batch[r->nsizes++] = sum / (double)with;
	}
	for (i = 0; i < r->nlayers; i++)
		r->mean_global += r->layers[i].maxvio_global;
	r->mean_global = r->nlayers ? r->mean_global / (double)r->nlayers : NAN;
	return 0;
}

void maxvio_free(struct maxvio_report *r)
{
	for (size_t i = 0; r->layers && i < r->nlayers; i++)
		free(r->layers[i].batch);
	free(r->layers);
	free(r->sizes);
	free(r->mean_batch);
	free(r->layers_with);
	memset(r, 0, sizeof *r);
}
