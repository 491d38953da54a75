/* lines.c: cuts a source's bytes into lines with memchr over a growing buffer. */
#include "lines.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "moestat.h"

#define LINES_CHUNK (256u << 10)

struct lines {
	struct source *src;
	char *buf;
	size_t cap;
	size_t start, end;      /* unread bytes are buf[start, end) */
	bool eof;
	bool failed;
	bool first;             /* no line handed out yet: a BOM may lead */
	long number;
	char *last;             /* the line last returned, for lines_unread */
	size_t last_len;
	bool unread;
	bool moved;             /* bytes came back (lines_give_back): lines_window waits for lines_next */
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
	ln->buf = calloc(1, ln->cap + LINES_SPARE);
	if (!ln->buf) {
		free(ln);
		return NULL;
	}
	ln->src = src;
	ln->first = true;
	return ln;
}

/* Reads more bytes after the unread ones, growing the buffer up to the line
 * limit. Returns 1 if bytes came, 0 at the end of the source, -1 on error. */
static int refill(struct lines *ln, struct moe_error *err)
{
	ssize_t n;

	if (ln->fail_after) {
		*err = ln->error;
		err->line = ln->number + 1;
		return -1;
	}
	if (ln->start > 0) {
		memmove(ln->buf, ln->buf + ln->start, ln->end - ln->start);
		ln->end -= ln->start;
		ln->start = 0;
	}
	if (ln->end == ln->cap) {
		size_t cap = ln->cap * 2;
		char *buf;

		if (cap > MOE_MAX_LINE + 1)
			cap = MOE_MAX_LINE + 1;
		buf = realloc(ln->buf, cap + LINES_SPARE);
		if (!buf) {
			moe_error_set(err, EX_OSERR, source_name(ln->src), ln->number + 1, "out of memory");
			return -1;
		}
		/* Defined bytes all through, so that what lines_window's readers load past
		 * the end is never uninitialised memory (valgrind would say so). */
		memset(buf + ln->cap + LINES_SPARE, 0, cap - ln->cap);
		ln->buf = buf;
		ln->cap = cap;
	}
	n = source_read(ln->src, ln->buf + ln->end, ln->cap - ln->end, err);
	if (n < 0) {
		err->line = ln->number + 1;
		return -1;
	}
	if (n == 0) {
		ln->eof = true;
		return 0;
	}
	ln->end += (size_t)n;
	return 1;
}

/* Drops the rest of an over-long line, up to and including its newline. */
static int skip_rest(struct lines *ln, struct moe_error *err)
{
	for (;;) {
		char *nl = memchr(ln->buf + ln->start, '\n', ln->end - ln->start);
		int rc;

		if (nl) {
			ln->start = (size_t)(nl - ln->buf) + 1;
			return 0;
		}
		ln->start = ln->end = 0;
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

	if (ln->unread) {
		ln->unread = false;
		*line = ln->last;
		*len = ln->last_len;
		return LINES_OK;
	}
	if (ln->failed)
		return LINES_ERROR;
	ln->moved = false;
	for (;;) {
		nl = memchr(ln->buf + ln->start + scanned, '\n', ln->end - ln->start - scanned);
		if (nl || ln->eof)
			break;
		scanned = ln->end - ln->start;
		if (scanned > MOE_MAX_LINE) {
			ln->number++;
			if (skip_rest(ln, err) < 0) {
				ln->failed = true;
				return LINES_ERROR;
			}
			moe_error_set(err, EX_DATAERR, source_name(ln->src), ln->number,
			              "line longer than the limit of %u bytes", MOE_MAX_LINE);
			return LINES_TOO_LONG;
		}
		if (refill(ln, err) < 0) {
			ln->failed = true;
			return LINES_ERROR;
		}
	}
	if (!nl && ln->start == ln->end)
		return LINES_END;

	char *s = ln->buf + ln->start;
	size_t n = nl ? (size_t)(nl - s) : ln->end - ln->start;

	ln->start += n + (nl ? 1 : 0);
	ln->number++;
	if (n > 0 && s[n - 1] == '\r')
		n--;
	/* The caller's bytes stay as they are: the line is handed out in a copy. */
	if (ln->memory && !(s = copy_line(ln, s, n))) {
		moe_error_set(err, EX_OSERR, ln->name, ln->number, "out of memory");
		ln->failed = true;
		return LINES_ERROR;
	}
	s[n] = '\0';                    /* the newline's place, or the spare byte after cap */
	if (ln->first) {
		ln->first = false;
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

bool lines_window(const struct lines *ln, const char **start, const char **end)
{
	/* The first line may begin with a BOM, an unread line must come again, and
	 * bytes given back are new to a parser that keeps what it saw of the old. */
	if (ln->first || ln->unread || ln->failed || ln->moved || ln->start == ln->end)
		return false;
	*start = ln->buf + ln->start;
	*end = ln->buf + ln->end;
	return true;
}

void lines_advance(struct lines *ln, const char *next)
{
	ln->start = (size_t)(next - ln->buf);
	ln->number++;
}

void lines_unread(struct lines *ln)
{
	ln->unread = true;
}

long lines_number(const struct lines *ln)
{
	return ln->number;
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

void lines_reset_memory(struct lines *ln, char *text, size_t len)
{
	ln->buf = text;
	ln->cap = ln->end = len;
	ln->start = 0;
	ln->number = 0;
	ln->unread = false;
	ln->moved = true;
}

struct source *lines_source(const struct lines *ln)
{
	return ln->src;
}

void lines_buffered(const struct lines *ln, const char **bytes, size_t *len)
{
	*bytes = ln->buf + ln->start;
	*len = ln->end - ln->start;
}

void lines_drop(struct lines *ln)
{
	ln->start = ln->end = 0;
}

int lines_give_back(struct lines *ln, long line, const char *text, size_t len, int end,
                    const struct moe_error *err)
{
	size_t have = ln->end - ln->start;

	if (have + len > ln->cap) {
		char *buf = malloc(have + len + LINES_SPARE);

		if (!buf)
			return -1;
		memcpy(buf, ln->buf + ln->start, have);
		memset(buf + have + len, 0, LINES_SPARE);
		free(ln->buf);
		ln->buf = buf;
		ln->cap = have + len;
		ln->start = 0;
		ln->end = have;
	} else if (ln->start > 0) {
		memmove(ln->buf, ln->buf + ln->start, have);
		ln->start = 0;
		ln->end = have;
	}
	memcpy(ln->buf + ln->end, text, len);
	ln->end += len;
	ln->number = line;
	ln->moved = true;
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
		free(ln->buf);
	free(ln->copy);
	free(ln);
}
