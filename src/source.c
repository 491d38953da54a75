/* source.c: reads one input's bytes, inflating gzip members as zstd's FIO_decompressGzFrame does. */
#include "source.h"

#include <errno.h>
#include <stdint.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#define SOURCE_INBUF (256u << 10)

struct source {
	const char *name;
	int fd;
	bool gzip;
	bool eof;               /* read(2) has returned 0 */
	bool member_done;       /* between gzip members */
	unsigned char *in;      /* gzip: compressed bytes behind z.next_in */
	size_t in_len;          /* plain: the bytes read while sniffing, handed out first */
	size_t in_pos;
	z_stream z;
	bool z_ready;
	struct moe_error failure;       /* an error met after some bytes were handed out */
};

static ssize_t read_fd(struct source *src, void *buf, size_t size, struct moe_error *err)
{
	ssize_t n;

	do
		n = read(src->fd, buf, size);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		moe_error_set(err, EX_IOERR, src->name, 0, "read error: %s", strerror(errno));
	else if (n == 0)
		src->eof = true;
	return n;
}

/* Reads until at least want bytes are buffered in src->in or the file ends. */
static int sniff_fill(struct source *src, size_t want, struct moe_error *err)
{
	while (src->in_len < want && !src->eof) {
		ssize_t n = read_fd(src, src->in + src->in_len, SOURCE_INBUF - src->in_len, err);
		if (n < 0)
			return -1;
		src->in_len += (size_t)n;
	}
	return 0;
}

/* Makes at least want compressed bytes available at z.next_in, unless the file ends first. */
static int gz_fill(struct source *src, size_t want, struct moe_error *err)
{
	size_t have = src->z.avail_in;

	if (have >= want)
		return 0;
	if (have > 0)
		memmove(src->in, src->z.next_in, have);
	while (have < want && !src->eof) {
		ssize_t n = read_fd(src, src->in + have, SOURCE_INBUF - have, err);
		if (n < 0)
			return -1;
		have += (size_t)n;
	}
	src->z.next_in = src->in;
	src->z.avail_in = (uInt)have;
	return 0;
}

struct source *source_open(const char *path, struct moe_error *err)
{
	struct source *src = calloc(1, sizeof *src);
	struct stat st;

	if (!src || !(src->in = malloc(SOURCE_INBUF))) {
		free(src);
		moe_error_set(err, EX_OSERR, path, 0, "out of memory");
		return NULL;
	}
	if (strcmp(path, "-") == 0) {
		src->name = "<stdin>";
		src->fd = STDIN_FILENO;
	} else {
		src->name = path;
		src->fd = open(path, O_RDONLY | O_CLOEXEC);
		if (src->fd < 0) {
			moe_error_set(err, EX_NOINPUT, path, 0, "cannot open: %s", strerror(errno));
			goto fail;
		}
	}
	if (fstat(src->fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		moe_error_set(err, EX_NOINPUT, src->name, 0, "cannot read: is a directory");
		goto fail;
	}
	if (sniff_fill(src, 2, err) < 0) {
		err->status = EX_NOINPUT;
		goto fail;
	}
	src->gzip = src->in_len >= 2 && src->in[0] == 0x1f && src->in[1] == 0x8b;
	if (src->gzip) {
		/* 16 + MAX_WBITS: gzip wrapper only, so a zlib or raw stream is an error */
		if (inflateInit2(&src->z, 16 + MAX_WBITS) != Z_OK) {
			moe_error_set(err, EX_OSERR, src->name, 0, "out of memory");
			goto fail;
		}
		src->z_ready = true;
		src->z.next_in = src->in;
		src->z.avail_in = (uInt)src->in_len;
	}
	return src;
fail:
	source_close(src);
	return NULL;
}

static ssize_t read_plain(struct source *src, void *buf, size_t size, struct moe_error *err)
{
	if (src->in_pos < src->in_len) {
		size_t n = src->in_len - src->in_pos;
		if (n > size)
			n = size;
		memcpy(buf, src->in + src->in_pos, n);
		src->in_pos += n;
		return (ssize_t)n;
	}
	if (src->eof)
		return 0;
	return read_fd(src, buf, size, err);
}

/* After a member's end: another member follows (1), the stream ends (0), or garbage (-1). */
static int next_member(struct source *src, struct moe_error *err)
{
	if (gz_fill(src, 2, err) < 0)
		return -1;
	if (src->z.avail_in == 0)
		return 0;
	if (src->z.avail_in < 2 || src->z.next_in[0] != 0x1f || src->z.next_in[1] != 0x8b) {
		moe_error_set(err, EX_IOERR, src->name, 0, "trailing garbage after gzip data");
		return -1;
	}
	inflateReset(&src->z);
	src->member_done = false;
	return 1;
}

static ssize_t inflate_some(struct source *src, void *buf, size_t size, struct moe_error *err)
{
	src->z.next_out = buf;
	src->z.avail_out = (uInt)(size > UINT32_MAX ? UINT32_MAX : size);
	while (src->z.avail_out > 0) {
		size_t produced = size - src->z.avail_out;
		int rc;

		if (src->member_done) {
			/* Hand out what we have before waiting on a pipe for more. */
			if (produced > 0 && src->z.avail_in < 2 && !src->eof)
				break;
			rc = next_member(src, err);
			if (rc < 0)
				return -1;
			if (rc == 0)
				break;
		}
		if (src->z.avail_in == 0) {
			if (produced > 0)
				break;
			if (gz_fill(src, 1, err) < 0)
				return -1;
			if (src->z.avail_in == 0) {
				moe_error_set(err, EX_IOERR, src->name, 0,
				              "gzip stream truncated (unexpected end of file)");
				return -1;
			}
		}
		rc = inflate(&src->z, Z_NO_FLUSH);
		if (rc == Z_STREAM_END) {
			src->member_done = true;
		} else if (rc == Z_MEM_ERROR) {
			moe_error_set(err, EX_OSERR, src->name, 0, "out of memory");
			return -1;
		} else if (rc != Z_OK && rc != Z_BUF_ERROR) {
			moe_error_set(err, EX_IOERR, src->name, 0, "corrupt gzip data: %s",
			              src->z.msg ? src->z.msg : "unknown error");
			return -1;
		}
	}
	return (ssize_t)(size - src->z.avail_out);
}

/* The bytes inflated before an error are handed out first; the error comes with the next read. */
static ssize_t read_gzip(struct source *src, void *buf, size_t size, struct moe_error *err)
{
	ssize_t n;

	if (src->failure.status) {
		*err = src->failure;
		return -1;
	}
	n = inflate_some(src, buf, size, &src->failure);
	if (n >= 0)
		return n;
	if (src->z.avail_out < size)
		return (ssize_t)(size - src->z.avail_out);
	*err = src->failure;
	return -1;
}

ssize_t source_read(struct source *src, void *buf, size_t size, struct moe_error *err)
{
	if (size == 0)
		return 0;
	return src->gzip ? read_gzip(src, buf, size, err) : read_plain(src, buf, size, err);
}

const char *source_name(const struct source *src)
{
	return src->name;
}

bool source_is_gzip(const struct source *src)
{
	return src->gzip;
}

void source_close(struct source *src)
{
	if (!src)
		return;
	if (src->z_ready)
		inflateEnd(&src->z);
	if (src->fd > STDIN_FILENO)
		close(src->fd);
	free(src->in);
	free(src);
}
