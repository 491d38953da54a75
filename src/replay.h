/* replay.h: routing policies re-run on the recorded logits, side by side, chunk by chunk. */
#ifndef MOESTAT_REPLAY_H
#define MOESTAT_REPLAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bias.h"
#include "moestat.h"
#include "route.h"

enum replay_strategy {
	REPLAY_NONE,            /* b = 0 throughout */
	REPLAY_LOSSFREE,        /* b_i += u sign(c_mean - c_i) after each chunk */
	REPLAY_DYNAMIC,         /* b_i += u (L_mean - L_i) / L_mean, L an EWMA of the chunk loads */
	REPLAY_FIXED,           /* b constant, from a bias table */
	REPLAY_CAPACITY,        /* at most C selections an expert a chunk */
};

/* One strategy with its parameters: a row of the output. */
struct replay_instance {
	enum replay_strategy strategy;
	double rate;            /* u: lossfree, dynamic */
	/* capacity: f as the decimal the user wrote, factor_num / 10^factor_scale, so that
	 * C is exact: 1.1 x 800 / 8 is 110, where the double nearest 1.1 would make 111. */
	uint64_t factor_num;
	unsigned factor_scale;
};

/* The capacity factor as a number, for showing it. */
double replay_factor(const struct replay_instance *in);

struct replay_options {
	enum route_score score;
	uint64_t batch;                 /* B, tokens a chunk */
	struct route_groups groups;
	double decay;                   /* alpha: dynamic */
	bool probs;                     /* capacity: --drop-policy probs, else position */
	bool reroute;                   /* capacity: --overflow reroute (position only) */
	uint64_t threshold;             /* dead: idle >= threshold */
	const struct bias_table *start; /* the bias at the start, or NULL for 0 */
	const struct bias_table *fixed; /* the fixed strategy's bias */
};

/* The figures of one layer (or their means over layers) under one instance. */
struct replay_figures {
	double maxvio_global;   /* over all selections the strategy made */
	double maxvio_batch;    /* mean per-chunk MaxVio over full chunks, or the one partial chunk */
	double changed;         /* fraction of tokens whose set differs from the none set */
	double retained;        /* score mass kept: sum of selected s / sum of none-selected s */
	double dropped;         /* dropped selections / selections asked for */
	double dead;            /* experts idle >= threshold at the end */
	double agreement;       /* none only: fraction of tokens whose recorded set is the none set */
};

struct replay_layer {
	unsigned layer;
	uint64_t tokens;
	struct replay_figures f;
	size_t n;
	const double *bias;     /* the final bias, n values */
};

struct replay_result {
	struct replay_instance instance;
	size_t nlayers;
	struct replay_layer *layers;    /* ascending layer id */
	struct replay_figures mean;     /* arithmetic means over the layers */
};

struct replay;

/* Prepares ninstance instances (copied); NULL when out of memory. */
struct replay *replay_new(const struct replay_options *o, const struct replay_instance *instance,
                          size_t ninstance);

/* Routes one record (which has N logits) under every instance. 0; -1 when out
 * of memory; EX_USAGE or EX_DATAERR with *why set when the groups do not fit
 * or a bias table does not fit the layer. */
int replay_add(struct replay *r, const struct moe_record *rec, const char **why);

/* Routes every layer's last chunk and computes the figures; -1 when out of memory. */
int replay_finish(struct replay *r);

/* The results, one per instance in the order given (after replay_finish). */
const struct replay_result *replay_results(const struct replay *r, size_t *n);

/* Copies instance i's final bias of every layer into t; -1 when out of memory. */
int replay_bias(const struct replay *r, size_t i, struct bias_table *t);

void replay_free(struct replay *r);

#endif
