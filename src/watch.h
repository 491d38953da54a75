/* watch.h: the live figures of `watch`: cumulative counts, MaxVio over a sliding window, experts turning dead; snapshots. */
#ifndef MOESTAT_WATCH_H
#define MOESTAT_WATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bylayer.h"
#include "stats.h"
#include "window.h"

struct watch {
	uint64_t every;                 /* N: a snapshot each time every layer has N more tokens */
	uint64_t threshold;             /* T: dead after T tokens of its layer without being chosen */
	uint64_t next;                  /* the tokens every layer must reach for the next snapshot */
	struct stats stats;             /* with gaps */
	struct window window;           /* the last W records of each layer */
	struct bylayer dead;            /* of struct watch_dead: who was dead at the last snapshot */
	uint64_t sequence;              /* snapshots taken */
};

struct watch_layer {
	unsigned layer;
	uint64_t tokens, selections;
	const uint64_t *count;          /* [experts] cumulative, in the watch's stats */
	uint64_t window_tokens;         /* min(W, tokens) */
	double maxvio_window;           /* MaxVio over them; NAN when undefined */
	size_t dead;                    /* experts idle for T tokens or more now */
	size_t nnewly;
	uint32_t *newly_dead;           /* [nnewly] those that were not at the last snapshot, ascending */
};

struct watch_snapshot {
	uint64_t sequence;              /* 1, 2, ... */
	bool final;                     /* the last, at the end of the input or on a signal */
	int64_t time;                   /* when it was taken, seconds since the epoch (the caller's) */
	unsigned experts;
	uint64_t every, window, threshold;
	size_t nlayers;
	struct watch_layer *layers;     /* ascending layer id */
};

void watch_init(struct watch *w, uint64_t every, uint64_t window, uint64_t threshold);

/* Adds one record; 1 when a snapshot is due (every layer seen has reached the
 * next multiple of N tokens), 0 when not, -1 when out of memory. */
int watch_add(struct watch *w, const struct moe_record *rec);

/* The figures now, for N = experts; remembers which experts are dead, so that
 * the next snapshot tells those newly dead. -1 when out of memory. */
int watch_snapshot(struct watch *w, unsigned experts, struct watch_snapshot *s);

void watch_snapshot_free(struct watch_snapshot *s);

void watch_free(struct watch *w);

#endif
