/* check_fields.c: the strict number syntax shared by the parsers. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fields.h"
#include "suites.h"
#include "testutil.h"

static const struct {
	const char *text;
	int rc;
	uint32_t value;
	const char *why;
} ids[] = {
	{ "0", 0, 0, NULL },
	{ "7", 0, 7, NULL },
	{ "65535", 0, 65535, NULL },
	{ "007", 0, 7, NULL },
	{ "65536", -1, 0, "above the limit of 65535" },
	{ "2147483648", -1, 0, "above the limit of 65535" },
	{ "99999999999999999999999", -1, 0, "number too large" },
	{ "", -1, 0, "empty number" },
	{ "-1", -1, 0, "not a non-negative integer" },
	{ "+3", -1, 0, "not a non-negative integer" },
	{ "3.0", -1, 0, "not a non-negative integer" },
	{ " 3", -1, 0, "not a non-negative integer" },
	{ "0x10", -1, 0, "not a non-negative integer" },
};

START_TEST(expert_ids)
{
	const char *why = NULL;
	uint32_t v = 12345;

	ck_assert_int_eq(field_expert(ids[_i].text, strlen(ids[_i].text), &v, &why), ids[_i].rc);
	if (ids[_i].rc == 0)
		ck_assert_uint_eq(v, ids[_i].value);
	else
		ck_assert_str_eq(why, ids[_i].why);
}
END_TEST

static const struct {
	const char *text;
	int rc;
	double value;
} decimals[] = {
	{ "0.25", 0, 0.25 },
	{ "-1.5", 0, -1.5 },
	{ "+2", 0, 2.0 },
	{ "1e-3", 0, 0.001 },
	{ "3.", 0, 3.0 },
	{ ".5", 0, 0.5 },
	{ "-0.000", 0, -0.0 },
	{ "1234567890.12345", 0, 1234567890.12345 },
	{ "0.1234567890123456789", 0, 0.1234567890123456789 },
	{ ".", -1, 0 },
	{ "-", -1, 0 },
	{ "1.2.", -1, 0 },
	{ "nan", -1, 0 },
	{ "inf", -1, 0 },
	{ "-Infinity", -1, 0 },
	{ "0x1p3", -1, 0 },
	{ "1e999", -1, 0 },
	{ "1.2.3", -1, 0 },
	{ "", -1, 0 },
	{ "e", -1, 0 },
};

START_TEST(decimal_numbers)
{
	const char *why = NULL;
	double v = -7;

	ck_assert_int_eq(field_double(decimals[_i].text, strlen(decimals[_i].text), &v, &why),
	                 decimals[_i].rc);
	if (decimals[_i].rc == 0)
		ck_assert_double_eq(v, decimals[_i].value);
	else
		ck_assert_ptr_nonnull(why);
}
END_TEST

/* The fast decimal path gives strtod's double, bit for bit, on every form it takes. */
START_TEST(decimals_equal_strtod)
{
	uint64_t x = 88172645463325252u;

	for (int i = 0; i < 200000; i++) {
		char text[40];
		double fast, slow;
		const char *why = NULL;
		int n;

		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		/* 3-decimal logits, then up to 15 digits with the point anywhere. */
		if (i % 2)
			n = snprintf(text, sizeof text, "%s%llu.%03llu", x & 1 ? "-" : "",
			             (unsigned long long)(x >> 1) % 100, (unsigned long long)(x >> 9) % 1000);
		else
			n = snprintf(text, sizeof text, "%.*f", (int)(x % 16),
			             (double)(x >> 20) / 1e9 * (x & 2 ? -1 : 1));
		ck_assert_int_eq(field_double(text, (size_t)n, &fast, &why), 0);
		slow = strtod(text, NULL);
		ck_assert_msg(memcmp(&fast, &slow, sizeof fast) == 0, "%s: %.17g against strtod's %.17g",
		              text, fast, slow);
	}
}
END_TEST

START_TEST(layers_have_a_limit)
{
	const char *why = NULL;
	unsigned v;

	ck_assert_int_eq(field_layer("65535", 5, &v, &why), 0);
	ck_assert_uint_eq(v, 65535);
	ck_assert_int_eq(field_layer("65536", 5, &v, &why), -1);
	ck_assert_str_eq(why, "above the limit of 65535");
}
END_TEST

START_TEST(lists_stop_at_the_limit)
{
	struct field_lists l = { 0 };
	const char *why = NULL;

	for (uint32_t i = 0; i < MOE_MAX_EXPERTS; i++)
		ck_assert_int_eq(field_push_expert(&l, i, &why), 0);
	ck_assert_int_eq(field_push_expert(&l, 0, &why), -1);
	ck_assert_str_eq(why, "list longer than the limit of 65536 items");
	ck_assert_uint_eq(l.nexperts, MOE_MAX_EXPERTS);
	ck_assert_uint_eq(l.experts[MOE_MAX_EXPERTS - 1], MOE_MAX_EXPERTS - 1);
	field_lists_clear(&l);
	ck_assert_uint_eq(l.nexperts, 0);
	field_lists_free(&l);
}
END_TEST

START_TEST(byte_masks_agree_with_a_byte_loop)
{
	uint64_t state = 42;
	char bytes[64];

	for (int round = 0; round < 20000; round++) {
		struct field_masks expected = { 0, 0 }, swar, sse;

		for (unsigned i = 0; i < 64; i++) {
			uint64_t r = tu_random(&state);
			/* Mostly digits and separators, and every byte value now and then. */
			bytes[i] = (char)(r % 5 == 0 ? (int)(r >> 8 & 0xff) : r % 5 == 1 ? ',' :
			                  r % 5 == 2 ? '\n' : '0' + (int)(r >> 8) % 10);
			if (!(bytes[i] >= '0' && bytes[i] <= '9'))
				expected.nondigit |= 1ull << i;
			if (bytes[i] == '\n')
				expected.newline |= 1ull << i;
		}
		swar = field_masks64_swar(bytes);
		sse = field_masks64(bytes);
		ck_assert_uint_eq(swar.nondigit, expected.nondigit);
		ck_assert_uint_eq(swar.newline, expected.newline);
		ck_assert_uint_eq(sse.nondigit, expected.nondigit);
		ck_assert_uint_eq(sse.newline, expected.newline);
	}
}
END_TEST

START_TEST(digit_values_agree_with_strtoul)
{
	uint64_t state = 7;
	char text[16];

	/* Every value of 1 to 4 digits, with every number of leading zeros, and
	 * whatever follows the digits. */
	for (unsigned v = 0; v < 10000; v++)
		for (unsigned n = 1; n <= 4; n++) {
			if (snprintf(text, sizeof text, "%0*u", (int)n, v) != (int)n)
				continue;
			memcpy(text + n, ",\xff" "9\x80", 4);
			ck_assert_uint_eq(field_digits4_value(text, n), v);
			ck_assert_uint_eq(field_digits_value(text, n), v);
		}
	for (int round = 0; round < 100000; round++) {
		uint64_t r = tu_random(&state);
		unsigned n = 1 + (unsigned)(r % 8);

		for (unsigned i = 0; i < n; i++)
			text[i] = (char)('0' + (r >> (8 + 3 * i)) % 10);
		text[n] = (char)(r >> 56);
		if (text[n] >= '0' && text[n] <= '9')
			text[n] = ' ';
		text[n + 1] = '\0';
		ck_assert_uint_eq(field_digits_value(text, n), strtoul(text, NULL, 10));
	}
}
END_TEST

/* Lists of random decimals of every length and form field_decimals takes
 * ("-12.5", "+3", "7.", ".25"), each value against strtod's, bit for bit; and
 * a 16th digit, which it leaves to field_double. */
START_TEST(decimal_lists_equal_strtod)
{
	uint64_t state = 11;
	char text[512 + 64];
	double got[32];

	for (int round = 0; round < 20000; round++) {
		size_t len = 0, count = 1 + tu_random(&state) % 20, n;
		bool too_long = false;
		const char *end;

		for (size_t i = 0; i < count; i++) {
			uint64_t r = tu_random(&state);
			unsigned whole = (unsigned)(r % 10), frac = (unsigned)(r >> 8) % 10;
			bool point = (r >> 16) % 4 != 0;

			if (whole + (point ? frac : 0) == 0)
				whole = 1;
			too_long |= whole + (point ? frac : 0) > 15;
			if (i)
				text[len++] = ',';
			if ((r >> 20) % 3 == 0)
				text[len++] = (r >> 22) % 2 ? '-' : '+';
			for (unsigned j = 0; j < whole; j++)
				text[len++] = (char)('0' + tu_random(&state) % 10);
			if (point) {
				text[len++] = '.';
				for (unsigned j = 0; j < frac; j++)
					text[len++] = (char)('0' + tu_random(&state) % 10);
			}
		}
		memset(text + len, 0, 64);
		end = field_decimals(text, got, 32, &n);
		if (too_long) {
			ck_assert_ptr_null(end);
			continue;
		}
		ck_assert_ptr_eq(end, text + len);
		ck_assert_uint_eq(n, count);
		for (const char *s = text; n-- > 0; s++) {
			char *stop;
			double want = strtod(s, &stop);

			ck_assert_msg(memcmp(&got[count - 1 - n], &want, sizeof want) == 0,
			              "%.30s: %.17g, strtod %.17g", s, got[count - 1 - n], want);
			s = stop;
		}
	}
}
END_TEST

Suite *fields_suite(void)
{
	Suite *s = suite_create("fields");
	TCase *tc = tcase_create("fields");

	tcase_add_loop_test(tc, expert_ids, 0, sizeof ids / sizeof *ids);
	tcase_add_loop_test(tc, decimal_numbers, 0, sizeof decimals / sizeof *decimals);
	tcase_add_test(tc, layers_have_a_limit);
	tcase_add_test(tc, decimals_equal_strtod);
	tcase_add_test(tc, lists_stop_at_the_limit);
	tcase_add_test(tc, byte_masks_agree_with_a_byte_loop);
	tcase_add_test(tc, digit_values_agree_with_strtoul);
	tcase_add_test(tc, decimal_lists_equal_strtod);
	suite_add_tcase(s, tc);
	return s;
}
