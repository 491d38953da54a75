/* reader.c: walks the input files in order, runs each through its parser, checks and filters records. */
#include "reader.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "lines.h"
#include "source.h"

struct reader {
	const struct reader_options *opts;
	struct moe_input in;
	struct domains *domains;
	size_t file;                    /* index of the next file to open */
	struct source *src;
	struct lines *lines;
	const struct parser_ops *ops;
	void *parser;
	uint32_t *stamp;                /* MOE_MAX_EXPERTS stamps, to find a repeated id in O(k) */
	uint32_t stamp_now;
	size_t first_k;                 /* the first record's length */
	bool k_varies;
	size_t nlogits;                 /* logits per record so far, when N is not known */
	int want_domain;                /* index of --domain in the table, -1 until seen */
	struct mlog_carry mlog;
	uint64_t total;                 /* the files' sizes, 0 when one is not known */
	uint64_t done;                  /* the sizes of the files read to their end */
};

struct reader *reader_open(char *const *files, size_t nfiles, const struct reader_options *opts)
{
	struct reader *r = calloc(1, sizeof *r);

	if (!r)
		return NULL;
	r->domains = domains_new();
	r->stamp = calloc(MOE_MAX_EXPERTS, sizeof *r->stamp);
	if (!r->domains || !r->stamp) {
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
		struct stat st;

		if (strcmp(files[i], "-") == 0 || stat(files[i], &st) != 0 || !S_ISREG(st.st_mode)) {
			r->total = 0;
			break;
		}
		r->total += (uint64_t)st.st_size;
	}
	return r;
}

static void close_file(struct reader *r)
{
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
}

void reader_close(struct reader *r)
{
	if (!r)
		return;
	close_file(r);
	domains_free(r->domains);
	free(r->stamp);
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
	moe_error_vset(err, EX_DATAERR, source_name(r->src), lines_number(r->lines), fmt, ap);
	va_end(ap);
	return -1;
}

/* What every format's records must satisfy; see reader_next. */
static int check_record(struct reader *r, const struct moe_record *rec, struct moe_error *err)
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
	if (++r->stamp_now == 0) {
		memset(r->stamp, 0, MOE_MAX_EXPERTS * sizeof *r->stamp);
		r->stamp_now = 1;
	}
	/* On local copies: a store into stamp[] could otherwise be stamp_now. */
	uint32_t *stamp = r->stamp, now = r->stamp_now;
	const uint32_t *ids = rec->experts;

	for (size_t i = 0, k = rec->k; i < k; i++) {
		uint32_t id = ids[i];
		if (n && id >= n)
			return bad(r, err, "expert id %u out of range (experts=%u)", id, n);
		if (stamp[id] == now)
			return bad(r, err, "expert id %u repeated in one record", id);
		stamp[id] = now;
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

int reader_next(struct reader *r, struct moe_record *rec, struct moe_error *err)
{
	struct moe_shape header;

	for (;;) {
		int rc;

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
		if (wanted(r, rec)) {
			r->in.selected++;
			return 1;
		}
	}
}

void reader_progress(const struct reader *r, uint64_t *done, uint64_t *total)
{
	*done = r->done + (r->src ? source_consumed(r->src) : 0);
	*total = r->total;
}

void reader_where(const struct reader *r, const char **file, long *line)
{
	*file = r->src ? source_name(r->src) : "-";
	*line = r->lines ? lines_number(r->lines) : 0;
}

const struct moe_input *reader_input(const struct reader *r)
{
	return &r->in;
}
