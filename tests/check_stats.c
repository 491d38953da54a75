/* check_stats.c: counting per layer and expert, positions, growth of N, sparse layer ids. */
#include <stdlib.h>
#include <string.h>

#include "bylayer.h"
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

/* Room grows in the middle of a record (ids 1, 20 and 300 each past the room
 * before them), without and with gaps: what was counted before stays. */
START_TEST(room_grows_inside_a_record)
{
	static const uint32_t ids[] = { 1, 20, 300 }, again[] = { 300, 1 };

	for (int gaps = 0; gaps < 2; gaps++) {
		struct stats st;
		const struct stats_layer *l;

		stats_init(&st, 0, gaps);
		add(&st, 0, ids, 3);
		add(&st, 0, again, 2);
		l = stats_layer(&st, 0);
		ck_assert_uint_eq(l->count[1], 2);
		ck_assert_uint_eq(l->count[20], 1);
		ck_assert_uint_eq(l->count[300], 2);
		ck_assert_uint_eq(l->count[2], 0);
		if (gaps) {
			ck_assert_int_eq(l->last_used[20], 0);
			ck_assert_int_eq(l->last_used[300], 1);
		}
		stats_free(&st);
	}
}
END_TEST

/* A run of three records, its ids below 300 (run->below) or not said: the
 * same counts, positions and gaps as the records added one by one, from no
 * room at all; with below, the room for 300 made first. */
START_TEST(runs_count_as_their_records)
{
	static const uint32_t ids[] = { 299, 4, 4, 7, 1, 299 };
	static const uint32_t start[] = { 0, 2, 4, 6 };
	static const unsigned layer[] = { 3, 3, 9 };
	struct moe_run *run = calloc(1, sizeof *run);

	ck_assert_ptr_nonnull(run);
	run->n = 3;
	memcpy(run->ids, ids, sizeof ids);
	memcpy(run->start, start, sizeof start);
	memcpy(run->layer, layer, sizeof layer);
	for (int i = 0; i < 4; i++) {
		struct stats st;
		const struct stats_layer *l;

		run->below = i & 1 ? 300 : 0;
		stats_init(&st, 0, i & 2);
		ck_assert_int_eq(stats_add_run(&st, run), 0);
		ck_assert_uint_ge(st.capacity, 300);
		l = stats_layer(&st, 3);
		ck_assert_uint_eq(l->tokens, 2);
		ck_assert_uint_eq(l->selections, 4);
		ck_assert_uint_eq(l->count[299], 1);
		ck_assert_uint_eq(l->count[4], 2);
		ck_assert_uint_eq(l->count[7], 1);
		ck_assert_uint_eq(l->count[1], 0);
		if (i & 2) {
			ck_assert_int_eq(l->first_used[4], 0);
			ck_assert_int_eq(l->last_used[4], 1);
			ck_assert_int_eq(l->first_used[7], 1);
			ck_assert_uint_eq(l->max_gap[7], 1);
			ck_assert_int_eq(l->last_used[1], -1);
		}
		l = stats_layer(&st, 9);
		ck_assert_uint_eq(l->tokens, 1);
		ck_assert_uint_eq(l->count[1], 1);
		ck_assert_uint_eq(l->count[299], 1);
		ck_assert_uint_eq(l->count[4], 0);
		stats_free(&st);
	}
	free(run);
}
END_TEST

/* Records added one by one, against the same with their layers moved to a
 * shard after 50 tokens, the rest added there by stats_add_layer in groups,
 * and moved back: the same counts, and positions and gaps (_i = 1). Layer 1's
 * groups say the bound of their ids (40), layer 3's do not. */
START_TEST(layers_moved_and_added_in_groups)
{
	enum { TOKENS = 400, LAYERS = 4, K = 2 };
	static uint32_t pending[LAYERS][TOKENS * K];
	size_t npending[LAYERS] = { 0 };
	struct stats one, split, shard;
	uint64_t state = 5;

	stats_init(&one, 0, _i);
	stats_init(&split, 0, _i);
	stats_init(&shard, 0, _i);
	for (int t = 0; t < TOKENS; t++) {
		if (t == 50)
			ck_assert_int_eq(stats_move_layers(&shard, &split, 1, 2), 0);
		for (unsigned layer = 0; layer < LAYERS; layer++) {
			uint32_t ids[K] = { (uint32_t)(tu_random(&state) % 20), 20 + (uint32_t)(tu_random(&state) % 20) };

			add(&one, layer, ids, K);
			/* Layers 1 and 3 to the shard, by groups; 0 and 2 stay. */
			if (t < 50 || layer % 2 == 0) {
				add(&split, layer, ids, K);
				continue;
			}
			memcpy(pending[layer] + npending[layer] * K, ids, sizeof ids);
			if (++npending[layer] % 13 == 0 || t == TOKENS - 1) {
				ck_assert_int_eq(stats_add_layer(&shard, layer, pending[layer], npending[layer], K,
				                                 layer == 1 ? 40 : 0), 0);
				npending[layer] = 0;
			}
		}
	}
	ck_assert_int_eq(stats_move_layers(&split, &shard, 0, 1), 0);
	ck_assert_uint_eq(stats_layers(&shard), 0);
	ck_assert_int_eq(stats_reserve(&one, 40), 0);
	ck_assert_int_eq(stats_reserve(&split, 40), 0);
	for (unsigned layer = 0; layer < LAYERS; layer++) {
		const struct stats_layer *a = stats_layer(&one, layer), *b = stats_layer(&split, layer);

		ck_assert_uint_eq(a->tokens, b->tokens);
		ck_assert_uint_eq(a->selections, b->selections);
		ck_assert_uint_eq(a->k_min, b->k_min);
		ck_assert_uint_eq(a->k_max, b->k_max);
		for (unsigned e = 0; e < 40; e++) {
			ck_assert_uint_eq(a->count[e], b->count[e]);
			if (!_i)
				continue;
			ck_assert_int_eq(a->first_used[e], b->first_used[e]);
			ck_assert_int_eq(a->last_used[e], b->last_used[e]);
			ck_assert_uint_eq(a->max_gap[e], b->max_gap[e]);
		}
	}
	stats_free(&one);
	stats_free(&split);
	stats_free(&shard);
}
END_TEST

/* The shared layer table and growth rule behind stats, batch and pairs. */
START_TEST(bylayer_table)
{
	struct bylayer t = { 0 };
	int a = 1, b = 2;

	ck_assert_ptr_null(bylayer_get(&t, 5));
	ck_assert_int_eq(bylayer_put(&t, 700, &a), 0);
	ck_assert_int_eq(bylayer_put(&t, 3, &b), 0);
	ck_assert_ptr_eq(bylayer_get(&t, 700), &a);
	ck_assert_ptr_eq(bylayer_next(&t, 0), &b);
	ck_assert_ptr_eq(bylayer_next(&t, 4), &a);
	ck_assert_ptr_null(bylayer_next(&t, 701));
	ck_assert_uint_eq(bylayer_count(&t), 2);
	free(t.slot);
	ck_assert_uint_eq(bylayer_capacity(0, 1), 8);
	ck_assert_uint_eq(bylayer_capacity(8, 9), 16);
	ck_assert_uint_eq(bylayer_capacity(256, 300), 512);
	ck_assert_uint_eq(bylayer_capacity(0, 65536), 65536);
	ck_assert_uint_eq(bylayer_capacity(0, 40000), 65536);
	ck_assert_uint_eq(bylayer_capacity(0, 65537), 0);
}
END_TEST

Suite *stats_suite(void)
{
	Suite *s = suite_create("stats");
	TCase *tc = tcase_create("stats");

	tcase_add_test(tc, counts_per_layer);
	tcase_add_test(tc, experts_grow_with_the_ids);
	tcase_add_test(tc, room_grows_inside_a_record);
	tcase_add_test(tc, runs_count_as_their_records);
	tcase_add_loop_test(tc, layers_moved_and_added_in_groups, 0, 2);
	tcase_add_test(tc, bylayer_table);
	suite_add_tcase(s, tc);
	return s;
}
