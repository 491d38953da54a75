/* check_mlog.c: the mlog parser: header, fields, #domain, headerless guesses, every error. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "suites.h"
#include "testutil.h"

START_TEST(header_and_all_fields)
{
	struct tu_parse t;
	struct moe_record rec;
	static const unsigned first[] = { 2, 0 }, second[] = { 1, 2 };

	tu_parse_open(&t, &mlog_parser,
	              "#moestat v1 experts=3 topk=2 score=sigmoid fields=token,layer,experts,weights,logits model=tiny\n"
	              "# a comment\n"
	              "\n"
	              "5 1 2,0 0.75,0.25 1.5,-2,3e-1\n"
	              "#domain code\r\n"
	              "6\t0   1,2 0.5,0.5 0,0,0\n", NULL);
	ck_assert_int_eq(tu_parse_next(&t, &rec), PARSE_HEADER);
	ck_assert_uint_eq(t.header.experts, 3);
	ck_assert_uint_eq(t.header.topk, 2);
	ck_assert_str_eq(t.header.score, "sigmoid");
	ck_assert_str_eq(t.header.model, "tiny");
	ck_assert_int_eq(tu_parse_next(&t, &rec), PARSE_RECORD);
	ck_assert_uint_eq(rec.layer, 1);
	ck_assert_int_eq(rec.token, 5);
	ck_assert_int_eq(rec.domain, -1);
	tu_assert_experts(&rec, first, 2);
	ck_assert_uint_eq(rec.nweights, 2);
	ck_assert_double_eq(rec.weights[0], 0.75);
	ck_assert_double_eq(rec.weights[1], 0.25);
	ck_assert_uint_eq(rec.nlogits, 3);
	ck_assert_double_eq(rec.logits[0], 1.5);
	ck_assert_double_eq(rec.logits[1], -2.0);
	ck_assert_double_eq(rec.logits[2], 0.3);
	ck_assert_int_eq(tu_parse_next(&t, &rec), PARSE_RECORD);
	ck_assert_uint_eq(rec.layer, 0);
	ck_assert_int_eq(rec.token, 6);
	tu_assert_experts(&rec, second, 2);
	ck_assert_int_eq(rec.domain, 0);
	ck_assert_str_eq(domains_name(t.domains, rec.domain), "code");
	ck_assert_int_eq(tu_parse_next(&t, &rec), PARSE_END);
	tu_parse_close(&t);
}
END_TEST

START_TEST(headerless_one_column_is_layer_zero)
{
	struct tu_parse t;
	struct moe_record rec;
	static const unsigned ids[] = { 3, 7 };

	tu_parse_open(&t, &mlog_parser, "3,7\n", NULL);
	ck_assert_int_eq(tu_parse_next(&t, &rec), PARSE_RECORD);
	ck_assert_uint_eq(rec.layer, 0);
	ck_assert_int_eq(rec.token, -1);
	ck_assert_ptr_null(rec.weights);
	ck_assert_ptr_null(rec.logits);
	tu_assert_experts(&rec, ids, 2);
	ck_assert_int_eq(tu_parse_next(&t, &rec), PARSE_END);
	tu_parse_close(&t);
}
END_TEST

START_TEST(headerless_two_columns_are_layer_and_experts)
{
	struct tu_parse t;
	struct moe_record rec;
	static const unsigned ids[] = { 5 };

	tu_parse_open(&t, &mlog_parser, "12 5\n", NULL);
	ck_assert_int_eq(tu_parse_next(&t, &rec), PARSE_RECORD);
	ck_assert_uint_eq(rec.layer, 12);
	tu_assert_experts(&rec, ids, 1);
	tu_parse_close(&t);
}
END_TEST

/* A bad line between two good ones: the parser must go on after PARSE_BAD. */
static const struct {
	const char *line;
	size_t len;             /* of line, which may hold a NUL */
	const char *message;
} bad_lines[] = {
	{ "0 3,,7", 6, "empty item in the experts list" },
	{ "0 3,7,", 6, "empty item in the experts list" },
	{ "0 ,3", 4, "empty item in the experts list" },
	{ "0 -1,3", 6, "bad experts item '-1': not a non-negative integer" },
	{ "0 +3,4", 6, "bad experts item '+3': not a non-negative integer" },
	{ "0 3.0,4", 7, "bad experts item '3.0': not a non-negative integer" },
	{ "0 2147483648", 12, "bad experts item '2147483648': above the limit of 65535" },
	{ "x 3,4", 5, "bad layer 'x': not a non-negative integer" },
	{ "70000 3,4", 9, "bad layer '70000': above the limit of 65535" },
	{ "0 3,4 9", 7, "expected 2 columns, found 3" },
	{ "0", 1, "expected 2 columns, found 1" },
	{ "0 3\0004", 5, "NUL byte in line" },
	{ "0,3,4", 5, "expected 2 columns, found 1" },
	{ "0 3 4", 5, "expected 2 columns, found 3" },
	{ "0 3;4", 5, "bad experts item '3;4': not a non-negative integer" },
	{ "0  3,4", 6, NULL },          /* two spaces: read, by the slower paths */
};

START_TEST(bad_records_are_skippable)
{
	static const unsigned ids[] = { 1, 2 };
	struct tu_parse t;
	struct moe_record rec;
	char text[128];
	size_t len = 0;

	memcpy(text, "0 1,2\n", 6);
	len += 6;
	memcpy(text + len, bad_lines[_i].line, bad_lines[_i].len);
	len += bad_lines[_i].len;
	memcpy(text + len, "\n0 1,2\n", 7);
	len += 7;
	tu_parse_open_bytes(&t, &mlog_parser, text, len, NULL);
	ck_assert_int_eq(tu_parse_next(&t, &rec), PARSE_RECORD);
	if (bad_lines[_i].message) {
		ck_assert_int_eq(tu_parse_next(&t, &rec), PARSE_BAD);
		ck_assert_str_eq(t.err.msg, bad_lines[_i].message);
		ck_assert_int_eq(t.err.line, 2);
		ck_assert_int_eq(t.err.status, EX_DATAERR);
	} else {
		static const unsigned good[] = { 3, 4 };

		ck_assert_int_eq(tu_parse_next(&t, &rec), PARSE_RECORD);
		tu_assert_experts(&rec, good, 2);
	}
	ck_assert_int_eq(tu_parse_next(&t, &rec), PARSE_RECORD);
	tu_assert_experts(&rec, ids, 2);
	ck_assert_int_eq(tu_parse_next(&t, &rec), PARSE_END);
	tu_parse_close(&t);
}
END_TEST

static const struct {
	const char *text;
	const char *message;
} fatal[] = {
	{ "#moestat v2 experts=8\n", "header: unsupported version 'v2' (expected v1)" },
	{ "#moestat v1 experts=0\n", "header: experts=0 is not a whole number from 1 to 65536" },
	{ "#moestat v1 experts=65537\n", "header: experts=65537 is not a whole number from 1 to 65536" },
	{ "#moestat v1 topk=two\n", "header: topk=two is not a whole number from 1 to 65536" },
	{ "#moestat v1 experts=4 topk=8\n", "header: topk=8 is more than experts=4" },
	{ "#moestat v1 score=relu\n", "header: score=relu is neither softmax nor sigmoid" },
	{ "#moestat v1 fields=layer,experts,gates\n", "header: unknown field 'gates' in fields=layer,experts,gates" },
	{ "#moestat v1 fields=layer,layer,experts\n", "header: field 'layer' named twice in fields=layer,layer,experts" },
	{ "#moestat v1 fields=layer,weights\n", "header: fields=layer,weights has no 'experts'" },
	{ "#moestat v1 fields=layer,domain,experts\n", "header: unknown field 'domain' in fields=layer,domain,experts" },
	{ "#moestat v1 experts\n", "header: 'experts' is not key=value" },
	{ "#domain\n", "#domain without a name" },
	{ "#domain two words\n", "#domain name contains white space" },
	{ "1 2,3 4\n", "3 columns and no '#moestat' header to name them" },
};

START_TEST(fatal_lines)
{
	struct tu_parse t;
	struct moe_record rec;

	tu_parse_open(&t, &mlog_parser, fatal[_i].text, NULL);
	ck_assert_int_eq(tu_parse_next(&t, &rec), PARSE_FATAL);
	ck_assert_str_eq(t.err.msg, fatal[_i].message);
	ck_assert_int_eq(t.err.line, 1);
	tu_parse_close(&t);
}
END_TEST

START_TEST(unknown_header_keys_are_passed_over)
{
	struct tu_parse t;
	struct moe_record rec;

	tu_parse_open(&t, &mlog_parser, "#moestat v1 experts=8 future=yes\n1 2,3\n", NULL);
	ck_assert_int_eq(tu_parse_next(&t, &rec), PARSE_HEADER);
	ck_assert_uint_eq(t.header.experts, 8);
	ck_assert_uint_eq(t.header.topk, 0);
	ck_assert_int_eq(tu_parse_next(&t, &rec), PARSE_RECORD);
	ck_assert_uint_eq(rec.layer, 1);
	tu_parse_close(&t);
}
END_TEST

/* What a line of the generated log must read as. */
struct expected_line {
	int kind;               /* PARSE_RECORD, PARSE_BAD, or 0: no record */
	unsigned layer;
	int64_t token;
	int domain;
	size_t k;
	unsigned ids[12];
};

#define GENERATED_LINES 30000

/* A number of 1 to 5 digits, mostly short, as ids are. */
static unsigned random_id(uint64_t *state)
{
	static const unsigned limit[] = { 10, 100, 1000, 10000, 65536 };
	uint64_t r = tu_random(state);

	return (unsigned)(r >> 8) % limit[r % 8 < 5 ? r % 8 % 3 : 3 + r % 2];
}

/* Several buffers' worth of records (the line reader holds 256 KiB), written
 * with every spelling the format allows and a few it does not, each line's
 * meaning noted as it is written; the parser must read them back, whichever of
 * its paths takes each line and wherever the buffer ends; with the AVX-512
 * line reader where it runs (mlog_avx512.h), and without. */
START_TEST(generated_records_read_back)
{
	static struct expected_line want[GENERATED_LINES];
	const bool token = _i & 1;
	size_t cap = (size_t)GENERATED_LINES * 100, len = 0;
	char *text = malloc(cap);
	uint64_t state = 2024 + (uint64_t)_i;
	int domain = -1, ndomains = 0;
	struct tu_parse t;
	struct moe_record rec;

	ck_assert_ptr_nonnull(text);
	len += (size_t)sprintf(text, "#moestat v1 experts=65536 fields=layer,%sexperts\n",
	                       token ? "token," : "");
	for (int i = 0; i < GENERATED_LINES; i++) {
		struct expected_line *w = &want[i];
		uint64_t r = tu_random(&state);
		const char *sep = r % 50 == 0 ? "\t" : r % 50 == 1 ? "  " : " ";
		const char *eol = r % 61 == 0 ? "\r\n" : r % 67 == 0 ? " \n" : "\n";

		memset(w, 0, sizeof *w);
		if (r % 97 == 0) {
			len += (size_t)sprintf(text + len, r % 2 ? "\n" : "# a comment\n");
			continue;
		}
		if (r % 89 == 0) {
			domain = ndomains++;
			len += (size_t)sprintf(text + len, "#domain d%d\n", domain);
			continue;
		}
		w->kind = PARSE_RECORD;
		w->domain = domain;
		w->layer = random_id(&state);
		w->token = token ? (int64_t)(tu_random(&state) % (r % 3 ? 100000000u : 1000000000000u)) : -1;
		w->k = 1 + tu_random(&state) % 12;
		len += (size_t)sprintf(text + len, "%u%s", w->layer, sep);
		if (token)
			len += (size_t)sprintf(text + len, "%lld%s", (long long)w->token, sep);
		for (size_t j = 0; j < w->k; j++) {
			uint64_t q = tu_random(&state);

			w->ids[j] = random_id(&state);
			if (q % 101 == 0) {
				/* Past the limit: the line is a bad record. */
				w->ids[j] = 65536 + (unsigned)(q >> 40) % 1000;
				w->kind = PARSE_BAD;
			}
			len += (size_t)sprintf(text + len, q % 53 == 0 ? "%s%06u" : "%s%u", j ? "," : "",
			                       w->ids[j]);
		}
		len += (size_t)sprintf(text + len, "%s", eol);
		ck_assert_uint_lt(len, cap - 200);
	}
	if (_i & 2)
		setenv("MOESTAT_SIMD", "0", 1);
	tu_parse_open_bytes(&t, &mlog_parser, text, len, NULL);
	unsetenv("MOESTAT_SIMD");
	ck_assert_int_eq(tu_parse_next(&t, &rec), PARSE_HEADER);
	for (int i = 0; i < GENERATED_LINES; i++) {
		const struct expected_line *w = &want[i];
		int rc;

		if (!w->kind)
			continue;
		rc = tu_parse_next(&t, &rec);
		ck_assert_msg(rc == w->kind, "line %d: %d, expected %d", i + 2, rc, w->kind);
		ck_assert_int_eq(lines_number(t.lines), i + 2);
		if (rc != PARSE_RECORD)
			continue;
		ck_assert_uint_eq(rec.layer, w->layer);
		ck_assert_int_eq(rec.token, w->token);
		ck_assert_int_eq(rec.domain, w->domain);
		tu_assert_experts(&rec, w->ids, w->k);
	}
	ck_assert_int_eq(tu_parse_next(&t, &rec), PARSE_END);
	tu_parse_close(&t);
	free(text);
}
END_TEST

Suite *mlog_suite(void)
{
	Suite *s = suite_create("mlog");
	TCase *tc = tcase_create("mlog");

	tcase_add_test(tc, header_and_all_fields);
	tcase_add_test(tc, headerless_one_column_is_layer_zero);
	tcase_add_test(tc, headerless_two_columns_are_layer_and_experts);
	tcase_add_loop_test(tc, bad_records_are_skippable, 0, sizeof bad_lines / sizeof *bad_lines);
	tcase_add_loop_test(tc, fatal_lines, 0, sizeof fatal / sizeof *fatal);
	tcase_add_test(tc, unknown_header_keys_are_passed_over);
	tcase_add_loop_test(tc, generated_records_read_back, 0, 4);
	suite_add_tcase(s, tc);
	return s;
}
