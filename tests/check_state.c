/* check_state.c: merging states: gaps joined by hand, random splits against one run, groupings, save and load; the counts a chain of sizes makes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reader.h"
#include "state.h"
#include "suites.h"
#include "testutil.h"

#define N 16
#define LAYERS 3
#define TOKENS 96

/* A generated log: TOKENS tokens, each at every layer in turn, two experts a
 * record, drawn so that high ids are rare (long idle runs for dead). */
struct log {
	unsigned layer[TOKENS * LAYERS];
	uint32_t ids[TOKENS * LAYERS][2];
	int domain[TOKENS * LAYERS];
	size_t n;
};

static void generate(struct log *g, uint64_t seed, bool random_layers)
{
	g->n = TOKENS * LAYERS;
	for (size_t i = 0; i < g->n; i++) {
		uint32_t a = (uint32_t)(tu_random(&seed) % N), b;

		a = a * a % N * a / N / 2;      /* skewed towards 0 */
		b = (a + 1 + (uint32_t)(tu_random(&seed) % (N - 1))) % N;
		g->ids[i][0] = a;
		g->ids[i][1] = b;
		g->layer[i] = random_layers ? (unsigned)(tu_random(&seed) % LAYERS) : (unsigned)(i % LAYERS);
		g->domain[i] = (int)(tu_random(&seed) % 3) - 1;
	}
}

static struct state_options options(enum state_command command)
{
	struct state_options o = { .command = command, .experts = N, .bottom = 5, .threshold = 10 };

	if (command == STATE_SUMMARIZE) {
		o.batch = 8;
		o.by_domain = true;
	}
	if (command == STATE_MAXVIO) {
		static const uint64_t sizes[] = { 1, 4, 8, 12 };

		memcpy(o.sizes, sizes, sizeof sizes);
		o.nsizes = 4;
	}
	return o;
}

/* The state of records [from, to) of g for o, as a reader of one file would leave it. */
static void state_of(struct state *s, const struct state_options *o, const struct log *g, size_t from,
                     size_t to)
{
	char *files[] = { "part" };
	struct domains *domains = domains_new();
	struct moe_input in = {
		.files = files, .nfiles = 1, .format = "mlog", .records = to - from, .selected = to - from,
		.experts = N, .experts_from = EXPERTS_FROM_OPTION, .topk = 2, .domains = domains,
	};

	ck_assert_ptr_nonnull(domains);
	ck_assert_int_eq(domains_intern(domains, "a", 1), 0);
	ck_assert_int_eq(domains_intern(domains, "b", 1), 1);
	ck_assert_int_eq(state_init(s, o), 0);
	for (size_t i = from; i < to; i++) {
		struct moe_record rec = { .layer = g->layer[i], .token = -1, .domain = g->domain[i],
		                          .k = 2, .experts = g->ids[i] };
		ck_assert_int_eq(state_add(s, &rec), 0);
	}
	ck_assert_int_eq(state_finish(s, &in), 0);
	domains_free(domains);
}

static void part_state(struct state *s, enum state_command command, const struct log *g, size_t from,
                       size_t to)
{
	struct state_options o = options(command);

	state_of(s, &o, g, from, to);
}

static void assert_stats_equal(const struct stats *a, const struct stats *b)
{
	ck_assert_uint_eq(stats_layers(a), stats_layers(b));
	for (const struct stats_layer *x = stats_next(a, 0); x; x = stats_next(a, x->layer + 1)) {
		const struct stats_layer *y = stats_layer(b, x->layer);

		ck_assert_ptr_nonnull(y);
		ck_assert_uint_eq(x->tokens, y->tokens);
		ck_assert_uint_eq(x->selections, y->selections);
		ck_assert_uint_eq(x->k_min, y->k_min);
		ck_assert_uint_eq(x->k_max, y->k_max);
		for (unsigned e = 0; e < N; e++) {
			ck_assert_uint_eq(x->count[e], y->count[e]);
			if (!a->gaps)
				continue;
			ck_assert_int_eq(x->first_used[e], y->first_used[e]);
			ck_assert_int_eq(x->last_used[e], y->last_used[e]);
			ck_assert_uint_eq(x->max_gap[e], y->max_gap[e]);
		}
	}
}

static uint64_t shape_chunks(const struct batch_layer *l, uint64_t max, uint64_t selections)
{
	for (size_t i = 0; i < l->cap_shapes; i++)
		if (l->shape[i].chunks && l->shape[i].max == max && l->shape[i].selections == selections)
			return l->shape[i].chunks;
	return 0;
}

static void assert_batch_equal(const struct batch *a, const struct batch *b)
{
	ck_assert_uint_eq(a->size, b->size);
	ck_assert_uint_eq(bylayer_count(&a->layers), bylayer_count(&b->layers));
	for (const struct batch_layer *x = bylayer_next(&a->layers, 0); x;
	     x = bylayer_next(&a->layers, x->layer + 1)) {
		const struct batch_layer *y = batch_layer(b, x->layer);

		ck_assert_ptr_nonnull(y);
		ck_assert_uint_eq(x->tokens, y->tokens);
		ck_assert_uint_eq(x->chunks, y->chunks);
		ck_assert_uint_eq(x->nshapes, y->nshapes);
		for (size_t i = 0; i < x->cap_shapes; i++)
			if (x->shape[i].chunks)
				ck_assert_uint_eq(x->shape[i].chunks,
				                  shape_chunks(y, x->shape[i].max, x->shape[i].selections));
		ck_assert_uint_eq(x->chunk_tokens, y->chunk_tokens);
		ck_assert_uint_eq(x->chunk_selections, y->chunk_selections);
		ck_assert_uint_eq(x->chunk_max, y->chunk_max);
		ck_assert_uint_eq(x->ntouched, y->ntouched);
		for (size_t i = 0; i < x->ntouched; i++)
			ck_assert_uint_eq(x->chunk_count[x->touched[i]], y->chunk_count[x->touched[i]]);
		for (unsigned e = 0; a->per_expert && e < N; e++) {
			ck_assert_uint_eq(x->sum[e], y->sum[e]);
			ck_assert_uint_eq(x->sum_sq[e], y->sum_sq[e]);
		}
	}
}

static void assert_states_equal(const struct state *a, const struct state *b)
{
	ck_assert_uint_eq(a->input.records, b->input.records);
	ck_assert_uint_eq(a->input.experts, b->input.experts);
	ck_assert_uint_eq(a->input.topk, b->input.topk);
	assert_stats_equal(&a->all, &b->all);
	ck_assert_uint_eq(domains_count(a->domains), domains_count(b->domains));
	for (size_t d = 0; d < a->ndomains || d < b->ndomains; d++) {
		struct stats empty;

		stats_init(&empty, 0, false);
		assert_stats_equal(d < a->ndomains ? &a->domain[d] : &empty,
		                   d < b->ndomains ? &b->domain[d] : &empty);
	}
	ck_assert_uint_eq(a->nbatch, b->nbatch);
	for (size_t i = 0; i < a->nbatch; i++)
		assert_batch_equal(&a->batch[i], &b->batch[i]);
}

static void merge_into(struct state *into, const struct state *from)
{
	struct moe_error err = { 0 };

	ck_assert_msg(state_merge(into, from, "part", &err) == 0, "%s", err.msg);
}

/* Cuts [0, n) at up to 4 random points; with step, only at multiples of step tokens. */
static size_t cut(size_t *at, size_t n, size_t step, uint64_t *seed)
{
	size_t parts = 1 + (size_t)(tu_random(seed) % 5), m = 0;

	at[m++] = 0;
	for (size_t i = 1; i < parts; i++)
		at[m++] = (size_t)(tu_random(seed) % (n / step + 1)) * step;
	at[m++] = n;
	for (size_t i = 1; i < m; i++)         /* insertion sort: ascending cut points */
		for (size_t j = i; j > 0 && at[j - 1] > at[j]; j--) {
			size_t t = at[j];
			at[j] = at[j - 1];
			at[j - 1] = t;
		}
	return m - 1;
}

/* For random splits into 1 to 5 parts: the parts merged in order are the one run.
 * Summarize and maxvio cut at multiples of 24 tokens (every batch size divides it),
 * so that no chunk spans parts; dead anywhere, with layers in random order. */
static void random_splits(enum state_command command, int seed_index)
{
	uint64_t seed = 0x5eed0000u + (uint64_t)seed_index;
	bool any_cut = command == STATE_DEAD;
	struct log g;
	struct state one, total;
	size_t at[6], parts;

	generate(&g, seed, any_cut);
	parts = cut(at, g.n, any_cut ? 1 : 24 * LAYERS, &seed);
	part_state(&one, command, &g, 0, g.n);
	ck_assert_int_eq(state_init(&total, &one.opt), 0);
	for (size_t p = 0; p < parts; p++) {
		struct state part;

		part_state(&part, command, &g, at[p], at[p + 1]);
		merge_into(&total, &part);
		state_free(&part);
	}
	assert_states_equal(&one, &total);
	ck_assert_uint_eq(total.input.nfiles, parts);
	state_free(&total);
	state_free(&one);
}

START_TEST(random_splits_dead)
{
	random_splits(STATE_DEAD, _i);
}
END_TEST

START_TEST(random_splits_summarize)
{
	random_splits(STATE_SUMMARIZE, _i);
}
END_TEST

START_TEST(random_splits_maxvio)
{
	random_splits(STATE_MAXVIO, _i);
}
END_TEST

static void assert_counts(const struct stats *st, uint64_t want[LAYERS][N], const uint64_t tokens[LAYERS])
{
	for (unsigned layer = 0; layer < LAYERS; layer++) {
		const struct stats_layer *l = stats_layer(st, layer);

		ck_assert_ptr_nonnull(l);
		ck_assert_uint_eq(l->tokens, tokens[layer]);
		ck_assert_uint_eq(l->selections, 2 * tokens[layer]);
		for (unsigned e = 0; e < N; e++)
			ck_assert_uint_eq(l->count[e], want[layer][e]);
	}
}

/* The experts' counts where a chain of sizes makes them (state.h,
 * counts_from): each selection once, those past the largest size's last
 * full chunk too, against the log counted here; with a size of 1 alone the
 * stats count them. The last case is summarize --batch 5. */
START_TEST(counts_of_the_chains)
{
	static const uint64_t sizes[][3] = { { 1 }, { 5 }, { 4, 8 }, { 3, 6, 12 }, { 1, 7, 9 },
	                                     { 50, 100, 1000 }, { 5 } };
	static const size_t nsizes[] = { 1, 1, 2, 3, 3, 3, 1 };
	struct state_options o = options(_i < 6 ? STATE_MAXVIO : STATE_SUMMARIZE);
	uint64_t want[LAYERS][N] = { { 0 } }, tokens[LAYERS] = { 0 };
	struct state s;
	struct log g;

	generate(&g, 0xc0u + (uint64_t)_i, true);
	if (_i < 6) {
		memcpy(o.sizes, sizes[_i], sizeof sizes[_i]);
		o.nsizes = nsizes[_i];
	} else {
		o.batch = sizes[_i][0];
	}
	for (size_t i = 0; i < g.n; i++) {
		want[g.layer[i]][g.ids[i][0]]++;
		want[g.layer[i]][g.ids[i][1]]++;
		tokens[g.layer[i]]++;
	}
	state_of(&s, &o, &g, 0, g.n);
	ck_assert(!s.counts_from == (_i == 0));
	assert_counts(&s.all, want, tokens);
	state_free(&s);

	/* The same through a shard, a layer at a time, as the consumers add them. */
	struct reader_shards shards;
	struct moe_input in = { .experts = N, .experts_from = EXPERTS_FROM_OPTION, .topk = 2 };
	uint32_t ids[TOKENS * LAYERS][2];
	struct domains *domains = domains_new();
	void *shard;

	o.by_domain = false;
	ck_assert_int_eq(state_init(&s, &o), 0);
	ck_assert(state_shards(&s, &shards));
	ck_assert_ptr_nonnull(shard = shards.open(shards.ctx, 0, 1));
	for (unsigned layer = 0; layer < LAYERS; layer++) {
		size_t n = 0;

		for (size_t i = 0; i < g.n; i++)
			if (g.layer[i] == layer)
				memcpy(ids[n++], g.ids[i], sizeof ids[0]);
		ck_assert_int_eq(shards.add_layer(shard, layer, ids[0], n, 2, N), 0);
	}
	ck_assert_int_eq(shards.close(shards.ctx, shard), 0);
	ck_assert_ptr_nonnull(in.domains = domains);
	ck_assert_int_eq(state_finish(&s, &in), 0);
	assert_counts(&s.all, want, tokens);
	domains_free(domains);
	state_free(&s);
}
END_TEST

/* (a b) c = a (b c) = a b c, for three random parts of a dead log. */
START_TEST(groupings_agree)
{
	uint64_t seed = 0xa55u + (uint64_t)_i;
	struct state a, b, c, ab, bc, left, right, flat;
	struct log g;
	size_t x, y;

	generate(&g, seed, true);
	x = (size_t)(tu_random(&seed) % g.n);
	y = x + (size_t)(tu_random(&seed) % (g.n - x + 1));
	part_state(&a, STATE_DEAD, &g, 0, x);
	part_state(&b, STATE_DEAD, &g, x, y);
	part_state(&c, STATE_DEAD, &g, y, g.n);
	part_state(&flat, STATE_DEAD, &g, 0, g.n);
	ck_assert_int_eq(state_init(&ab, &a.opt), 0);
	merge_into(&ab, &a);
	merge_into(&ab, &b);
	ck_assert_int_eq(state_init(&left, &a.opt), 0);
	merge_into(&left, &ab);
	merge_into(&left, &c);
	ck_assert_int_eq(state_init(&bc, &a.opt), 0);
	merge_into(&bc, &b);
	merge_into(&bc, &c);
	ck_assert_int_eq(state_init(&right, &a.opt), 0);
	merge_into(&right, &a);
	merge_into(&right, &bc);
	assert_states_equal(&left, &right);
	assert_states_equal(&left, &flat);
	struct state *all[] = { &a, &b, &c, &ab, &bc, &left, &right, &flat };
	for (size_t i = 0; i < sizeof all / sizeof *all; i++)
		state_free(all[i]);
}
END_TEST

/* By hand: expert 0 of layer 0 at position 1 of a 5-token part and at position 2 of a
 * 4-token part. One run: used at 1 and 7 of 9; idle before 1 (1 token), between (2-6:
 * 5 tokens, 3 of them in the first part), after (1 token). Experts 2 and 3 at every
 * other position: idle only at 1 and at 7. */
START_TEST(gap_joined_across_parts)
{
	static const uint32_t used[] = { 0, 1 }, other[] = { 2, 3 };
	struct state_options o = { .command = STATE_DEAD, .threshold = 1 };
	char *files[] = { "part" };
	struct domains *domains = domains_new();
	struct moe_input in = { .files = files, .nfiles = 1, .experts = 4,
	                        .experts_from = EXPERTS_FROM_IDS, .domains = domains };
	const uint32_t *first[] = { other, used, other, other, other };
	const uint32_t *second[] = { other, other, used, other };
	struct state a, b, total;
	const struct stats_layer *l;

	ck_assert_int_eq(state_init(&a, &o), 0);
	ck_assert_int_eq(state_init(&b, &o), 0);
	for (size_t i = 0; i < 5; i++) {
		struct moe_record rec = { .layer = 0, .domain = -1, .k = 2, .experts = first[i] };
		ck_assert_int_eq(state_add(&a, &rec), 0);
	}
	for (size_t i = 0; i < 4; i++) {
		struct moe_record rec = { .layer = 0, .domain = -1, .k = 2, .experts = second[i] };
		ck_assert_int_eq(state_add(&b, &rec), 0);
	}
	in.records = 5;
	ck_assert_int_eq(state_finish(&a, &in), 0);
	in.records = 4;
	ck_assert_int_eq(state_finish(&b, &in), 0);
	ck_assert_int_eq(state_init(&total, &o), 0);
	merge_into(&total, &a);
	merge_into(&total, &b);
	l = stats_layer(&total.all, 0);
	ck_assert_uint_eq(l->tokens, 9);
	ck_assert_uint_eq(l->count[0], 2);
	ck_assert_int_eq(l->first_used[0], 1);
	ck_assert_int_eq(l->last_used[0], 7);
	ck_assert_uint_eq(l->max_gap[0], 5);
	ck_assert_uint_eq(l->max_gap[2], 1);
	ck_assert_int_eq(l->first_used[2], 0);
	ck_assert_int_eq(l->last_used[2], 8);
	ck_assert_uint_eq(total.input.records, 9);
	ck_assert_uint_eq(total.input.nfiles, 2);
	state_free(&a);
	state_free(&b);
	state_free(&total);
	domains_free(domains);
}
END_TEST

/* A state saved and loaded is the state. */
START_TEST(save_and_load)
{
	static const enum state_command commands[] = { STATE_SUMMARIZE, STATE_DEAD, STATE_MAXVIO };
	struct moe_error err = { 0 };
	struct state s, back;
	struct log g;
	char *buf = NULL, *path;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);

	generate(&g, 77, false);
	part_state(&s, commands[_i], &g, 0, g.n - 5);
	ck_assert_int_eq(state_save(&s, fp), 0);
	fclose(fp);
	path = tu_temp_file(buf, len);
	ck_assert_msg(state_load(&back, path, &err) == 0, "%s", err.msg);
	assert_states_equal(&s, &back);
	ck_assert_str_eq(back.input.files[0], "part");
	ck_assert_str_eq(back.input.format, "mlog");
	ck_assert_int_eq(back.input.experts_from, EXPERTS_FROM_OPTION);
	state_free(&s);
	state_free(&back);
	remove(path);
	free(path);
	free(buf);
}
END_TEST

/* What state_load refuses, and the message it gives. */
START_TEST(bad_states)
{
	static const struct {
		const char *text, *message;
		int status;
	} cases[] = {
		{ "{\"moestat_state\": 1,", "not a state file: ", EX_DATAERR },
		{ "{\"moestat_state\": 2}", "a state of version 2; this moestat reads 1", EX_DATAERR },
		{ "{\"moestat\": \"1\"}", "not a state file (no \"moestat_state\" version)", EX_DATAERR },
		{ "{\"moestat_state\": 1, \"command\": \"pairs\"}", "command: not summarize, dead or maxvio",
		  EX_DATAERR },
		{ "{\"moestat_state\": 1, \"command\": \"dead\", \"options\": {\"experts\": null, "
		  "\"layers\": null, \"domain\": null, \"threshold\": -1}}",
		  "options.threshold: not a whole number in range", EX_DATAERR },
		{ "{\"moestat_state\": 1, \"command\": \"summarize\", \"options\": {\"experts\": null, "
		  "\"layers\": null, \"domain\": null, \"bottom\": 5, \"experts_table\": false, "
		  "\"by_domain\": false, \"batch\": 0}, \"input\": {\"files\": [\"a\"], \"format\": "
		  "\"mlog\", \"records\": 2, \"selected\": 2, \"skipped\": 0, \"truncated\": false, "
		  "\"header\": null, \"experts\": 2, \"experts_from\": \"ids\", \"topk\": 1, "
		  "\"domains\": []}, \"stats\": [{\"layer\": 0, \"tokens\": 2, \"selections\": 2, "
		  "\"k_min\": 1, \"k_max\": 1, \"count\": [2, 1]}], \"domain_stats\": [], \"batches\": []}",
		  "stats[0].count: does not agree with the tokens, selections and positions", EX_DATAERR },
	};
	struct moe_error err = { 0 };
	struct state s;
	char *path = tu_temp_file(cases[_i].text, strlen(cases[_i].text));

	ck_assert_int_eq(state_load(&s, path, &err), -1);
	ck_assert_int_eq(err.status, cases[_i].status);
	ck_assert_msg(strncmp(err.msg, cases[_i].message, strlen(cases[_i].message)) == 0, "%s", err.msg);
	remove(path);
	free(path);
}
END_TEST

Suite *state_suite(void)
{
	Suite *s = suite_create("state");
	TCase *tc = tcase_create("merge");

	tcase_add_loop_test(tc, random_splits_dead, 0, 40);
	tcase_add_loop_test(tc, random_splits_summarize, 0, 40);
	tcase_add_loop_test(tc, random_splits_maxvio, 0, 40);
	tcase_add_loop_test(tc, counts_of_the_chains, 0, 7);
	tcase_add_loop_test(tc, groupings_agree, 0, 20);
	tcase_add_test(tc, gap_joined_across_parts);
	tcase_add_loop_test(tc, save_and_load, 0, 3);
	tcase_add_loop_test(tc, bad_states, 0, 6);
	suite_add_tcase(s, tc);
	return s;
}
