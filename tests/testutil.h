/* testutil.h: fixtures for the unit tests: inputs written to temporary files, parsers opened on them. */
#ifndef MOESTAT_TESTUTIL_H
#define MOESTAT_TESTUTIL_H

#include <check.h>
#include <stddef.h>
#include <stdint.h>

#include "domains.h"
#include "format.h"
#include "lines.h"
#include "source.h"

/* Writes len bytes to a new temporary file; returns its malloc'd path. */
char *tu_temp_file(const void *bytes, size_t len);

/* The same, gzip'd as one member (or one member per part, split at the NUL-free text's '|'
 * when split is nonzero), via zlib's own deflate. */
char *tu_temp_gzip(const char *text, int split);

/* A parser opened on text, with everything under it. */
struct tu_parse {
	char *path;
	struct source *src;
	struct lines *lines;
	struct domains *domains;
	const struct parser_ops *ops;
	void *parser;
	struct mlog_carry mlog;
	struct moe_shape header;
	struct moe_error err;
};

void tu_parse_open(struct tu_parse *t, const struct parser_ops *ops, const char *text,
                   const char *const *keys);
/* The same for bytes that may hold NULs. */
void tu_parse_open_bytes(struct tu_parse *t, const struct parser_ops *ops, const char *bytes,
                         size_t len, const char *const *keys);
int tu_parse_next(struct tu_parse *t, struct moe_record *rec);
void tu_parse_close(struct tu_parse *t);

/* The next number of a deterministic sequence (splitmix64) from *state. */
uint64_t tu_random(uint64_t *state);

/* Asserts rec's expert ids equal ids[0..k). */
void tu_assert_experts(const struct moe_record *rec, const unsigned *ids, size_t k);

#endif
