/* writer.h: the byte sink of the logs moestat writes: plain or gzip'd onto a FILE, buffered. */
#ifndef MOESTAT_WRITER_H
#define MOESTAT_WRITER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct writer;

/* Writes onto fp (which the caller closes), through deflate into one gzip
 * member when gzip is set. NULL when out of memory. */
struct writer *writer_open(FILE *fp, bool gzip);

/* Queues len bytes; -1 when writing failed (then and later: check at close). */
int writer_write(struct writer *w, const void *bytes, size_t len);

/* Ends the gzip member and flushes everything to fp, then frees w: 0, or -1
 * with errno set to what the first failure set it to. */
int writer_close(struct writer *w);

#endif
