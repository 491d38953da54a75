/* bias.h: per-layer bias vectors, as --bias-file reads and --save-bias writes them. */
#ifndef MOESTAT_BIAS_H
#define MOESTAT_BIAS_H

#include <stddef.h>
#include <stdio.h>

#include "bylayer.h"
#include "error.h"

struct bias_vector {
	unsigned layer;
	size_t n;
	double *b;
};

struct bias_table {
	struct bylayer layers;          /* of struct bias_vector */
};

/* Reads {"layers": [{"layer": L, "bias": [b_0, ...]}, ...]} from path. 0, or -1
 * with err filled (EX_NOINPUT: cannot open; EX_DATAERR: not of that shape). */
int bias_load(struct bias_table *t, const char *path, struct moe_error *err);

/* The vector of layer, or NULL. */
const struct bias_vector *bias_get(const struct bias_table *t, unsigned layer);

/* Sets layer's vector to a copy of b[0..n); -1 when out of memory. */
int bias_set(struct bias_table *t, unsigned layer, const double *b, size_t n);

/* Writes the table in the format bias_load reads; -1 when out of memory. */
int bias_save(const struct bias_table *t, FILE *fp);

void bias_free(struct bias_table *t);

#endif
