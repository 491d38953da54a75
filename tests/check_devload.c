/* check_devload.c: device loads per chunk on a tiny hand-made log: imbalance, balancedness, the straggler, the partial chunk. */
#include <math.h>

#include "batch.h"
#include "devload.h"
#include "suites.h"

#define TOL 1e-15

static int tell(void *ctx, const struct batch_layer *l)
{
	return devload_chunk(ctx, l);
}

static void feed(struct batch *b, unsigned layer, const uint32_t *ids, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct moe_record rec = { .layer = layer, .token = -1, .domain = -1, .k = 1, .experts = &ids[i] };
		ck_assert_int_eq(batch_add(b, &rec), 0);
	}
}

/* N = 4 on P = 2, contiguous: d0 {0,1}, d1 {2,3}; chunks of B = 2, one expert a token.
 * Layer 0 picks 0 0 | 2 3 | 1 2 | 3 (partial, left out):
 *   chunk 1: loads 2 0, imbalance 2 / 1 = 2, balancedness 1/2, busiest d0
 *   chunk 2: loads 0 2, 2, 1/2, busiest d1
 *   chunk 3: loads 1 1, 1, 1, busiest d0 (a tie: the lower device)
 *   imbalance (2 + 2 + 1) / 3 = 5/3, balancedness (1/2 + 1/2 + 1) / 3 = 2/3;
 *   straggler d0, the busiest in 2 of 3 chunks.
 *   Whole layer: counts 2 1 2 2, loads 3 4: imbalance 4 / 3.5 = 8/7, balancedness 7/8.
 * Layer 1 picks 3: no full chunk, the partial one (loads 0 1) stands for it:
 *   imbalance 2, balancedness 1/2, straggler d1 in 1 of 1; the same over the whole layer.
 * Means over the 2 layers: imbalance (5/3 + 2) / 2 = 11/6, balancedness (2/3 + 1/2) / 2
 * = 7/12, imbalance_global (8/7 + 2) / 2 = 11/7, balancedness_global (7/8 + 1/2) / 2 = 11/16.
 * The fit has a layer 2 that the input does not: it is dropped. */
START_TEST(tiny_log)
{
	static const uint32_t layer0[] = { 0, 0, 2, 3, 1, 2, 3 }, layer1[] = { 3 };
	unsigned ids[] = { 0, 1, 2 };
	double loads[] = { 2, 1, 2, 2, 0, 0, 0, 1, 5, 5, 5, 5 };
	struct counts c = { .format = "log", .experts = 4, .nlayers = 3, .layer = ids, .load = loads };
	const struct place_eplb o = { 0, 1, 1 };
	struct devload d;
	struct batch b;
	const struct devload_layer *l;

	ck_assert_int_eq(devload_init(&d, PLACE_CONTIGUOUS, 2, &o, &c), 0);
	batch_init(&b, 2, 4, false);
	batch_on_chunk(&b, tell, &d);
	feed(&b, 0, layer0, 7);
	feed(&b, 1, layer1, 1);
	c.nlayers = 2;          /* the input: layers 0 and 1 */
	devload_finish(&d, &c, &b);
	ck_assert_uint_eq(d.nlayers, 2);
	l = &d.layers[0];
	ck_assert_uint_eq(l->layer, 0);
	ck_assert_uint_eq(l->tokens, 7);
	ck_assert_uint_eq(l->chunks, 3);
	ck_assert(!l->partial);
	ck_assert_double_eq_tol(l->f.imbalance, 5.0 / 3, TOL);
	ck_assert_double_eq_tol(l->f.balancedness, 2.0 / 3, TOL);
	ck_assert_double_eq_tol(l->f.imbalance_global, 8.0 / 7, TOL);
	ck_assert_double_eq_tol(l->f.balancedness_global, 7.0 / 8, TOL);
	ck_assert_uint_eq(l->straggler, 0);
	ck_assert_uint_eq(l->busiest[0], 2);
	ck_assert(l->device_load[0] == 3 && l->device_load[1] == 4);
	l = &d.layers[1];
	ck_assert_uint_eq(l->layer, 1);
	ck_assert_uint_eq(l->tokens, 1);
	ck_assert_uint_eq(l->chunks, 1);
	ck_assert(l->partial);
	ck_assert_double_eq(l->f.imbalance, 2.0);
	ck_assert_double_eq(l->f.balancedness, 0.5);
	ck_assert_uint_eq(l->straggler, 1);
	ck_assert_uint_eq(l->busiest[1], 1);
	ck_assert_double_eq_tol(d.mean.imbalance, 11.0 / 6, TOL);
	ck_assert_double_eq_tol(d.mean.balancedness, 7.0 / 12, TOL);
	ck_assert_double_eq_tol(d.mean.imbalance_global, 11.0 / 7, TOL);
	ck_assert_double_eq_tol(d.mean.balancedness_global, 11.0 / 16, TOL);
	batch_free(&b);
	devload_free(&d);
}
END_TEST

/* Counts alone: no chunks, only the global figures; an all-zero layer has none. */
START_TEST(counts_alone)
{
	unsigned ids[] = { 4, 7 };
	double loads[] = { 1, 2, 3, 6, 0, 0, 0, 0 };
	struct counts c = { .format = "csv", .experts = 4, .nlayers = 2, .layer = ids, .load = loads };
	const struct place_eplb o = { 0, 1, 1 };
	struct devload d;

	/* Round-robin on 2: d0 {0,2}, d1 {1,3}: loads 4 8, imbalance 8/6, balancedness 6/8. */
	ck_assert_int_eq(devload_init(&d, PLACE_ROUND_ROBIN, 2, &o, &c), 0);
	devload_finish(&d, &c, NULL);
	ck_assert_uint_eq(d.nlayers, 2);
	ck_assert_uint_eq(d.layers[0].chunks, 0);
	ck_assert(isnan(d.layers[0].f.imbalance));
	ck_assert_double_eq_tol(d.layers[0].f.imbalance_global, 4.0 / 3, TOL);
	ck_assert_double_eq_tol(d.layers[0].f.balancedness_global, 0.75, TOL);
	ck_assert(isnan(d.layers[1].f.imbalance_global));
	ck_assert(isnan(d.mean.imbalance_global));
	devload_free(&d);
}
END_TEST

Suite *devload_suite(void)
{
	Suite *s = suite_create("devload");
	TCase *tc = tcase_create("devload");

	tcase_add_test(tc, tiny_log);
	tcase_add_test(tc, counts_alone);
	suite_add_tcase(s, tc);
	return s;
}
