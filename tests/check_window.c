/* check_window.c: the last W records of each layer: counts as records come and go, lists that grow. */
#include "suites.h"
#include "testutil.h"
#include "window.h"

static void add(struct window *w, unsigned layer, const uint32_t *ids, size_t k)
{
	struct moe_record rec = { .layer = layer, .token = -1, .domain = -1, .k = k, .experts = ids };

	ck_assert_int_eq(window_add(w, &rec), 0);
}

/* W = 3. Layer 0 gets {0}, {1}, then {2,3} (the ring widens with records in it),
 * then {0,1}: the window holds {1}, {2,3}, {0,1}: counts 1,2,1,1, 5 selections.
 * Layer 1 gets {3} only. */
START_TEST(last_records_counted)
{
	static const uint32_t a[] = { 0 }, b[] = { 1 }, c[] = { 2, 3 }, d[] = { 0, 1 }, e[] = { 3 };
	static const uint64_t want[] = { 1, 2, 1, 1 };
	const struct window_layer *l;
	struct window w;

	window_init(&w, 3);
	add(&w, 0, a, 1);
	add(&w, 0, b, 1);
	add(&w, 1, e, 1);
	add(&w, 0, c, 2);
	l = window_layer(&w, 0);
	ck_assert_uint_eq(l->tokens, 3);
	ck_assert_uint_eq(l->selections, 4);
	ck_assert_uint_eq(l->count[0], 1);
	add(&w, 0, d, 2);
	ck_assert_uint_eq(l->tokens, 3);
	ck_assert_uint_eq(l->selections, 5);
	for (unsigned i = 0; i < 4; i++)
		ck_assert_uint_eq(l->count[i], want[i]);
	l = window_layer(&w, 1);
	ck_assert_uint_eq(l->tokens, 1);
	ck_assert_uint_eq(l->count[3], 1);
	ck_assert_uint_eq(l->count[0], 0);
	ck_assert_ptr_null(window_layer(&w, 2));
	window_free(&w);
}
END_TEST

/* W = 1: only the last record. */
START_TEST(window_of_one)
{
	static const uint32_t a[] = { 5, 6 }, b[] = { 7 };
	const struct window_layer *l;
	struct window w;

	window_init(&w, 1);
	add(&w, 4, a, 2);
	add(&w, 4, b, 1);
	l = window_layer(&w, 4);
	ck_assert_uint_eq(l->tokens, 1);
	ck_assert_uint_eq(l->selections, 1);
	ck_assert_uint_eq(l->count[5], 0);
	ck_assert_uint_eq(l->count[6], 0);
	ck_assert_uint_eq(l->count[7], 1);
	ck_assert_int_eq(window_reserve(&w, 300), 0);
	ck_assert_uint_eq(l->count[299], 0);
	window_free(&w);
}
END_TEST

Suite *window_suite(void)
{
	Suite *s = suite_create("window");
	TCase *tc = tcase_create("ring");

	tcase_add_test(tc, last_records_counted);
	tcase_add_test(tc, window_of_one);
	suite_add_tcase(s, tc);
	return s;
}
