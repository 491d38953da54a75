/* counts.h: a layer x expert load matrix, read from a --counts file (JSON or CSV) or taken from a log's stats. */
#ifndef MOESTAT_COUNTS_H
#define MOESTAT_COUNTS_H

#include <stddef.h>

#include "error.h"
#include "stats.h"

struct counts {
	const char *format;     /* "json", "csv", or "log" */
	unsigned experts;       /* N: the columns */
	size_t nlayers;
	unsigned *layer;        /* [nlayers] ascending layer ids */
	double *load;           /* [nlayers * experts] the rows, in that order */
};

/* Reads path ("-" is standard input; gzip is read too): JSON `[[...], ...]`, one list a
 * layer, or CSV, one row a layer with an optional header row, whose `layer` column (if
 * any) numbers the rows; else the rows are layers 0, 1, ... in order. Every load is a
 * finite number >= 0 and every row has the same length. Rows of the layers not in
 * the bitmap layers (NULL: all) are dropped. 0, or -1 with err filled
 * ("FILE:LINE: what is wrong"; EX_DATAERR, EX_NOINPUT, EX_IOERR, EX_OSERR). */
int counts_read(struct counts *c, const char *path, const unsigned char *layers, struct moe_error *err);

/* The counts of every layer of st with records, for n experts (st has room for n). -1 out of memory. */
int counts_from_stats(struct counts *c, const struct stats *st, unsigned n);

/* The row of layer, or NULL when the matrix does not have it. */
const double *counts_row(const struct counts *c, unsigned layer);

void counts_free(struct counts *c);

#endif
