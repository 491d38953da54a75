/* check_compare.c: JSD, TVD, movers and dead-only lists on small layers worked out by hand. */
#include <math.h>

#include "compare.h"
#include "suites.h"

#define TOL 1e-15

/* Each case's JSD has the closed form one + log2_3 log2 3 (m = (a + b) / 2). */
static const struct {
	const char *what;
	uint64_t a[3], b[3];
	size_t n;
	double one, log2_3;
	double tvd;
} formulas[] = {
	/* a = b, so m = a and every log2(a / m) is 0. */
	{ "identical", { 2, 1, 1 }, { 2, 1, 1 }, 3, 0.0, 0.0, 0.0 },
	/* Shares (1/4, 1/2, 1/4) on both sides although the totals differ. */
	{ "same shares", { 1, 2, 1 }, { 2, 4, 2 }, 3, 0.0, 0.0, 0.0 },
	/* (1, 0) against (0, 1): m = (1/2, 1/2), JSD = 1/2 [1 log2 2] + 1/2 [1 log2 2] = 1;
	 * TVD = 1/2 (1 + 1) = 1. */
	{ "disjoint", { 2, 0 }, { 0, 3 }, 2, 1.0, 0.0, 1.0 },
	/* (1/2, 1/2) against (1, 0): m = (3/4, 1/4),
	 * JSD = 1/2 [1/2 log2(2/3) + 1/2 log2 2] + 1/2 [1 log2(4/3)]
	 *     = 1/4 (1 - log2 3) + 1/4 + 1/2 (2 - log2 3) = 3/2 - 3/4 log2 3;
	 * TVD = 1/2 (1/2 + 1/2) = 1/2. */
	{ "half against all", { 1, 1 }, { 4, 0 }, 2, 1.5, -0.75, 0.5 },
	/* (1/2, 1/2, 0) against (0, 1/2, 1/2): m = (1/4, 1/2, 1/4), each side
	 * 1/2 log2 2 + 1/2 log2 1 = 1/2, JSD = 1/2; TVD = 1/2 (1/2 + 0 + 1/2) = 1/2. */
	{ "half overlap", { 1, 1, 0 }, { 0, 2, 2 }, 3, 0.5, 0.0, 0.5 },
	/* (1, 0) against (1/3, 2/3): m = (2/3, 1/3), side A 1 log2(3/2) = log2 3 - 1,
	 * side B 1/3 log2(1/2) + 2/3 log2 2 = 1/3, JSD = 1/2 log2 3 - 1/3;
	 * TVD = 1/2 (2/3 + 2/3) = 2/3. */
	{ "a third", { 1, 0 }, { 1, 2 }, 2, -1.0 / 3, 0.5, 2.0 / 3 },
};

START_TEST(formula_cases)
{
	const uint64_t *a = formulas[_i].a, *b = formulas[_i].b;
	size_t n = formulas[_i].n;
	uint64_t sa = 0, sb = 0;
	double jsd = formulas[_i].one + formulas[_i].log2_3 * log2(3.0);

	for (size_t i = 0; i < n; i++) {
		sa += a[i];
		sb += b[i];
	}
	ck_assert_double_eq_tol(compare_jsd(a, sa, b, sb, n), jsd, TOL);
	ck_assert_double_eq_tol(compare_tvd(a, sa, b, sb, n), formulas[_i].tvd, TOL);
	/* Both are symmetric, to the bit. */
	ck_assert_double_eq(compare_jsd(b, sb, a, sa, n), compare_jsd(a, sa, b, sb, n));
	ck_assert_double_eq(compare_tvd(b, sb, a, sa, n), compare_tvd(a, sa, b, sb, n));
}
END_TEST

START_TEST(bounds_hold_exactly)
{
	static const uint64_t a[] = { 2, 0 }, b[] = { 0, 3 }, c[] = { 2, 1, 1 };

	/* The ends of [0, 1] come out exact, not an ulp inside or outside. */
	ck_assert_double_eq(compare_jsd(a, 2, b, 3, 2), 1.0);
	ck_assert_double_eq(compare_tvd(a, 2, b, 3, 2), 1.0);
	ck_assert_double_eq(compare_jsd(c, 4, c, 4, 3), 0.0);
	ck_assert_double_eq(compare_tvd(c, 4, c, 4, 3), 0.0);
}
END_TEST

START_TEST(nothing_selected_is_undefined)
{
	static const uint64_t zero[3], some[3] = { 1, 2, 0 };

	ck_assert_double_nan(compare_jsd(zero, 0, some, 3, 3));
	ck_assert_double_nan(compare_jsd(some, 3, zero, 0, 3));
	ck_assert_double_nan(compare_tvd(zero, 0, some, 3, 3));
	ck_assert_double_nan(compare_tvd(zero, 0, zero, 0, 3));
}
END_TEST

/* One record at layer naming the k experts ids. */
static void add(struct stats *st, unsigned layer, const uint32_t *ids, size_t k)
{
	struct moe_record rec = { .layer = layer, .token = -1, .domain = -1, .k = k, .experts = ids };

	ck_assert_int_eq(stats_add(st, &rec), 0);
}

/* count[e] one-expert records naming expert e, for e < n. */
static void fill(struct stats *st, unsigned layer, const uint64_t *count, uint32_t n)
{
	for (uint32_t e = 0; e < n; e++)
		for (uint64_t c = 0; c < count[e]; c++)
			add(st, layer, &e, 1);
}

static void assert_mover(const struct compare_mover *m, uint32_t expert, double share_a,
                         double share_b)
{
	ck_assert_uint_eq(m->expert, expert);
	ck_assert_double_eq_tol(m->share_a, share_a, TOL);
	ck_assert_double_eq_tol(m->share_b, share_b, TOL);
}

/* Four experts; A has layers 0, 1 and 7, B has layers 0, 1 and 3.
 *   layer 0: A one token {0, 1}: (1/2, 1/2, 0, 0); B four tokens {0}: (1, 0, 0, 0):
 *     the "half against all" case, JSD = 3/2 - 3/4 log2 3, TVD = 1/2;
 *     |delta| = (1/2, 1/2, 0, 0): movers 0 then 1 (a tie);
 *     expert 1 dead in B alone; experts 2 and 3 dead in both, so in neither list.
 *   layer 1: A two tokens {0}: (1, 0, 0, 0); B three tokens {1}: (0, 1, 0, 0):
 *     disjoint, JSD = TVD = 1; movers 0 then 1 (a tie);
 *     expert 1 dead in A alone, expert 0 dead in B alone.
 * Means over layers 0 and 1 (7 and 3 are one-sided and do not count):
 *   JSD (3/2 - 3/4 log2 3 + 1) / 2 = 5/4 - 3/8 log2 3, TVD (1/2 + 1) / 2 = 3/4;
 * dead only in A: 0 + 1 = 1, dead only in B: 1 + 1 = 2. */
START_TEST(layers_of_both_sides)
{
	static const uint32_t both[] = { 0, 1 }, three[] = { 3 }, two[] = { 2 };
	static const uint64_t a1[] = { 2, 0 }, b0[] = { 4 }, b1[] = { 0, 3 };
	struct stats a, b;
	struct compare_report r;
	const struct compare_layer *l;

	stats_init(&a, 0, false);
	stats_init(&b, 0, false);
	add(&a, 0, both, 2);
	fill(&a, 1, a1, 2);
	add(&a, 7, three, 1);
	fill(&b, 0, b0, 1);
	fill(&b, 1, b1, 2);
	add(&b, 3, two, 1);
	ck_assert_int_eq(stats_reserve(&a, 4), 0);
	ck_assert_int_eq(stats_reserve(&b, 4), 0);
	ck_assert_int_eq(compare_build(&r, &a, &b, 4, 2), 0);

	ck_assert_uint_eq(r.experts, 4);
	ck_assert_uint_eq(r.nlayers, 2);
	l = &r.layers[0];
	ck_assert_uint_eq(l->layer, 0);
	ck_assert_uint_eq(l->tokens_a, 1);
	ck_assert_uint_eq(l->tokens_b, 4);
	ck_assert_double_eq_tol(l->jsd, 1.5 - 0.75 * log2(3.0), TOL);
	ck_assert_double_eq_tol(l->tvd, 0.5, TOL);
	ck_assert_uint_eq(l->nmovers, 2);
	assert_mover(&l->movers[0], 0, 0.5, 1.0);
	assert_mover(&l->movers[1], 1, 0.5, 0.0);
	ck_assert_uint_eq(l->ndead_a, 0);
	ck_assert_uint_eq(l->ndead_b, 1);
	ck_assert_uint_eq(l->dead_only_in_b[0], 1);

	l = &r.layers[1];
	ck_assert_uint_eq(l->layer, 1);
	ck_assert_uint_eq(l->tokens_a, 2);
	ck_assert_uint_eq(l->tokens_b, 3);
	ck_assert_double_eq(l->jsd, 1.0);
	ck_assert_double_eq(l->tvd, 1.0);
	ck_assert_uint_eq(l->nmovers, 2);
	assert_mover(&l->movers[0], 0, 1.0, 0.0);
	assert_mover(&l->movers[1], 1, 0.0, 1.0);
	ck_assert_uint_eq(l->ndead_a, 1);
	ck_assert_uint_eq(l->dead_only_in_a[0], 1);
	ck_assert_uint_eq(l->ndead_b, 1);
	ck_assert_uint_eq(l->dead_only_in_b[0], 0);

	ck_assert_uint_eq(r.nonly_a, 1);
	ck_assert_uint_eq(r.layers_only_in_a[0], 7);
	ck_assert_uint_eq(r.nonly_b, 1);
	ck_assert_uint_eq(r.layers_only_in_b[0], 3);
	ck_assert_double_eq_tol(r.mean_jsd, 1.25 - 0.375 * log2(3.0), TOL);
	ck_assert_double_eq_tol(r.mean_tvd, 0.75, TOL);
	ck_assert_uint_eq(r.ndead_only_a, 1);
	ck_assert_uint_eq(r.ndead_only_b, 2);
	compare_free(&r);
	stats_free(&a);
	stats_free(&b);
}
END_TEST

/* Three experts, A counts (1, 3, 2) of 6, B counts (2, 5, 2) of 9: shares
 * (1/6, 1/2, 1/3) and (2/9, 5/9, 2/9), delta = (1/18, 1/18, -2/18): expert 2
 * moves most, then 0 and 1 tie and 0 goes first. (In double and in long
 * double alike, the rounded 5/9 - 1/2 comes out above 2/9 - 1/6: a ranking of
 * rounded share differences would put expert 1 first.) */
static const struct {
	size_t movers, n;
	uint32_t order[3];
} tied[] = {
	{ 0, 0, { 0 } },        /* none asked for, none listed */
	{ 1, 1, { 2 } },
	{ 2, 2, { 2, 0 } },
	{ 3, 3, { 2, 0, 1 } },
	{ 10, 3, { 2, 0, 1 } }, /* more than N: all N */
};

START_TEST(movers_and_ties)
{
	static const uint64_t ca[] = { 1, 3, 2 }, cb[] = { 2, 5, 2 };
	static const double sa[] = { 1.0 / 6, 1.0 / 2, 1.0 / 3 }, sb[] = { 2.0 / 9, 5.0 / 9, 2.0 / 9 };
	struct stats a, b;
	struct compare_report r;
	const struct compare_layer *l;

	stats_init(&a, 3, false);
	stats_init(&b, 3, false);
	fill(&a, 5, ca, 3);
	fill(&b, 5, cb, 3);
	ck_assert_int_eq(compare_build(&r, &a, &b, 3, tied[_i].movers), 0);
	ck_assert_uint_eq(r.nlayers, 1);
	l = &r.layers[0];
	ck_assert_uint_eq(l->layer, 5);
	ck_assert_uint_eq(l->nmovers, tied[_i].n);
	if (tied[_i].n == 0)
		ck_assert_ptr_null(l->movers);
	for (size_t i = 0; i < tied[_i].n; i++) {
		uint32_t e = tied[_i].order[i];
		assert_mover(&l->movers[i], e, sa[e], sb[e]);
	}
	/* Every expert is used on both sides. */
	ck_assert_uint_eq(l->ndead_a + l->ndead_b, 0);
	ck_assert_uint_eq(r.ndead_only_a + r.ndead_only_b, 0);
	compare_free(&r);
	stats_free(&a);
	stats_free(&b);
}
END_TEST

START_TEST(large_counts_still_tie)
{
	/* With two experts the shares of each side sum to 1, so share_b - share_a
	 * of expert 1 is minus that of expert 0: always a tie, and expert 0 first.
	 * Counts A (2, 2^40), B (1, 2^41 - 2): the cross products reach 2^81,
	 * past 64 bits, with carries between their 32-bit halves and a borrow in
	 * their difference (and rounded shares would rank expert 1 first). Adding
	 * 2^41 records would take too long, so the counts are set directly. */
	static const uint64_t one[] = { 1, 1 };
	const uint64_t t = (uint64_t)1 << 40;
	struct stats a, b;
	struct stats_layer *la, *lb;
	struct compare_report r;

	stats_init(&a, 2, false);
	stats_init(&b, 2, false);
	fill(&a, 0, one, 2);
	fill(&b, 0, one, 2);
	la = bylayer_get(&a.layers, 0);     /* writable: the counts are set by hand */
	lb = bylayer_get(&b.layers, 0);
	la->count[0] = 2;
	la->count[1] = t;
	la->selections = t + 2;
	lb->count[1] = 2 * t - 2;
	lb->selections = 2 * t - 1;
	ck_assert_int_eq(compare_build(&r, &a, &b, 2, 2), 0);
	ck_assert_uint_eq(r.layers[0].nmovers, 2);
	ck_assert_uint_eq(r.layers[0].movers[0].expert, 0);
	ck_assert_uint_eq(r.layers[0].movers[1].expert, 1);
	ck_assert_double_eq_tol(r.layers[0].movers[0].share_a, 1.0 / ((double)t / 2 + 1), 1e-27);
	ck_assert_double_eq_tol(r.layers[0].movers[0].share_b, 1.0 / (2.0 * (double)t - 1), 1e-27);
	compare_free(&r);
	stats_free(&a);
	stats_free(&b);
}
END_TEST

START_TEST(side_without_selections)
{
	/* A record with no experts (the reader refuses them, the accumulator does
	 * not) leaves a layer with a token and no shares: the figures are NAN,
	 * which the mean inherits, and nothing can be said to move. Expert 0 is
	 * still dead in A alone: counts are counts. */
	static const uint32_t zero[] = { 0 };
	struct stats a, b;
	struct compare_report r;

	stats_init(&a, 2, false);
	stats_init(&b, 2, false);
	add(&a, 0, NULL, 0);
	add(&b, 0, zero, 1);
	ck_assert_int_eq(compare_build(&r, &a, &b, 2, 2), 0);
	ck_assert_uint_eq(r.nlayers, 1);
	ck_assert_double_nan(r.layers[0].jsd);
	ck_assert_double_nan(r.layers[0].tvd);
	ck_assert_uint_eq(r.layers[0].nmovers, 0);
	ck_assert_uint_eq(r.layers[0].ndead_a, 1);
	ck_assert_uint_eq(r.layers[0].dead_only_in_a[0], 0);
	ck_assert_uint_eq(r.layers[0].ndead_b, 0);
	ck_assert_double_nan(r.mean_jsd);
	ck_assert_double_nan(r.mean_tvd);
	compare_free(&r);
	stats_free(&a);
	stats_free(&b);
}
END_TEST

START_TEST(no_common_layer)
{
	static const uint32_t zero[] = { 0 };
	struct stats a, b, none;
	struct compare_report r;

	stats_init(&a, 2, false);
	stats_init(&b, 2, false);
	stats_init(&none, 2, false);
	add(&a, 2, zero, 1);
	add(&a, 0, zero, 1);
	add(&b, 1, zero, 1);
	ck_assert_int_eq(compare_build(&r, &a, &b, 2, 3), 0);
	ck_assert_uint_eq(r.nlayers, 0);
	ck_assert_uint_eq(r.nonly_a, 2);
	ck_assert_uint_eq(r.layers_only_in_a[0], 0);  /* ascending, whatever the order of arrival */
	ck_assert_uint_eq(r.layers_only_in_a[1], 2);
	ck_assert_uint_eq(r.nonly_b, 1);
	ck_assert_uint_eq(r.layers_only_in_b[0], 1);
	ck_assert_double_nan(r.mean_jsd);
	ck_assert_double_nan(r.mean_tvd);
	ck_assert_uint_eq(r.ndead_only_a + r.ndead_only_b, 0);
	compare_free(&r);

	/* Two empty sides: nothing at all. */
	ck_assert_int_eq(compare_build(&r, &none, &none, 2, 3), 0);
	ck_assert_uint_eq(r.nlayers + r.nonly_a + r.nonly_b, 0);
	ck_assert_double_nan(r.mean_jsd);
	compare_free(&r);
	stats_free(&a);
	stats_free(&b);
	stats_free(&none);
}
END_TEST

Suite *compare_suite(void)
{
	Suite *s = suite_create("compare");
	TCase *tc = tcase_create("compare");

	tcase_add_loop_test(tc, formula_cases, 0, sizeof formulas / sizeof *formulas);
	tcase_add_test(tc, bounds_hold_exactly);
	tcase_add_test(tc, nothing_selected_is_undefined);
	tcase_add_test(tc, layers_of_both_sides);
	tcase_add_loop_test(tc, movers_and_ties, 0, sizeof tied / sizeof *tied);
	tcase_add_test(tc, large_counts_still_tie);
	tcase_add_test(tc, side_without_selections);
	tcase_add_test(tc, no_common_layer);
	suite_add_tcase(s, tc);
	return s;
}
