/* state.h: what one run of summarize, dead or maxvio accumulates, as one value: fed records, saved as JSON, loaded, merged. */
#ifndef MOESTAT_STATE_H
#define MOESTAT_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "batch.h"
#include "domains.h"
#include "error.h"
#include "reader.h"
#include "stats.h"

/* The version of the state file (moestat.5, STATE FILE). */
#define STATE_VERSION 1

#define STATE_MAX_SIZES 64

enum state_command { STATE_SUMMARIZE, STATE_DEAD, STATE_MAXVIO };

/* The options of the run; parts merge only when they agree on all of them. */
struct state_options {
	enum state_command command;
	/* Which records count. */
	unsigned experts;                               /* --experts; 0: none */
	bool has_layers;
	unsigned char layers[MOE_MAX_LAYERS / 8];       /* --layers, when has_layers */
	bool has_domain;
	char domain[MOE_MAX_NAME];                      /* --domain, when has_domain */
	/* summarize */
	uint64_t bottom;
	bool experts_table, by_domain;
	uint64_t batch;                                 /* 0: no --batch */
	/* dead */
	uint64_t threshold;
	bool gap, fail;
	/* maxvio: the batch sizes, ascending, and whether they are the default sweep */
	uint64_t sizes[STATE_MAX_SIZES];
	size_t nsizes;
	bool default_sweep;
};

struct state {
	struct state_options opt;
	struct moe_input input;         /* files and domains point into the state */
	char **files;                   /* [input.nfiles], owned */
	struct domains *domains;        /* the input's domain table */
	struct stats all;               /* with gaps for dead */
	struct stats *domain;           /* [ndomains] summarize --by-domain: the records of domain i */
	size_t ndomains;
	struct batch *batch;            /* summarize --batch: one, per expert; maxvio: one a size */
	size_t nbatch;
	struct batch *takes_records[STATE_MAX_SIZES];   /* the batches not fed by a smaller one */
	size_t ntakes;
	/* Or NULL: the largest size of a chain, whose chunks, added up, are the
	 * experts' counts in all. Each selection is counted once for every size
	 * and the whole log (maxvio on 2 cores: 7% less CPU); stats counts the
	 * records alone, and its counts are whole after state_finish. */
	struct batch *counts_from;
};

/* An empty state for a run with opt; -1 when out of memory (s is then freed).
 * Its accumulators call back into s: it stays where it is until state_free. */
int state_init(struct state *s, const struct state_options *opt);

/* Adds one record; -1 when out of memory. */
int state_add(struct state *s, const struct moe_record *rec);

/* Fills parts (reader.h) for s, whose records may then be added in parts on
 * other threads: true when s holds nothing but the counts of all records
 * (no last uses, batch sizes or domains), false when its records must come
 * one by one, or by layer (state_shards). */
bool state_parts(struct state *s, struct reader_parts *parts);

/* Fills shards (reader.h) for s, whose records may then be added by layer on
 * other threads: true unless s keeps stats by domain. Between a shard's open
 * and close, its layers are the shard's, and nothing is to be added to s. */
bool state_shards(struct state *s, struct reader_shards *shards);

/* At the end of the records: keeps a copy of in (what the reader says about
 * them), gives every accumulator room for its N and closes the chunks
 * (batch_finish). -1 when out of memory. */
int state_finish(struct state *s, const struct moe_input *in);

/* Adds from, a finished state named name (for messages), as if its records
 * had been read after into's. 0; -1 with err filled when the two do not go
 * together (another command or options, another model: EX_DATAERR, "NAME: ...")
 * or memory runs out (EX_OSERR). */
int state_merge(struct state *into, const struct state *from, const char *name, struct moe_error *err);

/* Writes s (finished) to fp as one JSON document; -1 when out of memory. */
int state_save(const struct state *s, FILE *fp);

/* Reads the state that path holds into s ("-" is standard input). 0; -1 with
 * err filled ("FILE:LINE: ..." or "FILE: ..."; EX_NOINPUT, EX_DATAERR, EX_OSERR). */
int state_load(struct state *s, const char *path, struct moe_error *err);

void state_free(struct state *s);

#endif
