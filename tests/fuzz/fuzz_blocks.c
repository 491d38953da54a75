/* fuzz_blocks.c: libFuzzer target: a log of several blocks, the input repeated through it, read on one thread and in blocks on several (blocks.h): the same records, lines, errors and counts. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "reader.h"

/* Past the size at which the reader starts blocks (1 MiB): two blocks. */
#define TEXT_SIZE (1280u << 10)
#define PRIME 0x100000001b3ull

/* The first byte of the input picks the file's header; the rest is repeated. */
static const char *const headers[] = {
	"#moestat v1 experts=64 topk=4 fields=layer,experts\n",
	"#moestat v1 experts=64 fields=layer,experts\n",
	"#moestat v1 fields=layer,token,experts,weights\n",
	"",
};

struct seen {
	int rc;
	struct moe_error err;
	uint64_t hash, records, selected, skipped, parts_len, blocks;
	unsigned experts, topk;
};

static uint64_t fold(uint64_t h, uint64_t x)
{
	return (h ^ x) * PRIME;
}

static uint64_t record_hash(const struct moe_record *rec, long line)
{
	uint64_t h = fold(fold(fold(0xcbf29ce484222325ull, rec->layer), (uint64_t)rec->token), (uint64_t)line);

	h = fold(fold(h, (uint64_t)(int64_t)rec->domain), rec->k);
	for (size_t i = 0; i < rec->k; i++)
		h = fold(h, rec->experts[i]);
	for (size_t i = 0; rec->weights && i < rec->nweights; i++) {
		uint64_t bits;

		memcpy(&bits, &rec->weights[i], sizeof bits);
		h = fold(h, bits);
	}
	return h;
}

/* A part folds its records in order, and knows P^n, to be joined in order. */
struct part {
	uint64_t hash, power;
};

static void *part_open(void *ctx)
{
	struct part *p = malloc(sizeof *p);

	(void)ctx;
	if (p)
		*p = (struct part){ 0, 1 };
	return p;
}

static void part_empty(void *part)
{
	*(struct part *)part = (struct part){ 0, 1 };
}

static int part_add(void *part, const struct moe_record *rec)
{
	struct part *p = part;

	p->hash = p->hash * PRIME + record_hash(rec, 0);
	p->power *= PRIME;
	return 0;
}

static int part_join(void *ctx, const void *part)
{
	struct seen *s = ctx;
	const struct part *p = part;

	s->hash = s->hash * p->power + p->hash;
	s->parts_len++;
	return 0;
}

/* Reads path: on one thread, or in blocks; into parts, or with every record
 * out. With parts, lines are left out of the hash (parts do not know them). */
static void read_file(const char *path, bool threads, bool parts, struct seen *s)
{
	char *files[] = { (char *)path };
	struct reader_options opts = { .skip_bad = false };
	struct reader_parts ops = { part_open, part_empty, part_add, part_join, free, s };
	struct moe_record rec;
	struct reader *r;
	uint64_t returned;

	memset(s, 0, sizeof *s);
	if (threads)
		unsetenv("MOESTAT_THREADS");
	else
		setenv("MOESTAT_THREADS", "1", 1);
	if (!(r = reader_open(files, 1, &opts)))
		fuzz_fail("out of memory");
	if (parts)
		reader_parts(r, &ops);
	while ((s->rc = reader_next(r, &rec, &s->err)) > 0) {
		const char *file;
		long line;

		reader_where(r, &file, &line);
		s->hash = s->hash * PRIME + record_hash(&rec, parts ? 0 : line);
	}
	s->records = reader_input(r)->records;
	s->selected = reader_input(r)->selected;
	s->skipped = reader_input(r)->skipped;
	s->experts = reader_input(r)->experts;
	s->topk = reader_input(r)->topk;
	reader_blocks(r, &s->blocks, &returned);
	reader_close(r);
}

static void same(const struct seen *one, const struct seen *many, const char *how)
{
	if (one->rc != many->rc || one->err.status != many->err.status || one->err.line != many->err.line ||
	    strcmp(one->err.msg, many->err.msg) != 0)
		fuzz_fail("%s: rc %d, status %d, line %ld, '%s'; on one thread rc %d, status %d, line %ld, '%s'",
		          how, many->rc, many->err.status, many->err.line, many->err.msg, one->rc,
		          one->err.status, one->err.line, one->err.msg);
	if (one->hash != many->hash || one->records != many->records || one->selected != many->selected ||
	    one->skipped != many->skipped || one->experts != many->experts || one->topk != many->topk)
		fuzz_fail("%s: other records (%llu, %llu selected) than on one thread (%llu, %llu)", how,
		          (unsigned long long)many->records, (unsigned long long)many->selected,
		          (unsigned long long)one->records, (unsigned long long)one->selected);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char *text;
	struct seen one, many;
	const char *header;
	size_t len;

	if (size < 2 || size > 8192)
		return 0;
	if (!text && !(text = malloc(TEXT_SIZE + 8192)))
		fuzz_fail("out of memory");
	header = headers[data[0] % (sizeof headers / sizeof *headers)];
	len = strlen(header);
	memcpy(text, header, len);
	while (len < TEXT_SIZE) {
		memcpy(text + len, data + 1, size - 1);
		len += size - 1;
	}
	const char *path = fuzz_input_file((const uint8_t *)text, len);

	for (int parts = 0; parts < 2; parts++) {
		read_file(path, false, parts, &one);
		read_file(path, true, parts, &many);
		same(&one, &many, parts ? "into parts" : "records out");
	}
	return 0;
}
