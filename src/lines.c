/* lines.c: cuts a source's bytes into lines with memchr over a growing buffer. */
#include "lines.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "moestat.h"

#define LINES_CHUNK (256u << 10)

struct lines {
	struct lines_head h;    /* first: lines.h's inline functions read it */
	struct source *src;
	size_t cap;
	bool eof;
	char *last;             /* the line last returned, for lines_unread */
	size_t last_len;
	bool memory;            /* the caller's bytes, no source (lines_open_memory) */
	char *copy;             /* of the line last handed out, then */
	size_t copy_cap;
	const char *name;       /* of a block, for messages */
	bool fail_after;        /* the source failed after the bytes given back, with error */
	struct moe_error error;
};

struct lines *lines_open(struct source *src)
{
	struct lines *ln = calloc(1, sizeof *ln);

	if (!ln)
		return NULL;
	ln->cap = LINES_CHUNK;
	ln->h.buf = calloc(1, ln->cap + LINES_SPARE);
	if (!ln->h.buf) {
		free(ln);
		return NULL;
	}
	ln->src = src;
	ln->h.first = true;
	return ln;
}

/* Reads more bytes after the unread ones, growing the buffer up to the line
 * limit. Returns 1 if bytes came, 0 at the end of the source, -1 on error. */
static int refill(struct lines *ln, struct moe_error *err)
{
	ssize_t n;

	if (ln->fail_after) {
		*err = ln->error;
		err->line = ln->h.number + 1;
		return -1;
	}
	if (ln->h.start > 0) {
		memmove(ln->h.buf, ln->h.buf + ln->h.start, ln->h.end - ln->h.start);
		ln->h.end -= ln->h.start;
		ln->h.start = 0;
	}
	if (ln->h.end == ln->cap) {
		size_t cap = ln->cap * 2;
		char *buf;

		if (cap > MOE_MAX_LINE + 1)
			cap = MOE_MAX_LINE + 1;
		buf = realloc(ln->h.buf, cap + LINES_SPARE);
		if (!buf) {
			moe_error_set(err, EX_OSERR, source_name(ln->src), ln->h.number + 1, "out of memory");
			return -1;
		}
		/* Defined bytes all through, so that what lines_window's readers load past
		 * the end is never uninitialised memory (valgrind would say so). */
		memset(buf + ln->cap + LINES_SPARE, 0, cap - ln->cap);
		ln->h.buf = buf;
		ln->cap = cap;
	}
	n = source_read(ln->src, ln->h.buf + ln->h.end, ln->cap - ln->h.end, err);
	if (n < 0) {
		err->line = ln->h.number + 1;
		return -1;
	}
	if (n == 0) {
		ln->eof = true;
		return 0;
	}
	ln->h.end += (size_t)n;
	return 1;
}

/* Drops the rest of an over-long line, up to and including its newline. */
static int skip_rest(struct lines *ln, struct moe_error *err)
{
	for (;;) {
		char *nl = memchr(ln->h.buf + ln->h.start, '\n', ln->h.end - ln->h.start);
		int rc;

		if (nl) {
			ln->h.start = (size_t)(nl - ln->h.buf) + 1;
			return 0;
		}
		ln->h.start = ln->h.end = 0;
		rc = refill(ln, err);
		if (rc <= 0)
			return rc;
	}
}

/* A copy of the n bytes at s, with LINES_SPARE bytes after them; NULL when out of memory. */
static char *copy_line(struct lines *ln, const char *s, size_t n)
{
	if (n + LINES_SPARE > ln->copy_cap) {
		size_t cap = 2 * (n + LINES_SPARE);
		char *copy = realloc(ln->copy, cap);

		if (!copy)
			return NULL;
		memset(copy, 0, cap);
		ln->copy = copy;
		ln->copy_cap = cap;
	}
	return memcpy(ln->copy, s, n);
}

int lines_next(struct lines *ln, char **line, size_t *len, struct moe_error *err)
{
	size_t scanned = 0;
	char *nl;

	if (ln->h.unread) {
		ln->h.unread = false;
		*line = ln->last;
		*len = ln->last_len;
		return LINES_OK;
	}
	if (ln->h.failed)
		return LINES_ERROR;
	ln->h.moved = false;
	for (;;) {
		nl = memchr(ln->h.buf + ln->h.start + scanned, '\n', ln->h.end - ln->h.start - scanned);
		if (nl || ln->eof)
			break;
		scanned = ln->h.end - ln->h.start;
		if (scanned > MOE_MAX_LINE) {
			ln->h.number++;
			if (skip_rest(ln, err) < 0) {
				ln->h.failed = true;
				return LINES_ERROR;
			}
			moe_error_set(err, EX_DATAERR, source_name(ln->src), ln->h.number,
			              "line longer than the limit of %u bytes", MOE_MAX_LINE);
			return LINES_TOO_LONG;
		}
		if (refill(ln, err) < 0) {
			ln->h.failed = true;
			return LINES_ERROR;
		}
	}
	if (!nl && ln->h.start == ln->h.end)
		return LINES_END;

	char *s = ln->h.buf + ln->h.start;
	size_t n = nl ? (size_t)(nl - s) : ln->h.end - ln->h.start;

	ln->h.start += n + (nl ? 1 : 0);
	ln->h.number++;
	if (n > 0 && s[n - 1] == '\r')
		n--;
	/* The caller's bytes stay as they are: the line is handed out in a copy. */
	if (ln->memory && !(s = copy_line(ln, s, n))) {
		moe_error_set(err, EX_OSERR, ln->name, ln->h.number, "out of memory");
		ln->h.failed = true;
		return LINES_ERROR;
	}
	s[n] = '\0';                    /* the newline's place, or the spare byte after cap */
	if (ln->h.first) {
		ln->h.first = false;
		if (n >= 3 && memcmp(s, "\xef\xbb\xbf", 3) == 0) {
			s += 3;
			n -= 3;
		}
	}
	ln->last = s;
	ln->last_len = n;
	*line = s;
	*len = n;
	return LINES_OK;
}

void lines_unread(struct lines *ln)
{
	ln->h.unread = true;
}

long lines_number(const struct lines *ln)
{
	return ln->h.number;
}

const char *lines_name(const struct lines *ln)
{
	return ln->memory ? ln->name : source_name(ln->src);
}

struct lines *lines_open_memory(const char *name)
{
	struct lines *ln = calloc(1, sizeof *ln);

	if (!ln)
		return NULL;
	ln->memory = true;
	ln->name = name;
	ln->eof = true;
	return ln;
}

void lines_reset_memory(struct lines *ln, const char *text, size_t len)
{
	ln->h.buf = (char *)text;       /* never written: lines_next hands out copies */
	ln->cap = ln->h.end = len;
	ln->h.start = 0;
	ln->h.number = 0;
	ln->h.unread = ln->h.failed = false;
	ln->h.moved = true;
}

struct source *lines_source(const struct lines *ln)
{
	return ln->src;
}

void lines_buffered(const struct lines *ln, const char **bytes, size_t *len)
{
	*bytes = ln->h.buf + ln->h.start;
	*len = ln->h.end - ln->h.start;
}

void lines_drop(struct lines *ln)
{
	ln->h.start = ln->h.end = 0;
}

int lines_give_back(struct lines *ln, long line, const char *text, size_t len, int end,
                    const struct moe_error *err)
{
	size_t have = ln->h.end - ln->h.start;

	if (have + len > ln->cap) {
		char *buf = malloc(have + len + LINES_SPARE);

		if (!buf)
			return -1;
		memcpy(buf, ln->h.buf + ln->h.start, have);
		memset(buf + have + len, 0, LINES_SPARE);
		free(ln->h.buf);
		ln->h.buf = buf;
		ln->cap = have + len;
		ln->h.start = 0;
		ln->h.end = have;
	} else if (ln->h.start > 0) {
		memmove(ln->h.buf, ln->h.buf + ln->h.start, have);
		ln->h.start = 0;
		ln->h.end = have;
	}
	memcpy(ln->h.buf + ln->h.end, text, len);
	ln->h.end += len;
	ln->h.number = line;
	ln->h.moved = true;
	ln->eof = end == 1;
	ln->fail_after = end < 0;
	if (end < 0)
		ln->error = *err;
	return 0;
}

void lines_close(struct lines *ln)
{
	if (!ln)
		return;
	if (!ln->memory)
		free(ln->h.buf);
	free(ln->copy);
	free(ln);
}
