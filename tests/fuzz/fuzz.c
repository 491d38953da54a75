/* fuzz.c: the libFuzzer targets' shared part: the input file, and the reader walked with its promises checked. */
#include "fuzz.h"

#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "reader.h"

static char path[64];

static void remove_input(void)
{
	unlink(path);
}

const char *fuzz_input_file(const uint8_t *data, size_t size)
{
	static int fd = -1;

	if (fd < 0) {
		snprintf(path, sizeof path, "/tmp/moestat-fuzz-XXXXXX");
		fd = mkstemp(path);
		if (fd < 0) {
			perror("fuzz: mkstemp");
			abort();
		}
		atexit(remove_input);
	}
	if (ftruncate(fd, 0) < 0 || pwrite(fd, data, size, 0) != (ssize_t)size) {
		perror("fuzz: writing the input");
		abort();
	}
	return path;
}

void fuzz_fail(const char *fmt, ...)
{
	va_list ap;

	fputs("fuzz: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

/* reader.h: k >= 1 distinct ids below N (when known) and the limits, k = topk
 * (when the header gives it), k weights, N logits, all finite. */
static void check_record(const struct moe_input *in, const struct moe_record *rec)
{
	bool known = in->experts_from == EXPERTS_FROM_OPTION || in->experts_from == EXPERTS_FROM_HEADER;
	static uint32_t seen[MOE_MAX_EXPERTS];
	static uint32_t stamp;

	if (rec->k == 0)
		fuzz_fail("a record with no experts");
	if (rec->layer >= MOE_MAX_LAYERS)
		fuzz_fail("layer %u beyond the limit", rec->layer);
	if (in->header.topk && rec->k != in->header.topk)
		fuzz_fail("%zu experts where the header says topk=%u", rec->k, in->header.topk);
	if (rec->weights && rec->nweights != rec->k)
		fuzz_fail("%zu weights for %zu experts", rec->nweights, rec->k);
	if (rec->logits && known && rec->nlogits != in->experts)
		fuzz_fail("%zu logits where experts=%u", rec->nlogits, in->experts);
	if (rec->domain < -1 || (rec->domain >= 0 && (unsigned)rec->domain >= domains_count(in->domains)))
		fuzz_fail("domain index %d out of the table", rec->domain);
	stamp++;
	for (size_t i = 0; i < rec->k; i++) {
		uint32_t id = rec->experts[i];

		if (id >= MOE_MAX_EXPERTS || (known && id >= in->experts))
			fuzz_fail("expert id %u out of range (experts=%u)", id, in->experts);
		if (seen[id] == stamp)
			fuzz_fail("expert id %u repeated", id);
		seen[id] = stamp;
	}
	for (size_t i = 0; rec->weights && i < rec->nweights; i++)
		if (!isfinite(rec->weights[i]))
			fuzz_fail("weight %zu is not finite", i);
	for (size_t i = 0; rec->logits && i < rec->nlogits; i++)
		if (!isfinite(rec->logits[i]))
			fuzz_fail("logit %zu is not finite", i);
}

/* moestat(1) DIAGNOSTICS: bad data (65) and broken input (74) name the file
 * and the line; the message is one line. */
static void check_error(const struct moe_error *err, const char *file)
{
	if (err->status != EX_DATAERR && err->status != EX_IOERR)
		fuzz_fail("status %d for '%s'", err->status, err->msg);
	if (strcmp(err->file, file) != 0)
		fuzz_fail("error names '%s', not the input: %s", err->file, err->msg);
	if (err->line < 1)
		fuzz_fail("error without a line number: %s", err->msg);
	if (!err->msg[0] || strchr(err->msg, '\n'))
		fuzz_fail("message empty or of more than one line: '%s'", err->msg);
}

static void read_all(char *const *files, size_t nfiles, const struct reader_options *opts)
{
	struct reader *r = reader_open(files, nfiles, opts);
	struct moe_error err;
	struct moe_record rec;
	const struct moe_input *in;
	int rc;

	if (!r)
		fuzz_fail("reader_open: out of memory");
	in = reader_input(r);
	memset(&err, 0, sizeof err);
	while ((rc = reader_next(r, &rec, &err)) > 0)
		check_record(in, &rec);
	if (rc < 0)
		check_error(&err, files[0]);
	if (in->skipped)
		check_error(&in->first_skip, files[0]);
	if (in->truncated)
		check_error(&in->truncation, files[0]);
	if (in->selected > in->records || in->experts > MOE_MAX_EXPERTS)
		fuzz_fail("input block: %llu selected of %llu records, experts=%u",
		          (unsigned long long)in->selected, (unsigned long long)in->records, in->experts);
	reader_close(r);
}

void fuzz_read(const char *file, enum moe_format format)
{
	char *files[] = { (char *)file, (char *)file };
	struct reader_options opts = { .format = format };

	read_all(files, 1, &opts);
	opts.skip_bad = true;
	read_all(files, 2, &opts);
}
