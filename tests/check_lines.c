/* check_lines.c: line splitting: CRLF, BOM, a last line without newline, numbering, unread, the length limit. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lines.h"
#include "moestat.h"
#include "suites.h"
#include "testutil.h"

struct fixture {
	char *path;
	struct source *src;
	struct lines *lines;
	struct moe_error err;
};

static void open_text(struct fixture *f, const char *bytes, size_t len)
{
	memset(f, 0, sizeof *f);
	f->path = tu_temp_file(bytes, len);
	f->src = source_open(f->path, &f->err);
	f->lines = lines_open(f->src);
	ck_assert_ptr_nonnull(f->lines);
}

static void close_text(struct fixture *f)
{
	lines_close(f->lines);
	source_close(f->src);
	unlink(f->path);
	free(f->path);
}

static void expect_line(struct fixture *f, const char *want, long number)
{
	char *line;
	size_t len;

	ck_assert_int_eq(lines_next(f->lines, &line, &len, &f->err), LINES_OK);
	ck_assert_str_eq(line, want);
	ck_assert_uint_eq(len, strlen(want));
	ck_assert_int_eq(lines_number(f->lines), number);
}

static void expect_end(struct fixture *f)
{
	char *line;
	size_t len;

	ck_assert_int_eq(lines_next(f->lines, &line, &len, &f->err), LINES_END);
	ck_assert_int_eq(lines_next(f->lines, &line, &len, &f->err), LINES_END);
}

START_TEST(crlf_bom_and_last_line)
{
	struct fixture f;
	const char text[] = "\xef\xbb\xbf#moestat v1\r\n\r\n0 3,7\r\n1 2,5";

	open_text(&f, text, sizeof text - 1);
	expect_line(&f, "#moestat v1", 1);
	expect_line(&f, "", 2);
	expect_line(&f, "0 3,7", 3);
	expect_line(&f, "1 2,5", 4);
	expect_end(&f);
	close_text(&f);
}
END_TEST

START_TEST(bom_only_at_the_start)
{
	struct fixture f;
	const char text[] = "a\n\xef\xbb\xbf" "b\n";

	open_text(&f, text, sizeof text - 1);
	expect_line(&f, "a", 1);
	expect_line(&f, "\xef\xbb\xbf" "b", 2);
	expect_end(&f);
	close_text(&f);
}
END_TEST

START_TEST(unread_gives_the_line_again)
{
	struct fixture f;

	open_text(&f, "x\ny\n", 4);
	expect_line(&f, "x", 1);
	lines_unread(f.lines);
	expect_line(&f, "x", 1);
	expect_line(&f, "y", 2);
	expect_end(&f);
	close_text(&f);
}
END_TEST

START_TEST(lines_longer_than_a_buffer)
{
	size_t n = 3u << 20;    /* larger than the first buffer, so it grows */
	char *text = malloc(n + 3);
	struct fixture f;
	char *line;
	size_t len;

	memset(text, '7', n);
	memcpy(text + n, "\nz", 2);
	open_text(&f, text, n + 2);
	ck_assert_int_eq(lines_next(f.lines, &line, &len, &f.err), LINES_OK);
	ck_assert_uint_eq(len, n);
	ck_assert_int_eq(line[n - 1], '7');
	expect_line(&f, "z", 2);
	close_text(&f);
	free(text);
}
END_TEST

START_TEST(over_the_limit_is_passed_over)
{
	size_t n = MOE_MAX_LINE + 10;
	char *text = malloc(n + 8);
	struct fixture f;
	char *line;
	size_t len;

	memcpy(text, "a\n", 2);
	memset(text + 2, 'x', n);
	memcpy(text + 2 + n, "\nb\n", 3);
	open_text(&f, text, n + 5);
	expect_line(&f, "a", 1);
	ck_assert_int_eq(lines_next(f.lines, &line, &len, &f.err), LINES_TOO_LONG);
	ck_assert_int_eq(f.err.status, EX_DATAERR);
	ck_assert_int_eq(f.err.line, 2);
	ck_assert_str_eq(f.err.msg, "line longer than the limit of 67108864 bytes");
	expect_line(&f, "b", 3);
	expect_end(&f);
	close_text(&f);
	free(text);
}
END_TEST

START_TEST(truncation_is_reported_at_its_line)
{
	char *path = tu_temp_gzip("0 3,7\n1 2,5\n2 1,0\n", 0);
	FILE *fp = fopen(path, "r+b");
	struct moe_error err = { 0 };
	struct source *src;
	struct lines *ln;
	char *line;
	size_t len;

	/* Drop the 8-byte trailer (CRC and length): every line inflates, then the end is missing. */
	fseek(fp, 0, SEEK_END);
	ck_assert_int_eq(ftruncate(fileno(fp), ftell(fp) - 8), 0);
	fclose(fp);
	src = source_open(path, &err);
	ln = lines_open(src);
	ck_assert_int_eq(lines_next(ln, &line, &len, &err), LINES_OK);
	ck_assert_int_eq(lines_next(ln, &line, &len, &err), LINES_OK);
	ck_assert_int_eq(lines_next(ln, &line, &len, &err), LINES_OK);
	ck_assert_int_eq(lines_next(ln, &line, &len, &err), LINES_ERROR);
	ck_assert_int_eq(err.status, EX_IOERR);
	ck_assert_int_eq(err.line, 4);
	ck_assert_int_eq(lines_next(ln, &line, &len, &err), LINES_ERROR);
	lines_close(ln);
	source_close(src);
	unlink(path);
	free(path);
}
END_TEST

Suite *lines_suite(void)
{
	Suite *s = suite_create("lines");
	TCase *tc = tcase_create("lines");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, crlf_bom_and_last_line);
	tcase_add_test(tc, bom_only_at_the_start);
	tcase_add_test(tc, unread_gives_the_line_again);
	tcase_add_test(tc, lines_longer_than_a_buffer);
	tcase_add_test(tc, over_the_limit_is_passed_over);
	tcase_add_test(tc, truncation_is_reported_at_its_line);
	suite_add_tcase(s, tc);
	return s;
}
