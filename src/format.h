/* format.h: the record parsers (mlog, jsonl, csv, steps) behind one interface, and format sniffing. */
#ifndef MOESTAT_FORMAT_H
#define MOESTAT_FORMAT_H

#include <stddef.h>

#include "domains.h"
#include "error.h"
#include "lines.h"
#include "moestat.h"

/* What a parser returns. */
enum {
	PARSE_FATAL = -2,       /* this input cannot be read further; err says why */
	PARSE_BAD = -1,         /* one malformed record was consumed; err says why */
	PARSE_END = 0,
	PARSE_RECORD = 1,       /* *rec holds the next record */
	PARSE_HEADER = 2,       /* *header holds a header's shape */
};

/* What an mlog file leaves to the next, the files being one stream: the
 * "#domain" in force and the columns the last header named. Columns guessed
 * from a file's first record hold for the rest of that file only, the blocks
 * read on other threads (reader.c) included: the reader forgets them when the
 * file ends. */
struct mlog_carry {
	int domain;                     /* -1 for none */
	size_t ncolumns;                /* 0 until a header names its fields or a record's are guessed */
	bool guessed;                   /* the columns were guessed, not named by a header */
	enum moe_role column[MOE_ROLE_COUNT];
};

/* What the records of a run (parser_ops.next_run) keep to, besides distinct
 * ids: the checks of reader_next for records of ids alone. */
struct moe_limits {
	unsigned experts;               /* ids are below it; 0: no bound */
	unsigned topk;                  /* a record has this many ids; 0: any number from 1 */
};

/* What a parser borrows from the reader for its whole life. */
struct parser_env {
	struct lines *lines;
	struct domains *domains;
	const char *const *keys;        /* MOE_ROLE_COUNT names from --key; NULL = the defaults */
	struct mlog_carry *mlog;
};

struct parser_ops {
	const char *name;
	/* NULL when out of memory. */
	void *(*open)(const struct parser_env *env);
	/* Hands out records one at a time; a header fills *header only. */
	int (*next)(void *parser, struct moe_record *rec, struct moe_shape *header,
	            struct moe_error *err);
	/* Optional: the records of ids alone that come next and can be read in
	 * one go, up to MOE_RUN, into run, each of them with distinct ids that
	 * keep to lim; their number, 0 when next must be called (any other line,
	 * a record that does not keep to lim, or none buffered). Each counts its
	 * line. */
	size_t (*next_run)(void *parser, struct moe_run *run, const struct moe_limits *lim);
	void (*close)(void *parser);
};

extern const struct parser_ops mlog_parser;
extern const struct parser_ops jsonl_parser;
extern const struct parser_ops csv_parser;
extern const struct parser_ops steps_parser;

/* The parser of a format (not MOE_FORMAT_AUTO). */
const struct parser_ops *format_parser(enum moe_format format);

/* The format a file is in, judged by its first non-blank line. */
enum moe_format format_sniff(const char *line, size_t len);

/* "auto", "mlog", "jsonl", "csv", "steps" and back; -1 for an unknown name. */
const char *format_name(enum moe_format format);
int format_from_name(const char *name);

/* Fills err (EX_DATAERR, at the line last read from env->lines) and returns rc. */
int format_fail(const struct parser_env *env, struct moe_error *err, int rc, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Fills err (EX_OSERR: out of memory) and returns PARSE_FATAL. */
int format_nomem(const struct parser_env *env, struct moe_error *err);

/* The role named ("layer", "experts", ...), or -1. */
int format_role_from_name(const char *name);
const char *format_role_name(enum moe_role role);

#endif
