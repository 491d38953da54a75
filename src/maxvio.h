/* maxvio.h: the figures of `maxvio`: per layer, MaxVio over the whole log and per chunk of each batch size. */
#ifndef MOESTAT_MAXVIO_H
#define MOESTAT_MAXVIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "batch.h"
#include "stats.h"

struct maxvio_layer {
	unsigned layer;
	uint64_t tokens;
	double maxvio_global;
	size_t nbatch;
	struct batch_maxvio *batch;     /* the batch sizes this layer reports, ascending */
};

struct maxvio_report {
	unsigned experts;
	size_t nsizes;
	uint64_t *sizes;                /* the sizes asked for that a layer reports, ascending */
	size_t nlayers;
	struct maxvio_layer *layers;    /* every layer with records, ascending id */
	/* Over the layers: the mean of maxvio_global, and for each size the mean of
	 * maxvio_batch over the layers that report it (NAN when none does). */
	double mean_global;
	double *mean_batch;             /* [nsizes] */
	size_t *layers_with;            /* [nsizes] how many layers report each size */
};

/* Builds the report from st and batches[i] (one per sizes[i], all with room
 * for experts). With only_fitting, a layer reports only the sizes not larger
 * than its tokens (the default sweep); otherwise every size. -1 when out of memory. */
int maxvio_build(struct maxvio_report *r, const struct stats *st, const struct batch *batches,
                 const uint64_t *sizes, size_t nsizes, unsigned experts, bool only_fitting);

void maxvio_free(struct maxvio_report *r);

#endif
