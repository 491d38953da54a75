/* check_jsonw.c: the JSON writer against jansson's compact dump of the same values, and against strings worked out by hand. */
#include <float.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonw.h"
#include "suites.h"
#include "testutil.h"

/* What w wrote into a memory stream, without the final newline (malloc'd). */
struct written {
	FILE *fp;
	char *text;
	size_t len;
};

static void start(struct written *out, struct jsonw *w)
{
	out->fp = open_memstream(&out->text, &out->len);
	ck_assert_ptr_nonnull(out->fp);
	jsonw_init(w, out->fp);
}

static char *end(struct written *out, struct jsonw *w)
{
	ck_assert_int_eq(jsonw_finish(w), 0);
	ck_assert_int_eq(fclose(out->fp), 0);
	ck_assert_uint_gt(out->len, 0);
	ck_assert_int_eq(out->text[out->len - 1], '\n');
	out->text[out->len - 1] = '\0';
	return out->text;
}

static char *jansson_text(json_t *doc)
{
	char *text = json_dumps(doc, JSON_COMPACT | JSON_REAL_PRECISION(17) | JSON_ENCODE_ANY);

	ck_assert_ptr_nonnull(text);
	json_decref(doc);
	return text;
}

/* got is want; else the first place where they part, not the megabytes of both. */
static void same_text(const char *got, const char *want)
{
	size_t i = 0;

	while (got[i] && got[i] == want[i])
		i++;
	ck_assert_msg(got[i] == want[i], "at byte %zu: %.60s, jansson: %.60s", i, got + (i > 30 ? i - 30 : 0),
	              want + (i > 30 ? i - 30 : 0));
}

/* Doubles of every kind: integers, tiny and huge, halfway cases, random bits. */
static double random_double(uint64_t *state)
{
	uint64_t r = tu_random(state);
	double x;

	switch (r % 8) {
	case 0:
		return (double)(int64_t)(tu_random(state) % 2000001) - 1000000;
	case 1:
		return (double)(tu_random(state) % 100000) / 1000;
	case 2:
		return ldexp((double)(tu_random(state) >> 11), (int)(tu_random(state) % 200) - 260);
	case 3:
		return ldexp((double)(tu_random(state) >> 11), (int)(tu_random(state) % 200) + 10);
	case 4:
		return 1.0 / (double)(1 + tu_random(state) % 1000);
	default:
		do {
			uint64_t bits = tu_random(state);

			memcpy(&x, &bits, sizeof x);
		} while (!isfinite(x));
		return x;
	}
}

/* 100,000 doubles, one array, written both ways. */
START_TEST(reals_as_jansson_writes_them)
{
	static const double fixed[] = { 0.0, -0.0, 1.0, -1.0, 0.1, 1e-5, 1e-4, 1e16, 1e17, 1e21, 123456789012345678.0,
	                                DBL_MIN, DBL_MAX, DBL_TRUE_MIN, 4.8743961352657008, 0.5, 1.0 / 3 };
	json_t *doc = json_array();
	struct written out;
	struct jsonw w;
	uint64_t state = 3;
	char *want;

	start(&out, &w);
	jsonw_array(&w, NULL);
	for (size_t i = 0; i < sizeof fixed / sizeof *fixed + 100000; i++) {
		double x = i < sizeof fixed / sizeof *fixed ? fixed[i] : random_double(&state);

		jsonw_real(&w, NULL, x);
		json_array_append_new(doc, json_real(x));
	}
	jsonw_end(&w);
	want = jansson_text(doc);
	same_text(end(&out, &w), want);
	free(want);
	free(out.text);
}
END_TEST

/* The reals that printf's rounding turns on, as jsonw works them out in
 * integers: ties (an odd multiple of 2^-n has exactly n decimals, so many of
 * these stop at the 18th significant digit, on a 5), the neighbours of each
 * power of ten (where the exponent moves, or 9.99... rounds up to 10), the
 * shares and ratios of counts that summarize writes, and past both ends of
 * the range worked out in integers (10^-16 to 10^44, printf's beyond), all
 * as jansson writes them. */
START_TEST(reals_where_rounding_turns_as_jansson_writes_them)
{
	json_t *doc = json_array();
	struct written out;
	struct jsonw w;
	uint64_t state = 11;
	char *want;
	size_t n = 0;

	start(&out, &w);
	jsonw_array(&w, NULL);
#define BOTH(v) do { double v_ = (v); jsonw_real(&w, NULL, v_); json_array_append_new(doc, json_real(v_)); n++; } while (0)
	for (int bits = 1; bits <= 62; bits++)
		for (int i = 0; i < 400; i++) {
			uint64_t odd = (tu_random(&state) >> (64 - (bits < 53 ? bits : 53))) | 1;

			BOTH(ldexp((double)odd, -(int)(tu_random(&state) % 70)));
			BOTH(-ldexp((double)odd, (int)(tu_random(&state) % 20)));
		}
	for (int k = -50; k <= 50; k++) {
		double p = pow(10, k), below = p, above = p;

		BOTH(p);
		for (int i = 0; i < 40; i++) {
			below = nextafter(below, 0);
			above = nextafter(above, INFINITY);
			BOTH(below);
			BOTH(above);
		}
		BOTH(9.5 * p);
		BOTH(0.99999999999999999 * p);
	}
	for (int i = 0; i < 200000; i++) {
		uint64_t selections = 1 + tu_random(&state) % ((uint64_t)1 << (1 + i % 40));
		uint64_t count = tu_random(&state) % (selections + 1);

		BOTH((double)count / (double)selections);
		BOTH((double)count * 256 / (double)selections);
	}
#undef BOTH
	jsonw_end(&w);
	want = jansson_text(doc);
	same_text(end(&out, &w), want);
	ck_assert_uint_gt(n, 400000);
	free(want);
	free(out.text);
}
END_TEST

/* Every byte from 1 to 127 and valid UTF-8 of every length, in strings and keys. */
START_TEST(text_as_jansson_writes_it)
{
	json_t *doc = json_object();
	struct written out;
	struct jsonw w;
	char ascii[128], key[8], *want;

	for (int i = 1; i < 128; i++)
		ascii[i - 1] = (char)i;
	ascii[127] = '\0';
	start(&out, &w);
	jsonw_object(&w, NULL);
	jsonw_string(&w, "ascii", ascii);
	json_object_set_new(doc, "ascii", json_string(ascii));
	jsonw_string(&w, "utf-8", "\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 \xed\x9f\xbf \xf4\x8f\xbf\xbf");
	json_object_set_new(doc, "utf-8", json_string("\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 \xed\x9f\xbf \xf4\x8f\xbf\xbf"));
	for (int i = 1; i < 40; i++) {
		snprintf(key, sizeof key, "k%c", i);
		jsonw_uint(&w, key, (uint64_t)i);
		json_object_set_new(doc, key, json_integer(i));
	}
	jsonw_end(&w);
	want = jansson_text(doc);
	ck_assert_str_eq(end(&out, &w), want);
	free(want);
	free(out.text);
}
END_TEST

/* Bytes that are not UTF-8, which jansson refuses, each as U+FFFD. */
static const struct {
	const char *in, *out;
} invalid[] = {
	{ "a\xff" "b", "\"a\xef\xbf\xbd" "b\"" },
	{ "\xc0\xaf", "\"\xef\xbf\xbd\xef\xbf\xbd\"" },                 /* overlong '/' */
	{ "\xe0\x80\xaf", "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"" }, /* overlong, 3 bytes */
	{ "\xed\xa0\x80", "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"" }, /* a surrogate */
	{ "\xf4\x90\x80\x80", "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"" }, /* past U+10FFFF */
	{ "\xc3", "\"\xef\xbf\xbd\"" },                                 /* cut short at the end */
	{ "\xe2\x82x", "\"\xef\xbf\xbd\xef\xbf\xbdx\"" },
	{ "\x80", "\"\xef\xbf\xbd\"" },
};

START_TEST(invalid_utf8_as_replacement_characters)
{
	struct written out;
	struct jsonw w;

	start(&out, &w);
	jsonw_string(&w, NULL, invalid[_i].in);
	ck_assert_str_eq(end(&out, &w), invalid[_i].out);
	free(out.text);
}
END_TEST

/* Nesting, every kind of value, a long string past the buffer: one document both ways. */
START_TEST(documents_as_jansson_writes_them)
{
	json_t *doc = json_object(), *list = json_array(), *inner = json_object();
	size_t big = 100000;
	char *long_text = malloc(big + 1), *want;
	struct written out;
	struct jsonw w;

	ck_assert_ptr_nonnull(long_text);
	for (size_t i = 0; i < big; i++)
		long_text[i] = (char)('a' + i % 26);
	long_text[big] = '\0';
	start(&out, &w);
	jsonw_object(&w, NULL);
	jsonw_string(&w, "moestat", "1");
	jsonw_null(&w, "none");
	jsonw_bool(&w, "yes", true);
	jsonw_bool(&w, "no", false);
	jsonw_int(&w, "min", INT64_MIN);
	jsonw_uint(&w, "max", INT64_MAX);
	jsonw_string(&w, "null", NULL);
	jsonw_real(&w, "nan", NAN);
	jsonw_array(&w, "list");
	jsonw_object(&w, NULL);
	jsonw_end(&w);
	jsonw_array(&w, NULL);
	jsonw_end(&w);
	jsonw_object(&w, NULL);
	jsonw_string(&w, "long", long_text);
	jsonw_end(&w);
	jsonw_end(&w);
	jsonw_end(&w);
	json_object_set_new(doc, "moestat", json_string("1"));
	json_object_set_new(doc, "none", json_null());
	json_object_set_new(doc, "yes", json_true());
	json_object_set_new(doc, "no", json_false());
	json_object_set_new(doc, "min", json_integer(INT64_MIN));
	json_object_set_new(doc, "max", json_integer(INT64_MAX));
	json_object_set_new(doc, "null", json_null());
	json_object_set_new(doc, "nan", json_null());
	json_array_append_new(list, json_object());
	json_array_append_new(list, json_array());
	json_object_set_new(inner, "long", json_string(long_text));
	json_array_append_new(list, inner);
	json_object_set_new(doc, "list", list);
	want = jansson_text(doc);
	ck_assert_str_eq(end(&out, &w), want);
	free(want);
	free(out.text);
	free(long_text);
}
END_TEST

/* A document not well nested is the caller's bug: jsonw_finish says so. */
START_TEST(bad_nesting_is_told)
{
	struct written out;
	struct jsonw w;

	start(&out, &w);
	jsonw_object(&w, NULL);
	ck_assert_int_eq(jsonw_finish(&w), -1);
	fclose(out.fp);
	free(out.text);
	start(&out, &w);
	jsonw_end(&w);
	ck_assert_int_eq(jsonw_finish(&w), -1);
	fclose(out.fp);
	free(out.text);
	start(&out, &w);
	for (int i = 0; i <= JSONW_DEPTH; i++)
		jsonw_array(&w, NULL);
	for (int i = 0; i <= JSONW_DEPTH; i++)
		jsonw_end(&w);
	ck_assert_int_eq(jsonw_finish(&w), -1);
	fclose(out.fp);
	free(out.text);
}
END_TEST

Suite *jsonw_suite(void)
{
	Suite *s = suite_create("jsonw");
	TCase *tc = tcase_create("jsonw");

	tcase_add_test(tc, reals_as_jansson_writes_them);
	tcase_add_test(tc, reals_where_rounding_turns_as_jansson_writes_them);
	tcase_add_test(tc, text_as_jansson_writes_it);
	tcase_add_loop_test(tc, invalid_utf8_as_replacement_characters, 0, sizeof invalid / sizeof *invalid);
	tcase_add_test(tc, documents_as_jansson_writes_them);
	tcase_add_test(tc, bad_nesting_is_told);
	suite_add_tcase(s, tc);
	return s;
}
