/* check_steps.c: unit tests of the steps parser: the document's shape, streams of documents, errors and their lines. */
#include <stdio.h>
#include <string.h>

#include "suites.h"
#include "testutil.h"

#define MAX_IDS 4
#define MAX_RECORDS 10

struct want {
	unsigned layer;
	size_t k;
	unsigned ids[MAX_IDS];
};

/* Each text holds the same records, written in a different layout. */
static const char *const same[] = {
	"[{\"0\": null, \"1\": [[119],[24]], \"3\": [[56, 2]]}, {\"0\": null, \"1\": [[7]], \"3\": []}]",
	"[{\"0\":null,\"1\":[[119],[24]],\"3\":[[56,2]]},{\"0\":null,\"1\":[[7]],\"3\":[]}]\n",
	"[\n"
	"    {\n"
	"        \"0\": null,\n"
	"        \"1\": [\n"
	"            [\n"
	"                119\n"
	"            ],\n"
	"            [\n"
	"                24\n"
	"            ]\n"
	"        ],\n"
	"        \"3\": [\n"
	"            [\n"
	"                56,\n"
	"                2\n"
	"            ]\n"
	"        ]\n"
	"    },\n"
	"    {\n"
	"        \"0\": null,\n"
	"        \"1\": [\n"
	"            [\n"
	"                7\n"
	"            ]\n"
	"        ],\n"
	"        \"3\": []\n"
	"    }\n"
	"]",
	"\r\n\t[ {\"0\"\r\n:\tnull\r\n,\"1\":[ [ 119 ] , [24\r\n]\r\n],\"3\":[[56\r\n,2]]}\r\n,\r\n{\"0\":null,\"1\":[[7]],\"3\":[\n]} ]\r\n\r\n",
	/* a layer split over steps and documents changes nothing */
	"[{\"1\": [[119],[24]]}, {\"3\": [[56,2]]}]\n[{\"1\": [[7]]}]",
	"[{\"0\": null, \"1\": [[119],[24]], \"3\": [[56, 2]]}][][{}, {\"1\": [[7]]}]",
};

static const struct want same_records[] = {
	{ 1, 1, { 119 } }, { 1, 1, { 24 } }, { 3, 2, { 56, 2 } }, { 1, 1, { 7 } },
};

static void assert_record(const struct moe_record *rec, const struct want *w)
{
	ck_assert_uint_eq(rec->layer, w->layer);
	ck_assert_int_eq(rec->token, -1);
	ck_assert_int_eq(rec->domain, -1);
	ck_assert_ptr_null(rec->weights);
	ck_assert_ptr_null(rec->logits);
	tu_assert_experts(rec, w->ids, w->k);
}

START_TEST(test_same)
{
	struct moe_record rec;
	struct tu_parse t;

	tu_parse_open(&t, &steps_parser, same[_i], NULL);
	for (size_t i = 0; i < sizeof same_records / sizeof *same_records; i++) {
		ck_assert_int_eq(tu_parse_next(&t, &rec), PARSE_RECORD);
		assert_record(&rec, &same_records[i]);
	}
	ck_assert_int_eq(tu_parse_next(&t, &rec), PARSE_END);
	ck_assert_int_eq(tu_parse_next(&t, &rec), PARSE_END);
	tu_parse_close(&t);
}
END_TEST

/* A text and what each call gives: a record, or an error with its line. */
struct step_call {
	int rc;
	struct want rec;                /* PARSE_RECORD */
	const char *msg;                /* otherwise */
	long line;
};

struct steps_case {
	const char *text;
	struct step_call calls[MAX_RECORDS];    /* up to PARSE_END or PARSE_FATAL */
};

#define REC(layer, k, ...) { PARSE_RECORD, { layer, k, { __VA_ARGS__ } }, NULL, 0 }
#define BAD(msg, line) { PARSE_BAD, { 0, 0, { 0 } }, msg, line }
#define FATAL(msg, line) { PARSE_FATAL, { 0, 0, { 0 } }, msg, line }
#define END { PARSE_END, { 0, 0, { 0 } }, NULL, 0 }

static const struct steps_case cases[] = {
	/* nothing at all */
	{ "", { END } },
	{ " \n\t\r\n\n", { END } },
	{ "[]", { END } },
	{ "[{}, {}]\n[]\n", { END } },
	{ "[{\"0\": null, \"2\": null}]", { END } },
	/* several tokens, several ids, an empty token (the reader refuses k = 0) */
	{ "[{\"5\": [[1, 2, 3], [4,5], []], \"65535\": [[65535, 0]]}]",
	  { REC(5, 3, 1, 2, 3), REC(5, 2, 4, 5), REC(5, 0, 0), REC(65535, 2, 65535, 0), END } },
	/* a key given twice in a step is read twice */
	{ "[{\"1\": [[1]], \"1\": [[2]]}]", { REC(1, 1, 1), REC(1, 1, 2), END } },
	{ "[{\"01\": [[00]]}]", { FATAL("malformed number '00'", 1) } },
	{ "[{\"01\": [[0]]}]", { REC(1, 1, 0), END } },
	/* bad ids spoil one token each; the next token is read right */
	{ "[{\"1\": [[1], [-1, 5], [2]], \"3\": [[3.0]], \"5\": [[4, 1e2, 6]], \"7\": [[99999999999]]},\n"
	  "{\"9\": [[65536], [8]]}]",
	  { REC(1, 1, 1), BAD("bad expert id '-1': not a non-negative integer", 1), REC(1, 1, 2),
	    BAD("bad expert id '3.0'", 1), BAD("bad expert id '1e2'", 1),
	    BAD("bad expert id '99999999999': above the limit of 65535", 1),
	    BAD("bad expert id '65536'", 2), REC(9, 1, 8) } },
	{ "[{\"1\": [[1, -0, 2, -3]], \"2\": [[7]]}]",
	  { BAD("bad expert id '-0'", 1), REC(2, 1, 7), END } },
	/* a bad layer key spoils each token under it, or itself when there is none */
	{ "[{\"x\": [[1], [2]], \"1\": [[3]], \"y\": null, \"\\u0031\": [[4]], \"\": [], \"70000\": [[5]]}]",
	  { BAD("bad layer key 'x': not a non-negative integer", 1), BAD("bad layer key 'x'", 1),
	    REC(1, 1, 3), BAD("bad layer key 'y'", 1), BAD("bad layer key '\\u0031'", 1),
	    BAD("bad layer key '': empty number", 1),
	    BAD("bad layer key '70000': above the limit of 65535", 1), END } },
	{ "[{\"-1\": [[1]], \"2\": [[2]]}]", { BAD("bad layer key '-1'", 1), REC(2, 1, 2), END } },
	/* the document's shape broken */
	{ "{\"1\": [[1]]}", { FATAL("expected '[' to start the list of steps, found '{'", 1) } },
	{ "[{\"1\": [[1]}]", { REC(1, 1, 1), FATAL("expected ',' or ']' after a token, found '}'", 1) } },
	{ "[{\"1\": [[1]] \"2\": [[2]]}]",
	  { REC(1, 1, 1), FATAL("expected ',' or '}' after a layer, found string \"2\"", 1) } },
	{ "[{\"1\": 5}]", { FATAL("expected null or '[' (a list of tokens) for layer \"1\", found number 5", 1) } },
	{ "[{\"1\": {}}]", { FATAL("expected null or '[' (a list of tokens) for layer \"1\", found '{'", 1) } },
	{ "[{\"1\": true}]", { FATAL("for layer \"1\", found 'true'", 1) } },
	{ "[{\"1\": nul}]", { FATAL("found 'nul'", 1) } },
	{ "[{\"1\": [[\"a\"]]}]", { FATAL("expected an expert id or ']', found string \"a\"", 1) } },
	{ "[{\"1\": [[1, null]]}]", { FATAL("expected an expert id after ',', found 'null'", 1) } },
	{ "[{\"1\": [[1,]]}]", { FATAL("expected an expert id after ',', found ']'", 1) } },
	{ "[{\"1\": [[1 2]]}]", { FATAL("expected ',' or ']' after an expert id, found number 2", 1) } },
	{ "[{\"1\": [1]}]", { FATAL("expected '[' (a token) or ']', found number 1", 1) } },
	{ "[{\"1\": [[1], 2]}]", { REC(1, 1, 1), FATAL("expected '[' (a token) after ',', found number 2", 1) } },
	{ "[{\"1\" [[1]]}]", { FATAL("expected ':' after layer key \"1\", found '['", 1) } },
	{ "[{1: null}]", { FATAL("expected a layer key (a string) or '}', found number 1", 1) } },
	{ "[{\"1\": null,}]", { FATAL("expected a layer key (a string) after ',', found '}'", 1) } },
	{ "[{\"1\": null}{}]", { FATAL("expected ',' or ']' after a step, found '{'", 1) } },
	{ "[{\"1\": null},]", { FATAL("expected '{' (a step) after ',', found ']'", 1) } },
	{ "[[]]", { FATAL("expected '{' (a step) or ']', found '['", 1) } },
	{ "[{\"1\": [[1.]]}]", { FATAL("malformed number '1.'", 1) } },
	{ "[{\"1\": [[1e]]}]", { FATAL("malformed number '1e'", 1) } },
	{ "[{\"1\": [[-]]}]", { FATAL("malformed number '-'", 1) } },
	{ "[{\"1\": [[@]]}]", { FATAL("expected an expert id or ']', found '@'", 1) } },
	{ "[{\"1\": [[\x01]]}]", { FATAL("found byte 0x01", 1) } },
	{ "[{\"1\":\n null}\n]\n\n  x", { FATAL("expected white space or another '[' document after the "
	                                         "closing ']', found 'x'", 5) } },
	{ "[{\"1\": [[1]]}] {}", { REC(1, 1, 1), FATAL("another '[' document after the closing ']', found '{'", 1) } },
	{ "[]]", { FATAL("found ']'", 1) } },
	{ "[],[]", { FATAL("found ','", 1) } },
	/* strings */
	{ "[{\"1\n\": null}]", { FATAL("string '1' not closed on its line", 1) } },
	{ "[{\"1\\q\": null}]", { FATAL("bad escape '\\q' in a string", 1) } },
	{ "[{\"1\\u00g1\": null}]", { FATAL("bad \\u escape in a string", 1) } },
	{ "[{\"1\t\": null}]", { FATAL("control character 0x09 in a string", 1) } },
	{ "[{\"a\\\"b\\\\\": null}]", { BAD("bad layer key 'a\\\"b\\\\'", 1), END } },
	/* the document ends early */
	{ "[", { FATAL("document ends early (expected '{' (a step) or ']')", 1) } },
	{ "[{\"1\": [[1], [2", { REC(1, 1, 1), FATAL("document ends early (expected ',' or ']' after an expert id)", 1) } },
	{ "[{\"1\": [[1]]}\n\n", { REC(1, 1, 1), FATAL("document ends early (expected ',' or ']' after a step)", 2) } },
	{ "[{\"1\"", { FATAL("document ends early (expected ':' after layer key \"1\")", 1) } },
	{ "[{\"1\":", { FATAL("document ends early (expected null or '[' (a list of tokens) for layer \"1\")", 1) } },
	{ "[]\n[{", { FATAL("document ends early (expected a layer key (a string) or '}')", 2) } },
	/* errors name the line of the offending token */
	{ "[\n  {\n    \"3\": [\n      [\n        4,\n        -5\n      ],\n      [6]\n    ]\n  }\n]\n",
	  { BAD("bad expert id '-5'", 6), REC(3, 1, 6), END } },
	{ "[\n  {\n    \"3\": [\n      [4]\n    }\n]\n",
	  { REC(3, 1, 4), FATAL("expected ',' or ']' after a token, found '}'", 5) } },
};

START_TEST(test_cases)
{
	const struct steps_case *c = &cases[_i];
	struct moe_record rec;
	struct tu_parse t;

	tu_parse_open(&t, &steps_parser, c->text, NULL);
	for (const struct step_call *call = c->calls;; call++) {
		int rc = tu_parse_next(&t, &rec);

		ck_assert_msg(rc == call->rc, "call %d: rc %d, expected %d (%s)", (int)(call - c->calls), rc,
		              call->rc, rc < 0 ? t.err.msg : "");
		if (rc == PARSE_RECORD) {
			assert_record(&rec, &call->rec);
			continue;
		}
		if (rc == PARSE_END)
			break;
		ck_assert_int_eq(t.err.status, EX_DATAERR);
		ck_assert_msg(strstr(t.err.msg, call->msg), "message '%s' lacks '%s'", t.err.msg, call->msg);
		ck_assert_int_eq(t.err.line, call->line);
		if (rc == PARSE_FATAL)
			break;
	}
	tu_parse_close(&t);
}
END_TEST

/* After a fatal error the parser stays stopped. */
START_TEST(test_broken_stays_broken)
{
	struct moe_record rec;
	struct tu_parse t;

	tu_parse_open(&t, &steps_parser, "[{\"1\": [[1]}, {\"2\": [[2]]}]", NULL);
	ck_assert_int_eq(tu_parse_next(&t, &rec), PARSE_RECORD);
	ck_assert_int_eq(tu_parse_next(&t, &rec), PARSE_FATAL);
	ck_assert_int_eq(tu_parse_next(&t, &rec), PARSE_FATAL);
	tu_parse_close(&t);
}
END_TEST

/* A token of many ids grows the list; the next, short one is not mixed with it. */
START_TEST(test_long_token)
{
	static const unsigned three[] = { 3 };
	char text[8192];
	size_t n = 0;
	struct moe_record rec;
	struct tu_parse t;

	n += (size_t)snprintf(text + n, sizeof text - n, "[{\"2\": [[");
	for (unsigned i = 0; i < 1000; i++)
		n += (size_t)snprintf(text + n, sizeof text - n, "%s%u", i ? "," : "", 999 - i);
	snprintf(text + n, sizeof text - n, "], [3]]}]");
	tu_parse_open(&t, &steps_parser, text, NULL);
	ck_assert_int_eq(tu_parse_next(&t, &rec), PARSE_RECORD);
	ck_assert_uint_eq(rec.layer, 2);
	ck_assert_uint_eq(rec.k, 1000);
	for (unsigned i = 0; i < 1000; i++)
		ck_assert_uint_eq(rec.experts[i], 999 - i);
	ck_assert_int_eq(tu_parse_next(&t, &rec), PARSE_RECORD);
	tu_assert_experts(&rec, three, 1);
	ck_assert_int_eq(tu_parse_next(&t, &rec), PARSE_END);
	tu_parse_close(&t);
}
END_TEST

Suite *steps_suite(void)
{
	Suite *s = suite_create("steps");
	TCase *tc = tcase_create("steps");

	tcase_add_loop_test(tc, test_same, 0, sizeof same / sizeof *same);
	tcase_add_loop_test(tc, test_cases, 0, sizeof cases / sizeof *cases);
	tcase_add_test(tc, test_broken_stays_broken);
	tcase_add_test(tc, test_long_token);
	suite_add_tcase(s, tc);
	return s;
}
