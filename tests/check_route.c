/* check_route.c: scores and the selection rule: ties, bias, group limits and the -infinity mask. */
#include <math.h>

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
	double scratch[8];
	uint32_t out[4];
	const char *why = NULL;

	ck_assert_int_eq(route_groups_fit(&g, 4, cases[_i].k, &why), 0);
	route_select(cases[_i].s, cases[_i].b, 4, cases[_i].k, &g, out, scratch);
	for (size_t i = 0; i < cases[_i].k; i++)
		ck_assert_uint_eq(out[i], cases[_i].want[i]);
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
	suite_add_tcase(s, tc);
	return s;
}
