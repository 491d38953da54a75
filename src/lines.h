/* lines.h: splits a source into lines and counts them; drops the newline, a "\r" before it and a leading UTF-8 BOM. */
#ifndef MOESTAT_LINES_H
#define MOESTAT_LINES_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"
#include "source.h"

enum {
	LINES_TOO_LONG = -2,    /* a line over MOE_MAX_LINE bytes was passed over */
	LINES_ERROR = -1,       /* the source failed; nothing more can be read */
	LINES_END = 0,
	LINES_OK = 1,
};

struct lines;

/* Borrows src, which must outlive the struct lines. NULL when out of memory. */
struct lines *lines_open(struct source *src);

/* The next line as a NUL-terminated string of *len bytes that the caller may
 * modify; it stays valid until the next call. Returns LINES_OK, LINES_END, or
 * an error with err filled with the file name and line number. */
int lines_next(struct lines *ln, char **line, size_t *len, struct moe_error *err);

/* Bytes a reader of lines_window may load past *end (never past the buffer). */
#define LINES_OVERREAD 64

/* Bytes a buffer of lines needs past its end: the NUL after a last line
 * without a newline, and the over-read of lines_window. */
#define LINES_SPARE (1 + LINES_OVERREAD)

/* The start of struct lines, which the two functions below read and write
 * inline: the hot path calls them once a record. Not for other use. */
struct lines_head {
	char *buf;
	size_t start, end;      /* unread bytes are buf[start, end) */
	long number;
	bool first;             /* no line handed out yet: a BOM may lead */
	bool unread;            /* lines_unread was called */
	bool failed;
	bool moved;             /* bytes came back (lines_give_back, lines_reset_memory) */
};

/* The hot path of a parser reads whole lines in place, without a copy or a
 * search for the newline: [*start, *end) are the bytes buffered after the last
 * line handed out, the next line first; they may end inside a line, which
 * lines_next then completes. False when lines_next must be called instead
 * (nothing buffered, the first line, an unread line, bytes given back, which
 * are new to a parser that keeps what it saw of the old). */
static inline bool lines_window(const struct lines *ln, const char **start, const char **end)
{
	const struct lines_head *h = (const struct lines_head *)(const void *)ln;

	if ((h->first | h->unread | h->failed | h->moved) || h->start == h->end)
		return false;
	*start = h->buf + h->start;
	*end = h->buf + h->end;
	return true;
}

/* Takes the lines from the window's start to next (just past the newline of
 * the last of them) as read, and counts them: n lines. */
static inline void lines_advance_n(struct lines *ln, const char *next, long n)
{
	struct lines_head *h = (struct lines_head *)(void *)ln;

	h->start = (size_t)(next - h->buf);
	h->number += n;
}

/* The same for one line. */
static inline void lines_advance(struct lines *ln, const char *next)
{
	lines_advance_n(ln, next, 1);
}

/* Makes the next lines_next return the line just returned, once more. */
void lines_unread(struct lines *ln);

/* The number of the line last returned (1-based; 0 before the first). */
long lines_number(const struct lines *ln);

const char *lines_name(const struct lines *ln);

/* Lines of the caller's bytes text[0, len), which must be followed by
 * LINES_OVERREAD readable, defined bytes, and which stay as they are (the
 * lines handed out are copies): a block of a file (blocks.h) named name in
 * messages, its first line numbered 1. lines_reset_memory starts it again on
 * other bytes. NULL when out of memory. */
struct lines *lines_open_memory(const char *name);
void lines_reset_memory(struct lines *ln, const char *text, size_t len);

/* For a taker of the rest of the source in blocks (blocks.h): the source, and
 * the bytes buffered after the last line handed out, which are the taker's
 * from now on (lines_drop forgets them). */
struct source *lines_source(const struct lines *ln);
void lines_buffered(const struct lines *ln, const char **bytes, size_t *len);
void lines_drop(struct lines *ln);

/* The taker gives back what it did not use: lines_next goes on with the len
 * bytes at text, after line number line; then, when end is 1, the source has
 * ended; when -1, it failed with err; when 0, it goes on. -1 when out of
 * memory. */
int lines_give_back(struct lines *ln, long line, const char *text, size_t len, int end,
                    const struct moe_error *err);

void lines_close(struct lines *ln);

#endif
