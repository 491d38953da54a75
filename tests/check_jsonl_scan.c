/* check_jsonl_scan.c: the JSON Lines scanner against jansson: the same records, or the same errors, on every input. */
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "jsonl.h"
#include "suites.h"
#include "testutil.h"

/* One parser over a file, with everything under it. */
struct side {
	struct source *src;
	struct lines *lines;
	struct domains *domains;
	struct mlog_carry mlog;
	void *parser;
};

static void side_open(struct side *s, const char *path, const char *const *keys, bool scanner)
{
	struct parser_env env;
	struct moe_error err;

	memset(s, 0, sizeof *s);
	s->src = source_open(path, &err);
	ck_assert_ptr_nonnull(s->src);
	s->lines = lines_open(s->src);
	ck_assert_ptr_nonnull(s->lines);
	s->domains = domains_new();
	ck_assert_ptr_nonnull(s->domains);
	s->mlog.domain = -1;
	env.lines = s->lines;
	env.domains = s->domains;
	env.keys = keys;
	env.mlog = &s->mlog;
	jsonl_set_scanner(scanner);
	s->parser = jsonl_parser.open(&env);
	jsonl_set_scanner(true);
	ck_assert_ptr_nonnull(s->parser);
}

static void side_close(struct side *s)
{
	jsonl_parser.close(s->parser);
	lines_close(s->lines);
	source_close(s->src);
	domains_free(s->domains);
}

/* What a run through both paths saw. */
struct tally {
	unsigned long records, bad, fatal, headers;
	unsigned long scanned;          /* lines the scanner took */
	unsigned long jansson;          /* lines it left to jansson */
};

/* An assertion made only when it fails: Check notes every passing one with a
 * write to its pipe, and there are millions here. */
#define SAME(cond, ...) do { if (!(cond)) ck_assert_msg(cond, __VA_ARGS__); } while (0)

static void same_reals(const char *what, long line, const char *role, const double *a, size_t na,
                       const double *b, size_t nb)
{
	SAME((a == NULL) == (b == NULL), "%s: line %ld: %s present on one path only", what, line, role);
	SAME(na == nb, "%s: line %ld: %zu %s by jansson, %zu by the scanner", what, line, na, role, nb);
	/* Bit for bit: -0.0 is not 0.0 here. */
	for (size_t i = 0; i < na; i++)
		SAME(memcmp(&a[i], &b[i], sizeof *a) == 0,
		     "%s: line %ld: %s item %zu is %.17g by jansson, %.17g by the scanner", what, line,
		     role, i, a[i], b[i]);
}

static void same_records(const char *what, long line, const struct side *ref,
                         const struct moe_record *a, const struct side *fast,
                         const struct moe_record *b)
{
	SAME(a->layer == b->layer, "%s: line %ld: layer %u by jansson, %u by the scanner", what, line,
	     a->layer, b->layer);
	SAME(a->token == b->token,
	     "%s: line %ld: token %" PRId64 " by jansson, %" PRId64 " by the scanner", what, line,
	     a->token, b->token);
	SAME(a->domain == b->domain, "%s: line %ld: domain %d by jansson, %d by the scanner", what,
	     line, a->domain, b->domain);
	if (a->domain >= 0)
		SAME(strcmp(domains_name(ref->domains, a->domain), domains_name(fast->domains, b->domain)) == 0,
		     "%s: line %ld: domain \"%s\" by jansson, \"%s\" by the scanner", what, line,
		     domains_name(ref->domains, a->domain), domains_name(fast->domains, b->domain));
	SAME(a->k == b->k, "%s: line %ld: %zu experts by jansson, %zu by the scanner", what, line,
	     a->k, b->k);
	for (size_t i = 0; i < a->k; i++)
		SAME(a->experts[i] == b->experts[i],
		     "%s: line %ld: expert %zu is %u by jansson, %u by the scanner", what, line, i,
		     a->experts[i], b->experts[i]);
	same_reals(what, line, "weights", a->weights, a->nweights, b->weights, b->nweights);
	same_reals(what, line, "logits", a->logits, a->nlogits, b->logits, b->nlogits);
}

/* Reads the file at path through jansson alone and through the scanner, in
 * step, and asserts that every call returns the same thing. */
static struct tally diff_file(const char *what, const char *path, const char *const *keys)
{
	struct side ref, fast;
	struct tally t = { 0 };

	side_open(&ref, path, keys, false);
	side_open(&fast, path, keys, true);
	for (unsigned long step = 0;; step++) {
		struct moe_record a, b;
		struct moe_shape ha, hb;
		struct moe_error ea, eb;
		long line;
		int ra, rb;

		memset(&ea, 0, sizeof ea);
		memset(&eb, 0, sizeof eb);
		ra = jsonl_parser.next(ref.parser, &a, &ha, &ea);
		rb = jsonl_parser.next(fast.parser, &b, &hb, &eb);
		line = lines_number(ref.lines);
		SAME(ra == rb, "%s: call %lu (line %ld): jansson returns %d, the scanner %d (%s)", what,
		     step, line, ra, rb, ra < 0 ? ea.msg : eb.msg);
		SAME(line == lines_number(fast.lines), "%s: line %ld by jansson, %ld by the scanner", what,
		     line, lines_number(fast.lines));
		if (ra == PARSE_END)
			break;
		SAME(step < 10000000, "%s: the parsers do not stop", what);
		if (ra == PARSE_HEADER) {
			t.headers++;
			SAME(ha.experts == hb.experts && ha.topk == hb.topk && strcmp(ha.score, hb.score) == 0 &&
			     strcmp(ha.model, hb.model) == 0, "%s: line %ld: headers differ", what, line);
		} else if (ra < 0) {
			*(ra == PARSE_BAD ? &t.bad : &t.fatal) += 1;
			SAME(ea.status == eb.status && ea.line == eb.line && strcmp(ea.file, eb.file) == 0,
			     "%s: line %ld: errors at %s:%ld (%d) and %s:%ld (%d)", what, line, ea.file,
			     ea.line, ea.status, eb.file, eb.line, eb.status);
			SAME(strcmp(ea.msg, eb.msg) == 0, "%s: line %ld: jansson says \"%s\", the scanner \"%s\"",
			     what, line, ea.msg, eb.msg);
		} else {
			t.records++;
			same_records(what, line, &ref, &a, &fast, &b);
		}
	}
	ck_assert_uint_eq(domains_count(ref.domains), domains_count(fast.domains));
	ck_assert_uint_eq(jsonl_scanned_lines(ref.parser), 0);
	t.scanned = jsonl_scanned_lines(fast.parser);
	t.jansson = jsonl_jansson_lines(fast.parser);
	ck_assert_uint_eq(t.scanned + t.jansson, jsonl_jansson_lines(ref.parser));
	side_close(&ref);
	side_close(&fast);
	return t;
}

static struct tally diff_bytes(const char *what, const char *bytes, size_t len, const char *const *keys)
{
	char *path = tu_temp_file(bytes, len);
	struct tally t = diff_file(what, path, keys);

	unlink(path);
	free(path);
	return t;
}

/* --key settings every case is read with. The last two give a name two
 * purposes, so jansson reads every line. */
static const char *const keys_renamed[MOE_ROLE_COUNT] = {
	[MOE_ROLE_DOMAIN] = "dataset", [MOE_ROLE_EXPERTS] = "picked",
};
static const char *const keys_megatron[MOE_ROLE_COUNT] = {
	[MOE_ROLE_EXPERTS] = "top_indices", [MOE_ROLE_TOKEN] = "step",
};
static const char *const keys_short[MOE_ROLE_COUNT] = {
	[MOE_ROLE_LAYER] = "l", [MOE_ROLE_TOKEN] = "t", [MOE_ROLE_EXPERTS] = "e",
	[MOE_ROLE_WEIGHTS] = "w", [MOE_ROLE_LOGITS] = "x", [MOE_ROLE_DOMAIN] = "d",
};
static const char *const keys_shared[MOE_ROLE_COUNT] = { [MOE_ROLE_TOKEN] = "layer" };
static const char *const keys_header[MOE_ROLE_COUNT] = { [MOE_ROLE_DOMAIN] = "moestat" };
static const char *const keys_utf8[MOE_ROLE_COUNT] = { [MOE_ROLE_DOMAIN] = "cl\xc3\xa9" };
static const char *const *const key_sets[] = {
	NULL, keys_renamed, keys_megatron, keys_short, keys_utf8, keys_shared, keys_header,
};
#define NKEY_SETS (sizeof key_sets / sizeof *key_sets)

/* Inputs, and how many of their lines the scanner takes with the default keys
 * (-1: not counted). Every one is read with every key set, both ways. */
static const struct {
	const char *text;
	int scanned;
} cases[] = {
	/* The shapes of check_jsonl.c. */
	{ "{\"dataset\": \"humaneval\", \"problem_id\": 0, \"layer\": 3, \"experts\": [6, 5], "
	  "\"gating_probs\": [0.75, 0.25], \"token_idx\": 9}\n", 1 },
	{ "{\"layer_id\": 2, \"topk_ids\": [1], \"token_pos\": 4}", 1 },
	{ "{\"layer\": 2, \"expert_ids\": [1], \"token\": 4}", 1 },
	{ "{\"layer\": 2, \"selected_experts\": [1], \"token_idx\": 4}", 1 },
	{ "{\"layer\": 2, \"top_indices\": [1], \"token\": 4, \"topk_weights\": [1.0]}", 1 },
	{ "{\"experts\": [1], \"weights\": [1]}", 1 },
	{ "{\"dataset\": \"gsm8k\", \"picked\": [4, 0], \"experts\": [1, 2]}\n"
	  "{\"dataset\": 17, \"picked\": [4, 0]}\n"
	  "{\"dataset\": \"gsm8k\", \"experts\": [1, 2]}\n", 2 },
	{ "{\"layer\": 1, \"experts\": [[6, 5], [5, 3]], \"gating_probs\": [[0.5, 0.5], [0.9, 0.1]],"
	  " \"token_idx\": [7, 8], \"logits\": [[1,2,3,4,5,6,7], [0,0,0,0,0,0,1]]}\n"
	  "{\"layer\": 2, \"experts\": [[1]]}\n", 2 },
	{ "{\"moestat\": 1, \"experts\": 8, \"topk\": 2, \"score\": \"softmax\", \"model\": \"m\"}\n"
	  "\n"
	  "{\"experts\": [1, 2]}\n", 1 },
	{ "{\"experts\": [1, 2]\n{\"experts\": [4]}\n", 1 },
	{ "[1, 2]\n{\"experts\": [4]}\n", 1 },
	{ "{\"layer\": 1}\n{\"experts\": [4]}\n", 1 },
	{ "{\"experts\": 3}\n{\"experts\": [4]}\n", 1 },
	{ "{\"experts\": [1, -2]}\n{\"experts\": [4]}\n", 1 },
	{ "{\"experts\": [1, 2.0]}\n{\"experts\": [4]}\n", 1 },
	{ "{\"experts\": [1, \"2\"]}\n{\"experts\": [4]}\n", 1 },
	{ "{\"experts\": [3000000000]}\n{\"experts\": [4]}\n", 1 },
	{ "{\"experts\": [1], \"layer\": -1}\n{\"experts\": [4]}\n", 1 },
	{ "{\"experts\": [1], \"layer\": \"3\"}\n{\"experts\": [4]}\n", 1 },
	{ "{\"experts\": [1], \"weights\": 0.5}\n{\"experts\": [4]}\n", 1 },
	{ "{\"experts\": [1], \"weights\": [\"x\"]}\n{\"experts\": [4]}\n", 1 },
	{ "{\"experts\": [[1], [2]], \"weights\": [[1.0]]}\n{\"experts\": [4]}\n", 1 },
	{ "{\"experts\": [[1], 2]}\n{\"experts\": [4]}\n", 1 },
	{ "{\"experts\": [1], \"token\": 1.5}\n{\"experts\": [4]}\n", 1 },
	{ "{\"experts\": [1], \"domain\": [1]}\n{\"experts\": [4]}\n", 1 },
	{ "{\"experts\": [1], \"experts\": [2]}\n{\"experts\": [4]}\n", 1 },
	{ "{\"moestat\": 2}", 0 },
	{ "{\"moestat\": 1, \"experts\": 0}", 0 },
	{ "{\"moestat\": 1, \"topk\": \"2\"}", 0 },
	{ "{\"moestat\": 1, \"experts\": 2, \"topk\": 3}", 0 },
	{ "{\"moestat\": 1, \"score\": \"tanh\"}", 0 },
	{ "{\"moestat\": \"1\", \"model\": \"deepseek\"}\n{\"experts\": [0]}", 1 },
	/* Megatron's router traces: one object per step and layer, a batch of tokens. */
	{ "{\"step\": 12, \"layer\": 7, \"top_indices\": [[12, 5, 200, 3, 77, 1, 0, 255], "
	  "[1, 2, 3, 4, 5, 6, 7, 8], [65535, 9999, 10000, 99, 100, 999, 1000, 42]]}\n"
	  "{\"step\": 12, \"layer\": 8, \"top_indices\": [[0, 1], [2, 3]]}\n", 2 },
	{ "{\"step\":12,\"layer\":7,\"top_indices\":[[12,5],[1,2]]}", 1 },
	{ "  {  \"step\" : 12 ,\t\"layer\"\t:\t7 , \"top_indices\" : [ [ 12 , 5 ] , [ 1 , 2 ] ] }  \r\n", 1 },
	{ "{\"experts\":\r[1]\r}\r\r\n", 1 },
	{ "\xef\xbb\xbf{\"experts\": [1]}\r\n\t \n{\"experts\": [2]}", 2 },
	{ "{\"top_indices\": [[1, 2], [3, 4]], \"step\": 3, \"token\": [100, 101]}", 1 },
	{ "{\"top_indices\": [[1, 2], [3, 4]], \"token\": [100]}", 0 },
	{ "{\"top_indices\": [[1, 2], [3, 4]], \"token\": 5}", 0 },
	{ "{\"top_indices\": [[1, 2], [3, 4]], \"token\": [1, -1]}", 0 },
	{ "{\"top_indices\": [[1, 2], [3, 4]], \"token\": [1, null]}", 0 },
	{ "{\"top_indices\": [[1, 2], [3, 4]], \"token\": [[1], [2]]}", 0 },
	{ "{\"top_indices\": [[1, 2], [3, 4]], \"token\": null}", 1 },
	/* A bad token of a batch: the tokens before it, the error, then the rest of the line. */
	{ "{\"experts\": [[1], [2], [-3], [4]]}\n{\"experts\": [5]}", 1 },
	{ "{\"experts\": [[1], [2], 3, [4]]}\n{\"experts\": [5]}", 1 },
	{ "{\"experts\": [[1], [2]], \"weights\": [[0.5], \"x\"]}\n{\"experts\": [5]}", 1 },
	{ "{\"experts\": [[1], [2]], \"token\": [7, 1.5]}", 0 },
	{ "{\"experts\": [[1], [2]], \"weights\": [0.5, 0.5]}", 0 },
	{ "{\"experts\": [1], \"weights\": [[0.5]]}", 0 },
	{ "{\"experts\": [1], \"weights\": [[]]}", 0 },
	{ "{\"experts\": [1], \"weights\": []}", 1 },
	{ "{\"experts\": [[1]], \"weights\": []}", 0 },
	{ "{\"experts\": [[1]], \"weights\": [[]], \"logits\": [[]]}", 1 },
	{ "{\"experts\": [], \"weights\": [], \"logits\": []}", 1 },
	{ "{\"experts\": [[], []]}", 1 },
	{ "{\"experts\": [[]]}", 1 },
	{ "{\"experts\": [[1], []], \"token\": []}", 0 },
	{ "{\"experts\": [[[1]]]}", 0 },
	{ "{\"experts\": [1, [2]]}", 0 },
	/* vLLM's patch, one token a line, and a batch a line. */
	{ "{\"dataset\": \"humaneval\", \"problem_id\": 0, \"layer\": 0, \"experts\": [4, 6], "
	  "\"gating_probs\": [0.6073, 0.3927], \"token_idx\": 0}\n"
	  "{\"dataset\": \"humaneval\", \"problem_id\": 0, \"layer\": 0, \"experts\": [[1, 2], [4, 6]], "
	  "\"gating_probs\": [[0.7516, 0.2484], [0.6514, 0.3486]], \"token_idx\": [2, 3]}\n", 2 },
	/* Which name wins: the first of the role's list that the object holds, wherever it stands. */
	{ "{\"top_indices\": [9], \"experts\": [1]}", 1 },
	{ "{\"experts\": [1], \"top_indices\": [9]}", 1 },
	{ "{\"top_indices\": [9], \"selected_experts\": [8], \"expert_ids\": [7], \"topk_ids\": [6]}", 1 },
	{ "{\"topk_ids\": [6], \"expert_ids\": [7], \"selected_experts\": [8], \"top_indices\": [9]}", 1 },
	{ "{\"token_pos\": 3, \"token_idx\": 2, \"token\": 1, \"experts\": [0]}", 1 },
	{ "{\"layer_id\": 5, \"layer\": 4, \"experts\": [0]}", 1 },
	{ "{\"layer\": 4, \"layer_id\": 5, \"experts\": [0]}", 1 },
	{ "{\"topk_weights\": [0.1], \"gating_probs\": [0.2], \"weights\": [0.3], \"experts\": [0]}", 1 },
	{ "{\"router_logits\": [1, 2], \"logits\": [3, 4, 5], \"experts\": [0]}", 1 },
	{ "{\"experts\": [0], \"router_logits\": [1, 2], \"logits\": [3, 4, 5]}", 1 },
	{ "{\"experts\": [0], \"logits\": [3, 4, 5], \"router_logits\": [1, 2]}", 1 },
	{ "{\"top_indices\": [-1], \"experts\": [1]}", 0 },
	{ "{\"experts\": [1], \"top_indices\": [-1]}", 1 },
	{ "{\"experts\": [1], \"top_indices\": {\"a\": 1}}", 0 },
	{ "{\"layer_id\": \"x\", \"layer\": 3, \"experts\": [1]}", 1 },
	{ "{\"layer\": 3, \"layer_id\": \"x\", \"experts\": [1]}", 1 },
	/* A key present with null hides the names after it. */
	{ "{\"experts\": null, \"topk_ids\": [1]}", 0 },
	{ "{\"topk_ids\": [1], \"experts\": null}", 0 },
	{ "{\"experts\": [1], \"layer\": null, \"layer_id\": 3}", 1 },
	{ "{\"experts\": [1], \"token\": null, \"token_idx\": 3}", 1 },
	{ "{\"experts\": [1], \"weights\": null, \"gating_probs\": [0.5]}", 1 },
	{ "{\"experts\": [1], \"logits\": null, \"domain\": null}", 1 },
	{ "{\"experts\": [1], \"layer\": true}", 0 },
	{ "{\"experts\": [1], \"token\": false}", 0 },
	{ "{\"experts\": [1], \"weights\": true}", 0 },
	{ "{\"experts\": true}", 0 },
	{ "{\"experts\": \"1, 2\"}", 0 },
	{ "{\"experts\": null}", 0 },
	{ "{}", 0 },
	/* Duplicate keys, role or not. */
	{ "{\"x\": 1, \"experts\": [1], \"x\": 2}", 0 },
	{ "{\"experts\": [1], \"topk_ids\": [2], \"topk_ids\": [3]}", 0 },
	{ "{\"a\": 1, \"b\": 2, \"c\": 3, \"d\": 4, \"e\": 5, \"f\": 6, \"g\": 7, \"h\": 8, \"i\": 9, "
	  "\"j\": 10, \"k\": 11, \"l\": 12, \"m\": 13, \"n\": 14, \"o\": 15, \"p\": 16, \"q\": 17, "
	  "\"r\": 18, \"s\": 19, \"t\": 20, \"u\": 21, \"v\": 22, \"w\": 23, \"x\": 24, \"y\": 25, "
	  "\"z\": 26, \"A\": 27, \"B\": 28, \"C\": 29, \"D\": 30, \"E\": 31, \"experts\": [1]}", 1 },
	{ "{\"a\": 1, \"b\": 2, \"c\": 3, \"d\": 4, \"e\": 5, \"f\": 6, \"g\": 7, \"h\": 8, \"i\": 9, "
	  "\"j\": 10, \"k\": 11, \"l\": 12, \"m\": 13, \"n\": 14, \"o\": 15, \"p\": 16, \"q\": 17, "
	  "\"r\": 18, \"s\": 19, \"t\": 20, \"u\": 21, \"v\": 22, \"w\": 23, \"x\": 24, \"y\": 25, "
	  "\"z\": 26, \"A\": 27, \"B\": 28, \"C\": 29, \"D\": 30, \"E\": 31, \"F\": 32, \"experts\": [1]}", 0 },
	{ "{\"\": 1, \"experts\": [1]}", 1 },
	{ "{\"\": 1, \"\": 2, \"experts\": [1]}", 0 },
	/* Domains: strings and integers. */
	{ "{\"experts\": [1], \"domain\": \"gsm8k\"}\n{\"experts\": [1], \"domain\": 17}\n"
	  "{\"experts\": [1], \"domain\": -0}\n{\"experts\": [1], \"domain\": -9223372036854775808}\n"
	  "{\"experts\": [1], \"domain\": \"17\"}\n", 5 },
	{ "{\"experts\": [1], \"domain\": \"\"}", 0 },
	{ "{\"experts\": [1], \"domain\": 1.5}", 0 },
	/* Strings the scanner leaves to jansson: escapes, UTF-8, control characters. */
	{ "{\"experts\": [1], \"domain\": \"a\\\"b\"}", 0 },
	{ "{\"experts\": [1], \"domain\": \"caf\\u00e9\"}", 0 },
	{ "{\"experts\": [1], \"domain\": \"caf\xc3\xa9\"}", 0 },
	{ "{\"experts\": [1], \"domain\": \"caf\xe9\"}", 0 },
	{ "{\"experts\": [1], \"domain\": \"a\\u0000b\"}", 0 },
	{ "{\"experts\": [1], \"domain\": \"a\tb\"}", 0 },
	{ "{\"experts\": [1], \"domain\": \"a\x7f b\"}", 1 },
	{ "{\"experts\": [1], \"domain\": \"a\\/b\"}", 0 },
	{ "{\"exp\\u0065rts\": [1]}", 0 },
	{ "{\"experts\": [1], \"note\": \"\\ud83d\\ude00\"}", 0 },
	{ "{\"experts\": [1], \"note\": \"\\ud83d\"}", 0 },
	{ "{\"experts\": [1], \"note\": \"\xed\xa0\x80\"}", 0 },
	{ "{\"experts\": [1], \"note\": \"\xf4\x90\x80\x80\"}", 0 },
	{ "{\"experts\": [1], \"cl\xc3\xa9\": \"x\"}", 0 },
	{ "{\"experts\": [1], \"cl\xc3\xa9\": \"x\", \"cl\\u00e9\": 1}", 0 },
	/* Values of other keys: checked, then passed over. */
	{ "{\"experts\": [1], \"a\": [], \"b\": [[]], \"c\": [[1, \"x\", [true, false, null]], 2.5e3],"
	  " \"d\": \"\", \"e\": -0.0, \"f\": true, \"g\": false, \"h\": null}", 1 },
	{ "{\"experts\": [1], \"a\": {}}", 0 },
	{ "{\"experts\": [1], \"a\": {\"b\": 1, \"b\": 2}}", 0 },
	{ "{\"experts\": [1], \"a\": [{\"b\": 1}]}", 0 },
	{ "{\"experts\": [1], \"a\": [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}", 1 },
	{ "{\"experts\": [1], \"a\": [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}", 0 },
	{ "{\"experts\": [1], \"a\": [1,]}", 0 },
	{ "{\"experts\": [1], \"a\": [1,}", 0 },
	{ "{\"experts\": [1], \"a\": [,1]}", 0 },
	{ "{\"experts\": [1], \"a\": tru}", 0 },
	{ "{\"experts\": [1], \"a\": truex}", 0 },
	{ "{\"experts\": [1], \"a\": True}", 0 },
	{ "{\"experts\": [1], \"a\": nul}", 0 },
	{ "{\"experts\": [1], \"a\": 'x'}", 0 },
	{ "{\"experts\": [1], \"a\": 18446744073709551616}", 0 },
	{ "{\"experts\": [1], \"a\": 1e400}", 0 },
	{ "{\"experts\": [1], \"a\": -1e400}", 0 },
	{ "{\"experts\": [1], \"a\": 1e-400}", 1 },
	/* Invalid JSON of every kind. */
	{ "{\"experts\": [1],}", 0 },
	{ "{\"experts\": [1] \"layer\": 2}", 0 },
	{ "{\"experts\" [1]}", 0 },
	{ "{\"experts\": [1 2]}", 0 },
	{ "{\"experts\": [1,, 2]}", 0 },
	{ "{\"experts\": [1, 2,]}", 0 },
	{ "{\"experts\": [01]}", 0 },
	{ "{\"experts\": [1]} x", 0 },
	{ "{\"experts\": [1]}}", 0 },
	{ "{\"experts\": [1]}{\"experts\": [2]}", 0 },
	{ "{\"experts\": [1]} \f", 0 },
	{ "{'experts': [1]}", 0 },
	{ "{experts: [1]}", 0 },
	{ "{\"experts\": [1]", 0 },
	{ "{\"experts\": [1", 0 },
	{ "{\"experts\": [", 0 },
	{ "{\"experts\": ", 0 },
	{ "{\"experts\"", 0 },
	{ "{\"exp", 0 },
	{ "{", 0 },
	{ "}", 0 },
	{ "\"experts\"", 0 },
	{ "1", 0 },
	{ "null", 0 },
	{ "{\"experts\": [1]} // note", 0 },
	{ "{\"experts\": [1], /* note */ \"layer\": 2}", 0 },
	{ "{\"experts\": [0x10]}", 0 },
	{ "{\"experts\": [+1]}", 0 },
	{ "{\"experts\": [1.]}", 0 },
	{ "{\"experts\": [.5]}", 0 },
	{ "{\"experts\": [-]}", 0 },
	{ "{\"experts\": [1], \"weights\": [NaN]}", 0 },
	{ "{\"experts\": [1], \"weights\": [Infinity]}", 0 },
	{ "{\"experts\": [1], \"weights\": [-Infinity]}", 0 },
	{ "{\"experts\": [1], \"weights\": [1e]}", 0 },
	{ "{\"experts\": [1], \"weights\": [1e+]}", 0 },
	{ "{\"experts\": [1], \"weights\": [1.e5]}", 0 },
	{ "{\"experts\": [1], \"weights\": [--1]}", 0 },
	{ "{\"experts\": [1], \"weights\": [-01.5]}", 0 },
	{ "{\"experts\": [1], \"weights\": [00.5]}", 0 },
	/* Expert ids at their limits. */
	{ "{\"experts\": [0, 9, 10, 99, 100, 999, 1000, 9999, 10000, 65535]}", 1 },
	{ "{\"experts\": [65536]}", 0 },
	{ "{\"experts\": [99999]}", 0 },
	{ "{\"experts\": [100000]}", 0 },
	{ "{\"experts\": [9223372036854775807]}", 0 },
	{ "{\"experts\": [9223372036854775808]}", 0 },
	{ "{\"experts\": [-0]}", 0 },
	{ "{\"experts\": [-1]}", 0 },
	{ "{\"experts\": [1e0]}", 0 },
	{ "{\"experts\": [00]}", 0 },
	{ "{\"experts\": [000001]}", 0 },
	{ "{\"experts\":[1]}", 1 },
	{ "{\"experts\":[12]}", 1 },
	{ "{\"experts\":[123456]}", 0 },
	{ "{\"experts\":[7,",  0 },
	/* Layers and tokens at their limits. */
	{ "{\"experts\": [1], \"layer\": 65535, \"token\": 9223372036854775807}", 1 },
	{ "{\"experts\": [1], \"layer\": 65536}", 0 },
	{ "{\"experts\": [1], \"layer\": -0, \"token\": -0}", 1 },
	{ "{\"experts\": [1], \"layer\": 1.0}", 0 },
	{ "{\"experts\": [1], \"token\": -1}", 0 },
	{ "{\"experts\": [1], \"token\": 9223372036854775808}", 0 },
	{ "{\"experts\": [1], \"token\": [1]}", 0 },
	{ "{\"experts\": [1], \"token\": \"1\"}", 0 },
	/* Numbers in every form, as weights and logits. */
	{ "{\"experts\": [1], \"weights\": [0, -0, 1, -1, 0.0, -0.0, 1.5, -1.5, 1e5, 1E5, 1e+5, 1e-5,"
	  " 1.25e-3, 0.1, 0.2, 0.30000000000000004, 123456789012345678, 1234567890123456789,"
	  " -9223372036854775808, 9223372036854775807, 9007199254740993, 9007199254740993.0,"
	  " 9007199254740992.0, 1e22, 1e23, 123456789012345e-22, 0.000001e22, 1.7976931348623157e308,"
	  " 4.9e-324, 2e-324, 2.2250738585072014e-308, 1e-400, 0e999999999, 0.0e-999999999,"
	  " 0.1234567890123456789, 12345678901234567890.5, 100000000000000000000000.0]}", 1 },
	{ "{\"experts\": [1], \"weights\": [100000000000000000000000]}", 0 },
	{ "{\"experts\": [1], \"logits\": [1.7976931348623159e308]}", 0 },
	{ "{\"experts\": [1], \"logits\": [9223372036854775808]}", 0 },
	{ "{\"experts\": [1], \"logits\": [-9223372036854775809]}", 0 },
	{ "{\"experts\": [1], \"logits\": [1e1000000000000000000000]}", 0 },
	/* An exponent too long to keep must not be taken for a shorter one. */
	{ "{\"experts\": [1], \"logits\": [0.00000000000000000000000000000000000001e200005]}", 0 },
	{ "{\"experts\": [1], \"logits\": [0.00000000000000000000000000000000000001e0000000000000000000039]}", 1 },
	{ "{\"experts\": [1], \"logits\": [1e-0000000000000000000000000000022]}", 1 },
	{ "{\"experts\": [1], \"logits\": [1000000000000000000000000000000000000000e-2000010]}", 1 },
};
#define NCASES (sizeof cases / sizeof *cases)

START_TEST(cases_agree)
{
	for (size_t k = 0; k < NKEY_SETS; k++) {
		char what[128];
		struct tally t;

		snprintf(what, sizeof what, "case %d (%.60s), key set %zu", _i, cases[_i].text, k);
		t = diff_bytes(what, cases[_i].text, strlen(cases[_i].text), key_sets[k]);
		if (k == 0 && cases[_i].scanned >= 0)
			ck_assert_msg(t.scanned == (unsigned long)cases[_i].scanned,
			              "%s: the scanner took %lu lines, not %d", what, t.scanned,
			              cases[_i].scanned);
		if (k >= NKEY_SETS - 2)
			ck_assert_uint_eq(t.scanned, 0);
	}
}
END_TEST

/* Bytes a C string cannot hold. */
#define BYTES(s) { s, sizeof s - 1 }
static const struct {
	const char *bytes;
	size_t len;
} nul_cases[] = {
	BYTES("{\"experts\": [1]}\0"),
	BYTES("{\"experts\": [1]\0}"),
	BYTES("{\"experts\": [1\0]}"),
	BYTES("{\"experts\": [\0001]}"),
	BYTES("{\"experts\": [1], \"domain\": \"a\0b\"}"),
	BYTES("{\"exp\0rts\": [1]}"),
	BYTES("\0{\"experts\": [1]}"),
	BYTES("{\"experts\": [12345678\0]}"),
	BYTES("{\"experts\": [1], \"weights\": [0.5\0]}"),
	BYTES("{\"experts\": [1], \"a\": tr\0e}"),
};

START_TEST(nul_bytes_agree)
{
	char what[64];

	snprintf(what, sizeof what, "NUL case %d", _i);
	ck_assert_uint_eq(diff_bytes(what, nul_cases[_i].bytes, nul_cases[_i].len, NULL).scanned, 0);
}
END_TEST

/* Growable text for the generated inputs. */
struct text {
	char *s;
	size_t len, cap;
};

static void text_add(struct text *t, const char *bytes, size_t n)
{
	if (t->len + n + 1 > t->cap) {
		t->cap = (t->len + n + 1) * 2;
		t->s = realloc(t->s, t->cap);
		ck_assert_ptr_nonnull(t->s);
	}
	memcpy(t->s + t->len, bytes, n);
	t->len += n;
	t->s[t->len] = '\0';
}

static void text_str(struct text *t, const char *s)
{
	text_add(t, s, strlen(s));
}

static void text_printf(struct text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void text_printf(struct text *t, const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	SAME(n < (int)sizeof buf, "text_printf: %d bytes", n);
	text_add(t, buf, (size_t)n);
}

/* Every prefix of lines that hold every field: truncated lines. */
START_TEST(truncated_lines_agree)
{
	static const char *const full[] = {
		"{\"dataset\": \"humaneval\", \"problem_id\": 0, \"layer\": 3, \"experts\": [[6, 5], [12345, 0]], "
		"\"gating_probs\": [[0.75, 0.25], [1e-3, -2.5E+2]], \"token_idx\": [9, 10], "
		"\"logits\": [[1, -0.0], [3.25, 4]], \"x\": [true, false, null, \"s\"]}",
		"{\"step\": 12, \"layer\": 7, \"top_indices\": [[12, 5, 200, 3, 77, 1, 0, 255], [1, 2, 3, 4, 5, 6, 7, 8]]}",
	};
	const char *line = full[_i];
	size_t len = strlen(line);
	struct text t = { 0 };
	unsigned long scanned;

	/* One file: each prefix on a line of its own, the whole line last. */
	for (size_t n = 0; n <= len; n++) {
		text_add(&t, line, n);
		text_str(&t, "\n");
	}
	for (size_t k = 0; k < NKEY_SETS; k++) {
		scanned = diff_bytes("truncated lines", t.s, t.len, key_sets[k]).scanned;
		if (k == 0)
			ck_assert_uint_eq(scanned, 1);
	}
	free(t.s);
}
END_TEST

/* Lines longer than any buffer starts with, and rows at the list limit. */
START_TEST(huge_lines_agree)
{
	struct text t = { 0 };
	struct tally r;

	/* A batch of 100,000 tokens of 8 ids, with weights. */
	text_str(&t, "{\"layer\": 3, \"experts\": [");
	for (int i = 0; i < 100000; i++)
		text_printf(&t, "%s[%d, %d, %d, %d, %d, %d, %d, %d]", i ? ", " : "", i % 65536,
		            (i * 7) % 256, 1, 2, 3, 4, 5, 60000 + i % 5000);
	text_str(&t, "], \"weights\": [");
	for (int i = 0; i < 100000; i++)
		text_printf(&t, "%s[%d.5, 0.%d, 1e-%d, 0, 0, 0, 0, %d]", i ? ", " : "", i, i, i % 300, -i);
	text_str(&t, "]}\n");
	/* Rows of 65,536 items (the limit) and of 65,537. */
	for (int n = 65536; n <= 65537; n++) {
		text_str(&t, "{\"experts\": [0");
		for (int i = 1; i < n; i++)
			text_printf(&t, ",%d", i % 65536);
		text_str(&t, "], \"logits\": [0");
		for (int i = 1; i < n; i++)
			text_str(&t, ",1");
		text_str(&t, "]}\n");
	}
	r = diff_bytes("huge lines", t.s, t.len, NULL);
	ck_assert_uint_eq(r.records, 100001);
	ck_assert_uint_eq(r.bad, 1);
	ck_assert_uint_eq(r.scanned, 2);
	free(t.s);
}
END_TEST

/* Domain names up to 255 bytes, and over. */
START_TEST(domain_lengths_agree)
{
	struct text t = { 0 };
	struct tally r;

	for (int n = 250; n < 260; n++) {
		text_str(&t, "{\"experts\": [1], \"domain\": \"");
		for (int i = 0; i < n; i++)
			text_str(&t, "a");
		text_str(&t, "\"}\n");
	}
	r = diff_bytes("domain lengths", t.s, t.len, NULL);
	ck_assert_uint_eq(r.records, 6);
	ck_assert_uint_eq(r.bad, 4);
	ck_assert_uint_eq(r.scanned, 6);
	free(t.s);
}
END_TEST

/* The 1025th domain is fatal on both paths, and the table stays the same. */
START_TEST(domain_limit_agrees)
{
	struct text t = { 0 };
	struct tally r;

	for (int i = 0; i < 1030; i++)
		text_printf(&t, "{\"experts\": [1], \"domain\": %s%d%s}\n", i % 2 ? "\"d" : "", i,
		            i % 2 ? "\"" : "");
	r = diff_bytes("domains", t.s, t.len, NULL);
	ck_assert_uint_eq(r.records, 1024);
	ck_assert_uint_eq(r.fatal, 6);
	free(t.s);
}
END_TEST

/* An exponent too long to keep, after as many zeros as it is large: 1e4, not 0.1. */
START_TEST(long_exponents_agree)
{
	static const char *const tails[] = { "1e100005", "1e100000", "1e99999", "5e+0100003", "1E100001" };
	struct text t = { 0 };
	struct tally r;

	for (size_t i = 0; i < sizeof tails / sizeof *tails; i++) {
		text_str(&t, "{\"experts\": [0], \"logits\": [0.");
		for (int z = 0; z < 100000; z++)
			text_str(&t, "0");
		text_printf(&t, "%s]}\n", tails[i]);
	}
	r = diff_bytes("long exponents", t.s, t.len, NULL);
	ck_assert_uint_eq(r.records, 5);
	ck_assert_uint_eq(r.scanned, 5);
	free(t.s);
}
END_TEST

/* The random inputs: xorshift64, the same every run. */
static uint64_t rng_state;

static uint64_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static unsigned pick(unsigned n)
{
	return (unsigned)(rng() % n);
}

static void add_space(struct text *t)
{
	static const char *const spaces[] = { "", "", "", " ", " ", "  ", "\t", "\r", " \t\r " };
	const char *space = spaces[pick(sizeof spaces / sizeof *spaces)];

	text_add(t, space, strlen(space));
}

/* A JSON number, mostly valid, in the forms loggers print: integer ones mostly
 * small and non-negative (ids, layers, tokens), now and then anything. */
static void add_number(struct text *t, bool integer)
{
	static const char *const odd[] = {
		"-0", "0", "65535", "65536", "9223372036854775807", "9223372036854775808",
		"-9223372036854775808", "01", "1.", ".5", "+1", "-", "1e", "1e400", "1e-400", "-0.0",
		"9007199254740993", "4.9e-324", "1.7976931348623157e308", "123456789012345678901234",
	};
	double x;
	uint64_t bits;

	if (integer && pick(16)) {
		text_printf(t, "%u", pick(4) ? pick(256) : pick(65536));
		return;
	}
	switch (pick(integer ? 3 : 8)) {
	case 0:
		text_printf(t, "%u", pick(10) < 8 ? pick(256) : pick(70000));
		break;
	case 1:
		text_printf(t, "%s%" PRIu64, pick(4) ? "" : "-", rng() >> pick(64));
		break;
	case 2:
		text_printf(t, "%s", pick(4) ? "0" : odd[pick(sizeof odd / sizeof *odd)]);
		break;
	case 3:
		text_printf(t, "%.*f", (int)pick(7), (double)(rng() % 2000000) / 1000.0 - 1000.0);
		break;
	case 4:
		text_printf(t, "%.17g", (double)(rng() >> 11) / 9007199254740992.0);
		break;
	case 5:
		/* Any finite double, at full precision: strtod's hard cases. */
		do {
			bits = rng();
			memcpy(&x, &bits, sizeof x);
		} while (!isfinite(x));
		text_printf(t, pick(2) ? "%.17g" : "%.16e", x);
		break;
	case 6:
		text_printf(t, "%s%u.%0*u%s%d", pick(3) ? "" : "-", pick(1000), (int)pick(9), pick(100000),
		            pick(2) ? "e" : "E", (int)pick(60) - 30);
		break;
	default:
		text_printf(t, "%.*g", 1 + (int)pick(15), (double)rng() / (double)(rng() | 1));
		break;
	}
}

static void add_list(struct text *t, bool integer, int n)
{
	text_str(t, "[");
	add_space(t);
	for (int i = 0; i < n; i++) {
		if (i) {
			add_space(t);
			text_str(t, ",");
			add_space(t);
		}
		add_number(t, integer);
	}
	add_space(t);
	text_str(t, "]");
}

/* A list of numbers, or a batch of them (rows tokens), or now and then something else. */
static void add_rows(struct text *t, bool integer, int rows, int k)
{
	if (pick(30) == 0) {
		text_str(t, "null");
		return;
	}
	if (rows == 0) {
		add_list(t, integer, k);
		return;
	}
	text_str(t, "[");
	for (int r = 0; r < rows; r++) {
		if (r)
			text_str(t, ", ");
		add_list(t, integer, pick(20) ? k : (int)pick(4));
	}
	if (pick(40) == 0)
		text_str(t, ", 3");
	text_str(t, "]");
}

static void add_string(struct text *t)
{
	static const char *const strings[] = {
		"humaneval", "gsm8k", "", "a b", "caf\\u00e9", "caf\xc3\xa9", "q\\\"q", "tab\\t", "17",
		"x\x7fy",
	};

	text_printf(t, "\"%s\"", strings[pick(sizeof strings / sizeof *strings)]);
}

/* Whether name is a word of the space-separated list. */
static bool is_one_of(const char *name, const char *list)
{
	size_t n = strlen(name);

	for (const char *at = strstr(list, name); at; at = strstr(at + 1, name))
		if (at[-1] == ' ' && at[n] == ' ')
			return true;
	return false;
}

/* A random record line: mostly what loggers write, with every role's names, in any order. */
static void add_line(struct text *t)
{
	static const char *const names[] = {
		"layer", "layer_id", "token", "token_idx", "token_pos", "experts", "topk_ids", "expert_ids",
		"selected_experts", "top_indices", "weights", "gating_probs", "topk_weights", "logits",
		"router_logits", "domain", "step", "dataset", "problem_id", "x", "l", "t", "e", "w", "d",
		"picked", "moestat",
	};
	int rows = pick(3) ? 0 : 1 + (int)pick(4), k = (int)pick(9);
	int nkeys = 1 + (int)pick(6);

	add_space(t);
	text_str(t, "{");
	add_space(t);
	for (int i = 0; i < nkeys; i++) {
		/* Mostly an expert list somewhere. */
		const char *name = i == 0 && pick(8) ? names[5 + pick(5)] :
		                   names[pick(sizeof names / sizeof *names - (pick(20) ? 1 : 0))];

		if (i) {
			text_str(t, ",");
			add_space(t);
		}
		text_printf(t, "\"%s\"", name);
		add_space(t);
		text_str(t, ":");
		add_space(t);
		if (is_one_of(name, " experts topk_ids expert_ids selected_experts top_indices e picked "))
			add_rows(t, true, rows, k);
		else if (is_one_of(name, " weights gating_probs topk_weights logits router_logits w x "))
			add_rows(t, false, rows, pick(3) ? k : (int)pick(300));
		else if (is_one_of(name, " token token_idx token_pos t step ") && rows && pick(4))
			add_list(t, true, pick(10) ? rows : (int)pick(5));
		else if (pick(3) == 0)
			add_string(t);
		else if (pick(10) == 0)
			text_str(t, "null");
		else
			add_number(t, pick(3) > 0);
		add_space(t);
	}
	text_str(t, "}");
	add_space(t);
	text_str(t, "\n");
}

/* Delete, insert or replace a byte, from the bytes that matter to JSON mostly. */
static void mutate(struct text *t)
{
	static const char alphabet[] = "{}[]\",:-+.eE0123456789 \t\r\n\\u/ntrfalsx\x01\x1f\x7f\x80\xc3\xa9\xff";
	size_t at = t->len ? pick((unsigned)t->len) : 0;
	char c = pick(8) ? alphabet[pick(sizeof alphabet - 1)] : (char)pick(256);

	switch (pick(3)) {
	case 0:
		if (t->len) {
			memmove(t->s + at, t->s + at + 1, t->len - at - 1);
			t->len--;
		}
		break;
	case 1:
		text_str(t, "");
		if (t->len + 2 > t->cap) {
			t->cap = t->len * 2 + 16;
			t->s = realloc(t->s, t->cap);
			ck_assert_ptr_nonnull(t->s);
		}
		memmove(t->s + at + 1, t->s + at, t->len - at);
		t->s[at] = c;
		t->len++;
		break;
	default:
		if (t->len)
			t->s[at] = c;
		break;
	}
}

/* Random valid-looking lines: both paths agree, and the scanner takes most of them. */
START_TEST(random_lines_agree)
{
	unsigned long scanned = 0, lines = 0;

	rng_state = 0x9e3779b97f4a7c15u + (uint64_t)_i;
	for (int c = 0; c < 250; c++) {
		struct text t = { 0 };
		char what[64];
		struct tally r;
		int n = 1 + (int)pick(8);

		for (int i = 0; i < n; i++)
			add_line(&t);
		snprintf(what, sizeof what, "random run %d case %d", _i, c);
		r = diff_bytes(what, t.s, t.len, key_sets[pick(4) ? 0 : pick(NKEY_SETS)]);
		scanned += r.scanned;
		lines += r.scanned + r.jansson;
		free(t.s);
	}
	/* Not a trivial pass: the scanner did the work on a good share. */
	ck_assert_uint_gt(scanned * 8, lines);
}
END_TEST

/* The same lines, each damaged a little: near-valid JSON. */
START_TEST(mutated_lines_agree)
{
	unsigned long scanned = 0, lines = 0;

	rng_state = 0x2545f4914f6cdd1du + (uint64_t)_i;
	for (int c = 0; c < 500; c++) {
		struct text t = { 0 };
		char what[64];
		struct tally r;
		int n = 1 + (int)pick(4);

		for (int i = 0; i < n; i++)
			add_line(&t);
		for (int m = 1 + (int)pick(3); m > 0; m--)
			mutate(&t);
		snprintf(what, sizeof what, "mutation run %d case %d", _i, c);
		r = diff_bytes(what, t.s, t.len, key_sets[pick(2) ? 0 : pick(NKEY_SETS)]);
		scanned += r.scanned;
		lines += r.scanned + r.jansson;
		free(t.s);
	}
	ck_assert_uint_gt(scanned, 0);
	ck_assert_uint_lt(scanned, lines);
}
END_TEST

/* Many decimals on one line each: the fast path and strtod give jansson's doubles. */
START_TEST(decimals_agree)
{
	struct text t = { 0 };
	struct tally r;

	rng_state = 0x853c49e6748fea9bu + (uint64_t)_i;
	for (int line = 0; line < 500; line++) {
		text_str(&t, "{\"experts\": [0], \"logits\": [");
		for (int i = 0; i < 40; i++) {
			if (i)
				text_str(&t, ", ");
			add_number(&t, false);
		}
		text_str(&t, "]}\n");
	}
	r = diff_bytes("decimals", t.s, t.len, NULL);
	ck_assert_uint_eq(r.records + r.bad, 500);
	ck_assert_uint_gt(r.scanned, 0);
	free(t.s);
}
END_TEST

/* The sample log of the vLLM patch, gzip'd, read whole both ways. */
START_TEST(vllm_sample_agrees)
{
	struct tally r = diff_file("sample-logs/vllm.jsonl.gz", "sample-logs/vllm.jsonl.gz", NULL);

	ck_assert_uint_gt(r.records, 700);
	ck_assert_uint_eq(r.bad, 0);
	ck_assert_uint_eq(r.jansson, 0);
}
END_TEST

Suite *jsonl_scan_suite(void)
{
	Suite *s = suite_create("jsonl_scan");
	TCase *tc = tcase_create("jsonl_scan");

	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, cases_agree, 0, (int)NCASES);
	tcase_add_loop_test(tc, nul_bytes_agree, 0, sizeof nul_cases / sizeof *nul_cases);
	tcase_add_loop_test(tc, truncated_lines_agree, 0, 2);
	tcase_add_test(tc, huge_lines_agree);
	tcase_add_test(tc, domain_lengths_agree);
	tcase_add_test(tc, domain_limit_agrees);
	tcase_add_test(tc, long_exponents_agree);
	tcase_add_loop_test(tc, random_lines_agree, 0, 8);
	tcase_add_loop_test(tc, mutated_lines_agree, 0, 8);
	tcase_add_loop_test(tc, decimals_agree, 0, 4);
	tcase_add_test(tc, vllm_sample_agrees);
	suite_add_tcase(s, tc);
	return s;
}
