/* reader.c: walks the input files in order, runs each through its parser, checks and filters records. */
#include "reader.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "array.h"
#include "blocks.h"
#include "ids.h"
#include "lines.h"
#include "source.h"

/* A regular file of some blocks (1 MiB, or 256 KiB of gzip) has the rest of
 * its lines, after its first record, parsed on worker threads (blocks.h) while
 * records that need no reader of their own come; a block that does (a header,
 * a #domain line, a bad record) hands the rest back to the reader here, which
 * tries the threads again after BLOCKS_AGAIN records, twice as many each time. */
#define BLOCKS_MIN_FILE (1u << 20)
#define BLOCKS_AGAIN 65536u
#define NO_DOMAIN_LINE (-2)
/* Ids copied at once into a shard's bucket. A run's records to the shards
 * all have the header's top-k: when it is at most WIDE_IDS, the ids read
 * past a record's start stay inside the run's. */
#define WIDE_IDS 8
_Static_assert(MOE_RUN * WIDE_IDS <= sizeof ((struct moe_run *)0)->ids / sizeof (uint32_t),
               "a run holds WIDE_IDS ids past the start of its last record");

struct reader {
	const struct reader_options *opts;
	struct moe_input in;
	struct domains *domains;
	size_t file;                    /* index of the next file to open */
	struct source *src;
	struct lines *lines;
	const struct parser_ops *ops;
	void *parser;
	struct id_stamps stamps;        /* to find a repeated id in O(k) */
	size_t first_k;                 /* the first record's length */
	bool k_varies;
	size_t nlogits;                 /* logits per record so far, when N is not known */
	int want_domain;                /* index of --domain in the table, -1 until seen */
	struct mlog_carry mlog;
	uint64_t total;                 /* the files' sizes, 0 when one is not known */
	uint64_t done;                  /* the sizes of the files read to their end */
	const struct reader_parts *parts;       /* or NULL */
	const struct reader_shards *shards;     /* or NULL */
	void (*on_block)(void *ctx, const struct reader *r);
	void *on_block_ctx;
	struct blocks *blocks;          /* the rest of the file on threads, or NULL */
	struct blocks_job job;
	bool into_parts;                /* the blocks' records go into parts, not out */
	bool into_shards;               /* or to shards, on the consumers' threads (a worker's:
	                                 * count the records, and push the ones wanted) */
	struct shard_consumer *consumers;       /* [job.nconsumers] */
	bool blocks_due;                /* start blocks before the next record */
	struct block_out *out;          /* the block being handed out */
	size_t out_next, out_ids, out_reals;    /* its next record, the ids and reals before it */
	long block_line;                /* the line before the block */
	long line;                      /* of the record last handed out from blocks */
	uint64_t until_blocks;          /* records to read before blocks start; 0: never */
	uint64_t blocks_again;          /* the wait after the next hand-back */
	uint64_t blocks_read, blocks_returned;
	/* A worker's: */
	struct reader_options own;
	struct moe_run *run;            /* when its parser reads runs, and they need no logits */
	struct moe_limits limits;       /* what check_record asks of a run's records */
	int domain;                     /* in force in the file, where mlog's carry says NO_DOMAIN_LINE */
	bool domain_wanted;             /* by --domain, of the domain in force */
};

/* A consumer of blocks (blocks.h): one shard, the layers whose id % n is index. */
struct shard_consumer {
	const struct reader_shards *ops;
	void *shard;
	unsigned index, n;
	size_t k;                       /* ids a record: the header's top-k */
	unsigned below;                 /* every id is below it: N */
	bool failed;                    /* out of memory: nothing more is added */
};

/* What a worker makes of a block: its records, each with the number of its
 * line in the block, or what they added to a part. */
struct block_out {
	struct block_record {
		uint32_t layer;
		uint32_t k;
		uint32_t line;
		uint32_t nweights, nlogits;
		bool weights, logits;
		int64_t token;
	} *rec;
	size_t n, cap;
	uint32_t *ids;                  /* the records' lists, one after another */
	size_t nids, cap_ids;
	double *reals;                  /* their weights and logits, one after another */
	size_t nreals, cap_reals;
	void *part;
	void (*close_part)(void *part);
	uint64_t records, selected;
	/* For shards: the records wanted, by layer, in the order of the file, so
	 * that a consumer adds a layer's records with its arrays in cache. */
	struct layer_bucket {
		unsigned layer;
		size_t n;                       /* records of k ids: ids[0 .. n k) */
		uint32_t *ids;
		size_t cap;
	} *bucket;
	size_t nbuckets, cap_buckets;
	uint32_t *bucket_of;            /* [MOE_MAX_LAYERS] 1 + a layer's bucket, 0: none yet */
};

/* The bytes left to read of a regular file, "-" too when standard input is one
 * (redirected from a file, maybe read partly already): false for anything else. */
static bool input_size(const char *path, uint64_t *size)
{
	struct stat st;

	if (strcmp(path, "-") == 0) {
		off_t at;

		if (fstat(STDIN_FILENO, &st) != 0 || !S_ISREG(st.st_mode) ||
		    (at = lseek(STDIN_FILENO, 0, SEEK_CUR)) < 0)
			return false;
		*size = st.st_size > at ? (uint64_t)(st.st_size - at) : 0;
		return true;
	}
	if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
		return false;
	*size = (uint64_t)st.st_size;
	return true;
}

struct reader *reader_open(char *const *files, size_t nfiles, const struct reader_options *opts)
{
	struct reader *r = calloc(1, sizeof *r);

	if (!r)
		return NULL;
	r->domains = domains_new();
	if (!r->domains || !id_stamps_init(&r->stamps)) {
		reader_close(r);
		return NULL;
	}
	r->opts = opts;
	r->in.files = files;
	r->in.nfiles = nfiles;
	r->in.domains = r->domains;
	r->want_domain = -1;
	r->mlog.domain = -1;
	if (opts->experts) {
		r->in.experts = opts->experts;
		r->in.experts_from = EXPERTS_FROM_OPTION;
	}
	for (size_t i = 0; i < nfiles; i++) {
		uint64_t size;

		if (!input_size(files[i], &size)) {
			r->total = 0;
			break;
		}
		r->total += size;
	}
	return r;
}

static void stop_workers(struct reader *r)
{
	for (size_t i = 0; i < r->job.nworkers; i++)
		reader_close(r->job.worker[i]);
	free(r->job.worker);
	r->job.worker = NULL;
	r->job.nworkers = 0;
}

static int close_shards(struct reader *r);

static void close_file(struct reader *r)
{
	if (r->blocks) {
		struct blocks_rest rest;

		/* Only when the reading ends early: nothing is read after it. */
		blocks_stop(r->blocks, &rest);
		free(rest.text);
		r->blocks = NULL;
		r->out = NULL;
		stop_workers(r);
		if (r->into_shards)
			close_shards(r);
	}
	if (r->src)
		r->done += source_size(r->src);
	if (r->ops && r->parser)
		r->ops->close(r->parser);
	r->parser = NULL;
	r->ops = NULL;
	lines_close(r->lines);
	r->lines = NULL;
	source_close(r->src);
	r->src = NULL;
	/* The next file without a header guesses its own columns. */
	if (r->mlog.guessed)
		r->mlog.ncolumns = 0;
}

void reader_close(struct reader *r)
{
	if (!r)
		return;
	close_file(r);
	domains_free(r->domains);
	id_stamps_free(&r->stamps);
	free(r->run);
	free(r);
}

static bool skip_record(struct reader *r, const struct moe_error *err);

static void note_format(struct reader *r, enum moe_format format)
{
	if (!r->in.format)
		r->in.format = format_name(format);
	else if (strcmp(r->in.format, format_name(format)) != 0)
		r->in.format = "mixed";
}

/* Opens the next file and its parser: 1 when one is ready, 0 when none is left, -1 on error. */
static int open_next(struct reader *r, struct moe_error *err)
{
	enum moe_format format = r->opts->format;
	struct parser_env env;
	char *line;
	size_t len;
	int rc;

	if (r->file == r->in.nfiles)
		return 0;
	r->src = source_open(r->in.files[r->file++], err);
	if (!r->src)
		return -1;
	if (r->opts->follow)
		source_follow(r->src, r->opts->follow);
	r->lines = lines_open(r->src);
	if (!r->lines) {
		moe_error_set(err, EX_OSERR, source_name(r->src), 0, "out of memory");
		return -1;
	}
	/* The first non-blank line tells the format, then goes back for the parser. */
	do {
		rc = lines_next(r->lines, &line, &len, err);
		if (rc == LINES_TOO_LONG && skip_record(r, err))
			continue;
		if (rc == LINES_ERROR || rc == LINES_TOO_LONG)
			return -1;
		if (rc == LINES_END)
			return 1;               /* no data: no parser, the file just ends */
	} while (rc != LINES_OK || format_sniff(line, len) == MOE_FORMAT_AUTO);
	if (memchr(line, '\0', len)) {
		moe_error_set(err, EX_DATAERR, source_name(r->src), lines_number(r->lines),
		              "binary data (a NUL byte), not a router log");
		return -1;
	}
	lines_unread(r->lines);
	if (format == MOE_FORMAT_AUTO)
		format = format_sniff(line, len);
	note_format(r, format);
	env.lines = r->lines;
	env.domains = r->domains;
	env.keys = r->opts->keys;
	env.mlog = &r->mlog;
	r->ops = format_parser(format);
	r->parser = r->ops->open(&env);
	if (!r->parser) {
		moe_error_set(err, EX_OSERR, source_name(r->src), 0, "out of memory");
		return -1;
	}
	r->until_blocks = format == MOE_FORMAT_MLOG && !r->opts->follow && !r->opts->no_blocks &&
	                  source_size(r->src) >= (source_is_gzip(r->src) ? BLOCKS_MIN_FILE / 4 : BLOCKS_MIN_FILE) &&
	                  blocks_workers() > 0;
	r->blocks_again = BLOCKS_AGAIN;
	return 1;
}

/* Once a header has set the model's shape, later headers must agree with it. */
static int merge_header(struct reader *r, const struct moe_shape *h, struct moe_error *err)
{
	struct moe_shape *first = &r->in.header;
	const char *file = source_name(r->src);
	long line = lines_number(r->lines);

	if (!r->in.has_header) {
		if (r->in.records > 0) {
			moe_error_set(err, EX_DATAERR, file, line,
			              "header after %llu record%s that had none (put it first)",
			              (unsigned long long)r->in.records, r->in.records == 1 ? "" : "s");
			return -1;
		}
		*first = *h;
		r->in.has_header = true;
		r->in.topk = h->topk;
		if (h->experts && r->in.experts_from != EXPERTS_FROM_OPTION) {
			r->in.experts = h->experts;
			r->in.experts_from = EXPERTS_FROM_HEADER;
		}
		return 0;
	}
	if (h->experts && first->experts && h->experts != first->experts)
		moe_error_set(err, EX_DATAERR, file, line, "header says experts=%u, an earlier one %u",
		              h->experts, first->experts);
	else if (h->topk && first->topk && h->topk != first->topk)
		moe_error_set(err, EX_DATAERR, file, line, "header says topk=%u, an earlier one %u",
		              h->topk, first->topk);
	else if (h->score[0] && first->score[0] && strcmp(h->score, first->score) != 0)
		moe_error_set(err, EX_DATAERR, file, line, "header says score=%s, an earlier one %s",
		              h->score, first->score);
	else if (h->model[0] && first->model[0] && strcmp(h->model, first->model) != 0)
		moe_error_set(err, EX_DATAERR, file, line, "header says model=%s, an earlier one %s",
		              h->model, first->model);
	else
		return 0;
	return -1;
}

static int bad(struct reader *r, struct moe_error *err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int bad(struct reader *r, struct moe_error *err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	moe_error_vset(err, EX_DATAERR, lines_name(r->lines), lines_number(r->lines), fmt, ap);
	va_end(ap);
	return -1;
}

/* What every format's records must satisfy; see reader_next. */
static inline __attribute__((always_inline)) int
check_record(struct reader *r, const struct moe_record *rec, struct moe_error *err)
{
	/* N bounds the ids only when it was given; guessed from the ids, it follows them. */
	bool given = r->in.experts_from == EXPERTS_FROM_OPTION || r->in.experts_from == EXPERTS_FROM_HEADER;
	unsigned n = given ? r->in.experts : 0;

	if (rec->k == 0)
		return bad(r, err, "empty expert list");
	if (r->in.header.topk && rec->k != r->in.header.topk)
		return bad(r, err, "%zu experts where the header says topk=%u", rec->k, r->in.header.topk);
	if (rec->weights && rec->nweights != rec->k)
		return bad(r, err, "%zu weights for %zu experts", rec->nweights, rec->k);
	size_t bad_id = ids_first_bad(&r->stamps, rec->experts, rec->k, n);

	if (bad_id < rec->k) {
		uint32_t id = rec->experts[bad_id];

		if (n && id >= n)
			return bad(r, err, "expert id %u out of range (experts=%u)", id, n);
		return bad(r, err, "expert id %u repeated in one record", id);
	}
	if (!rec->logits && r->opts->need_logits)
		return bad(r, err, "no router logits (replay needs them: mlog fields=...,logits, "
		           "or a \"logits\" key)");
	if (rec->logits) {
		if (n && rec->nlogits != n)
			return bad(r, err, "%zu logits where experts=%u", rec->nlogits, n);
		if (!n && r->nlogits && rec->nlogits != r->nlogits)
			return bad(r, err, "%zu logits where earlier records have %zu", rec->nlogits,
			           r->nlogits);
		/* Without a stated N, the logits say how many experts there are. */
		for (size_t i = 0; !n && i < rec->k; i++)
			if (rec->experts[i] >= rec->nlogits)
				return bad(r, err, "expert id %u out of range (%zu logits)", rec->experts[i],
				           rec->nlogits);
		r->nlogits = rec->nlogits;
	}
	return 0;
}

/* Notes what a record adds to the input's description. */
static void count_record(struct reader *r, const struct moe_record *rec)
{
	struct moe_input *in = &r->in;

	if (in->experts_from == EXPERTS_FROM_NONE || in->experts_from == EXPERTS_FROM_IDS) {
		for (size_t i = 0; i < rec->k; i++)
			if (rec->experts[i] >= in->experts)
				in->experts = rec->experts[i] + 1;
		in->experts_from = EXPERTS_FROM_IDS;
	}
	/* Without a header, top-k is the records' common length, or 0 when they differ. */
	if (!in->header.topk) {
		if (in->records == 0)
			r->first_k = rec->k;
		else if (rec->k != r->first_k)
			r->k_varies = true;
		in->topk = r->k_varies ? 0 : (unsigned)r->first_k;
	}
	in->records++;
}

static bool wanted(struct reader *r, const struct moe_record *rec)
{
	const unsigned char *layers = r->opts->layers;

	if (layers && !(layers[rec->layer / 8] & (1u << rec->layer % 8)))
		return false;
	if (r->opts->domain) {
		if (r->want_domain < 0)
			r->want_domain = domains_find(r->domains, r->opts->domain);
		return rec->domain >= 0 && rec->domain == r->want_domain;
	}
	return true;
}

/* With --skip-bad, a bad record is counted and passed over. */
static bool skip_record(struct reader *r, const struct moe_error *err)
{
	if (!r->opts->skip_bad || err->status != EX_DATAERR)
		return false;
	if (r->in.skipped++ == 0)
		r->in.first_skip = *err;
	return true;
}

/* With --skip-bad, an input cut short or corrupt keeps what was read before. */
static bool skip_rest_of_file(struct reader *r, const struct moe_error *err)
{
	if (!r->opts->skip_bad || err->status != EX_IOERR)
		return false;
	if (!r->in.truncated)
		r->in.truncation = *err;
	r->in.truncated = true;
	close_file(r);
	return true;
}

static int push_record(struct block_out *out, const struct moe_record *rec, long line)
{
	size_t nweights = rec->weights ? rec->nweights : 0, nlogits = rec->logits ? rec->nlogits : 0;

	if (!array_reserve((void **)&out->rec, &out->cap, out->n, 1, sizeof *out->rec) ||
	    !array_reserve((void **)&out->ids, &out->cap_ids, out->nids, rec->k, sizeof *out->ids) ||
	    !array_reserve((void **)&out->reals, &out->cap_reals, out->nreals, nweights + nlogits,
	                   sizeof *out->reals))
		return -1;
	out->rec[out->n++] = (struct block_record){
		.layer = rec->layer, .k = (uint32_t)rec->k, .line = (uint32_t)line,
		.nweights = (uint32_t)nweights, .nlogits = (uint32_t)nlogits,
		.weights = rec->weights != NULL, .logits = rec->logits != NULL, .token = rec->token,
	};
	memcpy(out->ids + out->nids, rec->experts, rec->k * sizeof *out->ids);
	out->nids += rec->k;
	if (nweights)
		memcpy(out->reals + out->nreals, rec->weights, nweights * sizeof *out->reals);
	out->nreals += nweights;
	if (nlogits)
		memcpy(out->reals + out->nreals, rec->logits, nlogits * sizeof *out->reals);
	out->nreals += nlogits;
	return 0;
}

/* A new bucket for layer, or room in its bucket for one more record: false when out of memory. */
static bool grow_bucket(struct block_out *out, unsigned layer, size_t k)
{
	uint32_t b = out->bucket_of[layer];
	struct layer_bucket *lb;

	if (!b) {
		size_t had = out->cap_buckets;

		if (!array_reserve((void **)&out->bucket, &out->cap_buckets, out->nbuckets, 1, sizeof *out->bucket))
			return false;
		/* Buckets past nbuckets keep their memory from block to block. */
		memset(out->bucket + had, 0, (out->cap_buckets - had) * sizeof *out->bucket);
		b = out->bucket_of[layer] = (uint32_t)++out->nbuckets;
		out->bucket[b - 1].layer = layer;
		out->bucket[b - 1].n = 0;
	}
	lb = &out->bucket[b - 1];
	return array_reserve((void **)&lb->ids, &lb->cap, lb->n * k, k + WIDE_IDS, sizeof *lb->ids);
}

/* A record for the shards, all of whose records have k ids (the header's
 * top-k), inline. Up to WIDE_IDS ids are copied as one move of WIDE_IDS,
 * whatever k, where a loop costs 6 instructions an id (callgrind: maxvio
 * on a DeepSeek-shaped log, 4 % of all): a bucket keeps room for WIDE_IDS
 * past its last record, and wide says that as many may be read at ids. */
static inline __attribute__((always_inline)) bool
push_to_bucket(struct block_out *out, unsigned layer, const uint32_t *ids, size_t k, bool wide)
{
	uint32_t b = out->bucket_of[layer];

	if ((!b || (out->bucket[b - 1].n + 1) * k + WIDE_IDS > out->bucket[b - 1].cap) &&
	    !grow_bucket(out, layer, k))
		return false;
	struct layer_bucket *lb = &out->bucket[out->bucket_of[layer] - 1];
	uint32_t *to = lb->ids + lb->n++ * k;

	if (wide && k <= WIDE_IDS)
		memcpy(to, ids, WIDE_IDS * sizeof *ids);
	else
		for (size_t i = 0; i < k; i++)
			to[i] = ids[i];
	return true;
}

/* One record of a block, checked, into out or into its part. */
static inline __attribute__((always_inline)) bool
take_record(struct reader *w, struct block_out *out, struct moe_record *rec, long line, bool add,
            bool checked)
{
	const unsigned char *layers = w->opts->layers;
	struct moe_error err;

	if (!checked && check_record(w, rec, &err) < 0)
		return false;
	rec->domain = w->domain;
	if (!w->parts && !w->into_shards)
		return push_record(out, rec, line) == 0;
	/* Into a part or to the shards: what count_record and wanted would do,
	 * with N and k fixed; the shards get the records wanted. */
	out->records++;
	if (!w->domain_wanted || (layers && !(layers[rec->layer / 8] & (1u << rec->layer % 8))))
		return true;
	out->selected++;
	if (!w->parts)
		return push_to_bucket(out, rec->layer, rec->experts, rec->k, false);
	return !add || w->parts->add(out->part, rec) == 0;
}

/* A worker's read of a block: its lines are records (or blank, or comments)
 * that pass check_record as the file's reader would check them at this point,
 * nothing that changes how the lines after it read (a header, a #domain line),
 * nothing bad; anything else leaves the block to the file's reader. */
static bool parse_block(void *worker, const char *text, size_t len, void *block, long *lines)
{
	struct reader *w = worker;
	struct block_out *out = block;
	/* A run goes into a part or to the shards whole when nothing of it can be filtered out. */
	bool whole_runs = ((w->parts && w->parts->add_run) || w->into_shards) && w->domain_wanted &&
	                  !w->opts->layers;
	struct moe_shape header;
	struct moe_record rec;
	struct moe_error err;
	size_t n;

	out->n = out->nids = out->nreals = 0;
	out->records = out->selected = 0;
	for (size_t i = 0; i < out->nbuckets; i++)
		out->bucket_of[out->bucket[i].layer] = 0;
	out->nbuckets = 0;
	/* Emptied here, not by the join: the part's memory stays in this core's cache. */
	if (w->parts)
		w->parts->empty(out->part);
	/* In place: lines over memory hand out copies of what they cut. */
	lines_reset_memory(w->lines, text, len);
	for (;;) {
		if (w->run && (n = w->ops->next_run(w->parser, w->run, &w->limits)) > 0) {
			/* A record a line: the run's last is the line just read. */
			long line = lines_number(w->lines) - (long)n;

			w->run->domain = w->domain;
			/* Into a part whole: what take_record would count, with nothing left out. */
			if (whole_runs) {
				out->records += n;
				out->selected += n;
				for (size_t i = 0; w->into_shards && i < n; i++)
					if (!push_to_bucket(out, w->run->layer[i], w->run->ids + w->run->start[i],
					                    w->run->start[i + 1] - w->run->start[i], true))
						return false;
				if (!w->into_shards && w->parts->add_run(out->part, w->run) < 0)
					return false;
				continue;
			}
			for (size_t i = 0; i < n; i++) {
				moe_run_record(w->run, i, &rec);
				if (!take_record(w, out, &rec, line + 1 + (long)i, true, true))
					return false;
			}
			continue;
		}
		int rc = w->ops->next(w->parser, &rec, &header, &err);

		if (rc == PARSE_END) {
			*lines = lines_number(w->lines);
			return true;
		}
		if (rc != PARSE_RECORD || w->mlog.domain != NO_DOMAIN_LINE ||
		    !take_record(w, out, &rec, lines_number(w->lines), true, false))
			return false;
	}
}

/* A consumer's share of a block: the records of its layers, in order. */
static void consume_block(void *consumer, const void *block)
{
	struct shard_consumer *c = consumer;
	const struct block_out *out = block;

	for (size_t i = 0; i < out->nbuckets && !c->failed; i++) {
		const struct layer_bucket *b = &out->bucket[i];

		if (b->layer % c->n == c->index)
			c->failed = c->ops->add_layer(c->shard, b->layer, b->ids, b->n, c->k, c->below) < 0;
	}
}

static void *open_out(void *ctx)
{
	const struct reader *r = ctx;
	struct block_out *out = calloc(1, sizeof *out);

	if (out && r->into_shards && !(out->bucket_of = calloc(MOE_MAX_LAYERS, sizeof *out->bucket_of))) {
		free(out);
		return NULL;
	}
	if (out && r->into_parts) {
		out->close_part = r->parts->close;
		if (!(out->part = r->parts->open(r->parts->ctx))) {
			free(out);
			return NULL;
		}
	}
	return out;
}

static void close_out(void *block)
{
	struct block_out *out = block;

	free(out->rec);
	free(out->ids);
	free(out->reals);
	for (size_t i = 0; i < out->cap_buckets; i++)
		free(out->bucket[i].ids);
	free(out->bucket);
	free(out->bucket_of);
	if (out->part)
		out->close_part(out->part);
	free(out);
}

/* A worker for blocks of r's file, which reads records as r does now. */
static struct reader *open_worker(const struct reader *r)
{
	struct reader *w = calloc(1, sizeof *w);
	struct parser_env env;

	if (!w)
		return NULL;
	w->own = *r->opts;
	w->own.skip_bad = false;
	w->opts = &w->own;
	w->in = r->in;
	/* A #domain line in a block sets the carry from its own table: any sends the block back. */
	w->mlog = r->mlog;
	w->mlog.domain = NO_DOMAIN_LINE;
	w->domain = r->mlog.domain;
	w->ops = r->ops;
	w->parts = r->into_parts ? r->parts : NULL;
	w->into_shards = r->into_shards;
	w->domain_wanted = !r->opts->domain ||
	                   (r->mlog.domain >= 0 && r->mlog.domain == domains_find(r->domains, r->opts->domain));
	w->domains = domains_new();
	w->lines = lines_open_memory(source_name(r->src));
	/* N bounds the ids only when it was given, as in check_record. */
	if (r->in.experts_from == EXPERTS_FROM_OPTION || r->in.experts_from == EXPERTS_FROM_HEADER)
		w->limits.experts = r->in.experts;
	w->limits.topk = r->in.header.topk;
	if (w->ops->next_run && !r->opts->need_logits && !(w->run = malloc(sizeof *w->run))) {
		reader_close(w);
		return NULL;
	}
	if (!w->domains || !id_stamps_init(&w->stamps) || !w->lines) {
		reader_close(w);
		return NULL;
	}
	env.lines = w->lines;
	env.domains = w->domains;
	env.keys = w->opts->keys;
	env.mlog = &w->mlog;
	if (!(w->parser = w->ops->open(&env))) {
		reader_close(w);
		return NULL;
	}
	return w;
}

/* Gives the shards' layers back; -1 when out of memory, or when a shard ran out of it. */
static int close_shards(struct reader *r)
{
	int rc = 0;

	for (size_t i = 0; i < r->job.nconsumers; i++)
		if (r->shards->close(r->shards->ctx, r->consumers[i].shard) < 0 || r->consumers[i].failed)
			rc = -1;
	free(r->consumers);
	free(r->job.consumer);
	r->consumers = NULL;
	r->job.consumer = NULL;
	r->job.nconsumers = 0;
	return rc;
}

/* A shard for each worker, which takes over its layers of the sink: -1 when
 * out of memory (the sink is then as it was, or the reader cannot go on). */
static int open_shards(struct reader *r, size_t n)
{
	if (!(r->consumers = calloc(n, sizeof *r->consumers)) ||
	    !(r->job.consumer = calloc(n, sizeof *r->job.consumer))) {
		free(r->consumers);
		r->consumers = NULL;
		return -1;
	}
	for (; r->job.nconsumers < n; r->job.nconsumers++) {
		struct shard_consumer *c = &r->consumers[r->job.nconsumers];

		*c = (struct shard_consumer){ r->shards, NULL, (unsigned)r->job.nconsumers, (unsigned)n,
		                              r->in.header.topk, r->in.experts, false };
		if (!(c->shard = r->shards->open(r->shards->ctx, c->index, c->n))) {
			close_shards(r);
			return -1;
		}
		r->job.consumer[r->job.nconsumers] = c;
	}
	r->job.consume = consume_block;
	return 0;
}

/* Hands the rest of the file to blocks; nothing changes when threads or
 * memory are not to be had, but for shards, which must be had once opened. */
static int start_blocks(struct reader *r, struct moe_error *err)
{
	size_t n = blocks_workers();
	const char *bytes;
	size_t len;
	/* Parts and shards need nothing of count_record but a count: N and k are fixed. */
	bool fixed = r->in.header.topk &&
	             (r->in.experts_from == EXPERTS_FROM_OPTION || r->in.experts_from == EXPERTS_FROM_HEADER);

	r->into_parts = r->parts && fixed;
	r->into_shards = !r->parts && r->shards && fixed;
	r->job = (struct blocks_job){ .parse = parse_block, .open_out = open_out, .close_out = close_out,
	                              .ctx = r };
	if (!(r->job.worker = calloc(n, sizeof *r->job.worker)))
		return 0;
	while (r->job.nworkers < n && (r->job.worker[r->job.nworkers] = open_worker(r)))
		r->job.nworkers++;
	if (r->job.nworkers < n) {
		stop_workers(r);
		return 0;
	}
	if (r->into_shards && open_shards(r, n) < 0) {
		stop_workers(r);
		moe_error_set(err, EX_OSERR, source_name(r->src), 0, "out of memory");
		return -1;
	}
	lines_buffered(r->lines, &bytes, &len);
	r->line = lines_number(r->lines);
	if ((r->blocks = blocks_start(&r->job, lines_source(r->lines), bytes, len, r->line))) {
		lines_drop(r->lines);
		return 0;
	}
	stop_workers(r);
	if (r->into_shards && close_shards(r) < 0) {
		moe_error_set(err, EX_OSERR, source_name(r->src), 0, "out of memory");
		return -1;
	}
	return 0;
}

/* Takes back from blocks what they did not hand out. */
static int stop_blocks(struct reader *r, struct moe_error *err)
{
	struct blocks_rest rest;
	int rc = blocks_stop(r->blocks, &rest);

	r->blocks = NULL;
	r->out = NULL;
	stop_workers(r);
	if (r->into_shards && close_shards(r) < 0)
		rc = -1;
	if (rc == 0)
		rc = lines_give_back(r->lines, rest.line, rest.text, rest.len, rest.end, &rest.err);
	free(rest.text);
	if (rc < 0) {
		moe_error_set(err, EX_OSERR, source_name(r->src), 0, "out of memory");
		return -1;
	}
	r->blocks_returned += rest.len > 0;
	r->until_blocks = rest.end == 0 ? r->blocks_again : 0;
	r->blocks_again *= 2;
	return 0;
}

/* The next record from blocks: 1 with *rec, 0 when they are over, -1 with err. */
static int next_from_blocks(struct reader *r, struct moe_record *rec, struct moe_error *err)
{
	while (!r->out || r->out_next == r->out->n) {
		if (!blocks_next(r->blocks, (void **)&r->out, &r->block_line))
			return stop_blocks(r, err);
		r->out_next = r->out_ids = r->out_reals = 0;
		r->blocks_read++;
		if (r->on_block)
			r->on_block(r->on_block_ctx, r);
		if (!r->into_parts && !r->into_shards)
			continue;
		if (r->into_parts && r->parts->join(r->parts->ctx, r->out->part) < 0) {
			moe_error_set(err, EX_OSERR, source_name(r->src), 0, "out of memory");
			return -1;
		}
		r->in.records += r->out->records;
		r->in.selected += r->out->selected;
		/* The shards took the block's records. */
		r->out_next = r->out->n;
	}
	const struct block_record *b = &r->out->rec[r->out_next++];

	rec->layer = b->layer;
	rec->k = b->k;
	rec->token = b->token;
	rec->domain = r->mlog.domain;
	rec->experts = r->out->ids + r->out_ids;
	r->out_ids += b->k;
	rec->weights = b->weights ? r->out->reals + r->out_reals : NULL;
	rec->nweights = b->nweights;
	r->out_reals += b->nweights;
	rec->logits = b->logits ? r->out->reals + r->out_reals : NULL;
	rec->nlogits = b->nlogits;
	r->out_reals += b->nlogits;
	r->line = r->block_line + b->line;
	return 1;
}

int reader_next(struct reader *r, struct moe_record *rec, struct moe_error *err)
{
	struct moe_shape header;

	for (;;) {
		int rc;

		if (r->blocks_due) {
			r->blocks_due = false;
			if (start_blocks(r, err) < 0)
				return -1;
		}
		if (r->blocks) {
			rc = next_from_blocks(r, rec, err);
			if (rc <= 0) {
				if (rc < 0)
					return -1;
				continue;
			}
			count_record(r, rec);
			if (wanted(r, rec)) {
				r->in.selected++;
				return 1;
			}
			continue;
		}
		if (!r->lines) {
			rc = open_next(r, err);
			if (rc == 0)
				return 0;
			if (rc < 0) {
				if (skip_rest_of_file(r, err))
					continue;
				return -1;
			}
		}
		rc = r->parser ? r->ops->next(r->parser, rec, &header, err) : PARSE_END;
		if (rc == PARSE_END) {
			close_file(r);
			continue;
		}
		if (rc == PARSE_HEADER) {
			if (merge_header(r, &header, err) < 0)
				return -1;
			continue;
		}
		if (rc == PARSE_RECORD && check_record(r, rec, err) < 0)
			rc = PARSE_BAD;
		if (rc == PARSE_BAD && skip_record(r, err))
			continue;
		if (rc == PARSE_FATAL && skip_rest_of_file(r, err))
			continue;
		if (rc != PARSE_RECORD)
			return -1;
		count_record(r, rec);
		/* Not before the caller has this record: shards take layers from it. */
		if (r->until_blocks && --r->until_blocks == 0)
			r->blocks_due = true;
		if (wanted(r, rec)) {
			r->in.selected++;
			return 1;
		}
	}
}

void reader_blocks(const struct reader *r, uint64_t *read, uint64_t *returned)
{
	*read = r->blocks_read;
	*returned = r->blocks_returned;
}

void reader_on_block(struct reader *r, void (*fn)(void *ctx, const struct reader *r), void *ctx)
{
	r->on_block = fn;
	r->on_block_ctx = ctx;
}

void reader_parts(struct reader *r, const struct reader_parts *parts)
{
	r->parts = parts;
}

void reader_shards(struct reader *r, const struct reader_shards *shards)
{
	r->shards = shards;
}

void reader_progress(const struct reader *r, uint64_t *done, uint64_t *total)
{
	*done = r->done + (r->src ? source_consumed(r->src) : 0);
	*total = r->total;
}

void reader_where(const struct reader *r, const char **file, long *line)
{
	*file = r->src ? source_name(r->src) : "-";
	*line = r->blocks ? r->line : r->lines ? lines_number(r->lines) : 0;
}

const struct moe_input *reader_input(const struct reader *r)
{
	return &r->in;
}
