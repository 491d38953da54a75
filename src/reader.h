/* reader.h: the input iterator: a list of files read in order as one stream of checked records. */
#ifndef MOESTAT_READER_H
#define MOESTAT_READER_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "domains.h"
#include "error.h"
#include "format.h"
#include "moestat.h"

struct reader_options {
	enum moe_format format;         /* MOE_FORMAT_AUTO sniffs each file */
	unsigned experts;               /* --experts; 0 = from the header or the ids */
	bool skip_bad;                  /* count and pass over bad records and broken inputs */
	const char *keys[MOE_ROLE_COUNT];       /* --key overrides; NULL = defaults */
	const unsigned char *layers;    /* bitmap of MOE_MAX_LAYERS bits; NULL = all */
	const char *domain;             /* only this domain; NULL = all */
	bool need_logits;               /* a record without router logits is bad (replay) */
	const volatile sig_atomic_t *follow;    /* follow plain files until set (source_follow); NULL: no */
	bool no_blocks;                 /* no big file read in blocks on threads (blocks.h) */
};

enum moe_experts_from { EXPERTS_FROM_NONE, EXPERTS_FROM_OPTION, EXPERTS_FROM_HEADER, EXPERTS_FROM_IDS };

/* What was read, for the "input" block of every output. */
struct moe_input {
	char *const *files;
	size_t nfiles;
	const char *format;             /* a format name, "mixed", or NULL if no file held data */
	uint64_t records;               /* valid records read, before --layers and --domain */
	uint64_t selected;              /* those that passed --layers and --domain */
	uint64_t skipped;               /* bad records passed over (--skip-bad) */
	bool truncated;                 /* an input ended early or was corrupt (--skip-bad) */
	struct moe_error first_skip;    /* why the first record was skipped */
	struct moe_error truncation;    /* why the first input was cut short */
	struct moe_shape header;        /* as the first header said */
	bool has_header;
	unsigned experts;               /* N in force; see experts_from */
	enum moe_experts_from experts_from;
	unsigned topk;                  /* header's top-k, else the common list length, else 0 */
	const struct domains *domains;
};

struct reader;

/* Prepares to read files (nfiles > 0; "-" is standard input); nothing is
 * opened yet. NULL when out of memory. opts and files must outlive the reader. */
struct reader *reader_open(char *const *files, size_t nfiles, const struct reader_options *opts);

/* The next record that passes the filters: 1 with *rec set (valid until the
 * next call), 0 at the end of the last file, -1 with err filled. Every record
 * handed out has k >= 1 distinct ids below N (when N is known), k equal to
 * the header's top-k (when given), k weights, and N logits. */
int reader_next(struct reader *r, struct moe_record *rec, struct moe_error *err);

/* A sink whose records may be added in parts, on other threads, the parts
 * then joined in the order of the file with the same result as adding the
 * records one by one (state.h). Given one, the reader puts the records of a
 * big file's blocks (blocks.h) into parts, which it joins as the blocks come:
 * those records never leave reader_next. */
struct reader_parts {
	void *(*open)(void *ctx);                               /* an empty part; NULL: out of memory */
	void (*empty)(void *part);                              /* on the worker's thread, before adding */
	int (*add)(void *part, const struct moe_record *rec);   /* -1: out of memory */
	int (*add_run)(void *part, const struct moe_run *run);  /* optional: the same for a run */
	int (*join)(void *ctx, const void *part);               /* adds part to the sink; -1: out of memory */
	void (*close)(void *part);
	void *ctx;
};

/* Before the first reader_next; parts must outlive r. */
void reader_parts(struct reader *r, const struct reader_parts *parts);

/* A sink of expert ids whose records may be added by layer, on other
 * threads: shard i of n takes the records of the layers whose id % n is i,
 * in the order of the file, with the same result as adding every record one
 * by one (state.h). Given one (and no parts), the reader has a big file's
 * blocks consumed by shards on threads of their own, for as long as the
 * blocks last, when the header fixes N and top-k: those records never leave
 * reader_next, and their weights, logits and tokens are not kept. */
struct reader_shards {
	void *(*open)(void *ctx, unsigned shard, unsigned nshards);     /* NULL: out of memory */
	/* n records of layer, in order, each of k ids below below: ids[i k .. i k + k).
	 * -1: out of memory. */
	int (*add_layer)(void *shard, unsigned layer, const uint32_t *ids, size_t n, size_t k, unsigned below);
	int (*close)(void *ctx, void *shard);   /* gives its layers back and frees it; -1: out of memory */
	void *ctx;
};

/* Before the first reader_next; shards must outlive r. */
void reader_shards(struct reader *r, const struct reader_shards *shards);

/* Calls fn(ctx, r) after each block of a file read on threads (blocks.h), on
 * reader_next's thread: a progress meter's chance to move while records go
 * into parts. */
void reader_on_block(struct reader *r, void (*fn)(void *ctx, const struct reader *r), void *ctx);

/* How many blocks of the files were read on threads, and how many of those
 * went back to the reader (blocks.h): for the tests. */
void reader_blocks(const struct reader *r, uint64_t *read, uint64_t *returned);

/* The file and line of the record last handed out, for a sink's messages. */
void reader_where(const struct reader *r, const char **file, long *line);

/* What has been read so far; at the end, experts holds the final N. */
const struct moe_input *reader_input(const struct reader *r);

/* How far along the files are: bytes read of them (compressed bytes for gzip)
 * and their total size, as they were at reader_open (of standard input
 * redirected from a file, what was left of it); total is 0 when a size is not
 * known (a pipe). */
void reader_progress(const struct reader *r, uint64_t *done, uint64_t *total);

void reader_close(struct reader *r);

#endif
