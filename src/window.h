/* window.h: each layer's last W records: the counts of each expert over them, for figures over a sliding window. */
#ifndef MOESTAT_WINDOW_H
#define MOESTAT_WINDOW_H

#include <stddef.h>
#include <stdint.h>

#include "bylayer.h"
#include "moestat.h"

struct window_layer {
	unsigned layer;
	uint64_t tokens;                /* records in the window: min(W, records so far) */
	uint64_t selections;            /* their selections */
	uint64_t *count;                /* [capacity] of the records in the window */
	uint32_t *ids;                  /* [W * stride] the window's records, a ring */
	uint32_t *k;                    /* [W] their lengths */
	size_t stride;                  /* room for ids a record */
	uint64_t head;                  /* the slot the next record goes to */
};

struct window {
	uint64_t size;                  /* W */
	unsigned capacity;
	struct bylayer layers;          /* of struct window_layer */
};

/* size >= 1; memory is W times the longest list, per layer. */
void window_init(struct window *w, uint64_t size);

/* Adds one record to its layer's window, dropping the oldest when full; -1 when out of memory. */
int window_add(struct window *w, const struct moe_record *rec);

/* Room for n experts in every layer; -1 when out of memory. */
int window_reserve(struct window *w, unsigned n);

/* The layer with id layer, or NULL. */
const struct window_layer *window_layer(const struct window *w, unsigned layer);

void window_free(struct window *w);

#endif
