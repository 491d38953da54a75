/* source.h: the bytes of one input: a file or standard input, plain or gzip (told by its magic bytes). */
#ifndef MOESTAT_SOURCE_H
#define MOESTAT_SOURCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <signal.h>
#include <sys/types.h>

#include "error.h"

struct source;

/* Opens path; "-" is standard input. On failure returns NULL and fills err
 * (EX_NOINPUT: missing, unreadable or a directory; EX_OSERR: out of memory). */
struct source *source_open(const char *path, struct moe_error *err);

/* Follows src like tail -F: at the end of a plain file, waits for more bytes
 * instead of ending, reopens the path when it names another file (rotation)
 * and starts again from the top when the file shrinks (truncation); the end
 * comes only once *stop is set (by a signal handler). Standard input and
 * gzip are read to their end as usual, or until *stop is set and a read is
 * interrupted. */
void source_follow(struct source *src, const volatile sig_atomic_t *stop);

/* Reads up to size bytes of the (decompressed) stream. Concatenated gzip
 * members are read as one stream. The first read of gzip inflates on the
 * caller's thread, later ones on a thread of the source's own (but with
 * MOESTAT_THREADS=1, or source_inflate_here). Returns the count, 0 at the clean end, or -1
 * with err filled, without a line number (EX_IOERR: read error, truncated or
 * corrupt gzip, data after the last gzip member). */
ssize_t source_read(struct source *src, void *buf, size_t size, struct moe_error *err);

/* With here, gzip is inflated on the thread that calls source_read from now
 * on (after what the inflating thread has ready), into the caller's buffers:
 * for a caller that runs a pipeline of threads of its own (blocks.h), which
 * a copy out of the ring would only slow. Without, the inflating thread (if
 * there was one) goes on again. Nothing else changes. */
void source_inflate_here(struct source *src, bool here);

/* Bytes read from the file so far (compressed ones for gzip), and the file's
 * size (0 when it is not a regular file): how far along the input is. */
uint64_t source_consumed(const struct source *src);
uint64_t source_size(const struct source *src);

/* The name for messages: the path as given, "<stdin>" for "-". */
const char *source_name(const struct source *src);

bool source_is_gzip(const struct source *src);

/* Closes the file (never standard input) and frees src; NULL is allowed. */
void source_close(struct source *src);

#endif
