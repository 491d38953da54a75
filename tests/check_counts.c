/* check_counts.c: the --counts reader: JSON and CSV matrices, the layer column, and FILE:LINE for what is wrong. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "counts.h"
#include "suites.h"
#include "testutil.h"

/* Reads text as a counts file: the rc, with c and err filled. */
static int read_text(const char *text, struct counts *c, struct moe_error *err, const unsigned char *layers)
{
	char *path = tu_temp_file(text, strlen(text));
	int rc = counts_read(c, path, layers, err);

	unlink(path);
	free(path);
	return rc;
}

START_TEST(json_matrix)
{
	struct counts c;
	struct moe_error err = { 0 };

	ck_assert_int_eq(read_text(" [[1, 2.5, 0],\n  [3, 4, 5e1]]\n", &c, &err, NULL), 0);
	ck_assert_str_eq(c.format, "json");
	ck_assert_uint_eq(c.experts, 3);
	ck_assert_uint_eq(c.nlayers, 2);
	ck_assert_uint_eq(c.layer[1], 1);
	ck_assert_double_eq(counts_row(&c, 0)[1], 2.5);
	ck_assert_double_eq(counts_row(&c, 1)[2], 50);
	ck_assert_ptr_null(counts_row(&c, 2));
	counts_free(&c);
}
END_TEST

/* A header with a layer column in the middle, rows out of order, a comment and a blank line. */
START_TEST(csv_layer_column)
{
	struct counts c;
	struct moe_error err = { 0 };

	ck_assert_int_eq(read_text("e0, Layer ,\"e 1\"\n# a comment\n1,3,2\n\n4,1,5\n", &c, &err, NULL), 0);
	ck_assert_str_eq(c.format, "csv");
	ck_assert_uint_eq(c.experts, 2);
	ck_assert_uint_eq(c.nlayers, 2);
	ck_assert_uint_eq(c.layer[0], 1);
	ck_assert_uint_eq(c.layer[1], 3);
	ck_assert_double_eq(counts_row(&c, 1)[0], 4);
	ck_assert_double_eq(counts_row(&c, 3)[1], 2);
	counts_free(&c);
}
END_TEST

/* No header: the rows are layers 0, 1, ...; --layers keeps layer 1 only. */
START_TEST(csv_plain_rows)
{
	struct counts c;
	struct moe_error err = { 0 };
	unsigned char layers[MOE_MAX_LAYERS / 8] = { 0 };

	layers[0] = 2;
	ck_assert_int_eq(read_text("1,2,3\n4,5,6\n", &c, &err, layers), 0);
	ck_assert_uint_eq(c.experts, 3);
	ck_assert_uint_eq(c.nlayers, 1);
	ck_assert_uint_eq(c.layer[0], 1);
	ck_assert_double_eq(counts_row(&c, 1)[2], 6);
	counts_free(&c);
}
END_TEST

static const struct {
	const char *text;
	long line;
	const char *msg;
} bad[] = {
	{ "1,2,3\n4,5\n", 2, "expected 3 cells, found 2" },
	{ "1,2\n4,-5\n", 2, "load 1 is not a finite number >= 0" },
	{ "1,2\n4,x\n", 2, "load 1 'x': " },
	{ "layer,a\n0,1\n0,2\n", 3, "layer 0 given twice (first at line 2)" },
	{ "layer,a\nx,1\n", 2, "layer 'x': " },
	{ "a,b\n1,\"2\n", 2, "a quoted cell does not end" },
	{ "[[1, 2],\n [3]]\n", 2, "row 1 has 1 loads, row 0 2" },
	{ "[[1, 2],\n [3,\n \"4\"]]\n", 3, "load 1 of row 1 is not a number" },
	{ "[[1, 2],\n [3,\n -4]]\n", 3, "load 1 is not a finite number >= 0" },
	{ "[[1, 2],\n [3, 4]\n", 3, "invalid JSON: " },
	{ "[[1, 2],\n 7]\n", 2, "row 1 is not a list of loads" },
	{ "[]\n", 0, "no rows of loads" },
	{ "\n\n", 0, "no rows of loads" },
	{ "layer\n", 1, "header: no expert column" },
};

START_TEST(malformed)
{
	struct counts c;
	struct moe_error err = { 0 };

	ck_assert_int_eq(read_text(bad[_i].text, &c, &err, NULL), -1);
	ck_assert_int_eq(err.status, EX_DATAERR);
	ck_assert_int_eq(err.line, bad[_i].line);
	ck_assert_msg(strncmp(err.msg, bad[_i].msg, strlen(bad[_i].msg)) == 0, "case %d: '%s'", _i, err.msg);
	ck_assert_ptr_null(c.layer);
}
END_TEST

START_TEST(missing_file)
{
	struct counts c;
	struct moe_error err = { 0 };

	ck_assert_int_eq(counts_read(&c, "/nonexistent/counts.json", NULL, &err), -1);
	ck_assert_int_eq(err.status, EX_NOINPUT);
}
END_TEST

Suite *counts_suite(void)
{
	Suite *s = suite_create("counts");
	TCase *tc = tcase_create("counts");

	tcase_add_test(tc, json_matrix);
	tcase_add_test(tc, csv_layer_column);
	tcase_add_test(tc, csv_plain_rows);
	tcase_add_loop_test(tc, malformed, 0, sizeof bad / sizeof *bad);
	tcase_add_test(tc, missing_file);
	suite_add_tcase(s, tc);
	return s;
}
