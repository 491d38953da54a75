/* render_log.h: records written back as a log, in moestat's own mlog or as JSON Lines (convert). */
#ifndef MOESTAT_RENDER_LOG_H
#define MOESTAT_RENDER_LOG_H

#include <stdbool.h>
#include <stddef.h>

#include "moestat.h"
#include "reader.h"
#include "writer.h"

enum render_log_format { RENDER_LOG_MLOG, RENDER_LOG_JSONL };

/* The columns are those of the first record: a token, weights, logits, each
 * there or not; every later record must have the same (mlog has one set of
 * fields), and in mlog a record cannot go back to no domain after one had a
 * domain (a "#domain" line holds until the next). */
struct render_log {
	struct writer *out;
	enum render_log_format format;
	bool started;                   /* the header is written */
	bool token, weights, logits;
	int domain;                     /* of the last record written, -1 for none */
	char *line;                     /* one record's text */
	size_t cap;
};

void render_log_init(struct render_log *w, struct writer *out, enum render_log_format format);

/* What render_log_record and render_log_finish return besides 0. */
enum {
	RENDER_LOG_NOMEM = -1,
	RENDER_LOG_MISFIT = -2,         /* *why says how the record does not fit */
	RENDER_LOG_WRITE = -3,          /* the writer failed */
};

/* Writes rec; before the first, the header from what in says of the model
 * (N only when a header or --experts gave it: otherwise the reader of the new
 * log infers it from the ids as the reader of this one does). */
int render_log_record(struct render_log *w, const struct moe_record *rec,
                      const struct moe_input *in, const char **why);

/* After the last record: the header, when there was no record to write it. */
int render_log_finish(struct render_log *w, const struct moe_input *in, const char **why);

void render_log_free(struct render_log *w);

#endif
