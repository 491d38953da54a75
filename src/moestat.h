/* moestat.h: types shared by every stage: the record, the model shape, the limits. */
#ifndef MOESTAT_H
#define MOESTAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Hard limits, documented in moestat.5 (LIMITS); each keeps memory bounded
 * by the model's shape whatever the bytes say. */
#define MOE_MAX_EXPERTS 65536u          /* expert ids are < this */
#define MOE_MAX_LAYERS 65536u           /* layer ids are < this */
#define MOE_MAX_DOMAINS 1024u           /* distinct domain names */
#define MOE_MAX_NAME 256u               /* bytes in a domain or model name */
#define MOE_MAX_LINE (64u << 20)        /* bytes in one input line */

enum moe_format {
	MOE_FORMAT_AUTO,
	MOE_FORMAT_MLOG,
	MOE_FORMAT_JSONL,
	MOE_FORMAT_CSV,
	MOE_FORMAT_STEPS,
};

/* The roles of a record's fields, which --key ROLE=NAME renames in jsonl and csv. */
enum moe_role {
	MOE_ROLE_LAYER,
	MOE_ROLE_TOKEN,
	MOE_ROLE_EXPERTS,
	MOE_ROLE_WEIGHTS,
	MOE_ROLE_LOGITS,
	MOE_ROLE_DOMAIN,
	MOE_ROLE_COUNT
};

/* The model as a header (mlog "#moestat v1 ...", a jsonl {"moestat":1,...}
 * object) describes it; 0 or NULL means "not said". */
struct moe_shape {
	unsigned experts;
	unsigned topk;
	char score[16];                 /* "softmax", "sigmoid" or "" */
	char model[MOE_MAX_NAME];       /* "" when not said */
};

/* One token's routing decision at one layer, as a parser hands it out.
 * The arrays belong to the parser and stay valid until its next call. */
struct moe_record {
	unsigned layer;
	int64_t token;                  /* -1 when the log has no token column */
	int domain;                     /* index in the reader's domain table, -1 for none */
	size_t k;                       /* number of selected experts */
	const uint32_t *experts;        /* k ids */
	const double *weights;          /* nweights gate weights; NULL when the log has none */
	size_t nweights;
	const double *logits;           /* nlogits router logits; NULL when the log has none */
	size_t nlogits;
};

/* Records of ids alone (no token, weights or logits), read from one line
 * each in one go: record i is layer[i] with ids[start[i] .. start[i + 1]).
 * A line of the run is under 64 bytes, so it holds fewer than 32 ids. */
#define MOE_RUN 64
struct moe_run {
	size_t n;
	int domain;                     /* of them all, as in struct moe_record */
	unsigned below;                 /* every id is below it; 0 when not known */
	unsigned layer[MOE_RUN];
	uint32_t start[MOE_RUN + 1];
	uint32_t ids[MOE_RUN * 32];
};

/* Record i of run, as a struct moe_record. */
static inline void moe_run_record(const struct moe_run *run, size_t i, struct moe_record *rec)
{
	rec->layer = run->layer[i];
	rec->token = -1;
	rec->domain = run->domain;
	rec->k = run->start[i + 1] - run->start[i];
	rec->experts = run->ids + run->start[i];
	rec->weights = rec->logits = NULL;
	rec->nweights = rec->nlogits = 0;
}

#endif
