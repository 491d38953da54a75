/* check_reader.c: one stream over many files: record checks, headers, skip-bad, truncation, filters, N, progress. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "reader.h"
#include "suites.h"
#include "testutil.h"

struct run {
	char *files[4];
	size_t nfiles;
	struct reader_options opts;
	struct reader *r;
	struct moe_error err;
	unsigned layer[64];     /* the layer and first id of each record handed out */
	uint32_t first[64];
	size_t n;
	int rc;                 /* reader_next's last answer */
};

static void run_texts(struct run *t, const char *const *texts, size_t n)
{
	struct moe_record rec;

	for (size_t i = 0; i < n; i++)
		t->files[t->nfiles++] = tu_temp_file(texts[i], strlen(texts[i]));
	t->r = reader_open(t->files, t->nfiles, &t->opts);
	ck_assert_ptr_nonnull(t->r);
	while ((t->rc = reader_next(t->r, &rec, &t->err)) > 0) {
		ck_assert_uint_lt(t->n, 64);
		t->layer[t->n] = rec.layer;
		t->first[t->n++] = rec.experts[0];
	}
}

static void run_text(struct run *t, const char *text)
{
	run_texts(t, &text, 1);
}

static void done(struct run *t)
{
	reader_close(t->r);
	for (size_t i = 0; i < t->nfiles; i++) {
		unlink(t->files[i]);
		free(t->files[i]);
	}
}

/* Each stream holds one bad record on line 3; the message reader_next gives. */
static const struct {
	const char *text;
	const char *message;
} bad_records[] = {
	{ "#moestat v1 experts=8\n0 1,2\n0 1,8\n", "expert id 8 out of range (experts=8)" },
	{ "#moestat v1 experts=8\n0 1,2\n0 3,3\n", "expert id 3 repeated in one record" },
	{ "#moestat v1 experts=8 topk=2\n0 1,2\n0 3\n", "1 experts where the header says topk=2" },
	{ "#moestat v1 experts=8 fields=layer,experts,weights\n0 1,2 0.5,0.5\n0 3,4 1\n",
	  "1 weights for 2 experts" },
	{ "#moestat v1 experts=3 fields=layer,experts,logits\n0 1,2 0,1,2\n0 1 0,1\n",
	  "2 logits where experts=3" },
	{ "{\"experts\": [1], \"logits\": [0, 1, 2]}\n{\"experts\": [0], \"logits\": [0, 1, 2]}\n"
	  "{\"experts\": [1], \"logits\": [0, 1]}\n", "2 logits where earlier records have 3" },
	{ "{\"experts\": [1]}\n{\"experts\": [0]}\n{\"experts\": []}\n", "empty expert list" },
	{ "0 1\n0 2\n#moestat v1 experts=8\n", "header after 2 records that had none (put it first)" },
	{ "#moestat v1 experts=8\n0 1\n#moestat v1 experts=16\n", "header says experts=16, an earlier one 8" },
	{ "#moestat v1 topk=1\n0 1\n#moestat v1 topk=2\n", "header says topk=2, an earlier one 1" },
	{ "#moestat v1 model=a\n0 1\n#moestat v1 model=b\n", "header says model=b, an earlier one a" },
};

START_TEST(bad_records_stop_the_stream)
{
	struct run t = { 0 };

	run_text(&t, bad_records[_i].text);
	ck_assert_int_eq(t.rc, -1);
	ck_assert_int_eq(t.err.status, EX_DATAERR);
	ck_assert_str_eq(t.err.msg, bad_records[_i].message);
	ck_assert_int_eq(t.err.line, 3);
	ck_assert_str_eq(t.err.file, t.files[0]);
	done(&t);
}
END_TEST

START_TEST(skip_bad_counts_and_goes_on)
{
	struct run t = { 0 };
	const struct moe_input *in;

	t.opts.skip_bad = true;
	run_text(&t, "#moestat v1 experts=4 topk=1\n0 1\n0 9\n0 x\n0 2,3\n0 3\n");
	ck_assert_int_eq(t.rc, 0);
	ck_assert_uint_eq(t.n, 2);
	ck_assert_uint_eq(t.first[1], 3);
	in = reader_input(t.r);
	ck_assert_uint_eq(in->records, 2);
	ck_assert_uint_eq(in->skipped, 3);
	ck_assert_int_eq(in->first_skip.line, 3);
	ck_assert_str_eq(in->first_skip.msg, "expert id 9 out of range (experts=4)");
	ck_assert(!in->truncated);
	done(&t);
}
END_TEST

START_TEST(files_are_one_stream)
{
	static const char *const texts[] = {
		"#moestat v1 experts=8 topk=1\n#domain code\n0 1\n",
		"\n\n",                                         /* nothing in it */
		"{\"moestat\": 1, \"experts\": 8}\n{\"layer\": 3, \"experts\": [5]}\n",
		"#moestat v1 experts=8 topk=1\n1 7\n",
	};
	struct run t = { 0 };
	const struct moe_input *in;

	run_texts(&t, texts, 4);
	ck_assert_int_eq(t.rc, 0);
	ck_assert_uint_eq(t.n, 3);
	ck_assert_uint_eq(t.layer[1], 3);
	ck_assert_uint_eq(t.first[2], 7);
	in = reader_input(t.r);
	ck_assert_str_eq(in->format, "mixed");
	ck_assert_uint_eq(in->experts, 8);
	ck_assert_int_eq(in->experts_from, EXPERTS_FROM_HEADER);
	ck_assert_uint_eq(in->topk, 1);
	ck_assert(in->has_header);
	done(&t);
}
END_TEST

START_TEST(domain_carries_over_files)
{
	static const char *const texts[] = { "#domain chat\n0 1\n", "0 2\n#domain code\n0 3\n" };
	struct run t = { 0 };

	t.opts.domain = "chat";
	run_texts(&t, texts, 2);
	ck_assert_int_eq(t.rc, 0);
	ck_assert_uint_eq(t.n, 2);
	ck_assert_uint_eq(t.first[0], 1);
	ck_assert_uint_eq(t.first[1], 2);
	ck_assert_uint_eq(reader_input(t.r)->records, 3);
	done(&t);
}
END_TEST

START_TEST(header_columns_carry_over_files)
{
	/* The second file is the header-less rest of the first: layer, token, experts. */
	static const char *const texts[] = {
		"#moestat v1 experts=8 fields=layer,token,experts\n2 0 1,5\n",
		"3 1 6,7\n",
	};
	struct run t = { 0 };

	run_texts(&t, texts, 2);
	ck_assert_int_eq(t.rc, 0);
	ck_assert_uint_eq(t.n, 2);
	ck_assert_uint_eq(t.layer[1], 3);
	ck_assert_uint_eq(t.first[1], 6);
	done(&t);
}
END_TEST

START_TEST(guessed_columns_hold_for_their_file)
{
	/* No header: the first file's records are "experts", the second's "layer experts". */
	static const char *const texts[] = { "1,5\n2,3\n", "3 6,7\n", "4\n" };
	struct run t = { 0 };

	run_texts(&t, texts, 3);
	ck_assert_int_eq(t.rc, 0);
	ck_assert_uint_eq(t.n, 4);
	ck_assert_uint_eq(t.layer[1], 0);
	ck_assert_uint_eq(t.first[1], 2);
	ck_assert_uint_eq(t.layer[2], 3);
	ck_assert_uint_eq(t.first[2], 6);
	ck_assert_uint_eq(t.layer[3], 0);
	ck_assert_uint_eq(t.first[3], 4);
	done(&t);
}
END_TEST

START_TEST(layer_filter)
{
	unsigned char layers[MOE_MAX_LAYERS / 8] = { 0 };
	struct run t = { 0 };

	layers[0] = 1u << 2;                    /* layer 2 only */
	t.opts.layers = layers;
	run_text(&t, "0 1\n2 4\n1 1\n2 5\n");
	ck_assert_uint_eq(t.n, 2);
	ck_assert_uint_eq(t.first[0], 4);
	ck_assert_uint_eq(t.first[1], 5);
	ck_assert_uint_eq(reader_input(t.r)->records, 4);
	ck_assert_uint_eq(reader_input(t.r)->selected, 2);
	done(&t);
}
END_TEST

START_TEST(experts_from_ids_option_and_none)
{
	struct run a = { 0 }, b = { 0 }, c = { 0 };

	run_text(&a, "{\"experts\": [3, 5]}\n{\"experts\": [1]}\n");
	ck_assert_uint_eq(reader_input(a.r)->experts, 6);
	ck_assert_int_eq(reader_input(a.r)->experts_from, EXPERTS_FROM_IDS);
	ck_assert_uint_eq(reader_input(a.r)->topk, 0);         /* lengths differ */
	b.opts.experts = 4;
	run_text(&b, "#moestat v1 experts=8\n0 3\n0 5\n");
	ck_assert_int_eq(b.rc, -1);
	ck_assert_str_eq(b.err.msg, "expert id 5 out of range (experts=4)");
	run_text(&c, "");
	ck_assert_int_eq(c.rc, 0);
	ck_assert_uint_eq(reader_input(c.r)->experts, 0);
	ck_assert_int_eq(reader_input(c.r)->experts_from, EXPERTS_FROM_NONE);
	ck_assert_ptr_null(reader_input(c.r)->format);
	done(&a);
	done(&b);
	done(&c);
}
END_TEST

START_TEST(truncated_gzip)
{
	char *gz = tu_temp_gzip("0 1\n0 2\n0 3\n", 0);
	char *plain = tu_temp_file("0 4\n", 4);
	char *files[] = { gz, plain };
	struct reader_options opts = { 0 };
	struct moe_error err = { 0 };
	struct moe_record rec;
	struct reader *r;
	FILE *fp = fopen(gz, "r+b");
	int n = 0, rc;

	fseek(fp, 0, SEEK_END);
	ck_assert_int_eq(ftruncate(fileno(fp), ftell(fp) - 4), 0);
	fclose(fp);
	/* Without --skip-bad: every line before the damage, then the error. */
	r = reader_open(files, 2, &opts);
	while ((rc = reader_next(r, &rec, &err)) > 0)
		n++;
	ck_assert_int_eq(rc, -1);
	ck_assert_int_eq(n, 3);
	ck_assert_int_eq(err.status, EX_IOERR);
	ck_assert_int_eq(err.line, 4);
	reader_close(r);
	/* With it: the next file is read too, and the input says it was cut. */
	opts.skip_bad = true;
	n = 0;
	r = reader_open(files, 2, &opts);
	while ((rc = reader_next(r, &rec, &err)) > 0)
		n++;
	ck_assert_int_eq(rc, 0);
	ck_assert_int_eq(n, 4);
	ck_assert(reader_input(r)->truncated);
	ck_assert_str_eq(reader_input(r)->truncation.msg, "gzip stream truncated (unexpected end of file)");
	ck_assert_uint_eq(reader_input(r)->skipped, 0);
	reader_close(r);
	unlink(gz);
	unlink(plain);
	free(gz);
	free(plain);
}
END_TEST

/* The size a progress meter reads against: the files' sizes, what is left of
 * standard input redirected from a file (from where it stands), and 0
 * (not known) as soon as one input is a pipe. */
START_TEST(progress_of_files_and_redirected_stdin)
{
	char *a = tu_temp_file("0 1\n0 2\n", 8), *b = tu_temp_file("0 3\n", 4);
	char *files[] = { a, b, "-" };
	struct reader_options opts = { 0 };
	uint64_t done, total;
	int saved = dup(STDIN_FILENO), fd = open(a, O_RDONLY), pipe_fds[2];
	struct reader *r;

	r = reader_open(files, 2, &opts);
	reader_progress(r, &done, &total);
	ck_assert_uint_eq(done, 0);
	ck_assert_uint_eq(total, 12);
	reader_close(r);
	ck_assert_int_eq(dup2(fd, STDIN_FILENO), STDIN_FILENO);
	ck_assert_int_eq(lseek(STDIN_FILENO, 3, SEEK_SET), 3);
	r = reader_open(files, 3, &opts);
	reader_progress(r, &done, &total);
	ck_assert_uint_eq(total, 8 + 4 + 5);
	reader_close(r);
	ck_assert_int_eq(pipe(pipe_fds), 0);
	ck_assert_int_eq(dup2(pipe_fds[0], STDIN_FILENO), STDIN_FILENO);
	r = reader_open(files, 3, &opts);
	reader_progress(r, &done, &total);
	ck_assert_uint_eq(total, 0);
	reader_close(r);
	dup2(saved, STDIN_FILENO);
	close(saved);
	close(fd);
	close(pipe_fds[0]);
	close(pipe_fds[1]);
	unlink(a);
	unlink(b);
	free(a);
	free(b);
}
END_TEST

START_TEST(missing_file_is_noinput)
{
	char *files[] = { "/nonexistent.log" };
	struct reader_options opts = { .skip_bad = true };
	struct moe_error err = { 0 };
	struct moe_record rec;
	struct reader *r = reader_open(files, 1, &opts);

	ck_assert_int_eq(reader_next(r, &rec, &err), -1);
	ck_assert_int_eq(err.status, EX_NOINPUT);
	reader_close(r);
}
END_TEST

Suite *reader_suite(void)
{
	Suite *s = suite_create("reader");
	TCase *tc = tcase_create("reader");

	tcase_add_loop_test(tc, bad_records_stop_the_stream, 0, sizeof bad_records / sizeof *bad_records);
	tcase_add_test(tc, skip_bad_counts_and_goes_on);
	tcase_add_test(tc, files_are_one_stream);
	tcase_add_test(tc, domain_carries_over_files);
	tcase_add_test(tc, header_columns_carry_over_files);
	tcase_add_test(tc, guessed_columns_hold_for_their_file);
	tcase_add_test(tc, layer_filter);
	tcase_add_test(tc, experts_from_ids_option_and_none);
	tcase_add_test(tc, truncated_gzip);
	tcase_add_test(tc, progress_of_files_and_redirected_stdin);
	tcase_add_test(tc, missing_file_is_noinput);
	suite_add_tcase(s, tc);
	return s;
}
