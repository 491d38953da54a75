/* check_replay.c: each strategy worked out by hand on a few tokens of 2 or 3 experts, top-1. */
#include <math.h>
#include <string.h>

#include "replay.h"
#include "suites.h"
#include "testutil.h"

#define TOL 1e-12

/* Feeds one layer-0 token a logits row (n values, k = 1, recorded expert `chose`). */
static void token(struct replay *r, const double *logits, size_t n, uint32_t chose)
{
	struct moe_record rec = { .layer = 0, .token = -1, .domain = -1, .k = 1, .experts = &chose,
	                          .nlogits = n, .logits = logits };
	const char *why = NULL;

	ck_assert_int_eq(replay_add(r, &rec, &why), 0);
}

static struct replay_options options(uint64_t batch)
{
	struct replay_options o = { .score = ROUTE_SOFTMAX, .batch = batch, .decay = 0.9, .threshold = 2 };

	return o;
}

/* Result i of a finished replay, of one layer. */
static const struct replay_result *result(struct replay *r, size_t i)
{
	size_t n;
	const struct replay_result *res;

	res = replay_results(r, &n);
	ck_assert_uint_gt(n, i);
	ck_assert_uint_eq(res[i].nlayers, 1);
	return &res[i];
}

/* The same, finishing the replay first. */
static const struct replay_result *only(struct replay *r, size_t i)
{
	ck_assert_int_eq(replay_finish(r), 0);
	return result(r, i);
}

/* lossfree, u = 0.1, B = 2, four tokens of logits 1, .9, 0 (s = e, e^.9, 1 over their sum).
 * Chunk 1 at b = 0 picks 0 twice: c = 2,0,0, c_mean = 2/3: b = -.1, .1, .1.
 * Chunk 2: s + b = s0 - .1 < s1 + .1 (s0 - s1 = .042): picks 1 twice; c = 0,2,0:
 * b = 0, 0, .2. Counts 2,2,0 of 4: MaxVio (2 - 4/3) / (4/3) = .5; each chunk (2 - 2/3) / (2/3)
 * = 2; changed 2 of 4; retained (2 s0 + 2 s1) / 4 s0; dead at 2: expert 2 (idle 4) and
 * expert 0 (last at 1, idle 2). */
START_TEST(lossfree)
{
	const double x[3] = { 1.0, 0.9, 0.0 };
	struct replay_instance in = { .strategy = REPLAY_LOSSFREE, .rate = 0.1 };
	struct replay_options o = options(2);
	struct replay *r = replay_new(&o, &in, 1);
	const struct replay_result *res;
	double s0 = exp(1.0), s1 = exp(0.9);

	for (int t = 0; t < 4; t++)
		token(r, x, 3, 0);
	res = only(r, 0);
	ck_assert_double_eq_tol(res->layers[0].bias[0], 0.0, TOL);
	ck_assert_double_eq_tol(res->layers[0].bias[1], 0.0, TOL);
	ck_assert_double_eq_tol(res->layers[0].bias[2], 0.2, TOL);
	ck_assert_double_eq_tol(res->layers[0].f.maxvio_global, 0.5, TOL);
	ck_assert_double_eq_tol(res->layers[0].f.maxvio_batch, 2.0, TOL);
	ck_assert_double_eq_tol(res->layers[0].f.changed, 0.5, TOL);
	ck_assert_double_eq_tol(res->layers[0].f.retained, (s0 + s1) / (2 * s0), TOL);
	ck_assert_double_eq(res->layers[0].f.dropped, 0);
	ck_assert_double_eq(res->layers[0].f.dead, 2);
	ck_assert_double_nan(res->layers[0].f.agreement);
	replay_free(r);
}
END_TEST

/* One chunk of 3 tokens picking 0, 1, 2: c = 1,1,1 = c_mean: sign(0) = 0, the bias stays 0. */
START_TEST(lossfree_sign_zero)
{
	const double x[3][3] = { { 1, 0, 0 }, { 0, 1, 0 }, { 0, 0, 1 } };
	struct replay_instance in = { .strategy = REPLAY_LOSSFREE, .rate = 0.1 };
	struct replay_options o = options(3);
	struct replay *r = replay_new(&o, &in, 1);
	const struct replay_result *res;

	for (int t = 0; t < 3; t++)
		token(r, x[t], 3, (uint32_t)t);
	res = only(r, 0);
	for (int e = 0; e < 3; e++)
		ck_assert_double_eq(res->layers[0].bias[e], 0.0);
	ck_assert_double_eq(res->layers[0].f.maxvio_batch, 0.0);
	replay_free(r);
}
END_TEST

/* dynamic, u = 1, alpha = .5, B = 1, logits 1, 0 three times (s0 - s1 = .46).
 * Chunk 1 picks 0: L = 1,0 (first), L_mean .5: b = -1, 1. Chunk 2: s0 - 1 < s1 + 1, picks 1:
 * L = .5,.5: b unchanged. Chunk 3 picks 1: L = .25,.75: b0 += (.5 - .25)/.5, b1 -= .5:
 * -.5, .5. Changed 2 of 3. */
START_TEST(dynamic)
{
	const double x[2] = { 1.0, 0.0 };
	struct replay_instance in = { .strategy = REPLAY_DYNAMIC, .rate = 1.0 };
	struct replay_options o = options(1);
	struct replay *r;
	const struct replay_result *res;

	o.decay = 0.5;
	r = replay_new(&o, &in, 1);
	for (int t = 0; t < 3; t++)
		token(r, x, 2, 0);
	res = only(r, 0);
	ck_assert_double_eq_tol(res->layers[0].bias[0], -0.5, TOL);
	ck_assert_double_eq_tol(res->layers[0].bias[1], 0.5, TOL);
	ck_assert_double_eq_tol(res->layers[0].f.changed, 2.0 / 3, TOL);
	replay_free(r);
}
END_TEST

/* capacity, f = 1, B = 4, four tokens preferring expert 0 (logits 1, 0): C = ceil(4 / 2) = 2.
 * position: tokens 0 and 1 keep expert 0, 2 and 3 lose it: dropped 2 of 4, changed 1/2,
 * retained 2 s0 / 4 s0, counts 2,0: MaxVio (2 - 1) / 1 = 1. With reroute, 2 and 3 go to
 * expert 1: counts 2,2: MaxVio 0, nothing dropped, retained (s0 + s1) / 2 s0 = 1 / 2 s0. */
START_TEST(capacity_position)
{
	const double x[2] = { 1.0, 0.0 };
	struct replay_instance in = { .strategy = REPLAY_CAPACITY, .factor_num = 1 };
	double s0 = 1 / (1 + exp(-1.0));

	for (int reroute = 0; reroute <= 1; reroute++) {
		struct replay_options o = options(4);
		struct replay *r;
		const struct replay_result *res;

		o.reroute = reroute;
		r = replay_new(&o, &in, 1);
		for (int t = 0; t < 4; t++)
			token(r, x, 2, 0);
		res = only(r, 0);
		ck_assert_double_eq_tol(res->layers[0].f.changed, 0.5, TOL);
		ck_assert_double_eq_tol(res->layers[0].f.dropped, (reroute ? 0.0 : 0.5), TOL);
		ck_assert_double_eq_tol(res->layers[0].f.maxvio_global, (reroute ? 0.0 : 1.0), TOL);
		ck_assert_double_eq_tol(res->layers[0].f.retained, (reroute ? 1 / (2 * s0) : 0.5), TOL);
		/* dead at 2: expert 0, last chosen at 1, is idle 2; without reroute expert 1 is never
		 * chosen (idle 4), with it last at 3 (idle 0). */
		ck_assert_double_eq(res->layers[0].f.dead, (reroute ? 1 : 2));
		replay_free(r);
	}
}
END_TEST

/* probs: the same C = 2, but expert 0 keeps its two best-scored tokens. Logits x, 0 with
 * x = 1, 2, 3, .5: tokens 1 and 2 (x = 2, 3) stay, 0 and 3 are dropped; retained
 * (s(2) + s(3)) / sum, s(x) = 1 / (1 + e^-x). Equal scores go to the earlier tokens. */
START_TEST(capacity_probs)
{
	const double x[4][2] = { { 1, 0 }, { 2, 0 }, { 3, 0 }, { 0.5, 0 } };
	struct replay_instance in = { .strategy = REPLAY_CAPACITY, .factor_num = 1 };
	struct replay_options o = options(4);
	struct replay *r;
	const struct replay_result *res;
	double s[4];

	o.probs = true;
	o.threshold = 1;
	r = replay_new(&o, &in, 1);
	for (int t = 0; t < 4; t++) {
		token(r, x[t], 2, 0);
		s[t] = 1 / (1 + exp(-x[t][0]));
	}
	res = only(r, 0);
	ck_assert_double_eq_tol(res->layers[0].f.dropped, 0.5, TOL);
	ck_assert_double_eq_tol(res->layers[0].f.retained, (s[1] + s[2]) / (s[0] + s[1] + s[2] + s[3]),
	                        TOL);
	/* expert 0 last chosen at position 2: idle 1 >= 1, as expert 1 (never): dead 2 */
	ck_assert_double_eq(res->layers[0].f.dead, 2);
	replay_free(r);
}
END_TEST

/* C = ceil(f S / N) exactly: f = 1.1 over 400 tokens of top-2 and 8 experts is 110, not the
 * 111 that the double nearest 1.1 gives. 400 tokens all preferring expert 0 (top-2: 0 and 1):
 * experts 0 and 1 keep 110 each, 580 of 800 selections are dropped. */
START_TEST(capacity_is_exact)
{
	const double x[8] = { 2, 1, 0, 0, 0, 0, 0, 0 };
	struct replay_instance in = { .strategy = REPLAY_CAPACITY, .factor_num = 11, .factor_scale = 1 };
	struct replay_options o = options(400);
	struct replay *r = replay_new(&o, &in, 1);
	const struct replay_result *res;
	const uint32_t chose[2] = { 0, 1 };
	const char *why;

	for (int t = 0; t < 400; t++) {
		struct moe_record rec = { .layer = 0, .k = 2, .experts = chose, .nlogits = 8, .logits = x };
		ck_assert_int_eq(replay_add(r, &rec, &why), 0);
	}
	res = only(r, 0);
	ck_assert_double_eq_tol(res->layers[0].f.dropped, 580.0 / 800, TOL);
	replay_free(r);
}
END_TEST

/* A layer of 4 tokens with B = 8: one partial chunk, C = ceil(1 * 4 / 2) = 2 all the same;
 * maxvio_batch is the partial chunk's (2 - 1) / 1. */
START_TEST(layer_shorter_than_batch)
{
	const double x[2] = { 1.0, 0.0 };
	struct replay_instance in = { .strategy = REPLAY_CAPACITY, .factor_num = 1 };
	struct replay_options o = options(8);
	struct replay *r = replay_new(&o, &in, 1);
	const struct replay_result *res;

	for (int t = 0; t < 4; t++)
		token(r, x, 2, 0);
	res = only(r, 0);
	ck_assert_double_eq_tol(res->layers[0].f.dropped, 0.5, TOL);
	ck_assert_double_eq_tol(res->layers[0].f.maxvio_batch, 1.0, TOL);
	replay_free(r);
}
END_TEST

/* none and fixed, sigmoid: logits 1, 0 make s = .73, .5, so none picks 0; the log says 0 then 1:
 * agreement 1/2. fixed with b = 0, 1 picks expert 1 every time: changed 1. */
START_TEST(none_and_fixed_sigmoid)
{
	const double x[2] = { 1.0, 0.0 }, b[2] = { 0, 1 };
	struct replay_instance in[2] = { { .strategy = REPLAY_NONE }, { .strategy = REPLAY_FIXED } };
	struct replay_options o = options(2);
	struct bias_table fixed = { 0 };
	struct replay *r;
	const struct replay_result *res;

	ck_assert_int_eq(bias_set(&fixed, 0, b, 2), 0);
	o.score = ROUTE_SIGMOID;
	o.fixed = &fixed;
	r = replay_new(&o, in, 2);
	token(r, x, 2, 0);
	token(r, x, 2, 1);
	res = only(r, 0);
	ck_assert_double_eq(res->layers[0].f.agreement, 0.5);
	ck_assert_double_eq(res->layers[0].f.changed, 0);
	res = result(r, 1);
	ck_assert_double_eq(res->layers[0].f.changed, 1);
	ck_assert_double_eq_tol(res->layers[0].f.retained, 0.5 / (1 / (1 + exp(-1.0))), TOL);
	replay_free(r);
	bias_free(&fixed);
}
END_TEST

/* A bias table whose vector does not fit the layer's experts is refused. */
START_TEST(bias_of_the_wrong_length)
{
	const double x[2] = { 1.0, 0.0 }, b[3] = { 0, 0, 0 };
	struct replay_instance in = { .strategy = REPLAY_FIXED };
	struct replay_options o = options(2);
	struct bias_table fixed = { 0 };
	struct moe_record rec = { .layer = 0, .k = 1, .experts = (uint32_t[]){ 0 }, .nlogits = 2,
	                          .logits = x };
	struct replay *r;
	const char *why = NULL;

	ck_assert_int_eq(bias_set(&fixed, 0, b, 3), 0);
	o.fixed = &fixed;
	r = replay_new(&o, &in, 1);
	ck_assert_int_eq(replay_add(r, &rec, &why), EX_DATAERR);
	ck_assert_str_eq(why, "a bias vector's length is not the number of experts");
	replay_free(r);
	bias_free(&fixed);
}
END_TEST

Suite *replay_suite(void)
{
	Suite *s = suite_create("replay");
	TCase *tc = tcase_create("replay");

	tcase_add_test(tc, lossfree);
	tcase_add_test(tc, lossfree_sign_zero);
	tcase_add_test(tc, dynamic);
	tcase_add_test(tc, capacity_position);
	tcase_add_test(tc, capacity_probs);
	tcase_add_test(tc, layer_shorter_than_batch);
	tcase_add_test(tc, capacity_is_exact);
	tcase_add_test(tc, none_and_fixed_sigmoid);
	tcase_add_test(tc, bias_of_the_wrong_length);
	suite_add_tcase(s, tc);
	return s;
}
