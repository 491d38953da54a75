/* check_blocks.c: a big file read on threads (blocks.h), with the AVX-512 line reader where it runs, gives the records, lines, errors and counts of one thread and the portable parser. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "blocks.h"
#include "lines.h"
#include "reader.h"
#include "record_hash.h"
#include "suites.h"
#include "testutil.h"

/* What a run of the reader saw, all of it folded into hashes that depend on
 * the order (record_hash.h): every record handed out, with its line, and
 * every record handed out or added to a part, without. */
struct seen {
	uint64_t records;               /* handed out by reader_next */
	struct record_fold out;         /* of those, with their lines */
	struct record_fold all;         /* with parts: of all records, in order */
	struct record_layers layers;    /* of every layer's records, in order, as shards see them */
	int rc;
	struct moe_error err;
	struct moe_input in;
	char first_skip[256];
	uint64_t blocks_read, blocks_returned;
	uint64_t told;                  /* calls of reader_on_block's function */
};

static void tell(void *ctx, const struct reader *r)
{
	struct seen *s = ctx;

	(void)r;
	s->told++;
}

/* Reads path on one thread or on several, with parts or shards or neither. */
enum sink { RECORDS, PARTS, SHARDS };

static void read_file(const char *path, const struct reader_options *opts, bool threads, enum sink sink,
                      struct seen *s)
{
	char *files[] = { (char *)path };
	struct reader_parts ops = record_parts(&s->all);
	struct reader_shards shard_ops = record_shards(&s->layers);
	struct moe_record rec;
	struct reader *r;

	memset(s, 0, sizeof *s);
	record_fold_init(&s->out);
	record_fold_init(&s->all);
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
	r = reader_open(files, 1, opts);
	ck_assert_ptr_nonnull(r);
	if (sink == PARTS)
		reader_parts(r, &ops);
	if (sink == SHARDS)
		reader_shards(r, &shard_ops);
	reader_on_block(r, tell, s);
	while ((s->rc = reader_next(r, &rec, &s->err)) > 0) {
		const char *file;
		long line;

		reader_where(r, &file, &line);
		/* Not an assertion a record: Check writes down each one it makes. */
		if (strcmp(file, path) != 0)
			line = -1;
		s->records++;
		record_fold_add(&s->out, record_hash(&rec, line));
		record_fold_add(&s->all, record_hash(&rec, 0));
		record_layers_add(&s->layers, rec.layer, rec.experts, rec.k);
	}
	s->in = *reader_input(r);
	moe_error_format(&s->in.first_skip, s->first_skip, sizeof s->first_skip);
	reader_blocks(r, &s->blocks_read, &s->blocks_returned);
	reader_close(r);
	unsetenv("MOESTAT_THREADS");
	unsetenv("MOESTAT_SIMD");
}

/* Reads path with one thread, then with threads (records out, then into
 * parts, which a header with experts and topk allows); everything the reader
 * says must be the same. */
static void same_on_threads(const char *path, const struct reader_options *opts, bool returns,
                            bool into_parts)
{
	/* The test stands on blocks being read, which takes two processors. */
	bool threads = blocks_workers() > 0;
	static struct seen one, many, parts, shards;

	read_file(path, opts, false, RECORDS, &one);
	ck_assert_uint_eq(one.blocks_read, 0);
	for (enum sink sink = RECORDS; sink <= SHARDS; sink++) {
		struct seen *s = sink == RECORDS ? &many : sink == PARTS ? &parts : &shards;

		read_file(path, opts, true, sink, s);
		/* Blocks were read, and handed back when the log asks for it. */
		ck_assert_uint_eq(s->blocks_read > 0, threads);
		ck_assert_uint_eq(s->blocks_returned > 0, returns && threads);
		/* A progress meter hears of every block, records out or not. */
		ck_assert_uint_eq(s->told, s->blocks_read);
		ck_assert_int_eq(s->rc, one.rc);
		ck_assert_int_eq(s->err.status, one.err.status);
		ck_assert_int_eq(s->err.line, one.err.line);
		ck_assert_str_eq(s->err.msg, one.err.msg);
		ck_assert_uint_eq(s->in.records, one.in.records);
		ck_assert_uint_eq(s->in.selected, one.in.selected);
		ck_assert_uint_eq(s->in.skipped, one.in.skipped);
		ck_assert_str_eq(s->first_skip, one.first_skip);
		ck_assert_int_eq(s->in.truncated, one.in.truncated);
		ck_assert_uint_eq(s->in.experts, one.in.experts);
		ck_assert_int_eq(s->in.experts_from, one.in.experts_from);
		ck_assert_uint_eq(s->in.topk, one.in.topk);
	}
	ck_assert_uint_eq(many.records, one.records);
	ck_assert_uint_eq(many.out.hash, one.out.hash);
	ck_assert_uint_eq(parts.all.hash, one.all.hash);
	/* With parts, the records of blocks did not come out. */
	ck_assert_uint_eq(parts.all.parts > 0, into_parts && threads);
	ck_assert_uint_le(parts.records, one.records);
	/* With shards, the same records of each layer in the same order, those
	 * of the blocks only in the shards. */
	ck_assert_uint_eq(shards.layers.shards > 0, into_parts && threads);
	for (size_t i = 0; i < RECORD_LAYERS; i++)
		if (shards.layers.fold[i].hash != one.layers.fold[i].hash)
			ck_assert_msg(0, "layer %zu: not the records of one thread", i);
	ck_assert_uint_le(shards.records, one.records);
}

/* A log of about 3.4 MB: records of 4 ids of 64 experts, 8 layers; what
 * the string extra says is put in at record number at. */
static char *make_log(const char *header, long n, long at, const char *extra, const char *eol)
{
	size_t cap = (size_t)n * 40 + strlen(header) + strlen(extra) + 64, len = 0;
	char *text = malloc(cap);
	uint64_t state = 11;

	ck_assert_ptr_nonnull(text);
	len += (size_t)sprintf(text, "%s\n", header);
	for (long i = 0; i < n; i++) {
		uint64_t r = tu_random(&state);
		unsigned a = (unsigned)(r % 64), b = (a + 1 + (unsigned)(r >> 8) % 20) % 64;
		unsigned c = (b + 1 + (unsigned)(r >> 16) % 20) % 64, d = (c + 1 + (unsigned)(r >> 24) % 20) % 64;

		/* a < b < c < d modulo 64 in steps under 21: four distinct ids. */
		if (i == at)
			len += (size_t)sprintf(text + len, "%s", extra);
		len += (size_t)sprintf(text + len, "%ld %u,%u,%u,%u%s", i % 8, a, b, c, d, eol);
	}
	text[len] = '\0';
	return text;
}

static char *write_log(const char *text, bool gzip)
{
	return gzip ? tu_temp_gzip(text, 0) : tu_temp_file(text, strlen(text));
}

static void check_log(const char *header, long at, const char *extra, const char *eol,
                      const struct reader_options *opts, bool returns)
{
	bool into_parts = strstr(header, "experts=") && strstr(header, "topk=");

	char *text = make_log(header, 240000, at, extra, eol);

	for (int gzip = 0; gzip < 2; gzip++) {
		char *path = write_log(text, gzip);

		same_on_threads(path, opts, returns, into_parts);
		unlink(path);
		free(path);
	}
	free(text);
}

static const char header[] = "#moestat v1 experts=64 topk=4 fields=layer,experts";

START_TEST(clean_log)
{
	struct reader_options opts = { 0 };

	check_log(header, -1, "", "\n", &opts, false);
}
END_TEST

START_TEST(comments_blank_lines_and_crlf)
{
	struct reader_options opts = { 0 };

	check_log(header, 180000, "# a comment\n\n   \n", "\r\n", &opts, false);
}
END_TEST

/* Each of these must go back to the file's own reader, which reads on. */
START_TEST(lines_that_go_back)
{
	static const char *const extra[] = {
		"#domain later\n",
		"#moestat v1 experts=64 topk=4 fields=layer,experts\n",
		"3 1,2,3\n",                    /* bad: 3 ids where topk=4 */
		"3 1,2,3,3\n",                  /* bad: a repeated id */
		"3 1,2,3,64\n",                 /* bad: out of range */
		"3 1,2,3,x\n",
	};
	struct reader_options opts = { 0 };

	for (size_t i = 0; i < sizeof extra / sizeof *extra; i++) {
		opts.skip_bad = false;
		check_log(header, 200000, extra[i], "\n", &opts, true);
		opts.skip_bad = true;
		check_log(header, 200000, extra[i], "\n", &opts, true);
	}
}
END_TEST

START_TEST(a_line_longer_than_a_block)
{
	struct reader_options opts = { 0 };
	size_t n = 1500000;
	char *extra = malloc(n + 3);

	memset(extra, 'x', n);
	memcpy(extra, "# ", 2);
	strcpy(extra + n, "\n");
	check_log(header, 150000, extra, "\n", &opts, true);
	free(extra);
}
END_TEST

START_TEST(last_line_without_newline)
{
	struct reader_options opts = { 0 };
	char *text = make_log(header, 240000, -1, "", "\n");
	char *path;

	text[strlen(text) - 1] = '\0';
	path = write_log(text, false);
	same_on_threads(path, &opts, false, true);
	unlink(path);
	free(path);
	free(text);
}
END_TEST

START_TEST(truncated_gzip)
{
	struct reader_options opts = { 0 };
	char *text = make_log(header, 240000, -1, "", "\n");
	char *path = write_log(text, true);
	FILE *fp = fopen(path, "r+b");

	fseek(fp, 0, SEEK_END);
	ck_assert_int_eq(ftruncate(fileno(fp), ftell(fp) - 1000), 0);
	fclose(fp);
	same_on_threads(path, &opts, true, true);
	opts.skip_bad = true;
	same_on_threads(path, &opts, true, true);
	unlink(path);
	free(path);
	free(text);
}
END_TEST

START_TEST(filters_and_other_shapes)
{
	static const char *const headers[] = {
		"#moestat v1 experts=64 fields=layer,experts",  /* no top-k: records out only */
		"#moestat v1 topk=4 fields=layer,experts",      /* N from the ids */
		"#moestat v1 experts=100 topk=4 fields=layer,experts",
	};
	unsigned char layers[MOE_MAX_LAYERS / 8] = { 0 };
	struct reader_options opts = { 0 };

	for (size_t i = 0; i < sizeof headers / sizeof *headers; i++)
		check_log(headers[i], -1, "", "\n", &opts, false);
	layers[0] = 1 << 3 | 1 << 5;
	opts.layers = layers;
	check_log(header, -1, "", "\n", &opts, false);
	opts.layers = NULL;
	opts.domain = "code";
	check_log(header, 0, "#domain code\n", "\n", &opts, false);
	opts.domain = "math";
	check_log(header, 0, "#domain code\n", "\n", &opts, false);
	/* A domain new to the file: the first is number 0 in the file's table. */
	opts.domain = NULL;
	check_log("#moestat v1 experts=64 topk=4 fields=layer,experts\n#domain code", 200000,
	          "#domain math\n", "\n", &opts, true);
	opts.domain = "math";
	check_log("#moestat v1 experts=64 topk=4 fields=layer,experts\n#domain code", 200000,
	          "#domain math\n", "\n", &opts, true);
}
END_TEST

/* Without a header the first record's columns are guessed; the blocks read
 * on in those, as the file's own reader does. */
START_TEST(guessed_columns)
{
	struct reader_options opts = { 0 };
	static struct seen one, many;

	/* "experts" from the first record, then records of two columns: the first
	 * of them is bad, though a block that starts among them would guess two. */
	char *text = make_log("", 240000, 0, "1,2,3,4\n", "\n");
	char *path = write_log(text, false);

	read_file(path, &opts, false, RECORDS, &one);
	read_file(path, &opts, true, RECORDS, &many);
	ck_assert_int_eq(one.rc, -1);
	ck_assert_int_eq(one.err.line, 3);
	ck_assert_str_eq(one.err.msg, "expected 1 columns, found 2");
	ck_assert_int_eq(many.rc, one.rc);
	ck_assert_int_eq(many.err.line, one.err.line);
	ck_assert_str_eq(many.err.msg, one.err.msg);
	ck_assert_uint_eq(many.records, 1);
	unlink(path);
	free(path);
	free(text);
	/* "layer experts" guessed; a record of one column deep in the file. */
	for (int skip = 0; skip < 2; skip++) {
		opts.skip_bad = skip;
		check_log("", 200000, "1,2,3,4\n", "\n", &opts, true);
	}
}
END_TEST

START_TEST(weights_logits_and_tokens)
{
	struct reader_options opts = { 0 };
	size_t cap = 50000 * 80, len = 0;
	char *text = malloc(cap);
	char *path;

	len += (size_t)sprintf(text, "#moestat v1 experts=4 topk=2 fields=layer,token,experts,weights,logits\n");
	for (long i = 0; i < 50000; i++)
		len += (size_t)sprintf(text + len, "%ld %ld %ld,%ld 0.%03ld,0.5 -1.5,%ld.25,2,0.125\n", i % 3,
		                       123456 + i, i % 4, (i + 1) % 4, i % 1000, i % 7);
	path = write_log(text, false);
	opts.need_logits = true;
	same_on_threads(path, &opts, false, true);
	unlink(path);
	free(path);
	free(text);
}
END_TEST

Suite *blocks_suite(void)
{
	Suite *s = suite_create("blocks");
	TCase *tc = tcase_create("same as one thread");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, clean_log);
	tcase_add_test(tc, comments_blank_lines_and_crlf);
	tcase_add_test(tc, lines_that_go_back);
	tcase_add_test(tc, a_line_longer_than_a_block);
	tcase_add_test(tc, last_line_without_newline);
	tcase_add_test(tc, truncated_gzip);
	tcase_add_test(tc, filters_and_other_shapes);
	tcase_add_test(tc, guessed_columns);
	tcase_add_test(tc, weights_logits_and_tokens);
	suite_add_tcase(s, tc);
	return s;
}
