/* writer.c: buffers bytes and hands them to stdio, deflated by zlib into a gzip member when asked. */
#include "writer.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#define WRITER_BUFFER (256u << 10)

struct writer {
	FILE *fp;
	bool gzip;
	bool failed;
	int error;              /* errno of the first failure */
	z_stream z;
	unsigned char *buf;     /* the bytes not yet handed on */
	size_t len;
	unsigned char *out;     /* deflate's output (gzip) */
};

struct writer *writer_open(FILE *fp, bool gzip)
{
	struct writer *w = calloc(1, sizeof *w);

	if (!w)
		return NULL;
	w->fp = fp;
	w->gzip = gzip;
	w->buf = malloc(WRITER_BUFFER);
	if (gzip)
		w->out = malloc(WRITER_BUFFER);
	/* windowBits 15 + 16: a gzip header and trailer around the deflate stream. */
	if (!w->buf || (gzip && (!w->out || deflateInit2(&w->z, 6, Z_DEFLATED, 15 + 16, 8,
	                                                 Z_DEFAULT_STRATEGY) != Z_OK))) {
		free(w->buf);
		free(w->out);
		free(w);
		return NULL;
	}
	return w;
}

static void fail(struct writer *w)
{
	if (!w->failed)
		w->error = errno;
	w->failed = true;
}

/* Hands the buffered bytes on; with finish, ends the gzip member too. */
static void drain(struct writer *w, bool finish)
{
	if (!w->gzip) {
		if (w->len && fwrite(w->buf, 1, w->len, w->fp) != w->len)
			fail(w);
		w->len = 0;
		return;
	}
	w->z.next_in = w->buf;
	w->z.avail_in = (uInt)w->len;
	do {
		int rc;

		w->z.next_out = w->out;
		w->z.avail_out = WRITER_BUFFER;
		rc = deflate(&w->z, finish ? Z_FINISH : Z_NO_FLUSH);
		if (rc == Z_STREAM_ERROR) {
			errno = EINVAL;
			fail(w);
		}
		size_t n = WRITER_BUFFER - w->z.avail_out;
		if (n && fwrite(w->out, 1, n, w->fp) != n)
			fail(w);
		if (rc == Z_STREAM_END)
			break;
	} while (!w->failed && (w->z.avail_in > 0 || w->z.avail_out == 0 || finish));
	w->len = 0;
}

int writer_write(struct writer *w, const void *bytes, size_t len)
{
	const unsigned char *p = bytes;

	while (len > 0 && !w->failed) {
		size_t n = WRITER_BUFFER - w->len < len ? WRITER_BUFFER - w->len : len;

		memcpy(w->buf + w->len, p, n);
		w->len += n;
		p += n;
		len -= n;
		if (w->len == WRITER_BUFFER)
			drain(w, false);
	}
	return w->failed ? -1 : 0;
}

int writer_close(struct writer *w)
{
	int rc;

	if (!w->failed)
		drain(w, true);
	if (!w->failed && fflush(w->fp) != 0)
		fail(w);
	rc = w->failed ? -1 : 0;
	if (w->gzip)
		deflateEnd(&w->z);
	free(w->buf);
	free(w->out);
	errno = w->error;
	free(w);
	return rc;
}
