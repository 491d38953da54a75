/* check_place.c: the placements on hand-worked loads, DeepSeek EPLB's published example, the even split over replicas. */
#include <math.h>

#include "place.h"
#include "suites.h"

static const struct place_eplb no_eplb = { 0, 1, 1 };

static void assert_plan(const struct place_plan *p, const uint32_t *phy2log, const unsigned *first,
                        const uint32_t *logcnt)
{
	for (unsigned s = 0; s < p->slots; s++)
		ck_assert_msg(p->phy2log[s] == phy2log[s], "phy2log[%u] = %u, expected %u", s, p->phy2log[s],
		              phy2log[s]);
	for (unsigned d = 0; d <= p->devices; d++)
		ck_assert_msg(p->first[d] == first[d], "first[%u] = %u, expected %u", d, p->first[d], first[d]);
	for (unsigned e = 0; e < p->experts; e++)
		ck_assert_msg(p->logcnt[e] == logcnt[e], "logcnt[%u] = %u, expected %u", e, p->logcnt[e],
		              logcnt[e]);
}

static const uint32_t ones[12] = { 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1 };

/* N = 10 on P = 4: 10 mod 4 = 2, so devices 0 and 1 take 3 experts, 2 and 3 take 2:
 * {0,1,2} {3,4,5} {6,7} {8,9}. */
START_TEST(contiguous_uneven)
{
	static const uint32_t phy2log[] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9 };
	static const unsigned first[] = { 0, 3, 6, 8, 10 };
	struct place_plan p;

	ck_assert_ptr_null(place_check(PLACE_CONTIGUOUS, 10, 4, &no_eplb));
	ck_assert_int_eq(place_plan(&p, PLACE_CONTIGUOUS, NULL, 10, 4, &no_eplb), 0);
	ck_assert_uint_eq(p.slots, 10);
	assert_plan(&p, phy2log, first, ones);
	place_free(&p);
}
END_TEST

/* N = 10 on P = 4, expert i on device i mod 4: {0,4,8} {1,5,9} {2,6} {3,7}, device-major. */
START_TEST(round_robin)
{
	static const uint32_t phy2log[] = { 0, 4, 8, 1, 5, 9, 2, 6, 3, 7 };
	static const unsigned first[] = { 0, 3, 6, 8, 10 };
	struct place_plan p;

	ck_assert_int_eq(place_plan(&p, PLACE_ROUND_ROBIN, NULL, 10, 4, &no_eplb), 0);
	assert_plan(&p, phy2log, first, ones);
	place_free(&p);
}
END_TEST

/* Loads 5 3 5 1 3 2 on 3 devices of 2 experts. Heaviest first, ties to the lower id:
 * 0(5) 2(5) 1(3) 4(3) 5(2) 3(1).
 *   0 -> d0 (all empty, lowest)             loads 5 0 0
 *   2 -> d1 (d1 and d2 at 0, lower)         loads 5 5 0
 *   1 -> d2                                 loads 5 5 3
 *   4 -> d2 (3 is the least)                loads 5 5 6, d2 full
 *   5 -> d0 (d0 and d1 at 5, lower)         loads 7 5 6, d0 full
 *   3 -> d1, the only one with room         loads 7 6 6
 * Device-major: d0 {0,5}, d1 {2,3}, d2 {1,4}. imbalance = 7 / (19/3) = 21/19. */
START_TEST(balanced_ties)
{
	static const double load[] = { 5, 3, 5, 1, 3, 2 };
	static const uint32_t phy2log[] = { 0, 5, 2, 3, 1, 4 };
	static const unsigned first[] = { 0, 2, 4, 6 };
	long double dev[3] = { 0 };
	struct place_plan p;

	ck_assert_int_eq(place_plan(&p, PLACE_BALANCED, load, 6, 3, &no_eplb), 0);
	assert_plan(&p, phy2log, first, ones);
	for (uint32_t e = 0; e < 6; e++)
		place_add(&p, e, load[e], dev);
	ck_assert(dev[0] == 7 && dev[1] == 6 && dev[2] == 6);
	ck_assert_double_eq_tol(place_imbalance(dev, 3), 21.0 / 19, 1e-15);
	ck_assert_double_eq_tol(place_balancedness(dev, 3), 19.0 / 21, 1e-15);
	ck_assert_uint_eq(place_busiest(dev, 3), 0);
	place_free(&p);
}
END_TEST

/* N = P: one expert a device, the heaviest on device 0 (the rule, not EPLB's shortcut). */
START_TEST(balanced_one_per_device)
{
	static const double load[] = { 1, 4, 2 };
	static const uint32_t phy2log[] = { 1, 2, 0 };
	static const unsigned first[] = { 0, 1, 2, 3 };
	struct place_plan p;

	ck_assert_int_eq(place_plan(&p, PLACE_BALANCED, load, 3, 3, &no_eplb), 0);
	assert_plan(&p, phy2log, first, ones);
	place_free(&p);
}
END_TEST

/* DeepSeek EPLB's published example (its README): 2 layers of 12 experts, 16 physical
 * experts (R = 4), 4 groups, 2 nodes, 8 GPUs. */
START_TEST(eplb_published_example)
{
	static const double weight[2][12] = {
		{ 90, 132, 40, 61, 104, 165, 39, 4, 73, 56, 183, 86 },
		{ 20, 107, 104, 64, 19, 197, 187, 157, 172, 86, 16, 27 },
	};
	static const uint32_t phy2log[2][16] = {
		{ 5, 6, 5, 7, 8, 4, 3, 4, 10, 9, 10, 2, 0, 1, 11, 1 },
		{ 7, 10, 6, 8, 6, 11, 8, 9, 2, 4, 5, 1, 5, 0, 3, 1 },
	};
	/* Each expert's count of appearances in phy2log above. */
	static const uint32_t logcnt[2][12] = {
		{ 1, 2, 1, 1, 2, 2, 1, 1, 1, 1, 2, 1 },
		{ 1, 2, 1, 1, 1, 2, 2, 1, 2, 1, 1, 1 },
	};
	static const unsigned first[] = { 0, 2, 4, 6, 8, 10, 12, 14, 16 };
	const struct place_eplb o = { .redundant = 4, .nodes = 2, .groups = 4 };
	struct place_plan p;

	ck_assert(place_eplb_hierarchical(&o));
	ck_assert_ptr_null(place_check(PLACE_EPLB, 12, 8, &o));
	for (int l = 0; l < 2; l++) {
		ck_assert_int_eq(place_plan(&p, PLACE_EPLB, weight[l], 12, 8, &o), 0);
		ck_assert_uint_eq(p.slots, 16);
		assert_plan(&p, phy2log[l], first, logcnt[l]);
		place_free(&p);
	}
}
END_TEST

/* Global EPLB by hand: loads 6 2 3 1, R = 2 (6 slots), 3 devices.
 * Replicas: 6/1 is the largest -> expert 0 (cnt 2); then 3 2 3 1, a tie of 0 and 2 -> the
 * lower, 0 (cnt 3). Slots 0 1 2 3 0 0 weigh 2 2 3 1 2 2. Packing 2 a device, heaviest
 * first, ties to the lower slot: s2(3) -> d0; s0 -> d1; s1 -> d2; s4 -> d1 (2 < 3);
 * s5 -> d2 (d1 full); s3 -> d0. Device-major by rank: d0 {s2, s3}, d1 {s0, s4},
 * d2 {s1, s5} = experts 2 3 | 0 0 | 1 0. */
START_TEST(eplb_global_by_hand)
{
	static const double load[] = { 6, 2, 3, 1 };
	static const uint32_t phy2log[] = { 2, 3, 0, 0, 1, 0 };
	static const uint32_t logcnt[] = { 3, 1, 1, 1 };
	static const unsigned first[] = { 0, 2, 4, 6 };
	const struct place_eplb o = { .redundant = 2, .nodes = 1, .groups = 1 };
	long double dev[3] = { 0 };
	struct place_plan p;

	ck_assert_int_eq(place_plan(&p, PLACE_EPLB, load, 4, 3, &o), 0);
	assert_plan(&p, phy2log, first, logcnt);
	/* Whole loads: expert 0's 6 split 2 a replica: d0 3+1, d1 2+2, d2 2+2. */
	for (uint32_t e = 0; e < 4; e++)
		place_add(&p, e, load[e], dev);
	ck_assert(dev[0] == 4 && dev[1] == 4 && dev[2] == 4);
	ck_assert_double_eq(place_imbalance(dev, 3), 1.0);
	/* A chunk with c_0 = 3, c_3 = 1: expert 0's 3 tokens split 1 a replica, two of its
	 * replicas on d1: loads 1 2 1, imbalance 2 / (4/3) = 1.5, balancedness 2/3. */
	dev[0] = dev[1] = dev[2] = 0;
	place_add(&p, 0, 3, dev);
	place_add(&p, 3, 1, dev);
	ck_assert(dev[0] == 1 && dev[1] == 2 && dev[2] == 1);
	ck_assert_double_eq_tol(place_imbalance(dev, 3), 1.5, 1e-15);
	ck_assert_double_eq_tol(place_balancedness(dev, 3), 2.0 / 3, 1e-15);
	ck_assert_uint_eq(place_busiest(dev, 3), 1);
	place_free(&p);
}
END_TEST

/* Groups that do not divide by the nodes: EPLB's global policy, the same plan as one
 * group on one node. */
START_TEST(eplb_global_when_groups_do_not_divide)
{
	static const double weight[] = { 90, 132, 40, 61, 104, 165, 39, 4, 73, 56, 183, 86 };
	const struct place_eplb global = { .redundant = 4, .nodes = 2, .groups = 3 };
	const struct place_eplb one = { .redundant = 4, .nodes = 1, .groups = 1 };
	struct place_plan a, b;

	ck_assert(!place_eplb_hierarchical(&global));
	ck_assert_ptr_null(place_check(PLACE_EPLB, 12, 8, &global));
	ck_assert_int_eq(place_plan(&a, PLACE_EPLB, weight, 12, 8, &global), 0);
	ck_assert_int_eq(place_plan(&b, PLACE_EPLB, weight, 12, 8, &one), 0);
	assert_plan(&a, b.phy2log, b.first, b.logcnt);
	place_free(&a);
	place_free(&b);
}
END_TEST

START_TEST(checks)
{
	const struct place_eplb o = { .redundant = 4, .nodes = 2, .groups = 4 };
	const struct place_eplb odd = { .redundant = 3, .nodes = 2, .groups = 4 };
	const struct place_eplb nodes3 = { .redundant = 4, .nodes = 3, .groups = 3 };
	const struct place_eplb groups5 = { .redundant = 4, .nodes = 1, .groups = 5 };

	ck_assert_ptr_nonnull(place_check(PLACE_CONTIGUOUS, 4, 5, &no_eplb));
	ck_assert_ptr_nonnull(place_check(PLACE_BALANCED, 10, 4, &no_eplb));
	ck_assert_ptr_null(place_check(PLACE_BALANCED, 12, 4, &no_eplb));
	ck_assert_ptr_null(place_check(PLACE_EPLB, 12, 8, &o));
	ck_assert_ptr_nonnull(place_check(PLACE_EPLB, 12, 8, &odd));         /* 15 slots, 8 devices */
	ck_assert_ptr_nonnull(place_check(PLACE_EPLB, 12, 8, &nodes3));      /* 8 devices, 3 nodes */
	ck_assert_ptr_nonnull(place_check(PLACE_EPLB, 12, 8, &groups5));     /* 12 experts, 5 groups */
}
END_TEST

START_TEST(empty_layer)
{
	long double dev[2] = { 0, 0 };

	ck_assert(isnan(place_imbalance(dev, 2)));
	ck_assert(isnan(place_balancedness(dev, 2)));
	ck_assert_uint_eq(place_busiest(dev, 2), 0);
}
END_TEST

/* Loads 1, 3, 2, 6: mean 3, ratios 1/3, 1, 2/3, 2; all 0: no mean to divide by. */
START_TEST(ratios)
{
	long double dev[4] = { 1, 3, 2, 6 }, none[2] = { 0, 0 };
	double r[4];

	place_ratios(dev, 4, r);
	ck_assert_double_eq_tol(r[0], 1.0 / 3, 1e-15);
	ck_assert_double_eq(r[1], 1);
	ck_assert_double_eq_tol(r[2], 2.0 / 3, 1e-15);
	ck_assert_double_eq(r[3], 2);
	place_ratios(none, 2, r);
	ck_assert(isnan(r[0]) && isnan(r[1]));
}
END_TEST

Suite *place_suite(void)
{
	Suite *s = suite_create("place");
	TCase *tc = tcase_create("place");

	tcase_add_test(tc, contiguous_uneven);
	tcase_add_test(tc, round_robin);
	tcase_add_test(tc, balanced_ties);
	tcase_add_test(tc, balanced_one_per_device);
	tcase_add_test(tc, eplb_published_example);
	tcase_add_test(tc, eplb_global_by_hand);
	tcase_add_test(tc, eplb_global_when_groups_do_not_divide);
	tcase_add_test(tc, checks);
	tcase_add_test(tc, empty_layer);
	tcase_add_test(tc, ratios);
	suite_add_tcase(s, tc);
	return s;
}
