/* blocks.c: an ordered pipeline: the caller's thread reads blocks of whole lines, workers parse them, the caller takes their records in order. */
#define _GNU_SOURCE             /* memrchr */
#include "blocks.h"

#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "bigmem.h"
#include "lines.h"

/* A block is big enough that a thread's hand-over, and a part's join
 * (reader.h: all of a model's counts), cost little beside its parse (some
 * 34,000 records of a DeepSeek-shaped log: dead reads 1.1 times as fast as
 * with half the size), and small enough that the blocks in flight stay a few
 * MiB a worker. A slot is its text and the bytes a parser may read past it:
 * 1 MiB, so that the slots fill 2 MiB pages (bigmem.h) without a remainder. */
#define SLOT_BYTES ((size_t)1 << 20)
#define BLOCK_TEXT (SLOT_BYTES - LINES_OVERREAD)
#define MAX_WORKERS 8
#define WORKER_NICE 10
#define MAX_SLOTS (MAX_WORKERS + 4)

enum slot_state { SLOT_EMPTY, SLOT_FILLED, SLOT_PARSING, SLOT_DONE };

struct slot {
	char *text;                     /* SLOT_BYTES: the block's text, room past it */
	size_t len;
	enum slot_state state;
	uint64_t seq;                   /* the block's number in the file, from 0 */
	bool ok;
	long lines;
	void *out;
	size_t consumed;                /* consumers that took out */
};

struct blocks {
	const struct blocks_job *job;
	struct source *src;
	void **arg;                     /* two words a thread: the pipeline and its worker or consumer */
	size_t nthreads, nconsumers;
	pthread_t thread[MAX_WORKERS], consumer[MAX_WORKERS];
	pthread_mutex_t lock;
	pthread_cond_t filled, parsed;
	bool stop;

	struct slot slot[MAX_SLOTS];
	size_t nslots;
	char *texts;                    /* the slots' texts, one after another */
	size_t head;                    /* the slot whose records are handed out next */
	size_t tail;                    /* the slot the caller's thread fills next */
	size_t next_parse;              /* the slot a worker takes next */
	uint64_t next_seq;              /* the number of the block filled next */
	bool head_taken;                /* slot[head] is the caller's (blocks_next) */
	long line;                      /* the number of the line before slot[head] */

	char *carry;                    /* the start of a line cut by a block's end */
	size_t ncarry;
	int end;                        /* 0, or the source's end: 1 ended, -1 failed */
	struct moe_error err;
	bool cut_failed;                /* a line longer than a block: not for the workers */
};

size_t blocks_workers(void)
{
	const char *threads = getenv("MOESTAT_THREADS");
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
#ifdef CPU_COUNT
	cpu_set_t set;

	/* The processors this process may run on (taskset, a container's cpuset). */
	if (sched_getaffinity(0, sizeof set, &set) == 0)
		cpus = CPU_COUNT(&set);
#endif

	if ((threads && strcmp(threads, "1") == 0) || cpus < 2)
		return 0;
	return cpus > MAX_WORKERS ? MAX_WORKERS : (size_t)cpus;
}

static void *work(void *arg)
{
	struct blocks *b = ((void **)arg)[0];
	void *worker = ((void **)arg)[1];

#ifdef __linux__
	/* Under Linux a thread has a nice value of its own. The inflating thread
	 * (source.c) is the pipeline's one sequential stage: the workers give the
	 * cores to it when there are more threads than cores (a 2-core machine
	 * reads a .gz file 1.2 times as fast so). */
	setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), WORKER_NICE);
#endif
	pthread_mutex_lock(&b->lock);
	for (;;) {
		struct slot *s = &b->slot[b->next_parse];

		while (!b->stop && s->state != SLOT_FILLED) {
			pthread_cond_wait(&b->filled, &b->lock);
			s = &b->slot[b->next_parse];
		}
		if (b->stop)
			break;
		s->state = SLOT_PARSING;
		b->next_parse = (b->next_parse + 1) % b->nslots;
		pthread_mutex_unlock(&b->lock);
		long lines = 0;
		bool ok = b->job->parse(worker, s->text, s->len, s->out, &lines);

		pthread_mutex_lock(&b->lock);
		s->ok = ok;
		s->lines = lines;
		s->state = SLOT_DONE;
		pthread_cond_broadcast(&b->parsed);
	}
	pthread_mutex_unlock(&b->lock);
	return NULL;
}

/* A consumer: every block, in order, once parsed; never one that failed,
 * nor any after it. */
static void *consume(void *arg)
{
	struct blocks *b = ((void **)arg)[0];
	void *consumer = ((void **)arg)[1];
	uint64_t want = 0;
	size_t i = 0;

#ifdef __linux__
	setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), WORKER_NICE);
#endif
	pthread_mutex_lock(&b->lock);
	for (;;) {
		struct slot *s = &b->slot[i];

		/* The number tells the block from the one the slot held before. */
		while (!b->stop && !(s->seq == want && s->state == SLOT_DONE && s->ok))
			pthread_cond_wait(&b->parsed, &b->lock);
		if (b->stop)
			break;
		pthread_mutex_unlock(&b->lock);
		b->job->consume(consumer, s->out);
		pthread_mutex_lock(&b->lock);
		s->consumed++;
		pthread_cond_broadcast(&b->parsed);
		want++;
		i = (i + 1) % b->nslots;
	}
	pthread_mutex_unlock(&b->lock);
	return NULL;
}

/* Fills the empty slots from the source, in order, on the caller's thread:
 * each with whole lines, the cut one carried to the next. */
static void fill(struct blocks *b)
{
	for (;;) {
		struct slot *s = &b->slot[b->tail];
		size_t len;
		char *nl;

		if (b->end || b->cut_failed)
			return;
		pthread_mutex_lock(&b->lock);
		bool empty = s->state == SLOT_EMPTY;
		pthread_mutex_unlock(&b->lock);
		if (!empty)
			return;
		memcpy(s->text, b->carry, b->ncarry);
		len = b->ncarry;
		while (len < BLOCK_TEXT) {
			ssize_t n = source_read(b->src, s->text + len, BLOCK_TEXT - len, &b->err);

			if (n <= 0) {
				b->end = n < 0 ? -1 : 1;
				break;
			}
			len += (size_t)n;
		}
		/* At the clean end the last line needs no newline; before it, a block
		 * without one holds part of a line too long for a block. */
		nl = b->end == 1 ? (len ? s->text + len - 1 : NULL) : memrchr(s->text, '\n', len);
		if (!nl) {
			memcpy(b->carry, s->text, len);
			b->ncarry = len;
			b->cut_failed = len > 0;
			return;
		}
		b->ncarry = len - (size_t)(nl + 1 - s->text);
		memcpy(b->carry, nl + 1, b->ncarry);
		s->len = (size_t)(nl + 1 - s->text);
		pthread_mutex_lock(&b->lock);
		s->seq = b->next_seq++;
		s->consumed = 0;
		s->state = SLOT_FILLED;
		pthread_cond_signal(&b->filled);
		pthread_mutex_unlock(&b->lock);
		b->tail = (b->tail + 1) % b->nslots;
	}
}

/* Stops the workers and consumers and waits for them. */
static void join_threads(struct blocks *b)
{
	pthread_mutex_lock(&b->lock);
	b->stop = true;
	pthread_cond_broadcast(&b->filled);
	pthread_cond_broadcast(&b->parsed);
	pthread_mutex_unlock(&b->lock);
	for (size_t i = 0; i < b->nthreads; i++)
		pthread_join(b->thread[i], NULL);
	for (size_t i = 0; i < b->nconsumers; i++)
		pthread_join(b->consumer[i], NULL);
}

static void free_blocks(struct blocks *b)
{
	bigmem_free(b->texts, b->nslots * SLOT_BYTES);
	for (size_t i = 0; i < MAX_SLOTS; i++) {
		if (b->slot[i].out)
			b->job->close_out(b->slot[i].out);
	}
	free(b->carry);
	free(b->arg);
	free(b);
}

struct blocks *blocks_start(const struct blocks_job *job, struct source *src, const char *buffered,
                            size_t len, long line)
{
	size_t nworkers = job->nworkers, i;
	struct blocks *b;

	if (nworkers == 0 || nworkers > MAX_WORKERS || job->nconsumers > nworkers || len > BLOCK_TEXT ||
	    !(b = calloc(1, sizeof *b)))
		return NULL;
	b->job = job;
	b->src = src;
	/* A slot for each worker and two for the reading thread to fill meanwhile;
	 * consumers keep a slot until each has taken its layers of it, and two
	 * more let the reading thread go on while they are behind (maxvio on 2
	 * cores: 0.69 s -> 0.65 s, medians of 11 interleaved runs). */
	b->nslots = nworkers + 2 + (job->nconsumers ? 2 : 0);
	b->line = line;
	b->carry = malloc(BLOCK_TEXT);
	b->arg = calloc(2 * (nworkers + job->nconsumers), sizeof *b->arg);
	/* The reading thread fills the slots over and over, but the first fill
	 * of each is the first write to fresh pages: in 4 KiB pages a fault each,
	 * which on a virtual machine takes as long as inflating the page. */
	b->texts = bigmem_alloc(b->nslots * SLOT_BYTES);
	for (i = 0; b->texts && i < b->nslots; i++) {
		b->slot[i].seq = UINT64_MAX;
		b->slot[i].text = b->texts + i * SLOT_BYTES;
		if (!(b->slot[i].out = job->open_out(job->ctx)))
			break;
	}
	if (i < b->nslots || !b->texts || !b->carry || !b->arg) {
		free_blocks(b);
		return NULL;
	}
	memcpy(b->carry, buffered, len);
	b->ncarry = len;
	/* The blocks are the ring now: gzip is inflated straight into them. */
	source_inflate_here(src, true);
	if (pthread_mutex_init(&b->lock, NULL) != 0) {
		source_inflate_here(src, false);
		free_blocks(b);
		return NULL;
	}
	pthread_cond_init(&b->filled, NULL);
	pthread_cond_init(&b->parsed, NULL);
	for (i = 0; i < nworkers; i++) {
		b->arg[2 * i] = b;
		b->arg[2 * i + 1] = job->worker[i];
		if (pthread_create(&b->thread[i], NULL, work, &b->arg[2 * i]) != 0)
			break;
		b->nthreads++;
	}
	for (i = 0; b->nthreads > 0 && i < job->nconsumers; i++) {
		void **arg = &b->arg[2 * (nworkers + i)];

		arg[0] = b;
		arg[1] = job->consumer[i];
		if (pthread_create(&b->consumer[i], NULL, consume, arg) != 0)
			break;
		b->nconsumers++;
	}
	/* Without every consumer the blocks cannot be handed out. */
	if (b->nthreads == 0 || b->nconsumers < job->nconsumers) {
		join_threads(b);
		source_inflate_here(src, false);
		pthread_cond_destroy(&b->filled);
		pthread_cond_destroy(&b->parsed);
		pthread_mutex_destroy(&b->lock);
		free_blocks(b);
		return NULL;
	}
	fill(b);
	return b;
}

bool blocks_next(struct blocks *b, void **out, long *line)
{
	struct slot *s = &b->slot[b->head];
	enum slot_state state;

	if (b->head_taken) {
		/* Each block is taken whole; the next begins after its lines. */
		b->line += s->lines;
		b->head_taken = false;
		pthread_mutex_lock(&b->lock);
		s->state = SLOT_EMPTY;
		pthread_mutex_unlock(&b->lock);
		b->head = (b->head + 1) % b->nslots;
		s = &b->slot[b->head];
	}
	fill(b);
	pthread_mutex_lock(&b->lock);
	while (s->state == SLOT_FILLED || s->state == SLOT_PARSING ||
	       (s->state == SLOT_DONE && s->ok && s->consumed < b->nconsumers))
		pthread_cond_wait(&b->parsed, &b->lock);
	state = s->state;
	pthread_mutex_unlock(&b->lock);
	/* An empty slot: the source ended, failed, or gave a line too long. */
	if (state == SLOT_EMPTY || !s->ok)
		return false;
	b->head_taken = true;
	*out = s->out;
	*line = b->line;
	return true;
}

int blocks_stop(struct blocks *b, struct blocks_rest *rest)
{
	size_t len = 0, i;
	int rc = 0;

	join_threads(b);
	pthread_cond_destroy(&b->filled);
	pthread_cond_destroy(&b->parsed);
	pthread_mutex_destroy(&b->lock);
	source_inflate_here(b->src, false);
	/* What is left: the blocks not handed out, from the head on, in order, and the carry. */
	if (b->head_taken) {
		b->line += b->slot[b->head].lines;
		b->slot[b->head].state = SLOT_EMPTY;
		b->head = (b->head + 1) % b->nslots;
	}
	memset(rest, 0, sizeof *rest);
	rest->line = b->line;
	rest->end = b->end;
	rest->err = b->err;
	for (i = b->head; b->slot[i].state != SLOT_EMPTY; i = (i + 1) % b->nslots) {
		len += b->slot[i].len;
		if ((i + 1) % b->nslots == b->head)
			break;
	}
	rest->text = malloc(len + b->ncarry + 1);
	if (!rest->text) {
		rc = -1;
	} else {
		for (i = b->head; b->slot[i].state != SLOT_EMPTY; i = (i + 1) % b->nslots) {
			memcpy(rest->text + rest->len, b->slot[i].text, b->slot[i].len);
			rest->len += b->slot[i].len;
			if ((i + 1) % b->nslots == b->head)
				break;
		}
		memcpy(rest->text + rest->len, b->carry, b->ncarry);
		rest->len += b->ncarry;
	}
	free_blocks(b);
	return rc;
}
