/* check_route.c: scores and the selection rule: ties, bias, group limits and the -infinity mask. */
#include <math.h>
#include <string.h>

#include "route.h"
#include "suites.h"
#include "testutil.h"

#define TOL 1e-15

START_TEST(softmax_and_sigmoid)
{
	/* exp of 0, ln 2, ln 3 is 1, 2, 3: shares of 6. The max is taken off first, so a
	 * large shift changes nothing. */
	const double x[3] = { 0, log(2), log(3) }, shifted[3] = { 1000, 1000 + log(2), 1000 + log(3) };
	const double y[3] = { 0, log(3), -log(3) };
	double s[3];

	route_scores(ROUTE_SOFTMAX, x, 3, s);
	ck_assert_double_eq_tol(s[0], 1.0 / 6, TOL);
	ck_assert_double_eq_tol(s[1], 1.0 / 3, TOL);
	ck_assert_double_eq_tol(s[2], 0.5, TOL);
	route_scores(ROUTE_SOFTMAX, shifted, 3, s);
	ck_assert_double_eq_tol(s[2], 0.5, 1e-12);      /* 1000 + ln 3 itself is rounded */
	/* 1 / (1 + e^-x): 1/2, 1 / (1 + 1/3) = 3/4, 1 / (1 + 3) = 1/4. */
	route_scores(ROUTE_SIGMOID, y, 3, s);
	ck_assert_double_eq_tol(s[0], 0.5, TOL);
	ck_assert_double_eq_tol(s[1], 0.75, TOL);
	ck_assert_double_eq_tol(s[2], 0.25, TOL);
}
END_TEST

static const struct {
	const char *what;
	double s[4], b[4];
	size_t k;
	unsigned groups, group_topk;
	uint32_t want[4];
} cases[] = {
	{ "ties go to the lower id", { 0.2, 0.3, 0.3, 0.2 }, { 0 }, 2, 0, 0, { 1, 2 } },
	{ "three with a tie", { 0.2, 0.3, 0.3, 0.2 }, { 0 }, 3, 0, 0, { 1, 2, 0 } },
	{ "all equal", { 0.25, 0.25, 0.25, 0.25 }, { 0 }, 4, 0, 0, { 0, 1, 2, 3 } },
	/* s + b = .5 .3 .6 .1 */
	{ "the bias chooses", { 0.5, 0.3, 0.2, 0.1 }, { 0, 0, 0.4, 0 }, 2, 0, 0, { 2, 0 } },
	/* groups {0,1} {2,3}, one kept, k/M = 2 a group: .35 against .5; expert 0 is the best
	 * alone but its group loses. */
	{ "the best group wins", { 0.3, 0.05, 0.25, 0.25 }, { 0 }, 2, 2, 1, { 2, 3 } },
	/* k = 1, one of two groups: group scores are the groups' best: -.1 against -.3, so group 0.
	 * Were the others 0 instead of -infinity, expert 2 (0 > -.1) would be chosen. */
	{ "masked is -infinity", { 0.1, 0.1, 0.2, 0.2 }, { -0.2, -0.3, -0.5, -0.6 }, 1, 2, 1, { 0 } },
	/* four groups of one, two kept: scores .4 .4 .1 .4, ties to the lower group: 0 and 1. */
	{ "group ties", { 0.4, 0.4, 0.1, 0.4 }, { 0 }, 2, 4, 2, { 0, 1 } },
};

START_TEST(selection)
{
	struct route_groups g = { cases[_i].groups, cases[_i].group_topk };
	double scratch[24];
	uint32_t out[4];
	const char *why = NULL;

	ck_assert_int_eq(route_groups_fit(&g, 4, cases[_i].k, &why), 0);
	route_select(cases[_i].s, cases[_i].b, 4, cases[_i].k, &g, out, scratch);
	for (size_t i = 0; i < cases[_i].k; i++)
		ck_assert_uint_eq(out[i], cases[_i].want[i]);
}
END_TEST

/* The reference: the k ids of the largest values, ties to the lower id, by
 * picking the best remaining one k times. */
static void reference_top(const double *v, size_t n, size_t k, uint32_t *out)
{
	static bool taken[2048];

	memset(taken, 0, n);
	for (size_t j = 0; j < k; j++) {
		size_t best = n;

		for (size_t i = 0; i < n; i++)
			if (!taken[i] && (best == n || v[i] > v[best]))
				best = i;
		taken[best] = true;
		out[j] = (uint32_t)best;
	}
}

/* Many values and few kept take another way through the selection (a bar from
 * block maxima); it must pick what the plain rule picks, ties and -infinity
 * included, for any n and k, with and without a bias. */
START_TEST(many_experts_select_as_the_rule_says)
{
	static const size_t sizes[] = { 16, 64, 100, 256, 257, 1000, 2048 };
	static double s[2048], b[2048], sum[2048], scratch[6 * 2048];
	uint32_t out[64], want[64];
	uint64_t state = 5;

	for (int round = 0; round < 3000; round++) {
		uint64_t r = tu_random(&state);
		size_t n = sizes[r % 7], k = 1 + (r >> 8) % (r % 3 ? 8 : 64);
		unsigned levels = (r >> 16) % 3 == 0 ? 5 : 1000000;     /* few levels: many ties */
		bool bias = (r >> 20) % 2;

		if (k > n)
			k = n;
		for (size_t i = 0; i < n; i++) {
			uint64_t q = tu_random(&state);

			s[i] = q % 97 == 0 ? -INFINITY : (double)(q % levels) / levels;
			b[i] = bias ? (double)((q >> 32) % levels) / levels - 0.5 : 0;
			sum[i] = s[i] + b[i];
		}
		route_select(s, bias ? b : NULL, n, k, NULL, out, scratch);
		reference_top(sum, n, k, want);
		for (size_t j = 0; j < k; j++)
			ck_assert_msg(out[j] == want[j], "n %zu k %zu: place %zu is %u, not %u", n, k, j,
			              out[j], want[j]);
	}
}
END_TEST

START_TEST(groups_must_fit)
{
	struct route_groups g = { 3, 1 }, h = { 2, 3 }, m = { 2, 2 };
	const char *why = NULL;

	ck_assert_int_eq(route_groups_fit(&g, 8, 2, &why), -1);
	ck_assert_str_eq(why, "the number of experts does not divide by --groups");
	ck_assert_int_eq(route_groups_fit(&h, 8, 3, &why), -1);
	ck_assert_int_eq(route_groups_fit(&m, 8, 3, &why), -1);
	ck_assert_str_eq(why, "the top-k does not divide by --group-topk");
	ck_assert_int_eq(route_groups_fit(NULL, 8, 3, &why), 0);
}
END_TEST

Suite *route_suite(void)
{
	Suite *s = suite_create("route");
	TCase *tc = tcase_create("route");

	tcase_add_test(tc, softmax_and_sigmoid);
	tcase_add_loop_test(tc, selection, 0, sizeof cases / sizeof *cases);
	tcase_add_test(tc, groups_must_fit);
	tcase_add_test(tc, many_experts_select_as_the_rule_says);
	suite_add_tcase(s, tc);
	return s;
}
