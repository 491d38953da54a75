/* check_render_log.c: records written back as logs: every double read back bit for bit, the header, gzip. */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "render_log.h"
#include "suites.h"
#include "testutil.h"
#include "writer.h"

/* Writes recs as a log into memory; returns the text (malloc'd). */
static char *written(enum render_log_format format, const struct moe_record *recs, size_t n,
                     const struct moe_input *in)
{
	char *text = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&text, &len);
	struct writer *out = writer_open(fp, false);
	struct render_log log;
	const char *why = NULL;

	ck_assert_ptr_nonnull(out);
	render_log_init(&log, out, format);
	for (size_t i = 0; i < n; i++)
		ck_assert_int_eq(render_log_record(&log, &recs[i], in, &why), 0);
	ck_assert_int_eq(render_log_finish(&log, in, &why), 0);
	ck_assert_int_eq(writer_close(out), 0);
	render_log_free(&log);
	fclose(fp);
	return text;
}

/* Doubles that need 16 and 17 digits, the smallest and largest, a negative zero:
 * each logit must read back as the very same bits, and the short ones stay short. */
START_TEST(doubles_read_back_exactly)
{
	static const uint32_t ids[] = { 1, 0 };
	static const double logits[] = { 0.1, 1.0 / 3, -2.5, 5e-324, DBL_MAX, -0.0, 0.3 - 0.1, 1e21 };
	struct moe_record rec = { .layer = 7, .token = -1, .domain = -1, .k = 2, .experts = ids,
	                          .logits = logits, .nlogits = 8 };
	struct moe_input in = { .experts = 8, .experts_from = EXPERTS_FROM_HEADER };
	char *text = written(RENDER_LOG_MLOG, &rec, 1, &in);
	char *line = strchr(text, '\n') + 1, *s = strchr(strchr(line, ' ') + 1, ' ') + 1;

	ck_assert_str_eq(strtok(text, "\n"), "#moestat v1 experts=8 fields=layer,experts,logits");
	ck_assert(strncmp(line, "7 1,0 0.1,0.3333333333333333,-2.5,", 34) == 0);
	for (size_t i = 0; i < 8; i++) {
		char *end;
		double x = strtod(s, &end);

		ck_assert_msg(memcmp(&x, &logits[i], sizeof x) == 0, "logit %zu: %.17g", i, x);
		s = end + 1;
	}
	free(text);
}
END_TEST

/* JSON Lines: the header object, keys in order, names escaped. */
START_TEST(jsonl_lines)
{
	static const uint32_t ids[] = { 3, 5 };
	static const double w[] = { 0.75, 0.25 };
	struct domains *d = domains_new();
	int code = domains_intern(d, "co\"de", 5);
	struct moe_record rec = { .layer = 2, .token = 9, .domain = code, .k = 2, .experts = ids,
	                          .weights = w, .nweights = 2 };
	struct moe_input in = { .experts_from = EXPERTS_FROM_IDS, .domains = d,
	                        .header = { .topk = 2, .score = "softmax", .model = "a b" } };
	char *text = written(RENDER_LOG_JSONL, &rec, 1, &in);

	ck_assert_str_eq(text, "{\"moestat\": 1, \"topk\": 2, \"score\": \"softmax\", \"model\": \"a b\"}\n"
	                       "{\"layer\": 2, \"token\": 9, \"experts\": [3, 5], \"weights\": [0.75, 0.25], "
	                       "\"domain\": \"co\\\"de\"}\n");
	free(text);
	domains_free(d);
}
END_TEST

Suite *render_log_suite(void)
{
	Suite *s = suite_create("render_log");
	TCase *tc = tcase_create("render_log");

	tcase_add_test(tc, doubles_read_back_exactly);
	tcase_add_test(tc, jsonl_lines);
	suite_add_tcase(s, tc);
	return s;
}
