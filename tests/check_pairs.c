/* check_pairs.c: pair counts and lifts by hand, growth of N, and the top pairs against a full sort. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "pairs.h"
#include "suites.h"

static void add(struct pairs *p, unsigned layer, const uint32_t *ids, size_t k)
{
	struct moe_record rec = { .layer = layer, .token = -1, .domain = -1, .k = k, .experts = ids };

	ck_assert_int_eq(pairs_add(p, &rec), 0);
}

/* Rows of the upper triangle one after another: for n = 5 row 0 holds 4 pairs
 * (0..3), row 1 three (4..6), row 2 two (7, 8), row 3 one (9). */
static const struct {
	unsigned n;
	uint32_t a, b;
	size_t index;
} indices[] = {
	{ 4, 0, 1, 0 }, { 4, 0, 2, 1 }, { 4, 0, 3, 2 }, { 4, 1, 2, 3 }, { 4, 1, 3, 4 }, { 4, 2, 3, 5 },
	{ 2, 0, 1, 0 },
	{ 5, 1, 2, 4 }, { 5, 2, 3, 7 }, { 5, 3, 4, 9 },
	{ 256, 254, 255, 32639 },               /* the last of 256 * 255 / 2 = 32640 */
	{ 1024, 1, 2, 1023 },                   /* after row 0's 1023 pairs */
	{ 65536, 65534, 65535, 2147450879 },    /* 65536 * 65535 / 2 - 1: past 2^31 - 1, no wrap */
};

START_TEST(index_by_hand)
{
	ck_assert_uint_eq(pairs_index(indices[_i].a, indices[_i].b, indices[_i].n), indices[_i].index);
}
END_TEST

/* Walking the pairs in row-major order must count 0, 1, 2, ... up to n (n - 1) / 2 - 1:
 * distinct slots that fill the table without a hole. */
START_TEST(index_counts_row_major)
{
	for (unsigned n = 2; n <= 40; n++) {
		size_t next = 0;

		for (uint32_t a = 0; a < n; a++)
			for (uint32_t b = a + 1; b < n; b++)
				ck_assert_uint_eq(pairs_index(a, b, n), next++);
		ck_assert_uint_eq(next, (size_t)n * (n - 1) / 2);
	}
}
END_TEST

static const struct {
	uint64_t pair, tokens, count_a, count_b;
	double lift;            /* NAN: undefined */
} lifts[] = {
	{ 2, 4, 3, 3, 8.0 / 9.0 },      /* 2 * 4 / (3 * 3) */
	{ 1, 4, 3, 1, 4.0 / 3.0 },      /* 1 * 4 / (3 * 1) */
	{ 0, 4, 1, 1, 0.0 },            /* never together, both used */
	{ 5, 10, 5, 5, 2.0 },           /* always together, each in half the tokens: twice chance */
	{ 0, 4, 0, 3, NAN },            /* a never used */
	{ 0, 4, 3, 0, NAN },
	{ 0, 0, 0, 0, NAN },
	/* 2^32 - 1 everywhere: one expert pair in every token, products near 2^64 */
	{ UINT32_MAX, UINT32_MAX, UINT32_MAX, UINT32_MAX, 1.0 },
};

START_TEST(lift_by_hand)
{
	double got = pairs_lift(lifts[_i].pair, lifts[_i].tokens, lifts[_i].count_a, lifts[_i].count_b);

	if (isnan(lifts[_i].lift))
		ck_assert_double_nan(got);
	else
		ck_assert_double_eq_tol(got, lifts[_i].lift, 1e-15);
}
END_TEST

/* Layer 3, 5 experts, four tokens {0,1} {0,1} {1,2} {0,3}; expert 4 never chosen.
 *   counts: 0: 3, 1: 3, 2: 1, 3: 1, 4: 0; tokens 4.
 *   pairs: {0,1} 2 (lift 2*4/(3*3) = 8/9), {0,3} 1 (1*4/(3*1) = 4/3), {1,2} 1 (4/3),
 *   every other pair 0: lift 0 among experts 0..3, NAN with expert 4.
 * Ranked: 2 first; the two 1s tie, {0,3} before {1,2} by the lower a; then the
 * seven 0s in (a, b) order. */
static void fill_tiny(struct pairs *p)
{
	static const uint32_t tok[4][2] = { { 0, 1 }, { 1, 0 }, { 2, 1 }, { 0, 3 } };

	pairs_init(p, 5);
	/* Ids in either order: a pair is unordered. */
	for (int t = 0; t < 4; t++)
		add(p, 3, tok[t], 2);
}

static const struct pair tiny_ranked[10] = {
	{ 0, 1, 2, 8.0 / 9.0 },
	{ 0, 3, 1, 4.0 / 3.0 },
	{ 1, 2, 1, 4.0 / 3.0 },
	{ 0, 2, 0, 0.0 },
	{ 0, 4, 0, NAN },
	{ 1, 3, 0, 0.0 },
	{ 1, 4, 0, NAN },
	{ 2, 3, 0, 0.0 },
	{ 2, 4, 0, NAN },
	{ 3, 4, 0, NAN },
};

START_TEST(tiny_layer_counts)
{
	struct pairs p;
	const struct pairs_layer *l;
	static const uint64_t count[5] = { 3, 3, 1, 1, 0 };

	fill_tiny(&p);
	ck_assert_uint_eq(pairs_layers(&p), 1);
	l = pairs_next(&p, 0);
	ck_assert_uint_eq(l->layer, 3);
	ck_assert_uint_eq(l->tokens, 4);
	for (int e = 0; e < 5; e++)
		ck_assert_uint_eq(l->count[e], count[e]);
	for (int i = 0; i < 10; i++)
		ck_assert_uint_eq(l->pair[pairs_index(tiny_ranked[i].a, tiny_ranked[i].b, p.capacity)],
		                  tiny_ranked[i].count);
	ck_assert_ptr_null(pairs_next(&p, 4));
	pairs_free(&p);
}
END_TEST

/* k asked for, and how many of the ten pairs of 5 experts come back. */
static const struct {
	size_t k, n;
} tops[] = {
	{ 0, 0 }, { 1, 1 }, { 2, 2 },
	{ 3, 3 },               /* the tie at count 1 in full */
	{ 4, 4 },               /* the first 0: {0,2} */
	{ 9, 9 }, { 10, 10 },
	{ 11, 10 }, { 1000, 10 }, { SIZE_MAX, 10 },
};

START_TEST(tiny_layer_top)
{
	struct pairs p;
	struct pairs_report r;

	fill_tiny(&p);
	ck_assert_int_eq(pairs_report_build(&r, &p, 5, tops[_i].k), 0);
	ck_assert_uint_eq(r.experts, 5);
	ck_assert_uint_eq(r.top, tops[_i].k);
	ck_assert_uint_eq(r.nlayers, 1);
	ck_assert_uint_eq(r.layers[0].layer, 3);
	ck_assert_uint_eq(r.layers[0].tokens, 4);
	ck_assert_uint_eq(r.layers[0].n, tops[_i].n);
	for (size_t i = 0; i < tops[_i].n; i++) {
		const struct pair *got = &r.layers[0].top[i], *want = &tiny_ranked[i];

		ck_assert_uint_eq(got->a, want->a);
		ck_assert_uint_eq(got->b, want->b);
		ck_assert_uint_eq(got->count, want->count);
		if (isnan(want->lift))
			ck_assert_double_nan(got->lift);
		else
			ck_assert_double_eq_tol(got->lift, want->lift, 1e-15);
	}
	pairs_report_free(&r);
	pairs_free(&p);
}
END_TEST

/* Three experts, K = 10: all three pairs, the never co-selected one with count 0 and lift 0.
 * Tokens {0,1} {2}: counts 1, 1, 1; {0,1} lift 1*2/(1*1) = 2, {0,2} and {1,2} 0. */
START_TEST(fewer_pairs_than_k)
{
	static const uint32_t t0[] = { 0, 1 }, t1[] = { 2 };
	struct pairs p;
	struct pairs_report r;

	pairs_init(&p, 3);
	add(&p, 0, t0, 2);
	add(&p, 0, t1, 1);
	ck_assert_int_eq(pairs_report_build(&r, &p, 3, 10), 0);
	ck_assert_uint_eq(r.layers[0].n, 3);
	ck_assert_uint_eq(r.layers[0].top[0].count, 1);
	ck_assert_double_eq_tol(r.layers[0].top[0].lift, 2.0, 1e-15);
	ck_assert_uint_eq(r.layers[0].top[1].a, 0);
	ck_assert_uint_eq(r.layers[0].top[1].b, 2);
	ck_assert_uint_eq(r.layers[0].top[1].count, 0);
	ck_assert_double_eq(r.layers[0].top[1].lift, 0.0);
	ck_assert_uint_eq(r.layers[0].top[2].a, 1);
	ck_assert_uint_eq(r.layers[0].top[2].b, 2);
	pairs_report_free(&r);
	pairs_free(&p);
}
END_TEST

/* One expert (or none) has no pair: the layer is listed with n = 0. */
START_TEST(no_pairs)
{
	static const uint32_t only[] = { 0 };
	struct pairs p;
	struct pairs_report r;

	pairs_init(&p, 1);
	add(&p, 2, only, 1);
	ck_assert_int_eq(pairs_report_build(&r, &p, 1, 10), 0);
	ck_assert_uint_eq(r.nlayers, 1);
	ck_assert_uint_eq(r.layers[0].tokens, 1);
	ck_assert_uint_eq(r.layers[0].n, 0);
	pairs_report_free(&r);
	pairs_free(&p);

	pairs_init(&p, 0);
	ck_assert_int_eq(pairs_report_build(&r, &p, 0, 10), 0);
	ck_assert_uint_eq(r.nlayers, 0);
	pairs_report_free(&r);
	pairs_free(&p);
}
END_TEST

/* Sum of a layer's pair counters: the k (k - 1) / 2 of each record, wherever they sit. */
static uint64_t pair_total(const struct pairs *p, unsigned layer)
{
	const struct pairs_layer *l = bylayer_get(&p->layers, layer);
	size_t slots = (size_t)p->capacity * (p->capacity - 1) / 2;
	uint64_t sum = 0;

	for (size_t i = 0; i < slots; i++)
		sum += l->pair[i];
	return sum;
}

/* N unknown: ids 1..3 make room for 8, then 300 grows every layer to 512 (8 doubled
 * six times) and the tables move to the new layout; what was counted must follow. */
START_TEST(growth_keeps_counts)
{
	static const uint32_t t0[] = { 1, 2, 3 }, t1[] = { 3, 2 }, t2[] = { 0, 7 }, big[] = { 300, 1, 7 };
	struct pairs p;
	const struct pairs_layer *l;

	pairs_init(&p, 0);
	add(&p, 0, t0, 3);      /* layer 0: {1,2} {1,3} {2,3} */
	add(&p, 0, t1, 2);      /* {2,3} again: 2 */
	add(&p, 5, t2, 2);      /* layer 5: {0,7}, at the last slot of row 0 for 8 */
	ck_assert_uint_eq(p.capacity, 8);
	add(&p, 0, big, 3);     /* layer 0: {1,300} {7,300} {1,7} */
	ck_assert_uint_eq(p.capacity, 512);
	for (int round = 0; round < 2; round++) {
		unsigned n = p.capacity;

		l = ((struct pairs_layer *)bylayer_get(&p.layers, 0));
		ck_assert_uint_eq(l->tokens, 3);
		ck_assert_uint_eq(l->pair[pairs_index(1, 2, n)], 1);
		ck_assert_uint_eq(l->pair[pairs_index(1, 3, n)], 1);
		ck_assert_uint_eq(l->pair[pairs_index(2, 3, n)], 2);
		ck_assert_uint_eq(l->pair[pairs_index(1, 300, n)], 1);
		ck_assert_uint_eq(l->pair[pairs_index(7, 300, n)], 1);
		ck_assert_uint_eq(l->pair[pairs_index(1, 7, n)], 1);
		ck_assert_uint_eq(l->count[1], 2);
		ck_assert_uint_eq(l->count[300], 1);
		ck_assert_uint_eq(l->count[n - 1], 0);
		/* 3 + 1 + 3 pairs were counted; nothing else may be nonzero */
		ck_assert_uint_eq(pair_total(&p, 0), 7);
		l = ((struct pairs_layer *)bylayer_get(&p.layers, 5));
		ck_assert_uint_eq(l->tokens, 1);
		ck_assert_uint_eq(l->pair[pairs_index(0, 7, n)], 1);
		ck_assert_uint_eq(pair_total(&p, 5), 1);
		/* Again after a second growth by pairs_reserve: 1000 rounds 512 up to 1024. */
		ck_assert_int_eq(pairs_reserve(&p, 1000), 0);
		ck_assert_uint_eq(p.capacity, 1024);
	}
	ck_assert_int_eq(pairs_reserve(&p, 10), 0);
	ck_assert_uint_eq(p.capacity, 1024);
	ck_assert_int_eq(pairs_reserve(&p, MOE_MAX_EXPERTS + 1), -1);
	pairs_free(&p);
}
END_TEST

/* Layers 2 and 9 (none between), each with its own top pair; the report lists them by id. */
START_TEST(sparse_layers)
{
	static const uint32_t x[] = { 4, 5 }, y[] = { 0, 6, 5 };
	struct pairs p;
	struct pairs_report r;
	const struct pairs_layer *l;

	pairs_init(&p, 8);
	add(&p, 9, y, 3);
	add(&p, 2, x, 2);
	add(&p, 2, x, 2);
	ck_assert_uint_eq(pairs_layers(&p), 2);
	l = pairs_next(&p, 0);
	ck_assert_uint_eq(l->layer, 2);
	l = pairs_next(&p, l->layer + 1);
	ck_assert_uint_eq(l->layer, 9);
	ck_assert_ptr_null(pairs_next(&p, l->layer + 1));
	ck_assert_int_eq(pairs_report_build(&r, &p, 8, 1), 0);
	ck_assert_uint_eq(r.nlayers, 2);
	/* layer 2: {4,5} in both tokens; lift 2*2/(2*2) = 1 */
	ck_assert_uint_eq(r.layers[0].layer, 2);
	ck_assert_uint_eq(r.layers[0].tokens, 2);
	ck_assert_uint_eq(r.layers[0].top[0].a, 4);
	ck_assert_uint_eq(r.layers[0].top[0].b, 5);
	ck_assert_uint_eq(r.layers[0].top[0].count, 2);
	ck_assert_double_eq_tol(r.layers[0].top[0].lift, 1.0, 1e-15);
	/* layer 9: {0,5} {0,6} {5,6} all 1; {0,5} by the lower a then b */
	ck_assert_uint_eq(r.layers[1].layer, 9);
	ck_assert_uint_eq(r.layers[1].tokens, 1);
	ck_assert_uint_eq(r.layers[1].top[0].a, 0);
	ck_assert_uint_eq(r.layers[1].top[0].b, 5);
	pairs_report_free(&r);
	pairs_free(&p);
}
END_TEST

/* A token count that would pass 2^32 - 1 is refused and changes nothing; other layers go on. */
START_TEST(overflow)
{
	static const uint32_t ids[] = { 0, 1 };
	struct moe_record rec = { .layer = 1, .token = -1, .domain = -1, .k = 2, .experts = ids };
	struct pairs p;
	struct pairs_layer *l;

	pairs_init(&p, 2);
	add(&p, 1, ids, 2);
	l = ((struct pairs_layer *)bylayer_get(&p.layers, 1));
	l->tokens = UINT32_MAX - 1;
	ck_assert_int_eq(pairs_add(&p, &rec), 0);
	ck_assert_uint_eq(l->tokens, UINT32_MAX);
	ck_assert_int_eq(pairs_add(&p, &rec), PAIRS_OVERFLOW);
	ck_assert_uint_eq(l->tokens, UINT32_MAX);
	ck_assert_uint_eq(l->count[0], 2);
	ck_assert_uint_eq(l->pair[0], 2);
	add(&p, 0, ids, 2);
	pairs_free(&p);
}
END_TEST

/* A repeated id (the reader never hands one out) counts no pair with itself. */
START_TEST(repeated_id)
{
	static const uint32_t ids[] = { 0, 0, 1 };
	struct pairs p;

	pairs_init(&p, 2);
	add(&p, 0, ids, 3);
	ck_assert_uint_eq(((struct pairs_layer *)bylayer_get(&p.layers, 0))->pair[0], 2);
	pairs_free(&p);
}
END_TEST

/* A pseudo-random layer against a brute force that shares no code with pairs.c:
 * a full 64 x 64 matrix counted from the same tokens, every pair sorted with qsort.
 * 2000 tokens of 6 distinct ids put 30000 pairs in 2016 slots (about 15 each), so
 * counts tie often and the (a, b) order is exercised. N starts unknown, so the
 * tables also grow (8, 16, 32, 64) while counts are in them. */
#define RAND_EXPERTS 64
#define RAND_TOKENS 2000
#define RAND_K 6

struct brute {
	uint32_t a, b;
	uint64_t count;
};

static int brute_cmp(const void *x, const void *y)
{
	const struct brute *p = x, *q = y;

	if (p->count != q->count)
		return p->count < q->count ? 1 : -1;
	if (p->a != q->a)
		return p->a < q->a ? -1 : 1;
	return (p->b > q->b) - (p->b < q->b);
}

static uint32_t lcg(uint32_t *state)
{
	/* Numerical Recipes' constants; the high bits are the better ones. */
	*state = *state * 1664525u + 1013904223u;
	return *state >> 16;
}

/* Token t's ids: RAND_K distinct ones drawn from [0, 64), the same for every caller. */
static void random_token(uint32_t *state, uint32_t *ids)
{
	for (int i = 0; i < RAND_K; i++) {
		int fresh;

		do {
			ids[i] = lcg(state) % RAND_EXPERTS;
			fresh = 1;
			for (int j = 0; j < i; j++)
				fresh &= ids[j] != ids[i];
		} while (!fresh);
	}
}

static const size_t random_k[] = { 1, 2, 7, 10, 63, 500, 2015, 2016, 5000 };

START_TEST(top_equals_full_sort)
{
	static uint64_t matrix[RAND_EXPERTS][RAND_EXPERTS], count[RAND_EXPERTS];
	static struct brute all[RAND_EXPERTS * (RAND_EXPERTS - 1) / 2];
	size_t k = random_k[_i], nall = 0, want, ties = 0;
	uint32_t state = 12345, ids[RAND_K];
	struct pairs p;
	struct pairs_report r;

	memset(matrix, 0, sizeof matrix);
	memset(count, 0, sizeof count);
	pairs_init(&p, 0);
	for (int t = 0; t < RAND_TOKENS; t++) {
		random_token(&state, ids);
		add(&p, 7, ids, RAND_K);
		for (int i = 0; i < RAND_K; i++) {
			count[ids[i]]++;
			for (int j = 0; j < RAND_K; j++)
				if (i != j)
					matrix[ids[i]][ids[j]]++;
		}
	}
	for (uint32_t a = 0; a < RAND_EXPERTS; a++)
		for (uint32_t b = a + 1; b < RAND_EXPERTS; b++)
			all[nall++] = (struct brute){ a, b, matrix[a][b] };
	qsort(all, nall, sizeof *all, brute_cmp);

	ck_assert_uint_eq(p.capacity, RAND_EXPERTS);
	ck_assert_int_eq(pairs_report_build(&r, &p, RAND_EXPERTS, k), 0);
	want = k < nall ? k : nall;
	ck_assert_uint_eq(r.layers[0].n, want);
	/* The seed must give ties among the first ten, or this test proves less than it says. */
	for (size_t i = 0; i + 1 < 10; i++)
		ties += all[i].count == all[i + 1].count;
	ck_assert_uint_gt(ties, 0);
	for (size_t i = 0; i < want; i++) {
		const struct pair *got = &r.layers[0].top[i];
		double lift = (double)all[i].count * RAND_TOKENS /
		              ((double)count[all[i].a] * (double)count[all[i].b]);

		ck_assert_uint_eq(got->a, all[i].a);
		ck_assert_uint_eq(got->b, all[i].b);
		ck_assert_uint_eq(got->count, all[i].count);
		ck_assert_double_eq_tol(got->lift, lift, 1e-12);
	}
	pairs_report_free(&r);
	pairs_free(&p);
}
END_TEST

Suite *pairs_suite(void)
{
	Suite *s = suite_create("pairs");
	TCase *tc = tcase_create("pairs");

	tcase_add_loop_test(tc, index_by_hand, 0, sizeof indices / sizeof *indices);
	tcase_add_test(tc, index_counts_row_major);
	tcase_add_loop_test(tc, lift_by_hand, 0, sizeof lifts / sizeof *lifts);
	tcase_add_test(tc, tiny_layer_counts);
	tcase_add_loop_test(tc, tiny_layer_top, 0, sizeof tops / sizeof *tops);
	tcase_add_test(tc, fewer_pairs_than_k);
	tcase_add_test(tc, no_pairs);
	tcase_add_test(tc, growth_keeps_counts);
	tcase_add_test(tc, sparse_layers);
	tcase_add_test(tc, overflow);
	tcase_add_test(tc, repeated_id);
	tcase_add_loop_test(tc, top_equals_full_sort, 0, sizeof random_k / sizeof *random_k);
	suite_add_tcase(s, tc);
	return s;
}
