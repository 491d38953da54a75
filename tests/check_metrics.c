/* check_metrics.c: each formula on small count vectors worked out by hand (derivations in comments). */
#include <math.h>

#include "metrics.h"
#include "suites.h"
#include "testutil.h"

#define TOL 1e-15

static const struct {
	const char *what;
	uint64_t count[5];
	size_t n;
	uint64_t selections;
	double maxvio, cv, entropy_norm, gini;
	size_t unused;
	uint32_t ascending[5];  /* the least-used order */
} cases[] = {
	/* mean 1; deviations 2,0,-1,-1: var = 6/4; shares 3/4,1/4: H = ln 4 - (3/4) ln 3;
	 * sum|ci-cj| over ordered pairs = 2 (2 + 3 + 3 + 1 + 1) = 20, / (2 16 1). */
	{ "skewed", { 3, 1, 0, 0 }, 4, 4, 2.0, 1.224744871391589, 0.40563906222956636, 0.625, 2,
	  { 2, 3, 1, 0 } },
	{ "uniform", { 5, 5, 5, 5 }, 4, 20, 0.0, 0.0, 1.0, 0.0, 0, { 0, 1, 2, 3 } },
	/* mean 2; deviations -2,-2,6,-2: var = 48/4 = 12; pairs: 3 x |8-0|, twice: 48 / (2 16 2). */
	{ "one expert takes all", { 0, 0, 8, 0 }, 4, 8, 3.0, 1.7320508075688772, 0.0, 0.75, 3,
	  { 0, 1, 3, 2 } },
	/* mean 2; deviations 0,0,-1,-2,3: var = 14/5; shares .2,.2,.1,0,.5;
	 * unordered |ci-cj|: 0+1+2+3+1+2+3+1+4+5 = 22, ordered 44, / (2 25 2). */
	{ "ties and a zero", { 2, 2, 1, 0, 5 }, 5, 10, 1.5, 0.8366600265340756, NAN, 0.44, 1,
	  { 3, 2, 0, 1, 4 } },
	/* One expert: nothing to balance; entropy has ln 1 = 0 below the line. */
	{ "one expert", { 7 }, 1, 7, 0.0, 0.0, NAN, 0.0, 0, { 0 } },
};

START_TEST(formulas)
{
	struct moe_expert_count sorted[5];
	double entropy = cases[_i].entropy_norm;

	if (_i == 3)    /* H = 0.4 ln 5 + 0.1 ln 10 + 0.5 ln 2, over ln 5 */
		entropy = (0.4 * log(5) + 0.1 * log(10) + 0.5 * log(2)) / log(5);
	ck_assert_double_eq_tol(metrics_maxvio(cases[_i].count, cases[_i].n, cases[_i].selections),
	                        cases[_i].maxvio, TOL);
	ck_assert_double_eq_tol(metrics_cv(cases[_i].count, cases[_i].n, cases[_i].selections),
	                        cases[_i].cv, TOL);
	if (isnan(entropy))
		ck_assert_double_nan(metrics_entropy_norm(cases[_i].count, cases[_i].n, cases[_i].selections));
	else
		ck_assert_double_eq_tol(metrics_entropy_norm(cases[_i].count, cases[_i].n,
		                                             cases[_i].selections), entropy, TOL);
	ck_assert_uint_eq(metrics_unused(cases[_i].count, cases[_i].n), cases[_i].unused);
	for (size_t i = 0; i < cases[_i].n; i++) {
		sorted[i].expert = (uint32_t)i;
		sorted[i].count = cases[_i].count[i];
	}
	metrics_sort_ascending(sorted, cases[_i].n);
	for (size_t i = 0; i < cases[_i].n; i++)
		ck_assert_uint_eq(sorted[i].expert, cases[_i].ascending[i]);
	ck_assert_double_eq_tol(metrics_gini_sorted(sorted, cases[_i].n, cases[_i].selections),
	                        cases[_i].gini, TOL);
}
END_TEST

START_TEST(share_and_ratio)
{
	/* 3 of 4 selections over 4 experts: share 3/4, mean 1, ratio 3. */
	ck_assert_double_eq(metrics_share(3, 4), 0.75);
	ck_assert_double_eq(metrics_ratio(3, 4, 4), 3.0);
	ck_assert_double_eq_tol(metrics_ratio(1, 3, 3), 1.0, TOL);
	ck_assert_double_nan(metrics_share(0, 0));
}
END_TEST

START_TEST(nothing_selected_is_undefined)
{
	static const uint64_t zero[3];
	struct moe_expert_count sorted[3] = { { 0, 0 }, { 1, 0 }, { 2, 0 } };

	ck_assert_double_nan(metrics_maxvio(zero, 3, 0));
	ck_assert_double_nan(metrics_cv(zero, 3, 0));
	ck_assert_double_nan(metrics_entropy_norm(zero, 3, 0));
	ck_assert_double_nan(metrics_gini_sorted(sorted, 3, 0));
}
END_TEST

START_TEST(large_counts_stay_exact)
{
	/* 2^40 and 2^40 + 2 over 2 experts: mean 2^40 + 1, MaxVio = 1 / (2^40 + 1);
	 * in double the mean alone would lose nothing, but the deviations must not cancel. */
	const uint64_t big = (uint64_t)1 << 40;
	const uint64_t count[2] = { big, big + 2 };
	const double want = 1.0 / ((double)big + 1.0);

	ck_assert_double_eq_tol(metrics_maxvio(count, 2, 2 * big + 2), want, want * 1e-12);
	ck_assert_double_eq_tol(metrics_cv(count, 2, 2 * big + 2), want, want * 1e-12);
}
END_TEST

/* Counts 3,1,0,0 sorted ascending: the top 1 takes 3 of 4, the top 2 all 4. */
START_TEST(coverage)
{
	struct moe_expert_count sorted[4] = { { 2, 0 }, { 3, 0 }, { 1, 1 }, { 0, 3 } };

	ck_assert_double_eq(metrics_coverage(sorted, 4, 1, 4), 0.75);
	ck_assert_double_eq(metrics_coverage(sorted, 4, 2, 4), 1.0);
	ck_assert_double_eq(metrics_coverage(sorted, 4, 4, 4), 1.0);
	ck_assert_double_eq(metrics_coverage(sorted, 4, 0, 4), 0.0);
	ck_assert_double_nan(metrics_coverage(sorted, 4, 1, 0));
}
END_TEST

/* Shares 1 and .5 over two domains: max 1 / mean .75 = 4/3; equal shares give 1; a share in
 * one domain of three gives 3 (max .3 over mean .1); never chosen: undefined. */
START_TEST(specialisation)
{
	static const double two[] = { 1.0, 0.5 }, same[] = { 0.2, 0.2, 0.2 }, one[] = { 0, 0.3, 0 };
	static const double zero[] = { 0, 0 };

	ck_assert_double_eq_tol(metrics_specialisation(two, 2), 4.0 / 3, TOL);
	ck_assert_double_eq_tol(metrics_specialisation(same, 3), 1.0, TOL);
	ck_assert_double_eq_tol(metrics_specialisation(one, 3), 3.0, TOL);
	ck_assert_double_nan(metrics_specialisation(zero, 2));
	ck_assert_double_nan(metrics_specialisation(two, 0));
}
END_TEST

Suite *metrics_suite(void)
{
	Suite *s = suite_create("metrics");
	TCase *tc = tcase_create("metrics");

	tcase_add_loop_test(tc, formulas, 0, sizeof cases / sizeof *cases);
	tcase_add_test(tc, share_and_ratio);
	tcase_add_test(tc, nothing_selected_is_undefined);
	tcase_add_test(tc, large_counts_stay_exact);
	tcase_add_test(tc, coverage);
	tcase_add_test(tc, specialisation);
	suite_add_tcase(s, tc);
	return s;
}
