/* check_mlog_avx512.c: the AVX-512 line reader against lines worked out by hand and against a plain reference reader of the same rules. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mlog_avx512.h"
#include "suites.h"
#include "testutil.h"

/* Every line is copied into a buffer with room for the 64-byte loads past it. */
#define ROOM 256

/* The rules of mlog_avx512_line, one byte at a time: the length it must
 * return, with *layer, ids and *k filled as it must fill them. */
static size_t reference_line(const char *s, size_t avail, unsigned experts, unsigned topk,
                             unsigned *layer, uint32_t *ids, size_t *k)
{
	size_t max = avail < 64 ? avail : 64, at = 0, n = 0;
	const char *nl = memchr(s, '\n', max);
	unsigned number[17];
	size_t count = 0;

	if (!nl)
		return 0;
	for (;;) {
		size_t digits = 0;
		unsigned v = 0;

		while (s[at] >= '0' && s[at] <= '9') {
			v = v * 10 + (unsigned)(s[at++] - '0');
			digits++;
		}
		if (digits == 0 || digits > 4 || count == 17)
			return 0;
		number[count++] = v;
		if (s + at == nl)
			break;
		if (s[at] != (count == 1 ? ' ' : ','))
			return 0;
		at++;
	}
	if (count < 2 || count > MLOG_AVX512_IDS + 1)
		return 0;
	n = count - 1;
	if (topk && n != topk)
		return 0;
	for (size_t i = 1; i < count; i++) {
		if (experts && number[i] >= experts)
			return 0;
		for (size_t j = 1; j < i; j++)
			if (number[j] == number[i])
				return 0;
	}
	*layer = number[0];
	for (size_t i = 0; i < n; i++)
		ids[i] = number[i + 1];
	*k = n;
	return (size_t)(nl - s) + 1;
}

/* Skips the test where the processor has no AVX-512 (noted on stderr). */
static bool usable(void)
{
	if (mlog_avx512_usable())
		return true;
	fprintf(stderr, "check_mlog_avx512: no AVX-512 here (or MOESTAT_SIMD=0): not tested\n");
	return false;
}

static const struct {
	const char *line;
	unsigned experts, topk;
	size_t len;             /* 0: not taken */
	unsigned layer;
	size_t k;
	uint32_t ids[15];
} cases[] = {
	{ "3 254,155,33,24,146,50,139,67\n", 256, 8, 30, 3, 8, { 254, 155, 33, 24, 146, 50, 139, 67 } },
	{ "0 7\n", 0, 0, 4, 0, 1, { 7 } },
	{ "9999 9999,0\n", 0, 0, 12, 9999, 2, { 9999, 0 } },
	{ "12 0007,10\n", 0, 0, 11, 12, 2, { 7, 10 } },
	{ "1 1,2,3,4,5,6,7,8,9,10,11,12,13,14,15\n", 0, 15, 38, 1, 15,
	  { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15 } },
	/* 63 bytes and the newline: the longest line it takes. */
	{ "1000 1000,1001,1002,1003,1004,1005,1006,1007,1008,1009,1010,111\n", 0, 0, 64, 1000, 12,
	  { 1000, 1001, 1002, 1003, 1004, 1005, 1006, 1007, 1008, 1009, 1010, 111 } },
	{ "1000 1000,1001,1002,1003,1004,1005,1006,1007,1008,1009,1010,1111\n", 0, 0, 0, 0, 0, { 0 } },
	{ "1 1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16\n", 0, 0, 0, 0, 0, { 0 } },
	{ "3 1,2\n", 2, 0, 0, 0, 0, { 0 } },             /* 2 is not below experts=2 */
	{ "3 1,2\n", 3, 0, 6, 3, 2, { 1, 2 } },
	{ "3 1,2\n", 0, 3, 0, 0, 0, { 0 } },             /* not topk=3 ids */
	{ "3 5,6,5\n", 0, 0, 0, 0, 0, { 0 } },           /* repeated */
	{ "3 5,6,7,8,9,10,11,12,13,14,15,16,17,18,5\n", 0, 0, 0, 0, 0, { 0 } },
	{ "3 12345\n", 0, 0, 0, 0, 0, { 0 } },           /* five digits */
	{ "12345 1\n", 0, 0, 0, 0, 0, { 0 } },
	{ "3  1\n", 0, 0, 0, 0, 0, { 0 } },
	{ "3\t1\n", 0, 0, 0, 0, 0, { 0 } },
	{ "3 1,,2\n", 0, 0, 0, 0, 0, { 0 } },
	{ "3 1,\n", 0, 0, 0, 0, 0, { 0 } },
	{ "3 ,1\n", 0, 0, 0, 0, 0, { 0 } },
	{ " 3 1\n", 0, 0, 0, 0, 0, { 0 } },
	{ "3 1 \n", 0, 0, 0, 0, 0, { 0 } },
	{ "3 1\r\n", 0, 0, 0, 0, 0, { 0 } },
	{ "3 1 2\n", 0, 0, 0, 0, 0, { 0 } },
	{ "3,1\n", 0, 0, 0, 0, 0, { 0 } },
	{ "3\n", 0, 0, 0, 0, 0, { 0 } },
	{ "\n", 0, 0, 0, 0, 0, { 0 } },
	{ "# 3 1\n", 0, 0, 0, 0, 0, { 0 } },
	{ "3 1", 0, 0, 0, 0, 0, { 0 } },                 /* no newline */
	{ "-3 1\n", 0, 0, 0, 0, 0, { 0 } },
	{ "3 +1\n", 0, 0, 0, 0, 0, { 0 } },
};

START_TEST(lines_worked_by_hand)
{
	char buf[ROOM];
	uint32_t ids[16];
	unsigned layer = 0;
	size_t k = 0, len = strlen(cases[_i].line);

	if (!usable())
		return;
	/* What follows the line in the buffer is a newline and digits, which it must not read. */
	memset(buf, '\n', sizeof buf);
	memcpy(buf, cases[_i].line, len);
	ck_assert_uint_eq(mlog_avx512_line(buf, len, cases[_i].experts, cases[_i].topk, &layer, ids, &k),
	                  cases[_i].len);
	if (!cases[_i].len)
		return;
	ck_assert_uint_eq(layer, cases[_i].layer);
	ck_assert_uint_eq(k, cases[_i].k);
	for (size_t i = 0; i < k; i++)
		ck_assert_uint_eq(ids[i], cases[_i].ids[i]);
}
END_TEST

/* A line of the common shape, or near it: random lengths of numbers (0 to 5
 * digits), counts of ids, separators, repeats and ends. */
static size_t random_line(uint64_t *state, char *out)
{
	static const char seps[] = " ,,,,,,,\t\r#-\0";
	uint64_t r = tu_random(state);
	size_t len = 0, numbers = 2 + tu_random(state) % (r % 4 ? 9 : 20);

	for (size_t i = 0; i < numbers; i++) {
		uint64_t q = tu_random(state);
		size_t digits = q % 61 == 0 ? 0 : q % 53 == 0 ? 5 : 1 + (q >> 8) % (q % 3 ? 3 : 4);

		if (i > 0) {
			uint64_t s = tu_random(state);

			out[len++] = s % 37 == 0 ? seps[(s >> 8) % (sizeof seps - 1)] : i == 1 ? ' ' : ',';
			if (s % 41 == 0)
				out[len++] = ',';
		}
		/* Now and then the id of the one before: a repeat. */
		if (i > 1 && q % 29 == 0) {
			size_t j = len - 2;

			while (j > 0 && out[j - 1] >= '0' && out[j - 1] <= '9')
				j--;
			while (out[j] >= '0' && out[j] <= '9')
				out[len++] = out[j++];
			continue;
		}
		for (size_t d = 0; d < digits; d++)
			out[len++] = (char)('0' + tu_random(state) % 10);
	}
	if (r % 43 != 0)
		out[len++] = '\n';
	return len;
}

/* 200,000 random lines, each read by both with limits drawn at random: the same answer. */
START_TEST(random_lines_as_the_reference_reads_them)
{
	uint64_t state = 5;
	size_t taken = 0;

	if (!usable())
		return;
	for (int n = 0; n < 200000; n++) {
		char buf[ROOM];
		uint32_t ids[16], want_ids[16];
		unsigned layer = 0, want_layer = 0;
		size_t k = 0, want_k = 0, len, avail;
		uint64_t r = tu_random(&state);
		unsigned experts = r % 3 == 0 ? 0 : 1 + (unsigned)(r >> 8) % 1200;
		unsigned topk = r % 5 == 0 ? 1 + (unsigned)(r >> 24) % 12 : 0;

		memset(buf, (int)(r >> 40) % 2 ? '\n' : '7', sizeof buf);
		len = random_line(&state, buf);
		avail = r % 7 == 0 ? (size_t)(r >> 32) % (len + 1) : len + (size_t)(r >> 32) % 80;

		size_t want = reference_line(buf, avail, experts, topk, &want_layer, want_ids, &want_k);
		size_t got = mlog_avx512_line(buf, avail, experts, topk, &layer, ids, &k);

		ck_assert_msg(got == want, "line %.*s (avail %zu, experts %u, topk %u): %zu, expected %zu",
		              (int)len, buf, avail, experts, topk, got, want);
		if (!want)
			continue;
		taken++;
		ck_assert_uint_eq(layer, want_layer);
		ck_assert_uint_eq(k, want_k);
		ck_assert_int_eq(memcmp(ids, want_ids, k * sizeof *ids), 0);
	}
	/* Both answers come up often. */
	ck_assert_uint_gt(taken, 40000);
	ck_assert_uint_lt(taken, 160000);
}
END_TEST

/* A text of random lines read in runs from every place the last one stopped
 * at: the records the reference reads line after line, up to the first line
 * it does not take (or the end of the window, or MOE_RUN records). */
START_TEST(runs_as_the_reference_reads_them)
{
	const size_t cap = 4u << 20;
	char *text = malloc(cap + ROOM);
	struct moe_run *run = malloc(sizeof *run);
	struct moe_limits lim = { 300, 0 };
	uint64_t state = 17;
	size_t len = 0, lines = 0, records = 0;

	ck_assert_ptr_nonnull(text);
	ck_assert_ptr_nonnull(run);
	if (!usable()) {
		free(text);
		free(run);
		return;
	}
	while (len < cap - ROOM) {
		size_t n = random_line(&state, text + len);

		/* Mostly lines it takes: runs of some length. */
		if (tu_random(&state) % 8 != 0 && !reference_line(text + len, n, lim.experts, 0, &(unsigned){ 0 },
		                                                   (uint32_t[16]){ 0 }, &(size_t){ 0 }))
			continue;
		len += n;
		lines++;
	}
	memset(text + len, '\n', ROOM);
	for (const char *s = text; s < text + len;) {
		const char *end = text + len, *stop, *at = s;
		size_t n;

		if (tu_random(&state) % 5 == 0)
			end = s + tu_random(&state) % (size_t)(text + len - s + 1);
		run->start[0] = 0;
		n = mlog_avx512_run(s, end, &lim, run, 0, &stop);
		ck_assert_uint_le(n, MOE_RUN);
		for (size_t i = 0; i < n; i++) {
			uint32_t ids[16];
			unsigned layer;
			size_t k, l = reference_line(at, (size_t)(end - at), lim.experts, 0, &layer, ids, &k);

			ck_assert_uint_gt(l, 0);
			ck_assert_uint_eq(run->layer[i], layer);
			ck_assert_uint_eq(run->start[i + 1] - run->start[i], k);
			ck_assert_int_eq(memcmp(run->ids + run->start[i], ids, k * sizeof *ids), 0);
			at += l;
		}
		ck_assert_ptr_eq(stop, at);
		records += n;
		/* Where it stopped, the reference takes no line either, unless the run was full. */
		if (n < MOE_RUN) {
			uint32_t ids[16];
			unsigned layer;
			size_t k;

			ck_assert_uint_eq(reference_line(at, (size_t)(end - at), lim.experts, 0, &layer, ids, &k), 0);
		}
		/* Past a line it does not take, as window_line would. */
		if (n) {
			s = stop;
		} else {
			const char *nl = memchr(at, '\n', (size_t)(text + len - at));

			if (!nl)
				break;
			s = nl + 1;
		}
	}
	ck_assert_uint_gt(records, lines / 2);
	free(text);
	free(run);
}
END_TEST

/* A run takes lines of up to 63 bytes and their newline, and stops at the
 * first longer one, however the rest would read. */
START_TEST(runs_stop_at_a_line_of_64_bytes)
{
	static const char text[] = "3 1,2\n"
	                           "1000 1000,1001,1002,1003,1004,1005,1006,1007,1008,1009,1010,111\n"
	                           "1000 1000,1001,1002,1003,1004,1005,1006,1007,1008,1009,1010,1111\n"
	                           "4 5\n";
	char buf[sizeof text + ROOM];
	struct moe_run *run = malloc(sizeof *run);
	struct moe_limits lim = { 0, 0 };
	const char *stop;

	ck_assert_ptr_nonnull(run);
	if (!usable()) {
		free(run);
		return;
	}
	memset(buf, '\n', sizeof buf);
	memcpy(buf, text, sizeof text - 1);
	run->start[0] = 0;
	ck_assert_uint_eq(mlog_avx512_run(buf, buf + sizeof text - 1, &lim, run, 0, &stop), 2);
	ck_assert_ptr_eq(stop, buf + 6 + 64);
	ck_assert_uint_eq(run->layer[1], 1000);
	ck_assert_uint_eq(run->start[2] - run->start[1], 12);
	ck_assert_uint_eq(run->ids[run->start[2] - 1], 111);
	free(run);
}
END_TEST

Suite *mlog_avx512_suite(void)
{
	Suite *s = suite_create("mlog_avx512");
	TCase *tc = tcase_create("mlog_avx512");

	/* Under AddressSanitizer and UBSan (make check-sanitize) the random runs
	 * take 3 to 4 s on a quiet 2-core machine, Check's default limit, and
	 * timed out on a busy one. */
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, lines_worked_by_hand, 0, sizeof cases / sizeof *cases);
	tcase_add_test(tc, random_lines_as_the_reference_reads_them);
	tcase_add_test(tc, runs_as_the_reference_reads_them);
	tcase_add_test(tc, runs_stop_at_a_line_of_64_bytes);
	suite_add_tcase(s, tc);
	return s;
}
