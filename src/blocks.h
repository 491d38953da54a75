/* blocks.h: the rest of a big file cut into blocks of whole lines, parsed on worker threads, its records handed out in order. */
#ifndef MOESTAT_BLOCKS_H
#define MOESTAT_BLOCKS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "moestat.h"
#include "source.h"

/* A worker's parse of the block text[0, len) (whole lines, then
 * LINES_OVERREAD defined bytes) into out, its slot's, with *lines set to the
 * block's number of lines: false when the block holds anything that the
 * caller's reader must read itself, which it then does from text: the parse
 * leaves text as it found it. */
typedef bool (*blocks_parse_fn)(void *worker, const char *text, size_t len, void *out, long *lines);

/* What blocks_start needs of the caller: a worker for each thread, and an out
 * for each block in flight (made with open_out(ctx), NULL when out of memory;
 * freed with close_out). Optionally consumers, each on a thread of its own,
 * which take every block's out in the order of the file, after its parse
 * and before blocks_next hands it out: consume(consumer, out), which must
 * not change out. */
struct blocks_job {
	void **worker;
	size_t nworkers;
	blocks_parse_fn parse;
	void *(*open_out)(void *ctx);
	void (*close_out)(void *out);
	void *ctx;
	void **consumer;
	size_t nconsumers;              /* at most as many as workers */
	void (*consume)(void *consumer, const void *out);
};

struct blocks;

/* Starts a thread for each of job's workers on the rest of src: first the
 * len bytes at buffered, then what src gives; line is the number of the line
 * before them. NULL when threads or memory are not to be had: nothing is read
 * then. job must outlive the blocks. */
struct blocks *blocks_start(const struct blocks_job *job, struct source *src, const char *buffered,
                            size_t len, long line);

/* The out of the next block, in the order of the file, with the number of
 * the line before it, once every consumer took it: true, or false when there
 * are no more, because the source ended (or failed) or because a block could
 * not be parsed; blocks_stop tells which. *out is the caller's until the next
 * call. After false, the consumers have taken every block handed out and no
 * other. */
bool blocks_next(struct blocks *b, void **out, long *line);

/* What blocks_stop leaves for the caller's own reading. */
struct blocks_rest {
	long line;                      /* the number of the line before the text */
	char *text;                     /* what was read and not handed out, in order (malloc'd) */
	size_t len;
	int end;                        /* 0: src has more; 1: it ended; -1: it failed with err */
	struct moe_error err;
};

/* Stops the threads and frees b; fills rest. -1 when out of memory (rest is then empty). */
int blocks_stop(struct blocks *b, struct blocks_rest *rest);

/* The number of worker threads that pay (0: none): MOESTAT_THREADS=1 asks for none. */
size_t blocks_workers(void);

#endif
