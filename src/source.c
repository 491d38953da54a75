/* source.c: reads one input's bytes, inflating gzip members (ISA-L or zlib) in a thread of their own. */
#include "source.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "bigmem.h"

#ifdef MOESTAT_ISAL
#include <isa-l/igzip_lib.h>
#else
#include <zlib.h>
#endif

#define SOURCE_INBUF (256u << 10)       /* compressed bytes read at a time */
#define RING_SLOTS 4                    /* inflated buffers between the two threads */
#define RING_SLOT (1u << 20)

/* What a decoder step says. */
enum { GZ_MORE, GZ_END, GZ_BAD, GZ_NOMEM };

/* One gzip member's decoder: ISA-L's igzip when built with it, else zlib. Both
 * answer in the same words, so that messages do not depend on the build. */
#ifdef MOESTAT_ISAL
struct gz {
	struct inflate_state st;
};

static int gz_start(struct gz *g)
{
	isal_inflate_init(&g->st);
	g->st.crc_flag = ISAL_GZIP;     /* the gzip header and trailer, checked */
	return 0;
}

static int gz_run(struct gz *g, const unsigned char *in, size_t len, size_t *used, unsigned char *out,
                  size_t cap, size_t *made, const char **why)
{
	int rc;

	g->st.next_in = (uint8_t *)in;
	g->st.avail_in = (uint32_t)(len > UINT32_MAX ? UINT32_MAX : len);
	g->st.next_out = out;
	g->st.avail_out = (uint32_t)(cap > UINT32_MAX ? UINT32_MAX : cap);
	rc = isal_inflate(&g->st);
	*used = (size_t)(g->st.next_in - in);
	*made = (size_t)(g->st.next_out - out);
	if (rc == ISAL_INCORRECT_CHECKSUM && g->st.block_state != ISAL_BLOCK_FINISH)
		*why = "incorrect header check";        /* the header's own CRC (FHCRC) */
	else if (rc == ISAL_INCORRECT_CHECKSUM)
		*why = "incorrect data check";
	else if (rc == ISAL_INVALID_WRAPPER || rc == ISAL_UNSUPPORTED_METHOD)
		*why = "incorrect header check";
	else if (rc < 0)
		*why = "invalid deflate data";
	else
		return g->st.block_state == ISAL_BLOCK_FINISH ? GZ_END : GZ_MORE;
	return GZ_BAD;
}

static void gz_stop(struct gz *g)
{
	(void)g;
}
#else
struct gz {
	z_stream z;
	bool ready;
};

static int gz_start(struct gz *g)
{
	if (g->ready)
		return inflateReset(&g->z) == Z_OK ? 0 : -1;
	/* 16 + MAX_WBITS: the gzip wrapper only, so a zlib or raw stream is an error */
	if (inflateInit2(&g->z, 16 + MAX_WBITS) != Z_OK)
		return -1;
	g->ready = true;
	return 0;
}

static int gz_run(struct gz *g, const unsigned char *in, size_t len, size_t *used, unsigned char *out,
                  size_t cap, size_t *made, const char **why)
{
	int rc;

	g->z.next_in = (unsigned char *)in;
	g->z.avail_in = (uInt)(len > UINT32_MAX ? UINT32_MAX : len);
	g->z.next_out = out;
	g->z.avail_out = (uInt)(cap > UINT32_MAX ? UINT32_MAX : cap);
	rc = inflate(&g->z, Z_NO_FLUSH);
	*used = (size_t)(g->z.next_in - in);
	*made = (size_t)(g->z.next_out - out);
	if (rc == Z_STREAM_END)
		return GZ_END;
	if (rc == Z_OK || rc == Z_BUF_ERROR)
		return GZ_MORE;
	if (rc == Z_MEM_ERROR)
		return GZ_NOMEM;
	if (g->z.msg && (strstr(g->z.msg, "data check") || strstr(g->z.msg, "length check")))
		*why = "incorrect data check";
	else if (g->z.msg && (strstr(g->z.msg, "header") || strstr(g->z.msg, "method")))
		*why = "incorrect header check";
	else
		*why = "invalid deflate data";
	return GZ_BAD;
}

static void gz_stop(struct gz *g)
{
	if (g->ready)
		inflateEnd(&g->z);
}
#endif

/* An inflated buffer passed from the inflating thread to the reading one. */
struct slot {
	unsigned char *data;
	size_t len, pos;
	bool last;                      /* nothing follows: the end, or failure */
	struct moe_error failure;       /* when last and failure.status */
};

struct source {
	const char *name;
	int fd;
	bool gzip;
	bool eof;                       /* read(2) has returned 0 */
	_Atomic uint64_t consumed;      /* bytes read from the file (compressed ones for gzip) */
	uint64_t size;                  /* of a regular file; 0 when not known */
	unsigned char *in;              /* gzip: compressed bytes in[in_pos, in_len) */
	size_t in_len, in_pos;          /* plain: the bytes read while sniffing, handed out first */
	struct gz gz;
	bool member_done;               /* between gzip members */
	struct moe_error failure;       /* an error met after some bytes were inflated */
	/* The inflating thread starts at the second read, unless inflating is
	 * here by then: a reader that hands the rest of a file to threads of its
	 * own after its first lines (blocks.h) needs neither the thread nor its
	 * ring, whose start only delays those lines (on the bench's
	 * ds58.mlog.gz the blocks began 8 to 16 ms into the run with it, 4 to 5
	 * without). */
	bool thread_due;
	bool read_once;
	bool here;                      /* source_inflate_here */
	/* With a thread: the ring of inflated buffers, which is read while it
	 * holds any, even once the thread is stopped. */
	bool threaded;
	bool running;                   /* the thread is alive */
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t filled, emptied;
	struct slot ring[RING_SLOTS];
	unsigned char *ring_data;       /* the slots' data, one after another */
	unsigned head, count;           /* the reader takes ring[head]; count are full */
	bool stop;                      /* the reader is gone: the thread ends */
	const volatile sig_atomic_t *follow_stop;       /* source_follow: the end once set */
	bool following;                 /* source_follow of a plain file: wait at its end */
	uint64_t offset;                /* following: bytes read of the file now open */
};

static ssize_t read_fd(struct source *src, void *buf, size_t size, struct moe_error *err)
{
	ssize_t n;

	do
		n = read(src->fd, buf, size);
	while (n < 0 && errno == EINTR && !(src->follow_stop && *src->follow_stop));
	if (n < 0 && errno == EINTR)
		n = 0;          /* stopped by the signal source_follow was told of */
	if (n < 0)
		moe_error_set(err, EX_IOERR, src->name, 0, "read error: %s", strerror(errno));
	else if (n == 0)
		src->eof = true;
	else
		atomic_fetch_add_explicit(&src->consumed, (uint64_t)n, memory_order_relaxed);
	return n;
}

/* Makes at least want compressed bytes available at in[in_pos], unless the file ends first. */
static int fill(struct source *src, size_t want, struct moe_error *err)
{
	size_t have = src->in_len - src->in_pos;

	if (have >= want)
		return 0;
	if (have > 0)
		memmove(src->in, src->in + src->in_pos, have);
	src->in_pos = 0;
	src->in_len = have;
	while (src->in_len < want && !src->eof) {
		ssize_t n = read_fd(src, src->in + src->in_len, SOURCE_INBUF - src->in_len, err);
		if (n < 0)
			return -1;
		src->in_len += (size_t)n;
	}
	return 0;
}

/* Whether the member at in[in_pos] names a method other than deflate, or sets a reserved
 * bit of its header flags (RFC 1952, CM and FLG bits 5-7), as gzip -t refuses: zlib says
 * so at once, ISA-L passes over the flags and waits for more header before the method, and
 * both builds must give the same answer. */
static bool bad_header(const struct source *src)
{
	const unsigned char *p = src->in + src->in_pos;

	return src->in_len - src->in_pos >= 4 && (p[2] != 8 || (p[3] & 0xe0));
}

static void set_header_error(struct source *src, struct moe_error *err)
{
	moe_error_set(err, EX_IOERR, src->name, 0, "corrupt gzip data: incorrect header check");
}

/* After a member's end: another member follows (1), the stream ends (0), or garbage (-1). */
static int next_member(struct source *src, struct moe_error *err)
{
	const unsigned char *p;

	if (fill(src, 4, err) < 0)
		return -1;
	p = src->in + src->in_pos;
	if (src->in_len == src->in_pos)
		return 0;
	if (src->in_len - src->in_pos < 2 || p[0] != 0x1f || p[1] != 0x8b) {
		moe_error_set(err, EX_IOERR, src->name, 0, "trailing garbage after gzip data");
		return -1;
	}
	if (bad_header(src)) {
		set_header_error(src, err);
		return -1;
	}
	if (gz_start(&src->gz) < 0) {
		moe_error_set(err, EX_OSERR, src->name, 0, "out of memory");
		return -1;
	}
	src->member_done = false;
	return 1;
}

/* Inflates up to size bytes into buf, as zstd's FIO_decompressGzFrame does: refills
 * when the input runs out, reads a stream that ends mid-member as truncated, goes on
 * into the next member. Returns the count, 0 at the end, or -1. Bytes inflated before
 * an error are returned first; the error comes with the next call. */
static ssize_t inflate_some(struct source *src, unsigned char *buf, size_t size, struct moe_error *err)
{
	size_t produced = 0;

	if (src->failure.status) {
		*err = src->failure;
		return -1;
	}
	while (produced < size) {
		size_t used, made;
		const char *why = NULL;
		int rc;

		if (src->member_done) {
			/* Hand out what we have before waiting on a pipe for more. */
			if (produced > 0 && src->in_len - src->in_pos < 2 && !src->eof)
				break;
			rc = next_member(src, &src->failure);
			if (rc < 0)
				goto failed;
			if (rc == 0)
				break;
		}
		if (src->in_pos == src->in_len) {
			if (produced > 0)
				break;
			if (fill(src, 1, &src->failure) < 0)
				goto failed;
			if (src->in_pos == src->in_len) {
				moe_error_set(&src->failure, EX_IOERR, src->name, 0,
				              "gzip stream truncated (unexpected end of file)");
				goto failed;
			}
		}
		rc = gz_run(&src->gz, src->in + src->in_pos, src->in_len - src->in_pos, &used,
		            buf + produced, size - produced, &made, &why);
		src->in_pos += used;
		produced += made;
		if (rc == GZ_END) {
			src->member_done = true;
		} else if (rc == GZ_NOMEM) {
			moe_error_set(&src->failure, EX_OSERR, src->name, 0, "out of memory");
			goto failed;
		} else if (rc == GZ_BAD) {
			moe_error_set(&src->failure, EX_IOERR, src->name, 0, "corrupt gzip data: %s", why);
			goto failed;
		}
	}
	return (ssize_t)produced;
failed:
	if (produced > 0)
		return (ssize_t)produced;
	*err = src->failure;
	return -1;
}

/* The inflating thread: fills the ring's free slots until the stream ends or fails. */
static void *inflate_thread(void *arg)
{
	struct source *src = arg;

	for (;;) {
		struct slot *s;
		ssize_t n;

		pthread_mutex_lock(&src->lock);
		while (src->count == RING_SLOTS && !src->stop)
			pthread_cond_wait(&src->emptied, &src->lock);
		if (src->stop) {
			pthread_mutex_unlock(&src->lock);
			return NULL;
		}
		s = &src->ring[(src->head + src->count) % RING_SLOTS];
		pthread_mutex_unlock(&src->lock);
		/* The slot is this thread's until count covers it. */
		memset(&s->failure, 0, sizeof s->failure);
		n = inflate_some(src, s->data, RING_SLOT, &s->failure);
		s->len = n > 0 ? (size_t)n : 0;
		s->pos = 0;
		s->last = n <= 0;
		pthread_mutex_lock(&src->lock);
		src->count++;
		pthread_cond_signal(&src->filled);
		pthread_mutex_unlock(&src->lock);
		if (n <= 0)
			return NULL;
	}
}

/* Starts the inflating thread; without threads or memory, the caller's inflates. */
static void start_thread(struct source *src)
{
	unsigned i;

	/* The ring in 2 MiB pages: a 4 KiB page's first write is a page fault,
	 * and a slot's first fill would cost as much as its inflating. */
	if (!(src->ring_data = bigmem_alloc(RING_SLOTS * RING_SLOT)))
		return;
	for (i = 0; i < RING_SLOTS; i++)
		src->ring[i].data = src->ring_data + i * RING_SLOT;
	if (pthread_mutex_init(&src->lock, NULL) != 0)
		goto single;
	if (pthread_cond_init(&src->filled, NULL) != 0)
		goto no_filled;
	if (pthread_cond_init(&src->emptied, NULL) != 0)
		goto no_emptied;
	if (pthread_create(&src->thread, NULL, inflate_thread, src) == 0) {
		src->threaded = src->running = true;
		return;
	}
	pthread_cond_destroy(&src->emptied);
no_emptied:
	pthread_cond_destroy(&src->filled);
no_filled:
	pthread_mutex_destroy(&src->lock);
single:
	/* Without the thread (no memory, no threads), inflate on the caller's. */
	bigmem_free(src->ring_data, RING_SLOTS * RING_SLOT);
	src->ring_data = NULL;
	for (i = 0; i < RING_SLOTS; i++)
		src->ring[i].data = NULL;
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
	if (fstat(src->fd, &st) != 0)
		memset(&st, 0, sizeof st);
	if (S_ISDIR(st.st_mode)) {
		moe_error_set(err, EX_NOINPUT, src->name, 0, "cannot read: is a directory");
		goto fail;
	}
	if (S_ISREG(st.st_mode))
		src->size = (uint64_t)st.st_size;
	if (fill(src, 4, err) < 0) {
		err->status = EX_NOINPUT;
		goto fail;
	}
	src->gzip = src->in_len >= 2 && src->in[0] == 0x1f && src->in[1] == 0x8b;
	if (src->gzip && bad_header(src))
		set_header_error(src, &src->failure);   /* the first read says it, at line 1 */
	if (src->gzip) {
		if (gz_start(&src->gz) < 0) {
			moe_error_set(err, EX_OSERR, src->name, 0, "out of memory");
			goto fail;
		}
		const char *threads = getenv("MOESTAT_THREADS");

		src->thread_due = !(threads && strcmp(threads, "1") == 0);
	}
	return src;
fail:
	source_close(src);
	return NULL;
}

void source_follow(struct source *src, const volatile sig_atomic_t *stop)
{
	struct stat st;

	src->follow_stop = stop;
	if (!src->gzip && src->fd != STDIN_FILENO && fstat(src->fd, &st) == 0 && S_ISREG(st.st_mode)) {
		src->following = true;
		src->offset = src->in_len;
	}
}

/* At the end of a followed file: another file at the path (rotated) is
 * opened; a file shorter than what was read (truncated) is read again from
 * the top. Either way the next read starts a new stream of bytes. */
static void follow_turn(struct source *src)
{
	struct stat now, path;
	int fd;

	if (fstat(src->fd, &now) == 0 && (uint64_t)now.st_size < src->offset) {
		lseek(src->fd, 0, SEEK_SET);
		src->offset = 0;
		return;
	}
	if (stat(src->name, &path) != 0 || (path.st_ino == now.st_ino && path.st_dev == now.st_dev))
		return;
	fd = open(src->name, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	close(src->fd);
	src->fd = fd;
	src->offset = 0;
}

/* read(2) on a followed file: waits at the end, a tenth of a second at a time. */
static ssize_t read_follow(struct source *src, void *buf, size_t size, struct moe_error *err)
{
	static const struct timespec tick = { 0, 100000000 };

	for (;;) {
		ssize_t n;

		if (*src->follow_stop)
			return 0;
		n = read(src->fd, buf, size);
		if (n > 0) {
			src->offset += (uint64_t)n;
			atomic_fetch_add_explicit(&src->consumed, (uint64_t)n, memory_order_relaxed);
			return n;
		}
		if (n < 0 && errno != EINTR) {
			moe_error_set(err, EX_IOERR, src->name, 0, "read error: %s", strerror(errno));
			return -1;
		}
		if (n == 0) {
			follow_turn(src);
			nanosleep(&tick, NULL);
		}
	}
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
	if (src->following)
		return read_follow(src, buf, size, err);
	if (src->eof)
		return 0;
	return read_fd(src, buf, size, err);
}

/* Copies out of the ring's head slot, waiting for the thread to fill it. */
static ssize_t read_ring(struct source *src, void *buf, size_t size, struct moe_error *err)
{
	struct slot *s;
	size_t n;

	pthread_mutex_lock(&src->lock);
	while (src->count == 0 && src->running)
		pthread_cond_wait(&src->filled, &src->lock);
	if (src->count == 0) {
		/* Stopped (source_inflate_here) and read dry: inflate here. */
		pthread_mutex_unlock(&src->lock);
		return inflate_some(src, buf, size, err);
	}
	s = &src->ring[src->head];
	pthread_mutex_unlock(&src->lock);
	if (s->pos == s->len && s->last) {
		/* The end stays the end: every later call lands here again. */
		if (s->failure.status) {
			*err = s->failure;
			return -1;
		}
		return 0;
	}
	n = s->len - s->pos < size ? s->len - s->pos : size;
	memcpy(buf, s->data + s->pos, n);
	s->pos += n;
	if (s->pos == s->len && !s->last) {
		pthread_mutex_lock(&src->lock);
		src->head = (src->head + 1) % RING_SLOTS;
		src->count--;
		pthread_cond_signal(&src->emptied);
		pthread_mutex_unlock(&src->lock);
	}
	return (ssize_t)n;
}

ssize_t source_read(struct source *src, void *buf, size_t size, struct moe_error *err)
{
	if (size == 0)
		return 0;
	if (!src->gzip)
		return read_plain(src, buf, size, err);
	if (src->thread_due && src->read_once && !src->here) {
		src->thread_due = false;
		start_thread(src);
	}
	src->read_once = true;
	if (src->threaded)
		return read_ring(src, buf, size, err);
	return inflate_some(src, buf, size, err);
}

/* Ends the inflating thread once the slot it fills is full. */
static void stop_thread(struct source *src)
{
	pthread_mutex_lock(&src->lock);
	src->stop = true;
	pthread_cond_signal(&src->emptied);
	pthread_mutex_unlock(&src->lock);
	pthread_join(src->thread, NULL);
	src->running = false;
}

void source_inflate_here(struct source *src, bool here)
{
	src->here = here;
	if (!src->threaded || here != src->running)
		return;
	if (here) {
		stop_thread(src);
		return;
	}
	/* Not past the end: a slot marked last stays the last. */
	if (src->count > 0 && src->ring[(src->head + src->count - 1) % RING_SLOTS].last)
		return;
	src->stop = false;
	if (pthread_create(&src->thread, NULL, inflate_thread, src) == 0)
		src->running = true;
}

uint64_t source_consumed(const struct source *src)
{
	return atomic_load_explicit(&src->consumed, memory_order_relaxed);
}

uint64_t source_size(const struct source *src)
{
	return src->size;
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
	if (src->running)
		stop_thread(src);
	if (src->threaded) {
		pthread_cond_destroy(&src->filled);
		pthread_cond_destroy(&src->emptied);
		pthread_mutex_destroy(&src->lock);
	}
	bigmem_free(src->ring_data, RING_SLOTS * RING_SLOT);
	if (src->gzip)
		gz_stop(&src->gz);
	if (src->fd > STDIN_FILENO)
		close(src->fd);
	free(src->in);
	free(src);
}
