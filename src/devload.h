/* devload.h: the devices' loads under one placement, per chunk of B tokens and over the whole input, layer by layer. */
#ifndef MOESTAT_DEVLOAD_H
#define MOESTAT_DEVLOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "batch.h"
#include "counts.h"
#include "place.h"

/* A layer's figures, or their arithmetic means over the layers. */
struct devload_figures {
	double imbalance;               /* mean over the chunks; NAN without chunks */
	double balancedness;
	double imbalance_global;        /* over the whole input */
	double balancedness_global;
};

struct devload_layer {
	unsigned layer;
	uint64_t tokens;                /* records of the layer (0 from counts alone) */
	uint64_t chunks;                /* full chunks; 1 when only the partial one counts */
	bool partial;                   /* the layer has no full chunk: its one partial chunk is used */
	struct devload_figures f;
	long double sum_imbalance, sum_balancedness;    /* over the chunks so far */
	uint64_t *busiest;              /* [devices] the chunks in which each device was the busiest */
	unsigned straggler;             /* see below; meaningful when chunks > 0 */
	struct place_plan plan;
	double *device_load;            /* [devices] over the whole input */
	double *device_ratio;           /* [devices] their ratio_d (place.h) */
};

/* load_d = the sum over the replicas on device d of c_i / replicas_i in a chunk
 * (count_i / replicas_i over the whole input): a replicated expert's tokens are split
 * evenly over its replicas. */
/* imbalance = the mean over full chunks of the chunk's max_d load_d / mean_d load_d; a layer with no full chunk uses its one partial chunk. */
/* balancedness = the mean over the same chunks of mean_d load_d / max_d load_d. */
/* imbalance_global = max_d load_d / mean_d load_d, balancedness_global = its inverse, from count_i over the whole input. */
/* straggler = the device that is the busiest (largest load, ties to the lower device id) in the most chunks, ties to the lower device id. */

struct devload {
	enum place_kind kind;
	struct place_eplb eplb;
	unsigned devices;
	size_t nlayers;
	struct devload_layer *layers;   /* ascending layer id */
	struct devload_figures mean;    /* arithmetic means over the layers (NAN when one is) */
	long double *scratch;           /* [devices] */
};

/* Fits kind's plan on every row of fit (of fit->experts experts) for devices,
 * which place_check must accept. 0, or -1 when out of memory; devload_free after. */
int devload_init(struct devload *d, enum place_kind kind, unsigned devices, const struct place_eplb *eplb,
                 const struct counts *fit);

/* A batch_on_chunk callback: one full chunk of a layer (experts below N); a layer
 * that has no plan is passed over. Returns 0. */
int devload_chunk(struct devload *d, const struct batch_layer *l);

/* Keeps the layers that eval has (the others are dropped), gives them their global
 * figures from eval's rows and, from chunks (NULL with counts alone), their tokens and,
 * for a layer without a full chunk, its partial one; then the means. */
void devload_finish(struct devload *d, const struct counts *eval, const struct batch *chunks);

/* Several placements told of the same chunks. */
struct devload_set {
	struct devload *dl;
	size_t n;
};

/* A batch_on_chunk callback for a struct devload_set: devload_chunk for each. Returns 0. */
int devload_set_chunk(void *set, const struct batch_layer *l);

void devload_free(struct devload *d);

#endif
