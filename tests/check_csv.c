/* check_csv.c: unit tests of the csv parser: header names, quoting, list cells, errors and their lines. */
#include <string.h>

#include "suites.h"
#include "testutil.h"

#define MAX_IDS 8

/* One file holding one record, and that record. */
struct csv_good {
	const char *text;
	unsigned layer;
	long token;
	size_t k;
	unsigned ids[MAX_IDS];
};

static const struct csv_good good[] = {
	/* every name of the layer and experts columns, in several spellings */
	{ "layer,experts\n3,5\n", 3, -1, 1, { 5 } },
	{ "Layer ID,Activated Expert IDs\n1,\"[8, 26, 56]\"\n", 1, -1, 3, { 8, 26, 56 } },
	{ "layer_id,expert_ids\n2,4\n", 2, -1, 1, { 4 } },
	{ "LAYERID,TopK_IDs\n7,\"1 2\"\n", 7, -1, 2, { 1, 2 } },
	{ "Layer-Id,Selected Experts\n9,\"3;4\"\n", 9, -1, 2, { 3, 4 } },
	{ " layer ,top_indices\n4,0\n", 4, -1, 1, { 0 } },
	{ "EXPERTS\n6\n", 0, -1, 1, { 6 } },
	/* no layer column: layer 0 */
	{ "batch,experts\n5,1\n", 0, -1, 1, { 1 } },
	/* token columns; a bare "token" holds the token's text, not its index */
	{ "token_idx,experts\n17,2\n", 0, 17, 1, { 2 } },
	{ "Token Pos,layer,experts\n0,3,2\n", 3, 0, 1, { 2 } },
	{ "token,experts\nhello,2\n", 0, -1, 1, { 2 } },
	{ "layer,token,experts\n1,42,2\n", 1, -1, 1, { 2 } },
	/* the list syntaxes */
	{ "experts\n\"[8, 26, 56]\"\n", 0, -1, 3, { 8, 26, 56 } },
	{ "experts\n[8 26 56]\n", 0, -1, 3, { 8, 26, 56 } },
	{ "experts\n8 26 56\n", 0, -1, 3, { 8, 26, 56 } },
	{ "experts\n8;26;56\n", 0, -1, 3, { 8, 26, 56 } },
	{ "experts\n\"8,26,56\"\n", 0, -1, 3, { 8, 26, 56 } },
	{ "experts\n\"[8,26,56,]\"\n", 0, -1, 3, { 8, 26, 56 } },
	{ "experts\n\"[,8 ,\t26]\"\n", 0, -1, 2, { 8, 26 } },
	{ "experts\n  [ 8  26 ]  \n", 0, -1, 2, { 8, 26 } },
	{ "experts\n\"8, 26; 56\"\n", 0, -1, 3, { 8, 26, 56 } },
	{ "experts\n[]\n", 0, -1, 0, { 0 } },
	{ "layer,experts\n1,\n", 1, -1, 0, { 0 } },
	/* spaces around a number cell are padding */
	{ "layer, experts\n 12 , 3\n", 12, -1, 1, { 3 } },
	/* quoted commas, doubled quotes and unknown columns elsewhere in the row */
	{ "Layer ID,Batch Number,Token,Activated Expert IDs\n2,0,\",\",\"[9, 1]\"\n", 2, -1, 2, { 9, 1 } },
	{ "Layer ID,Token,experts\n5,\"say \"\"hi\"\", then\",\"[3]\"\n", 5, -1, 1, { 3 } },
	{ "Layer ID,Token,experts\n5,\"\"\"\",7\n", 5, -1, 1, { 7 } },
	{ "a,layer,b,experts,c\n,1,\"x,y\",2,\n", 1, -1, 1, { 2 } },
	/* CRLF line ends; a quoted cell over lines, as numpy wraps long arrays */
	{ "layer,experts\r\n3,\"[1, 2]\"\r\n", 3, -1, 2, { 1, 2 } },
	{ "layer,experts\n3,\"[1, 2,\n 3]\"\n", 3, -1, 3, { 1, 2, 3 } },
	{ "layer,\"experts\"\n8,\"1\"\n", 8, -1, 1, { 1 } },
	/* the largest ids */
	{ "layer,experts\n65535,65535\n", 65535, -1, 1, { 65535 } },
};

START_TEST(test_good)
{
	const struct csv_good *c = &good[_i];
	struct moe_record rec;
	struct tu_parse t;

	tu_parse_open(&t, &csv_parser, c->text, NULL);
	ck_assert_int_eq(tu_parse_next(&t, &rec), PARSE_RECORD);
	ck_assert_uint_eq(rec.layer, c->layer);
	ck_assert_int_eq(rec.token, c->token);
	ck_assert_int_eq(rec.domain, -1);
	ck_assert_ptr_null(rec.weights);
	ck_assert_ptr_null(rec.logits);
	tu_assert_experts(&rec, c->ids, c->k);
	ck_assert_int_eq(tu_parse_next(&t, &rec), PARSE_END);
	tu_parse_close(&t);
}
END_TEST

/* A file whose first call fails, with the message and line it must give. */
struct csv_bad {
	const char *text;
	int rc;
	const char *msg;
	long line;
};

static const struct csv_bad bad[] = {
	{ "layer,experts\n1,2,3\n", PARSE_BAD, "expected 2 fields as in the header, found 3", 2 },
	{ "layer,experts\n1\n", PARSE_BAD, "expected 2 fields as in the header, found 1", 2 },
	{ "layer,experts\n1,a\"b\n", PARSE_BAD, "stray quote in field 2 ('a\"b')", 2 },
	{ "layer,experts\n1,\"[1]\"x\n", PARSE_BAD, "text after the closing quote in field 2 ('[1]x')", 2 },
	{ "layer,experts\n1, \"[1]\"\n", PARSE_BAD, "stray quote in field 2", 2 },
	{ "layer,token,weights\n1,2,3\n", PARSE_FATAL,
	  "no experts column (looked for 'experts', 'activatedexpertids', 'expertids', 'topkids', "
	  "'selectedexperts', 'topindices'", 1 },
	{ "\n\nlayer\n1\n", PARSE_FATAL, "no experts column", 3 },
	{ "layer,layer_id,experts\n", PARSE_FATAL,
	  "columns 'layer' and 'layer_id' both name the layer", 1 },
	{ "experts,la\"yer\n", PARSE_FATAL, "header: stray quote in column 2", 1 },
	{ "layer,experts\n1,+3\n", PARSE_BAD, "bad experts item '+3': not a non-negative integer", 2 },
	{ "layer,experts\n1,\"[2, -1]\"\n", PARSE_BAD, "bad experts item '-1'", 2 },
	{ "layer,experts\n1,3.0\n", PARSE_BAD, "bad experts item '3.0'", 2 },
	{ "layer,experts\n1,65536\n", PARSE_BAD, "bad experts item '65536': above the limit", 2 },
	{ "layer,experts\n1,99999999999\n", PARSE_BAD, "bad experts item '99999999999'", 2 },
	{ "layer,experts\n1,0x10\n", PARSE_BAD, "bad experts item '0x10'", 2 },
	{ "layer,experts\n1,[1\n", PARSE_BAD, "bad experts item '[1'", 2 },
	{ "layer,experts\n1,\"1,,2\"\n", PARSE_BAD, "empty item in the experts list '1,,2'", 2 },
	{ "layer,experts\n1,\"[1, ,2]\"\n", PARSE_BAD, "empty item in the experts list", 2 },
	{ "layer,experts\n1,\"1,2,\"\n", PARSE_BAD, "empty item in the experts list '1,2,'", 2 },
	{ "layer,experts\n1,\"[,]\"\n", PARSE_BAD, "empty item in the experts list '[,]'", 2 },
	{ "layer,experts\n1,;1\n", PARSE_BAD, "empty item in the experts list ';1'", 2 },
	{ "layer,experts\nx,1\n", PARSE_BAD, "bad layer 'x': not a non-negative integer", 2 },
	{ "layer,experts\n-1,1\n", PARSE_BAD, "bad layer '-1'", 2 },
	{ "layer,experts\n65536,1\n", PARSE_BAD, "bad layer '65536': above the limit", 2 },
	{ "layer,experts\n,1\n", PARSE_BAD, "bad layer '': empty number", 2 },
	{ "tokenidx,experts\n-1,3\n", PARSE_BAD, "bad token '-1'", 2 },
	{ "tokenidx,experts\n9223372036854775808,3\n", PARSE_BAD,
	  "bad token '9223372036854775808': number too large", 2 },
	{ "experts,weights\n1,abc\n", PARSE_BAD, "bad weights item 'abc': not a decimal number", 2 },
	{ "experts,weights\n1,nan\n", PARSE_BAD, "bad weights item 'nan'", 2 },
	{ "experts,logits\n1,\"[1e999]\"\n", PARSE_BAD, "bad logits item '1e999': number out of range", 2 },
	{ "layer,experts\n\n1,\"[1,\n", PARSE_FATAL, "file ends inside a quoted field", 3 },
	{ "\"layer,experts\n", PARSE_FATAL, "file ends inside a quoted field", 1 },
	/* a record over lines is named by its first line */
	{ "layer,experts\n1,\"[1,\n-2]\"\n", PARSE_BAD, "bad experts item '-2'", 2 },
	{ "layer,note,experts\n1,\"a\nb\nc\",2,3\n", PARSE_BAD, "found 4", 2 },
	/* A field quoted over lines is shown on one line (found by fuzz_csv). */
	{ "layer,token_idx,experts,weights,logits,do,\"main\r\n0,1,\"1,2\",\"0.3 2 3 4]\",\r\n",
	  PARSE_FATAL, "header: text after the closing quote in column 7 ('main\\n0,1,1')", 1 },
	{ "layer,note,experts\n1,\"a\n\tb\"x,2\n", PARSE_BAD,
	  "text after the closing quote in field 2 ('a\\n\\tbx')", 2 },
	{ "experts\n\"1,\n\n,2\"\n", PARSE_BAD, "empty item in the experts list '1,\\n\\n,2'", 2 },
};

START_TEST(test_bad)
{
	const struct csv_bad *c = &bad[_i];
	struct moe_record rec;
	struct tu_parse t;

	tu_parse_open(&t, &csv_parser, c->text, NULL);
	ck_assert_int_eq(tu_parse_next(&t, &rec), c->rc);
	ck_assert_int_eq(t.err.status, EX_DATAERR);
	ck_assert_msg(strstr(t.err.msg, c->msg), "message '%s' lacks '%s'", t.err.msg, c->msg);
	ck_assert_int_eq(t.err.line, c->line);
	ck_assert_str_eq(t.err.file, t.path);
	tu_parse_close(&t);
}
END_TEST

START_TEST(test_empty)
{
	static const char *const texts[] = { "", "\n\n", "  \n\t\n", "layer,experts\n", "experts\n\n  \n" };
	struct moe_record rec;
	struct tu_parse t;

	for (size_t i = 0; i < sizeof texts / sizeof *texts; i++) {
		tu_parse_open(&t, &csv_parser, texts[i], NULL);
		ck_assert_int_eq(tu_parse_next(&t, &rec), PARSE_END);
		ck_assert_int_eq(tu_parse_next(&t, &rec), PARSE_END);
		tu_parse_close(&t);
	}
}
END_TEST

/* Bad rows are passed over one at a time, and the lines of later rows stay right. */
START_TEST(test_continue_after_bad)
{
	static const unsigned one[] = { 1 }, four[] = { 4, 5 }, six[] = { 6 };
	struct moe_record rec;
	struct tu_parse t;

	tu_parse_open(&t, &csv_parser,
	              "layer,note,experts\n"            /* 1 */
	              "1,\"two\n"                       /* 2 */
	              "lines\",1\n"                     /* 3 */
	              "\n"                              /* 4 */
	              "x,,2\n"                          /* 5 */
	              "2,a\"b,3\n"                      /* 6 */
	              "3,\"x\",\"[4,\n"                 /* 7 */
	              "5]\"\n"                          /* 8 */
	              "4,\"\"\"\n"                      /* 9 */
	              "\",\"6\"\n"                      /* 10 */
	              "5,1\n",                          /* 11 */
	              NULL);
	ck_assert_int_eq(tu_parse_next(&t, &rec), PARSE_RECORD);
	ck_assert_uint_eq(rec.layer, 1);
	tu_assert_experts(&rec, one, 1);
	ck_assert_int_eq(tu_parse_next(&t, &rec), PARSE_BAD);
	ck_assert_int_eq(t.err.line, 5);
	ck_assert_int_eq(tu_parse_next(&t, &rec), PARSE_BAD);
	ck_assert_int_eq(t.err.line, 6);
	ck_assert_int_eq(tu_parse_next(&t, &rec), PARSE_RECORD);
	ck_assert_uint_eq(rec.layer, 3);
	tu_assert_experts(&rec, four, 2);
	ck_assert_int_eq(tu_parse_next(&t, &rec), PARSE_RECORD);
	ck_assert_uint_eq(rec.layer, 4);
	tu_assert_experts(&rec, six, 1);
	ck_assert_int_eq(tu_parse_next(&t, &rec), PARSE_BAD);
	ck_assert_int_eq(t.err.line, 11);
	ck_assert_ptr_nonnull(strstr(t.err.msg, "found 2"));
	ck_assert_int_eq(tu_parse_next(&t, &rec), PARSE_END);
	tu_parse_close(&t);
}
END_TEST

/* The logger's shape: layer-major rows, a Token column of text that may be a
 * comma or hold quotes (rows made up for the test). */
START_TEST(test_hook_log)
{
	static const unsigned a[] = { 3, 14, 15, 9, 2, 6 }, b[] = { 5, 35, 8, 9, 7, 63 },
	                      c[] = { 0, 1, 2, 3, 4, 5 };
	struct moe_record rec;
	struct tu_parse t;

	tu_parse_open(&t, &csv_parser,
	              "Layer ID,Batch Number,Token,Activated Expert IDs\n"
	              "1,0,<s>,\"[3, 14, 15, 9, 2, 6]\"\n"
	              "1,0,\",\",\"[5, 35, 8, 9, 7, 63]\"\n"
	              "26,0,\"\"\"\",\"[0, 1, 2, 3, 4, 5]\"\n",
	              NULL);
	ck_assert_int_eq(tu_parse_next(&t, &rec), PARSE_RECORD);
	ck_assert_uint_eq(rec.layer, 1);
	ck_assert_int_eq(rec.token, -1);
	tu_assert_experts(&rec, a, 6);
	ck_assert_int_eq(tu_parse_next(&t, &rec), PARSE_RECORD);
	ck_assert_uint_eq(rec.layer, 1);
	tu_assert_experts(&rec, b, 6);
	ck_assert_int_eq(tu_parse_next(&t, &rec), PARSE_RECORD);
	ck_assert_uint_eq(rec.layer, 26);
	tu_assert_experts(&rec, c, 6);
	ck_assert_int_eq(tu_parse_next(&t, &rec), PARSE_END);
	tu_parse_close(&t);
}
END_TEST

START_TEST(test_weights_logits)
{
	static const unsigned ids[] = { 1, 2 };
	struct moe_record rec;
	struct tu_parse t;

	tu_parse_open(&t, &csv_parser,
	              "experts,Gating Probs,router_logits\n"
	              "\"[1, 2]\",\"[0.5, 0.25]\",\"0.125 -2 3e1\"\n"
	              "3,,[]\n",
	              NULL);
	ck_assert_int_eq(tu_parse_next(&t, &rec), PARSE_RECORD);
	tu_assert_experts(&rec, ids, 2);
	ck_assert_uint_eq(rec.nweights, 2);
	ck_assert_double_eq(rec.weights[0], 0.5);
	ck_assert_double_eq(rec.weights[1], 0.25);
	ck_assert_uint_eq(rec.nlogits, 3);
	ck_assert_double_eq(rec.logits[0], 0.125);
	ck_assert_double_eq(rec.logits[1], -2.0);
	ck_assert_double_eq(rec.logits[2], 30.0);
	/* empty cells: the columns exist, so the lists are there and empty */
	ck_assert_int_eq(tu_parse_next(&t, &rec), PARSE_RECORD);
	ck_assert_uint_eq(rec.k, 1);
	ck_assert_ptr_nonnull(rec.weights);
	ck_assert_uint_eq(rec.nweights, 0);
	ck_assert_ptr_nonnull(rec.logits);
	ck_assert_uint_eq(rec.nlogits, 0);
	ck_assert_int_eq(tu_parse_next(&t, &rec), PARSE_END);
	tu_parse_close(&t);

	tu_parse_open(&t, &csv_parser, "top_k_weights,experts\n\"0.75;0.25\",\"1;2\"\n", NULL);
	ck_assert_int_eq(tu_parse_next(&t, &rec), PARSE_RECORD);
	ck_assert_uint_eq(rec.nweights, 2);
	ck_assert_double_eq(rec.weights[0], 0.75);
	ck_assert_ptr_null(rec.logits);
	tu_parse_close(&t);

	tu_parse_open(&t, &csv_parser, "Weights,LOGITS,experts\n0.5,\"[1.5, 2]\",4\n", NULL);
	ck_assert_int_eq(tu_parse_next(&t, &rec), PARSE_RECORD);
	ck_assert_uint_eq(rec.nweights, 1);
	ck_assert_double_eq(rec.weights[0], 0.5);
	ck_assert_uint_eq(rec.nlogits, 2);
	ck_assert_double_eq(rec.logits[0], 1.5);
	ck_assert_double_eq(rec.logits[1], 2.0);
	tu_parse_close(&t);
}
END_TEST

START_TEST(test_domain)
{
	static const int want[] = { 0, 1, -1, 0, -1 };
	struct moe_record rec;
	struct tu_parse t;

	tu_parse_open(&t, &csv_parser, "Domain,experts\nmath,1\n\"law\",2\n,3\nmath,4\n  ,5\n", NULL);
	for (size_t i = 0; i < sizeof want / sizeof *want; i++) {
		ck_assert_int_eq(tu_parse_next(&t, &rec), PARSE_RECORD);
		ck_assert_uint_eq(rec.experts[0], i + 1);
		ck_assert_int_eq(rec.domain, want[i]);
	}
	ck_assert_int_eq(tu_parse_next(&t, &rec), PARSE_END);
	ck_assert_uint_eq(domains_count(t.domains), 2);
	ck_assert_str_eq(domains_name(t.domains, 0), "math");
	ck_assert_str_eq(domains_name(t.domains, 1), "law");
	tu_parse_close(&t);
}
END_TEST

START_TEST(test_keys)
{
	static const unsigned seven[] = { 7 };
	const char *keys[MOE_ROLE_COUNT] = { NULL };
	struct moe_record rec;
	struct tu_parse t;

	/* --key domain=dataset: "dataset" is the domain and "domain" is just another column */
	keys[MOE_ROLE_DOMAIN] = "dataset";
	tu_parse_open(&t, &csv_parser, "layer,experts,Data Set,domain\n1,2,gsm8k,other\n", keys);
	ck_assert_int_eq(tu_parse_next(&t, &rec), PARSE_RECORD);
	ck_assert_int_eq(rec.domain, 0);
	ck_assert_str_eq(domains_name(t.domains, 0), "gsm8k");
	ck_assert_uint_eq(domains_count(t.domains), 1);
	tu_parse_close(&t);

	/* a key is normalized too, and replaces the defaults of its role */
	keys[MOE_ROLE_DOMAIN] = NULL;
	keys[MOE_ROLE_EXPERTS] = "chosen_experts";
	tu_parse_open(&t, &csv_parser, "layer,experts,Chosen Experts\n1,x,7\n", keys);
	ck_assert_int_eq(tu_parse_next(&t, &rec), PARSE_RECORD);
	tu_assert_experts(&rec, seven, 1);
	tu_parse_close(&t);

	/* a key wins over another role's default name */
	keys[MOE_ROLE_EXPERTS] = NULL;
	keys[MOE_ROLE_TOKEN] = "layer";
	tu_parse_open(&t, &csv_parser, "layer,experts\n5,7\n", keys);
	ck_assert_int_eq(tu_parse_next(&t, &rec), PARSE_RECORD);
	ck_assert_uint_eq(rec.layer, 0);
	ck_assert_int_eq(rec.token, 5);
	tu_parse_close(&t);

	/* a column named by a key must be there */
	keys[MOE_ROLE_TOKEN] = NULL;
	keys[MOE_ROLE_DOMAIN] = "dataset";
	tu_parse_open(&t, &csv_parser, "layer,experts,domain\n1,2,x\n", keys);
	ck_assert_int_eq(tu_parse_next(&t, &rec), PARSE_FATAL);
	ck_assert_str_eq(t.err.msg, "header: no column 'dataset' (--key domain=dataset)");
	ck_assert_int_eq(t.err.line, 1);
	tu_parse_close(&t);

	keys[MOE_ROLE_DOMAIN] = NULL;
	keys[MOE_ROLE_EXPERTS] = "picked";
	tu_parse_open(&t, &csv_parser, "layer,experts\n1,2\n", keys);
	ck_assert_int_eq(tu_parse_next(&t, &rec), PARSE_FATAL);
	ck_assert_str_eq(t.err.msg, "header: no column 'picked' (--key experts=picked)");
	tu_parse_close(&t);
}
END_TEST

/* The record buffer is reused; a long row then a short one must not mix. */
START_TEST(test_reuse)
{
	static const unsigned many[] = { 0, 1, 2, 3, 4, 5, 6, 7 }, few[] = { 9 };
	struct moe_record rec;
	struct tu_parse t;

	tu_parse_open(&t, &csv_parser,
	              "layer,experts,pad\n"
	              "1,\"[0, 1, 2, 3, 4, 5, 6, 7]\",xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	              "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	              "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	              "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n"
	              "2,9,\n",
	              NULL);
	ck_assert_int_eq(tu_parse_next(&t, &rec), PARSE_RECORD);
	tu_assert_experts(&rec, many, 8);
	ck_assert_int_eq(tu_parse_next(&t, &rec), PARSE_RECORD);
	ck_assert_uint_eq(rec.layer, 2);
	tu_assert_experts(&rec, few, 1);
	ck_assert_int_eq(tu_parse_next(&t, &rec), PARSE_END);
	tu_parse_close(&t);
}
END_TEST

Suite *csv_suite(void)
{
	Suite *s = suite_create("csv");
	TCase *tc = tcase_create("csv");

	tcase_add_loop_test(tc, test_good, 0, sizeof good / sizeof *good);
	tcase_add_loop_test(tc, test_bad, 0, sizeof bad / sizeof *bad);
	tcase_add_test(tc, test_empty);
	tcase_add_test(tc, test_continue_after_bad);
	tcase_add_test(tc, test_hook_log);
	tcase_add_test(tc, test_weights_logits);
	tcase_add_test(tc, test_domain);
	tcase_add_test(tc, test_keys);
	tcase_add_test(tc, test_reuse);
	suite_add_tcase(s, tc);
	return s;
}
