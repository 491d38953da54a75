/* check_stats.c: counting per layer and expert, positions, growth of N, sparse layer ids. */
#include "stats.h"
#include "suites.h"
#include "testutil.h"

static void add(struct stats *st, unsigned layer, const uint32_t *ids, size_t k)
{
	struct moe_record rec = { .layer = layer, .token = -1, .domain = -1, .k = k, .experts = ids };

	ck_assert_int_eq(stats_add(st, &rec), 0);
}

START_TEST(counts_per_layer)
{
	static const uint32_t a[] = { 0, 1 }, b[] = { 1, 2 }, c[] = { 2 };
	struct stats st;
	const struct stats_layer *l;

	stats_init(&st, 3, false);
	add(&st, 5, a, 2);
	add(&st, 5, b, 2);
	add(&st, 1, c, 1);
	ck_assert_uint_eq(stats_layers(&st), 2);
	l = stats_next(&st, 0);
	ck_assert_uint_eq(l->layer, 1);
	ck_assert_uint_eq(l->tokens, 1);
	ck_assert_uint_eq(l->count[2], 1);
	l = stats_next(&st, l->layer + 1);
	ck_assert_uint_eq(l->layer, 5);
	ck_assert_uint_eq(l->tokens, 2);
	ck_assert_uint_eq(l->selections, 4);
	ck_assert_uint_eq(l->k_min, 2);
	ck_assert_uint_eq(l->k_max, 2);
	ck_assert_uint_eq(l->count[0], 1);
	ck_assert_uint_eq(l->count[1], 2);
	ck_assert_uint_eq(l->count[2], 1);
	ck_assert_ptr_null(stats_next(&st, 6));
	ck_assert_ptr_null(stats_layer(&st, 2));
	stats_free(&st);
}
END_TEST

START_TEST(experts_grow_with_the_ids)
{
	static const uint32_t low[] = { 1 }, high[] = { 300, 2 };
	struct stats st;
	const struct stats_layer *l;

	stats_init(&st, 0, true);
	add(&st, 0, low, 1);
	add(&st, 7, high, 2);
	ck_assert_uint_ge(st.capacity, 301);
	ck_assert_int_eq(stats_reserve(&st, 1000), 0);
	l = stats_layer(&st, 0);
	ck_assert_uint_eq(l->count[1], 1);
	ck_assert_uint_eq(l->count[300], 0);
	ck_assert_uint_eq(l->count[999], 0);
	ck_assert_int_eq(l->last_used[999], -1);
	ck_assert_int_eq(l->last_used[1], 0);
	l = stats_layer(&st, 7);
	ck_assert_uint_eq(l->count[300], 1);
	ck_assert_uint_eq(l->k_min, 2);
	stats_free(&st);
}
END_TEST

Suite *stats_suite(void)
{
	Suite *s = suite_create("stats");
	TCase *tc = tcase_create("stats");

	tcase_add_test(tc, counts_per_layer);
	tcase_add_test(tc, experts_grow_with_the_ids);
	suite_add_tcase(s, tc);
	return s;
}
