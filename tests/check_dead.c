/* check_dead.c: idle, last use and the longest gap on a ten-token layer worked out by hand. */
#include "dead.h"
#include "suites.h"
#include "testutil.h"

/* Layer 4, positions 0..9, three experts:
 *   expert 0 at positions 2 and 5: runs 0-1 (2), 3-4 (2), 6-9 (4): idle 4, max_gap 4;
 *   expert 1 at positions 0 and 9: run 1-8 (8): idle 0, max_gap 8;
 *   expert 2 never: idle 10, max_gap 10.
 * Position p selects the experts listed for it (never an empty list: expert 3 fills in). */
static void fill(struct stats *st)
{
	static const uint32_t at[10][2] = {
		{ 1, 3 }, { 3 }, { 0, 3 }, { 3 }, { 3 }, { 0, 3 }, { 3 }, { 3 }, { 3 }, { 1, 3 },
	};

	stats_init(st, 4, true);
	for (int p = 0; p < 10; p++) {
		size_t k = at[p][1] ? 2 : 1;
		struct moe_record rec = { .layer = 4, .token = -1, .domain = -1, .k = k, .experts = at[p] };
		ck_assert_int_eq(stats_add(st, &rec), 0);
	}
}

START_TEST(figures_of_each_expert)
{
	struct stats st;
	struct dead_expert e;

	fill(&st);
	e = dead_expert_of(stats_layer(&st, 4), 0);
	ck_assert_uint_eq(e.count, 2);
	ck_assert_int_eq(e.last_used, 5);
	ck_assert_uint_eq(e.idle, 4);
	ck_assert_uint_eq(e.max_gap, 4);
	e = dead_expert_of(stats_layer(&st, 4), 1);
	ck_assert_int_eq(e.last_used, 9);
	ck_assert_uint_eq(e.idle, 0);
	ck_assert_uint_eq(e.max_gap, 8);
	e = dead_expert_of(stats_layer(&st, 4), 2);
	ck_assert_uint_eq(e.count, 0);
	ck_assert_int_eq(e.last_used, -1);
	ck_assert_uint_eq(e.idle, 10);
	ck_assert_uint_eq(e.max_gap, 10);
	e = dead_expert_of(stats_layer(&st, 4), 3);
	ck_assert_uint_eq(e.count, 10);
	ck_assert_uint_eq(e.max_gap, 0);
	stats_free(&st);
}
END_TEST

static const struct {
	enum dead_criterion criterion;
	uint64_t threshold;
	size_t n;
	uint32_t listed[3];
} listings[] = {
	{ DEAD_IDLE, 4, 2, { 0, 2 } },          /* idle >= 4: 4 and 10; the boundary is in */
	{ DEAD_IDLE, 5, 1, { 2 } },
	{ DEAD_IDLE, 11, 0, { 0 } },            /* longer than the layer: nobody */
	{ DEAD_GAP, 5, 2, { 1, 2 } },           /* max_gap >= 5: 8 and 10 */
	{ DEAD_GAP, 1, 3, { 0, 1, 2 } },
};

START_TEST(threshold_listing)
{
	struct stats st;
	struct dead_report d;

	fill(&st);
	ck_assert_int_eq(dead_build(&d, &st, 4, listings[_i].threshold, listings[_i].criterion), 0);
	ck_assert_uint_eq(d.nlayers, 1);
	ck_assert_uint_eq(d.layers[0].layer, 4);
	ck_assert_uint_eq(d.layers[0].tokens, 10);
	ck_assert_uint_eq(d.total, listings[_i].n);
	ck_assert_uint_eq(d.layers[0].n, listings[_i].n);
	for (size_t i = 0; i < listings[_i].n; i++)
		ck_assert_uint_eq(d.layers[0].experts[i].expert, listings[_i].listed[i]);
	dead_free(&d);
	stats_free(&st);
}
END_TEST

START_TEST(one_token)
{
	static const uint32_t ids[] = { 1 };
	struct moe_record rec = { .layer = 0, .token = -1, .domain = -1, .k = 1, .experts = ids };
	struct stats st;
	struct dead_report d;

	stats_init(&st, 2, true);
	ck_assert_int_eq(stats_add(&st, &rec), 0);
	ck_assert_int_eq(dead_build(&d, &st, 2, 1, DEAD_IDLE), 0);
	ck_assert_uint_eq(d.total, 1);
	ck_assert_uint_eq(d.layers[0].experts[0].expert, 0);
	ck_assert_uint_eq(d.layers[0].experts[0].idle, 1);
	dead_free(&d);
	stats_free(&st);
}
END_TEST

Suite *dead_suite(void)
{
	Suite *s = suite_create("dead");
	TCase *tc = tcase_create("dead");

	tcase_add_test(tc, figures_of_each_expert);
	tcase_add_loop_test(tc, threshold_listing, 0, sizeof listings / sizeof *listings);
	tcase_add_test(tc, one_token);
	suite_add_tcase(s, tc);
	return s;
}
