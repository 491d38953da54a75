/* fuzz_source.c: libFuzzer target: the gzip layer and the line splitter, held against zlib's own inflate of the same bytes. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "fuzz.h"
#include "lines.h"
#include "source.h"

/* The message moestat(1) documents for zlib's reason. */
static const char *zlib_says(const z_stream *z)
{
	if (!z->msg)
		return "corrupt gzip data: invalid deflate data";
	if (strstr(z->msg, "data check") || strstr(z->msg, "length check"))
		return "corrupt gzip data: incorrect data check";
	if (strstr(z->msg, "header") || strstr(z->msg, "method"))
		return "corrupt gzip data: incorrect header check";
	return "corrupt gzip data: invalid deflate data";
}

/* What source.h promises, done with zlib: bytes that do not start with the gzip
 * magic are passed as they are; gzip members follow one another to the end of
 * the file, and anything else after one, or an end inside one, is an error.
 * Returns NULL when the whole input is good, with its bytes in *out, else the
 * message the source must give. */
static const char *reference(const uint8_t *data, size_t size, unsigned char **out, size_t *len)
{
	z_stream z;
	size_t cap = 1 << 16;
	const char *why = NULL;

	*out = malloc(cap);
	*len = 0;
	if (!*out)
		fuzz_fail("reference: out of memory");
	if (size < 2 || data[0] != 0x1f || data[1] != 0x8b) {
		*out = realloc(*out, size + 1);
		memcpy(*out, data, size);
		*len = size;
		return NULL;
	}
	memset(&z, 0, sizeof z);
	if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK)
		fuzz_fail("reference: inflateInit2");
	z.next_in = (unsigned char *)data;
	z.avail_in = (uInt)size;
	for (;;) {
		int rc;

		if (*len == cap && !(*out = realloc(*out, cap *= 2)))
			fuzz_fail("reference: out of memory");
		z.next_out = *out + *len;
		z.avail_out = (uInt)(cap - *len);
		rc = inflate(&z, Z_NO_FLUSH);
		*len = cap - z.avail_out;
		if (rc == Z_STREAM_END) {
			if (z.avail_in == 0)
				break;
			if (z.avail_in < 2 || z.next_in[0] != 0x1f || z.next_in[1] != 0x8b) {
				why = "trailing garbage after gzip data";
				break;
			}
			inflateReset(&z);
		} else if (rc == Z_BUF_ERROR && z.avail_in == 0) {
			why = "gzip stream truncated (unexpected end of file)";
			break;
		} else if (rc != Z_OK && rc != Z_BUF_ERROR) {
			why = zlib_says(&z);
			break;
		}
	}
	inflateEnd(&z);
	return why;
}

/* Whether a and b are the same answer, or two that moestat(1) says the builds may
 * give for one input. A file both cut short and corrupt is either, as the inflater
 * notices first: zlib checks a member's CRC before reading its length, ISA-L after;
 * ISA-L can see a bad Huffman table before its last bits. And ISA-L decodes some
 * tables zlib refuses, to bytes whose CRC is then wrong: a data check for the one,
 * invalid deflate data for the other. */
static bool same_answer(const char *a, const char *b)
{
	static const char *const either[][2] = {
		{ "truncated", "corrupt" },
		{ "incorrect data check", "invalid deflate data" },
	};

	if (!a || !b)
		return a == b;
	if (strcmp(a, b) == 0)
		return true;
	for (size_t i = 0; i < sizeof either / sizeof *either; i++)
		if ((strstr(a, either[i][0]) && strstr(b, either[i][1])) ||
		    (strstr(a, either[i][1]) && strstr(b, either[i][0])))
			return true;
	return false;
}

/* Reads path through the source in reads of odd sizes; NULL when it ends cleanly,
 * else its message. */
static const char *read_source(const char *path, const uint8_t *data, size_t size,
                               unsigned char **out, size_t *len)
{
	static struct moe_error last;
	struct moe_error err = { 0 };
	struct source *src = source_open(path, &err);
	size_t cap = 1 << 16;
	unsigned step = size ? data[size - 1] : 1;
	ssize_t n;

	if (!src)
		fuzz_fail("source_open: %s", err.msg);
	*out = malloc(cap);
	*len = 0;
	do {
		size_t want = 1 + (step = step * 1103515245u + 12345u) % 70000;

		if (cap - *len < want && !(*out = realloc(*out, cap = 2 * cap + want)))
			fuzz_fail("out of memory");
		n = source_read(src, *out + *len, want, &err);
		if (n > 0)
			*len += (size_t)n;
	} while (n > 0);
	if (n < 0 && (err.status != EX_IOERR || strcmp(err.file, path) != 0 || !err.msg[0]))
		fuzz_fail("source error of status %d, file '%s': %s", err.status, err.file, err.msg);
	/* The end, or the error, stays. */
	if (source_read(src, *out, 1, &err) != n)
		fuzz_fail("source_read answered %zd, then otherwise", n);
	source_close(src);
	last = err;
	return n == 0 ? NULL : last.msg;
}

/* The lines of path: numbered from 1 in order, none holding a newline. */
static void read_lines(const char *path)
{
	struct moe_error err = { 0 };
	struct source *src = source_open(path, &err);
	struct lines *ln = src ? lines_open(src) : NULL;
	long number = 0;
	char *line;
	size_t len;
	int rc;

	if (!ln)
		fuzz_fail("lines_open: %s", err.msg);
	while ((rc = lines_next(ln, &line, &len, &err)) != LINES_END && rc != LINES_ERROR) {
		if (lines_number(ln) != ++number)
			fuzz_fail("line %ld numbered %ld", number, lines_number(ln));
		if (rc == LINES_OK && (line[len] != '\0' || memchr(line, '\n', len)))
			fuzz_fail("line %ld is not one line", number);
	}
	if (rc == LINES_ERROR && (err.status != EX_IOERR || err.line != number + 1))
		fuzz_fail("line error of status %d at line %ld after line %ld: %s", err.status, err.line,
		          number, err.msg);
	lines_close(ln);
	source_close(src);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path = fuzz_input_file(data, size);
	unsigned char *want, *got;
	size_t want_len, got_len;
	const char *why = reference(data, size, &want, &want_len);

	/* With the inflating thread, and without. */
	for (int threads = 0; threads < 2; threads++) {
		if (threads)
			unsetenv("MOESTAT_THREADS");
		else
			setenv("MOESTAT_THREADS", "1", 1);
		const char *said = read_source(path, data, size, &got, &got_len);

		/* The same verdict as zlib, in the words moestat-zlib would use. */
		if (!same_answer(said, why))
			fuzz_fail("the source says '%s', zlib '%s'", said ? said : "good",
			          why ? why : "good");
		if (!why && (got_len != want_len || memcmp(got, want, want_len) != 0))
			fuzz_fail("the source's bytes differ from zlib's (%zu, %zu bytes)", got_len, want_len);
		free(got);
		read_lines(path);
	}
	free(want);
	return 0;
}
