/* fuzz_blocks.c: libFuzzer target: a log of several blocks, the input repeated through it, read on one thread by the portable parser and in blocks on several (blocks.h) with the AVX-512 line reader where it runs: the same records, lines, errors and counts. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "reader.h"
#include "../record_hash.h"

/* Past the size at which the reader starts blocks (1 MiB): two blocks. */
#define TEXT_SIZE (1280u << 10)

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
	struct record_fold fold;
	struct record_layers layers;
	uint64_t records, selected, skipped, blocks;
	unsigned experts, topk;
};

/* Reads path: on one thread, or in blocks; with every record out, into
 * parts, or into shards (sink 0, 1, 2). With parts, lines are left out of the
 * hash (parts do not know them); shards keep each layer's records apart. */
static void read_file(const char *path, bool threads, int sink, struct seen *s)
{
	char *files[] = { (char *)path };
	struct reader_options opts = { .skip_bad = false };
	struct reader_parts ops = record_parts(&s->fold);
	struct reader_shards shard_ops = record_shards(&s->layers);
	bool parts = sink == 1;
	struct moe_record rec;
	struct reader *r;
	uint64_t returned;

	memset(s, 0, sizeof *s);
	record_fold_init(&s->fold);
	record_layers_init(&s->layers);
	/* One thread reads as the portable parser does: blocks and the AVX-512
	 * line reader (mlog_avx512.h) are held against it at once. */
	if (threads) {
		unsetenv("MOESTAT_THREADS");
		unsetenv("MOESTAT_SIMD");
	} else {
		setenv("MOESTAT_THREADS", "1", 1);
		setenv("MOESTAT_SIMD", "0", 1);
	}
	if (!(r = reader_open(files, 1, &opts)))
		fuzz_fail("out of memory");
	if (parts)
		reader_parts(r, &ops);
	if (sink == 2)
		reader_shards(r, &shard_ops);
	while ((s->rc = reader_next(r, &rec, &s->err)) > 0) {
		const char *file;
		long line;

		reader_where(r, &file, &line);
		if (sink == 2)
			record_layers_add(&s->layers, rec.layer, rec.experts, rec.k);
		else
			record_fold_add(&s->fold, record_hash(&rec, parts ? 0 : line));
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
	if (one->fold.hash != many->fold.hash || one->records != many->records || one->selected != many->selected ||
	    one->skipped != many->skipped || one->experts != many->experts || one->topk != many->topk)
		fuzz_fail("%s: other records (%llu, %llu selected) than on one thread (%llu, %llu)", how,
		          (unsigned long long)many->records, (unsigned long long)many->selected,
		          (unsigned long long)one->records, (unsigned long long)one->selected);
	for (size_t i = 0; i < RECORD_LAYERS; i++)
		if (one->layers.fold[i].hash != many->layers.fold[i].hash)
			fuzz_fail("%s: layer %zu: other records than on one thread", how, i);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char *text;
	static struct seen one, many;
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

	for (int sink = 0; sink < 3; sink++) {
		read_file(path, false, sink, &one);
		read_file(path, true, sink, &many);
		same(&one, &many, sink == 2 ? "into shards" : sink ? "into parts" : "records out");
	}
	return 0;
}
