/* check_jsonl.c: the JSON Lines parser: key names, --key, batches, the header object, every error. */
#include <stdio.h>
#include <string.h>

#include "suites.h"
#include "testutil.h"

START_TEST(vllm_shape_one_token_a_line)
{
	static const unsigned ids[] = { 6, 5 };
	struct tu_parse t;
	struct moe_record rec;

	tu_parse_open(&t, &jsonl_parser,
	              "{\"dataset\": \"humaneval\", \"problem_id\": 0, \"layer\": 3, \"experts\": [6, 5], "
	              "\"gating_probs\": [0.75, 0.25], \"token_idx\": 9}\n", NULL);
	ck_assert_int_eq(tu_parse_next(&t, &rec), PARSE_RECORD);
	ck_assert_uint_eq(rec.layer, 3);
	ck_assert_int_eq(rec.token, 9);
	ck_assert_int_eq(rec.domain, -1);
	tu_assert_experts(&rec, ids, 2);
	ck_assert_uint_eq(rec.nweights, 2);
	ck_assert_double_eq(rec.weights[0], 0.75);
	ck_assert_ptr_null(rec.logits);
	ck_assert_int_eq(tu_parse_next(&t, &rec), PARSE_END);
	tu_parse_close(&t);
}
END_TEST

/* Each alias of each role, found without --key. */
static const struct {
	const char *line;
	unsigned layer;
	int64_t token;
} aliases[] = {
	{ "{\"layer_id\": 2, \"topk_ids\": [1], \"token_pos\": 4}", 2, 4 },
	{ "{\"layer\": 2, \"expert_ids\": [1], \"token\": 4}", 2, 4 },
	{ "{\"layer\": 2, \"selected_experts\": [1], \"token_idx\": 4}", 2, 4 },
	{ "{\"layer\": 2, \"top_indices\": [1], \"token\": 4, \"topk_weights\": [1.0]}", 2, 4 },
	{ "{\"experts\": [1], \"weights\": [1]}", 0, -1 },
};

START_TEST(key_aliases)
{
	static const unsigned ids[] = { 1 };
	struct tu_parse t;
	struct moe_record rec;

	tu_parse_open(&t, &jsonl_parser, aliases[_i].line, NULL);
	ck_assert_int_eq(tu_parse_next(&t, &rec), PARSE_RECORD);
	ck_assert_uint_eq(rec.layer, aliases[_i].layer);
	ck_assert_int_eq(rec.token, aliases[_i].token);
	tu_assert_experts(&rec, ids, 1);
	tu_parse_close(&t);
}
END_TEST

START_TEST(key_option_renames_a_role)
{
	static const unsigned ids[] = { 4, 0 };
	const char *keys[MOE_ROLE_COUNT] = { 0 };
	struct tu_parse t;
	struct moe_record rec;

	keys[MOE_ROLE_DOMAIN] = "dataset";
	keys[MOE_ROLE_EXPERTS] = "picked";
	tu_parse_open(&t, &jsonl_parser,
	              "{\"dataset\": \"gsm8k\", \"picked\": [4, 0], \"experts\": [1, 2]}\n"
	              "{\"dataset\": 17, \"picked\": [4, 0]}\n"
	              "{\"dataset\": \"gsm8k\", \"experts\": [1, 2]}\n", keys);
	ck_assert_int_eq(tu_parse_next(&t, &rec), PARSE_RECORD);
	tu_assert_experts(&rec, ids, 2);
	ck_assert_str_eq(domains_name(t.domains, rec.domain), "gsm8k");
	ck_assert_int_eq(tu_parse_next(&t, &rec), PARSE_RECORD);
	ck_assert_str_eq(domains_name(t.domains, rec.domain), "17");
	ck_assert_int_eq(tu_parse_next(&t, &rec), PARSE_BAD);
	ck_assert_str_eq(t.err.msg, "no expert list (no key \"picked\")");
	tu_parse_close(&t);
}
END_TEST

START_TEST(a_batch_is_several_records)
{
	static const unsigned a[] = { 6, 5 }, b[] = { 5, 3 };
	struct tu_parse t;
	struct moe_record rec;

	tu_parse_open(&t, &jsonl_parser,
	              "{\"layer\": 1, \"experts\": [[6, 5], [5, 3]], \"gating_probs\": [[0.5, 0.5], [0.9, 0.1]],"
	              " \"token_idx\": [7, 8], \"logits\": [[1,2,3,4,5,6,7], [0,0,0,0,0,0,1]]}\n"
	              "{\"layer\": 2, \"experts\": [[1]]}\n", NULL);
	ck_assert_int_eq(tu_parse_next(&t, &rec), PARSE_RECORD);
	tu_assert_experts(&rec, a, 2);
	ck_assert_int_eq(rec.token, 7);
	ck_assert_double_eq(rec.weights[1], 0.5);
	ck_assert_uint_eq(rec.nlogits, 7);
	ck_assert_double_eq(rec.logits[6], 7.0);
	ck_assert_int_eq(tu_parse_next(&t, &rec), PARSE_RECORD);
	tu_assert_experts(&rec, b, 2);
	ck_assert_int_eq(rec.token, 8);
	ck_assert_uint_eq(rec.layer, 1);
	ck_assert_double_eq(rec.weights[0], 0.9);
	ck_assert_double_eq(rec.logits[6], 1.0);
	ck_assert_int_eq(tu_parse_next(&t, &rec), PARSE_RECORD);
	ck_assert_uint_eq(rec.layer, 2);
	ck_assert_int_eq(tu_parse_next(&t, &rec), PARSE_END);
	tu_parse_close(&t);
}
END_TEST

START_TEST(header_object)
{
	struct tu_parse t;
	struct moe_record rec;

	tu_parse_open(&t, &jsonl_parser,
	              "{\"moestat\": 1, \"experts\": 8, \"topk\": 2, \"score\": \"softmax\", \"model\": \"m\"}\n"
	              "\n"
	              "{\"experts\": [1, 2]}\n", NULL);
	ck_assert_int_eq(tu_parse_next(&t, &rec), PARSE_HEADER);
	ck_assert_uint_eq(t.header.experts, 8);
	ck_assert_uint_eq(t.header.topk, 2);
	ck_assert_str_eq(t.header.score, "softmax");
	ck_assert_str_eq(t.header.model, "m");
	ck_assert_int_eq(tu_parse_next(&t, &rec), PARSE_RECORD);
	ck_assert_int_eq(tu_parse_next(&t, &rec), PARSE_END);
	tu_parse_close(&t);
}
END_TEST

/* A bad line, then a good one: the parser must go on after PARSE_BAD. */
static const struct {
	const char *line;
	int rc;
	const char *message;
} bad_lines[] = {
	{ "{\"experts\": [1, 2]", PARSE_BAD, "invalid JSON: '}' expected near end of file" },
	{ "[1, 2]", PARSE_BAD, "not a JSON object" },
	{ "{\"layer\": 1}", PARSE_BAD, "no expert list (no key \"experts\" nor topk_ids, expert_ids, selected_experts, top_indices)" },
	{ "{\"experts\": 3}", PARSE_BAD, "\"experts\" is not a list" },
	{ "{\"experts\": [1, -2]}", PARSE_BAD, "\"experts\" item 1 is not a non-negative integer" },
	{ "{\"experts\": [1, 2.0]}", PARSE_BAD, "\"experts\" item 1 is not a non-negative integer" },
	{ "{\"experts\": [1, \"2\"]}", PARSE_BAD, "\"experts\" item 1 is not a non-negative integer" },
	{ "{\"experts\": [3000000000]}", PARSE_BAD, "expert id 3000000000 above the limit of 65535" },
	{ "{\"experts\": [1], \"layer\": -1}", PARSE_BAD, "\"layer\" is not a layer number from 0 to 65535" },
	{ "{\"experts\": [1], \"layer\": \"3\"}", PARSE_BAD, "\"layer\" is not a layer number from 0 to 65535" },
	{ "{\"experts\": [1], \"weights\": 0.5}", PARSE_BAD, "\"weights\" is not a list" },
	{ "{\"experts\": [1], \"weights\": [\"x\"]}", PARSE_BAD, "\"weights\" item 0 is not a number" },
	{ "{\"experts\": [[1], [2]], \"weights\": [[1.0]]}", PARSE_BAD, "\"weights\" has 1 items for a batch of 2 tokens" },
	{ "{\"experts\": [[1], 2]}", PARSE_BAD, "\"experts\" of token 1 is not a list" },
	{ "{\"experts\": [1], \"token\": 1.5}", PARSE_BAD, "\"token\" is not a non-negative integer" },
	{ "{\"experts\": [1], \"domain\": [1]}", PARSE_BAD, "\"domain\" is not a string" },
	{ "{\"experts\": [1], \"experts\": [2]}", PARSE_BAD, "invalid JSON: duplicate object key near '\"experts\"'" },
};

START_TEST(bad_lines_are_skippable)
{
	static const unsigned ids[] = { 4 };
	struct tu_parse t;
	struct moe_record rec;
	char text[512];
	int rc;

	snprintf(text, sizeof text, "%s\n{\"experts\": [4]}\n", bad_lines[_i].line);
	tu_parse_open(&t, &jsonl_parser, text, NULL);
	/* A bad token of a batch comes after the good ones before it. */
	while ((rc = tu_parse_next(&t, &rec)) == PARSE_RECORD)
		;
	ck_assert_int_eq(rc, bad_lines[_i].rc);
	ck_assert_str_eq(t.err.msg, bad_lines[_i].message);
	ck_assert_int_eq(t.err.line, 1);
	ck_assert_int_eq(tu_parse_next(&t, &rec), PARSE_RECORD);
	tu_assert_experts(&rec, ids, 1);
	tu_parse_close(&t);
}
END_TEST

static const struct {
	const char *line;
	const char *message;
} bad_headers[] = {
	{ "{\"moestat\": 2}", "header: unsupported version (expected \"moestat\": 1)" },
	{ "{\"moestat\": 1, \"experts\": 0}", "header: \"experts\" is not a whole number from 1 to 65536" },
	{ "{\"moestat\": 1, \"topk\": \"2\"}", "header: \"topk\" is not a whole number from 1 to 65536" },
	{ "{\"moestat\": 1, \"experts\": 2, \"topk\": 3}", "header: topk 3 is more than experts 2" },
	{ "{\"moestat\": 1, \"score\": \"tanh\"}", "header: \"score\" is neither \"softmax\" nor \"sigmoid\"" },
};

START_TEST(bad_headers_are_fatal)
{
	struct tu_parse t;
	struct moe_record rec;

	tu_parse_open(&t, &jsonl_parser, bad_headers[_i].line, NULL);
	ck_assert_int_eq(tu_parse_next(&t, &rec), PARSE_FATAL);
	ck_assert_str_eq(t.err.msg, bad_headers[_i].message);
	tu_parse_close(&t);
}
END_TEST

Suite *jsonl_suite(void)
{
	Suite *s = suite_create("jsonl");
	TCase *tc = tcase_create("jsonl");

	tcase_add_test(tc, vllm_shape_one_token_a_line);
	tcase_add_loop_test(tc, key_aliases, 0, sizeof aliases / sizeof *aliases);
	tcase_add_test(tc, key_option_renames_a_role);
	tcase_add_test(tc, a_batch_is_several_records);
	tcase_add_test(tc, header_object);
	tcase_add_loop_test(tc, bad_lines_are_skippable, 0, sizeof bad_lines / sizeof *bad_lines);
	tcase_add_loop_test(tc, bad_headers_are_fatal, 0, sizeof bad_headers / sizeof *bad_headers);
	suite_add_tcase(s, tc);
	return s;
}
