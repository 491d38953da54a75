/* check_batch.c: chunks of B tokens: per-chunk MaxVio (mean, p95, max), the partial-chunk rule, burstiness. */
#include <math.h>
#include <string.h>

#include "batch.h"
#include "suites.h"
#include "testutil.h"

#define TOL 1e-15

/* Adds one single-expert record (k = 1) per id to layer 0. */
static void feed(struct batch *b, const uint32_t *ids, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct moe_record rec = { .layer = 0, .token = -1, .domain = -1, .k = 1, .experts = &ids[i] };
		ck_assert_int_eq(batch_add(b, &rec), 0);
	}
}

/* Layer 0 picks, one expert a token, N = 4: 0 0 0 1 | 2 3 0 1 | 0 0 1 1 | 2 (partial).
 * B = 4: chunk counts (3,1,0,0), (1,1,1,1), (2,2,0,0): c_mean = 1 in each, so MaxVio
 * = 2, 0, 1: mean 1, max 2, p95 = the ceil(0.95 * 3) = 3rd smallest = 2. */
static const uint32_t picks[] = { 0, 0, 0, 1, 2, 3, 0, 1, 0, 0, 1, 1, 2 };

START_TEST(chunks_of_four)
{
	struct batch b;
	struct batch_maxvio m;

	batch_init(&b, 4, 4, true);
	feed(&b, picks, sizeof picks / sizeof *picks);
	ck_assert_int_eq(batch_maxvio(batch_layer(&b, 0), 4, 4, &m), 0);
	ck_assert_uint_eq(m.chunks, 3);
	ck_assert(!m.partial);
	ck_assert_double_eq_tol(m.mean, 1.0, TOL);
	ck_assert_double_eq(m.max, 2.0);
	ck_assert_double_eq(m.p95, 2.0);
	batch_free(&b);
}
END_TEST

/* Burstiness over the same three full chunks: expert 0 has 3, 1, 2: mean 2,
 * population variance (1 + 1 + 0) / 3 = 2/3; expert 3 has 0, 1, 0: mean 1/3,
 * variance (1/9 + 4/9 + 1/9) / 3 = 2/9. Expert 2's token in the partial chunk
 * does not count: 0, 1, 0 as expert 3. */
START_TEST(burstiness)
{
	struct batch b;
	double mean, std, cv;

	batch_init(&b, 4, 4, true);
	feed(&b, picks, sizeof picks / sizeof *picks);
	batch_expert(batch_layer(&b, 0), 0, &mean, &std, &cv);
	ck_assert_double_eq_tol(mean, 2.0, TOL);
	ck_assert_double_eq_tol(std, sqrt(2.0 / 3), TOL);
	ck_assert_double_eq_tol(cv, sqrt(2.0 / 3) / 2, TOL);
	batch_expert(batch_layer(&b, 0), 3, &mean, &std, &cv);
	ck_assert_double_eq_tol(mean, 1.0 / 3, TOL);
	ck_assert_double_eq_tol(std, sqrt(2.0) / 3, TOL);
	ck_assert_double_eq_tol(cv, sqrt(2.0), 4 * TOL);
	batch_expert(batch_layer(&b, 0), 2, &mean, &std, &cv);
	ck_assert_double_eq_tol(mean, 1.0 / 3, TOL);
	batch_free(&b);
}
END_TEST

/* B = 1: every chunk holds one selection; c_mean = 1/4, MaxVio = (1 - 1/4) / (1/4) = 3. */
START_TEST(batch_of_one)
{
	struct batch b;
	struct batch_maxvio m;
	double mean, std, cv;

	batch_init(&b, 1, 4, true);
	feed(&b, picks, sizeof picks / sizeof *picks);
	ck_assert_int_eq(batch_maxvio(batch_layer(&b, 0), 1, 4, &m), 0);
	ck_assert_uint_eq(m.chunks, 13);
	ck_assert_double_eq(m.mean, 3.0);
	ck_assert_double_eq(m.p95, 3.0);
	/* Expert 1 in 4 of the 13 chunks: mean 4/13, variance 4/13 - (4/13)^2 = 36/169. */
	batch_expert(batch_layer(&b, 0), 1, &mean, &std, &cv);
	ck_assert_double_eq_tol(mean, 4.0 / 13, TOL);
	ck_assert_double_eq_tol(std, 6.0 / 13, TOL);
	batch_free(&b);
}
END_TEST

/* A layer shorter than B: its one partial chunk is the whole layer, 13 tokens with
 * counts (6,4,2,1): c_mean = 13/4, MaxVio = (6 - 13/4) / (13/4) = 11/13. No full
 * chunk: the burstiness figures are undefined. */
START_TEST(layer_shorter_than_batch)
{
	struct batch b;
	struct batch_maxvio m;
	double mean, std, cv;

	batch_init(&b, 100, 4, true);
	feed(&b, picks, sizeof picks / sizeof *picks);
	ck_assert_int_eq(batch_maxvio(batch_layer(&b, 0), 100, 4, &m), 0);
	ck_assert(m.partial);
	ck_assert_uint_eq(m.chunks, 1);
	ck_assert_double_eq_tol(m.mean, 11.0 / 13, TOL);
	ck_assert_double_eq_tol(m.max, 11.0 / 13, TOL);
	batch_expert(batch_layer(&b, 0), 0, &mean, &std, &cv);
	ck_assert_double_nan(mean);
	ck_assert_double_nan(cv);
	batch_free(&b);
}
END_TEST

/* p95 by nearest rank over 40 chunks of B = 2, N = 2, k = 1: 38 balanced chunks
 * (MaxVio 0) and 2 with both tokens on one expert (MaxVio 1): ceil(0.95 * 40) = 38,
 * and the 38th smallest is 0; with 3 such chunks the 38th smallest is 1. */
START_TEST(p95_nearest_rank)
{
	for (int skewed = 2; skewed <= 3; skewed++) {
		struct batch b;
		struct batch_maxvio m;

		batch_init(&b, 2, 2, false);
		for (int c = 0; c < 40; c++) {
			uint32_t ids[2] = { 0, c < skewed ? 0 : 1 };
			feed(&b, ids, 2);
		}
		ck_assert_int_eq(batch_maxvio(batch_layer(&b, 0), 2, 2, &m), 0);
		ck_assert_uint_eq(m.chunks, 40);
		ck_assert_double_eq(m.p95, skewed == 2 ? 0.0 : 1.0);
		ck_assert_double_eq(m.max, 1.0);
		ck_assert_double_eq_tol(m.mean, skewed / 40.0, TOL);
		batch_free(&b);
	}
}
END_TEST

/* Many distinct chunk shapes force the table of shapes to grow; N grows with the ids. */
START_TEST(shapes_and_experts_grow)
{
	struct batch b;
	struct batch_maxvio m;
	long double sum = 0;
	double max = 0;
	uint64_t lcg = 12345;

	batch_init(&b, 64, 0, true);
	for (int c = 0; c < 500; c++) {
		uint32_t ids[64];
		uint64_t count[256] = { 0 }, top = 0;

		for (int t = 0; t < 64; t++) {
			lcg = lcg * 6364136223846793005u + 1442695040888963407u;
			/* Skew grows with c, so the largest count takes many values. */
			ids[t] = (uint32_t)((lcg >> 33) % (uint64_t)(256 - c / 2));
			if (++count[ids[t]] > top)
				top = count[ids[t]];
		}
		feed(&b, ids, 64);
		/* By the definition, with N = 256 and 64 selections: c_mean = 1/4. */
		double v = (top - 0.25) / 0.25;
		sum += v;
		if (v > max)
			max = v;
	}
	ck_assert_int_eq(batch_reserve(&b, 256), 0);
	ck_assert_int_eq(batch_maxvio(batch_layer(&b, 0), 64, 256, &m), 0);
	ck_assert_uint_eq(m.chunks, 500);
	ck_assert_double_eq_tol(m.mean, (double)(sum / 500), 1e-12);
	ck_assert_double_eq(m.max, max);
	batch_free(&b);
}
END_TEST

/* A chain 1 -> (nothing), 8 -> 64 -> 512 gives what each size gives on its own, for
 * layers of every length (full chunks only, a partial one, a layer shorter than 8). */
START_TEST(chained_sizes_equal_lone_ones)
{
	static const uint64_t sizes[4] = { 1, 8, 64, 512 };
	struct batch lone[4], chained[4];
	uint64_t lcg = 99;

	for (int i = 0; i < 4; i++) {
		batch_init(&lone[i], sizes[i], 0, false);
		batch_init(&chained[i], sizes[i], 0, false);
	}
	batch_chain(&chained[1], &chained[2]);
	batch_chain(&chained[2], &chained[3]);
	for (int t = 0; t < 3000; t++) {
		for (unsigned layer = 0; layer < 3; layer++) {
			uint32_t ids[3];
			struct moe_record rec = { .layer = layer, .token = -1, .domain = -1, .k = 3, .experts = ids };

			/* Layer 1 stops at 5 tokens, layer 2 at 1000: lengths of every kind. */
			if ((layer == 1 && t >= 5) || (layer == 2 && t >= 1000))
				continue;
			lcg = lcg * 6364136223846793005u + 1442695040888963407u;
			ids[0] = (uint32_t)(lcg >> 60);                 /* 0..15 */
			ids[1] = 16 + (uint32_t)((lcg >> 50) % 7);
			ids[2] = 30 + (uint32_t)((lcg >> 40) % 3);
			for (int i = 0; i < 4; i++)
				ck_assert_int_eq(batch_add(&lone[i], &rec), 0);
			ck_assert_int_eq(batch_add(&chained[0], &rec), 0);
			ck_assert_int_eq(batch_add(&chained[1], &rec), 0);
		}
	}
	ck_assert_int_eq(batch_finish(&chained[1]), 0);
	for (int i = 0; i < 4; i++) {
		ck_assert_int_eq(batch_reserve(&lone[i], 33), 0);
		ck_assert_int_eq(batch_reserve(&chained[i], 33), 0);
		for (unsigned layer = 0; layer < 3; layer++) {
			struct batch_maxvio a, b;

			ck_assert_int_eq(batch_maxvio(batch_layer(&lone[i], layer), sizes[i], 33, &a), 0);
			ck_assert_int_eq(batch_maxvio(batch_layer(&chained[i], layer), sizes[i], 33, &b), 0);
			ck_assert_uint_eq(a.chunks, b.chunks);
			ck_assert(a.partial == b.partial);
			ck_assert_double_eq(a.mean, b.mean);
			ck_assert_double_eq(a.max, b.max);
			ck_assert_double_eq(a.p95, b.p95);
			ck_assert_uint_eq(batch_layer(&lone[i], layer)->tokens,
			                  batch_layer(&chained[i], layer)->tokens);
		}
		batch_free(&lone[i]);
		batch_free(&chained[i]);
	}
}
END_TEST

/* Sizes 1, 8 -> 64 (chained) and 5 (with burstiness) fed one record at a
 * time, against the same fed 100 tokens so, then their layers moved to two
 * shards (even and odd layer ids), the rest added there by batch_add_layer in
 * groups of random length, and the layers moved back: every figure equal.
 * The groups of layers 1 and 2 say the bound of their ids (33), layer 0's do not. */
START_TEST(layers_moved_and_added_in_groups)
{
	enum { SIZES = 4, TOKENS = 3000, LAYERS = 3, K = 3 };
	static const uint64_t sizes[SIZES] = { 1, 8, 64, 5 };
	static uint32_t pending[LAYERS][TOKENS * K];
	size_t npending[LAYERS] = { 0 };
	struct batch one[SIZES], split[SIZES], shard[2][SIZES];
	uint64_t lcg = 7;

	for (int i = 0; i < SIZES; i++) {
		batch_init(&one[i], sizes[i], 0, i == 3);
		batch_init(&split[i], sizes[i], 0, i == 3);
		batch_init(&shard[0][i], sizes[i], 0, i == 3);
		batch_init(&shard[1][i], sizes[i], 0, i == 3);
	}
	batch_chain(&one[1], &one[2]);
	batch_chain(&split[1], &split[2]);
	batch_chain(&shard[0][1], &shard[0][2]);
	batch_chain(&shard[1][1], &shard[1][2]);
	for (int t = 0; t < TOKENS; t++) {
		if (t == 100)
			for (int s = 0; s < 2; s++)
				for (int i = 0; i < SIZES; i++)
					ck_assert_int_eq(batch_move_layers(&shard[s][i], &split[i], (unsigned)s, 2), 0);
		for (unsigned layer = 0; layer < LAYERS; layer++) {
			uint32_t ids[K];
			struct moe_record rec = { .layer = layer, .token = -1, .domain = -1, .k = K, .experts = ids };

			if (layer == 1 && t >= 7)
				continue;
			lcg = lcg * 6364136223846793005u + 1442695040888963407u;
			ids[0] = (uint32_t)(lcg >> 60);
			ids[1] = 16 + (uint32_t)((lcg >> 50) % 7);
			ids[2] = 30 + (uint32_t)((lcg >> 40) % 3);
			for (int i = 0; i < SIZES; i++)
				if (i != 2)
					ck_assert_int_eq(batch_add(&one[i], &rec), 0);
			if (t < 100) {
				for (int i = 0; i < SIZES; i++)
					if (i != 2)
						ck_assert_int_eq(batch_add(&split[i], &rec), 0);
				continue;
			}
			memcpy(pending[layer] + npending[layer] * K, ids, sizeof ids);
			npending[layer]++;
			/* A group ends now and then, and at the end. */
			if ((lcg >> 20) % 37 == 0 || t == TOKENS - 1) {
				for (int i = 0; i < SIZES; i++)
					if (i != 2)
						ck_assert_int_eq(batch_add_layer(&shard[layer % 2][i], layer, pending[layer],
						                                 npending[layer], K, layer ? 33 : 0), 0);
				npending[layer] = 0;
			}
		}
	}
	for (int s = 0; s < 2; s++)
		for (int i = 0; i < SIZES; i++) {
			ck_assert_int_eq(batch_move_layers(&split[i], &shard[s][i], 0, 1), 0);
			batch_free(&shard[s][i]);
		}
	ck_assert_int_eq(batch_finish(&one[1]), 0);
	ck_assert_int_eq(batch_finish(&split[1]), 0);
	for (int i = 0; i < SIZES; i++) {
		ck_assert_int_eq(batch_reserve(&one[i], 33), 0);
		ck_assert_int_eq(batch_reserve(&split[i], 33), 0);
		for (unsigned layer = 0; layer < LAYERS; layer++) {
			const struct batch_layer *x = batch_layer(&one[i], layer), *y = batch_layer(&split[i], layer);
			struct batch_maxvio a, b;

			ck_assert_int_eq(batch_maxvio(x, sizes[i], 33, &a), 0);
			ck_assert_int_eq(batch_maxvio(y, sizes[i], 33, &b), 0);
			ck_assert_uint_eq(a.chunks, b.chunks);
			ck_assert(a.partial == b.partial);
			ck_assert_double_eq(a.mean, b.mean);
			ck_assert_double_eq(a.max, b.max);
			ck_assert_double_eq(a.p95, b.p95);
			ck_assert_uint_eq(x->tokens, y->tokens);
			ck_assert_uint_eq(x->chunk_tokens, y->chunk_tokens);
			for (uint32_t e = 0; i == 3 && e < 33; e++) {
				double m1, s1, c1, m2, s2, c2;

				batch_expert(x, e, &m1, &s1, &c1);
				batch_expert(y, e, &m2, &s2, &c2);
				ck_assert(m1 == m2 || (isnan(m1) && isnan(m2)));
				ck_assert(s1 == s2 || (isnan(s1) && isnan(s2)));
			}
		}
		batch_free(&one[i]);
		batch_free(&split[i]);
	}
}
END_TEST

/* Chunk counts are 32 bits (c_i <= B < 2^32) but their squares are not: with B =
 * 70,000 and expert 0 in every record, c = 70,000 in both chunks, c^2 = 4.9e9
 * is past 2^32, and the standard deviation over the chunks is exactly 0. */
START_TEST(large_chunks_square_in_64_bits)
{
	static const uint32_t zero = 0;
	struct batch b;
	double mean, std, cv;

	batch_init(&b, 70000, 4, true);
	for (int i = 0; i < 2 * 70000; i++)
		feed(&b, &zero, 1);
	batch_expert(batch_layer(&b, 0), 0, &mean, &std, &cv);
	ck_assert_double_eq(mean, 70000.0);
	ck_assert_double_eq(std, 0.0);
	ck_assert_double_eq(cv, 0.0);
	batch_free(&b);
}
END_TEST

/* Room grows in the middle of a record: with B = 2 and N unknown, records
 * (1, 20, 300) and (300, 1) make one chunk with counts 2, 1, 2: its max is 2. */
START_TEST(room_grows_inside_a_record)
{
	static const uint32_t ids[] = { 1, 20, 300 }, again[] = { 300, 1 };
	struct moe_record a = { .token = -1, .domain = -1, .k = 3, .experts = ids };
	struct moe_record b = { .token = -1, .domain = -1, .k = 2, .experts = again };
	struct batch chunks;
	struct batch_maxvio m;

	batch_init(&chunks, 2, 0, true);
	ck_assert_int_eq(batch_add(&chunks, &a), 0);
	ck_assert_int_eq(batch_add(&chunks, &b), 0);
	ck_assert_uint_eq(batch_layer(&chunks, 0)->sum[1], 2);
	ck_assert_uint_eq(batch_layer(&chunks, 0)->sum[20], 1);
	ck_assert_uint_eq(batch_layer(&chunks, 0)->sum[300], 2);
	/* c_mean = 5 / 301, so MaxVio = (2 - 5/301) / (5/301) = 602/5 - 1 = 119.4 */
	ck_assert_int_eq(batch_maxvio(batch_layer(&chunks, 0), 2, 301, &m), 0);
	ck_assert_double_eq_tol(m.mean, 119.4, 1e-12);
	batch_free(&chunks);
}
END_TEST

/* What a chunk callback sees: each full chunk's counts, also with B = 1. */
struct seen {
	size_t chunks;
	uint32_t count[4][4];   /* of the first four chunks */
};

static int see_chunk(void *ctx, const struct batch_layer *l)
{
	struct seen *s = ctx;

	for (size_t i = 0; i < l->ntouched && s->chunks < 4; i++)
		s->count[s->chunks][l->touched[i]] = l->chunk_count[l->touched[i]];
	s->chunks++;
	return 0;
}

START_TEST(chunk_callback)
{
	/* B = 4 over picks: (3,1,0,0), (1,1,1,1), (2,2,0,0); the partial chunk is not told. */
	static const uint64_t want[3][4] = { { 3, 1, 0, 0 }, { 1, 1, 1, 1 }, { 2, 2, 0, 0 } };
	struct seen s = { 0 };
	struct batch b;

	batch_init(&b, 4, 4, false);
	batch_on_chunk(&b, see_chunk, &s);
	feed(&b, picks, sizeof picks / sizeof *picks);
	ck_assert_uint_eq(s.chunks, 3);
	for (int c = 0; c < 3; c++)
		for (int e = 0; e < 4; e++)
			ck_assert_uint_eq(s.count[c][e], want[c][e]);
	batch_free(&b);
	/* B = 1: a chunk a record, the record's expert counted once. */
	memset(&s, 0, sizeof s);
	batch_init(&b, 1, 4, false);
	batch_on_chunk(&b, see_chunk, &s);
	feed(&b, picks, sizeof picks / sizeof *picks);
	ck_assert_uint_eq(s.chunks, 13);
	for (int c = 0; c < 4; c++)
		for (int e = 0; e < 4; e++)
			ck_assert_uint_eq(s.count[c][e], (uint32_t)e == picks[c]);
	batch_free(&b);
}
END_TEST

Suite *batch_suite(void)
{
	Suite *s = suite_create("batch");
	TCase *tc = tcase_create("batch");

	tcase_add_test(tc, chunks_of_four);
	tcase_add_test(tc, burstiness);
	tcase_add_test(tc, batch_of_one);
	tcase_add_test(tc, layer_shorter_than_batch);
	tcase_add_test(tc, p95_nearest_rank);
	tcase_add_test(tc, shapes_and_experts_grow);
	tcase_add_test(tc, chained_sizes_equal_lone_ones);
	tcase_add_test(tc, layers_moved_and_added_in_groups);
	tcase_add_test(tc, large_chunks_square_in_64_bits);
	tcase_add_test(tc, room_grows_inside_a_record);
	tcase_add_test(tc, chunk_callback);
	suite_add_tcase(s, tc);
	return s;
}
