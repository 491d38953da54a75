/* check_source.c: plain and gzip bytes, multi-member gzip, truncation, corruption, unreadable inputs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "source.h"
#include "suites.h"
#include "testutil.h"

/* Reads the whole source through a small buffer; returns the status of the last read. */
static ssize_t read_all(const char *path, char *out, size_t cap, size_t *len, struct moe_error *err)
{
	struct source *src = source_open(path, err);
	ssize_t n;

	ck_assert_ptr_nonnull(src);
	*len = 0;
	do {
		n = source_read(src, out + *len, cap - *len < 7 ? cap - *len : 7, err);
		if (n > 0)
			*len += (size_t)n;
	} while (n > 0 && *len < cap);
	source_close(src);
	return n;
}

static char *gzip_bytes(const char *text, size_t *len)
{
	char *path = tu_temp_gzip(text, 0);
	FILE *fp = fopen(path, "rb");
	char *buf = malloc(4096);

	*len = fread(buf, 1, 4096, fp);
	fclose(fp);
	unlink(path);
	free(path);
	return buf;
}

START_TEST(plain_is_read_as_is)
{
	char *path = tu_temp_file("0 3,7\n1 2,5\n", 12);
	struct moe_error err = { 0 };
	char out[64];
	size_t len;

	ck_assert_int_eq(read_all(path, out, sizeof out, &len, &err), 0);
	ck_assert_uint_eq(len, 12);
	ck_assert_mem_eq(out, "0 3,7\n1 2,5\n", 12);
	unlink(path);
	free(path);
}
END_TEST

START_TEST(gzip_members_are_one_stream)
{
	char *path = tu_temp_gzip("0 3,7\n|1 2,5\n||2 1,0\n", 1);
	struct moe_error err = { 0 };
	struct source *src = source_open(path, &err);
	char out[64];
	size_t len;

	ck_assert(source_is_gzip(src));
	source_close(src);
	ck_assert_int_eq(read_all(path, out, sizeof out, &len, &err), 0);
	ck_assert_uint_eq(len, 18);
	ck_assert_mem_eq(out, "0 3,7\n1 2,5\n2 1,0\n", 18);
	unlink(path);
	free(path);
}
END_TEST

START_TEST(gzip_is_told_by_magic_not_name)
{
	char *path = tu_temp_file("\x1f", 1);     /* one byte: not gzip, plain */
	struct moe_error err = { 0 };
	struct source *src = source_open(path, &err);

	ck_assert(!source_is_gzip(src));
	source_close(src);
	unlink(path);
	free(path);
}
END_TEST

/* Each damaged gzip file, the message its read must end with. */
static const struct {
	const char *what;
	int cut;                /* bytes cut off the end */
	int flip;               /* byte (from the start) to corrupt, or -1 */
	const char *append;     /* bytes added after the member */
	const char *message;
} damaged[] = {
	{ "cut in the data", 12, -1, "", "gzip stream truncated (unexpected end of file)" },
	{ "cut in the trailer", 3, -1, "", "gzip stream truncated (unexpected end of file)" },
	{ "crc damaged", 0, -6, "", "corrupt gzip data: incorrect data check" },
	{ "trailing garbage", 0, -1, "junk", "trailing garbage after gzip data" },
	{ "half a second header", 0, -1, "\x1f", "trailing garbage after gzip data" },
};

START_TEST(damaged_gzip_is_an_io_error)
{
	const char *text = "0 3,7\n1 2,5\n2 1,0\n3 4,6\n4 0,1\n5 2,3\n6 5,7\n";
	size_t len, got;
	char *bytes = gzip_bytes(text, &len);
	struct moe_error err = { 0 };
	char *path, out[256];

	len -= (size_t)damaged[_i].cut;
	if (damaged[_i].flip != -1)
		bytes[len + (size_t)damaged[_i].flip] ^= 0x55;
	memcpy(bytes + len, damaged[_i].append, strlen(damaged[_i].append));
	len += strlen(damaged[_i].append);
	path = tu_temp_file(bytes, len);
	ck_assert_int_eq(read_all(path, out, sizeof out, &got, &err), -1);
	ck_assert_int_eq(err.status, EX_IOERR);
	ck_assert_str_eq(err.msg, damaged[_i].message);
	ck_assert_str_eq(err.file, path);
	unlink(path);
	free(path);
	free(bytes);
}
END_TEST

/* Inputs fuzz_source found, and the message their read ends with, in every build. */
static const struct {
	const char *bytes;
	size_t len;
	const char *message;
} found[] = {
	/* FLG 0xf0 sets reserved bits: ISA-L read the data, zlib refused it */
	{ "\x1f\x8b\x08\xf0\xb3\xa1\x96\x6e\x2e\x34\x6c\x6f\x67\x00\x33\xd6"
	  "\x31\xe7\x32\xd4\x31\xe2\x32\xe0\x02\x08\xcc\x59\xc2\x8c\x0a\x00\x00\x00", 34,
	  "corrupt gzip data: incorrect header check" },
	/* method 0, not deflate, and then the end: zlib refuses the method, ISA-L saw a cut */
	{ "\x1f\x8b\x00\x05", 4, "corrupt gzip data: incorrect header check" },
};

START_TEST(fuzz_findings_are_io_errors)
{
	char *path = tu_temp_file(found[_i].bytes, found[_i].len);
	struct moe_error err = { 0 };
	char out[256];
	size_t got;

	ck_assert_int_eq(read_all(path, out, sizeof out, &got, &err), -1);
	ck_assert_int_eq(err.status, EX_IOERR);
	ck_assert_str_eq(err.msg, found[_i].message);
	unlink(path);
	free(path);
}
END_TEST

/* A gzip file of some MiB in three members, read in pieces of 100,000 bytes
 * while the inflating goes to the reading thread and back (source_inflate_here)
 * at the places _i picks, whole and cut short: the same bytes, the same end. */
START_TEST(inflating_here_changes_nothing)
{
	const size_t n = 200000;
	char *text = malloc(n * 32 + 3), *plain = malloc(n * 32), *out = malloc(n * 32);
	size_t len = 0, plain_len = 0, got = 0, reads = 0;

	ck_assert_ptr_nonnull(text);
	ck_assert_ptr_nonnull(plain);
	ck_assert_ptr_nonnull(out);
	for (size_t i = 0; i < n; i++) {
		int m = sprintf(plain + plain_len, "%zu %zu,%zu,%zu\n", i % 61, i % 7, 7 + i % 11, 100 + i % 997);

		memcpy(text + len, plain + plain_len, (size_t)m);
		len += (size_t)m;
		plain_len += (size_t)m;
		if (i == n / 3 || i == 2 * n / 3)
			text[len++] = '|';
	}
	text[len] = '\0';
	for (int cut = 0; cut < 2; cut++) {
		char *path = tu_temp_gzip(text, 1);
		struct moe_error err = { 0 };
		struct source *src;
		ssize_t r;

		if (cut) {
			FILE *fp = fopen(path, "r+");

			ck_assert_ptr_nonnull(fp);
			fseek(fp, 0, SEEK_END);
			ck_assert_int_eq(ftruncate(fileno(fp), ftell(fp) - 100), 0);
			fclose(fp);
		}
		src = source_open(path, &err);
		ck_assert_ptr_nonnull(src);
		got = reads = 0;
		do {
			/* Here from read 5 (or 0), back at read 20 (or never), here again at 40. */
			if (reads == (_i & 1 ? 0u : 5u) || reads == 40)
				source_inflate_here(src, true);
			if (reads == 20 && (_i & 2))
				source_inflate_here(src, false);
			r = source_read(src, out + got, 100000, &err);
			if (r > 0)
				got += (size_t)r;
			reads++;
		} while (r > 0);
		source_close(src);
		if (cut) {
			ck_assert_int_eq(r, -1);
			ck_assert_str_eq(err.msg, "gzip stream truncated (unexpected end of file)");
			ck_assert_uint_lt(got, plain_len);
		} else {
			ck_assert_int_eq(r, 0);
			ck_assert_uint_eq(got, plain_len);
		}
		/* The text without its two '|', up to where it was cut. */
		ck_assert_int_eq(memcmp(out, plain, got), 0);
		unlink(path);
		free(path);
	}
	free(text);
	free(plain);
	free(out);
}
END_TEST

START_TEST(empty_inputs_have_no_bytes)
{
	char *plain = tu_temp_file("", 0);
	char *gz = tu_temp_gzip("", 0);
	struct moe_error err = { 0 };
	char out[8];
	size_t len;

	ck_assert_int_eq(read_all(plain, out, sizeof out, &len, &err), 0);
	ck_assert_uint_eq(len, 0);
	ck_assert_int_eq(read_all(gz, out, sizeof out, &len, &err), 0);
	ck_assert_uint_eq(len, 0);
	unlink(plain);
	unlink(gz);
	free(plain);
	free(gz);
}
END_TEST

START_TEST(unreadable_inputs_are_noinput)
{
	struct moe_error err = { 0 };

	ck_assert_ptr_null(source_open("/nonexistent/run.log.gz", &err));
	ck_assert_int_eq(err.status, EX_NOINPUT);
	ck_assert_str_eq(err.msg, "cannot open: No such file or directory");
	ck_assert_ptr_null(source_open("/tmp", &err));
	ck_assert_int_eq(err.status, EX_NOINPUT);
	ck_assert_str_eq(err.msg, "cannot read: is a directory");
}
END_TEST

Suite *source_suite(void)
{
	Suite *s = suite_create("source");
	TCase *tc = tcase_create("source");

	tcase_add_test(tc, plain_is_read_as_is);
	tcase_add_test(tc, gzip_members_are_one_stream);
	tcase_add_test(tc, gzip_is_told_by_magic_not_name);
	tcase_add_loop_test(tc, damaged_gzip_is_an_io_error, 0, sizeof damaged / sizeof *damaged);
	tcase_add_loop_test(tc, fuzz_findings_are_io_errors, 0, sizeof found / sizeof *found);
	tcase_add_loop_test(tc, inflating_here_changes_nothing, 0, 4);
	tcase_add_test(tc, empty_inputs_have_no_bytes);
	tcase_add_test(tc, unreadable_inputs_are_noinput);
	suite_add_tcase(s, tc);
	return s;
}
