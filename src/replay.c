/* replay.c: every instance routes each layer's tokens chunk by chunk; O(N) state a layer and instance. */
#include "replay.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bylayer.h"
#include "metrics.h"

/* One instance's state in one layer. */
struct run {
	double *bias;                   /* [n] */
	double *load;                   /* [n] dynamic: the EWMA L of the chunk loads */
	bool loaded;
	uint64_t *chunk;                /* [n] c_i, selections in the open chunk */
	uint64_t *count;                /* [n] selections in the layer */
	int64_t *last;                  /* [n] position of the last selection, -1 for none */
	uint64_t chunk_selections, selections, dropped, changed, full_chunks;
	long double retained;           /* sum of the selected s */
	long double maxvio_sum;         /* over full chunks */
	double partial_maxvio;          /* of the last chunk when it is partial */
};

/* A token of the open chunk, kept for the capacity instances. */
struct held {
	size_t k;
	size_t at;                      /* its none selection is ids[at .. at + k) */
};

struct layer {
	unsigned layer;
	size_t n;
	uint64_t tokens, chunk_start, chunk_tokens, asked, agree;
	long double none_mass;          /* sum of the none-selected s */
	/* The open chunk, while capacity instances need it whole. */
	struct held *held;
	uint32_t *ids;
	double *ids_s;                  /* the score of each of ids */
	double *all_s;                  /* every score of every held token (reroute) */
	size_t nids, cap_held, cap_ids;
	size_t nrun;
	struct run *run;                /* one per instance */
};

struct replay {
	struct replay_options o;
	struct replay_instance *instance;
	size_t ninstance;
	bool capacity;                  /* an instance needs the chunk whole */
	struct bylayer layers;
	/* One token's work space, for the largest n so far. */
	size_t room;
	double *s, *work;
	uint32_t *none, *picked, *stamp;
	uint32_t stamp_now;
	struct replay_result *results;
};

struct replay *replay_new(const struct replay_options *o, const struct replay_instance *instance,
                          size_t ninstance)
{
	struct replay *r = calloc(1, sizeof *r);

	if (!r || !(r->instance = malloc((ninstance ? ninstance : 1) * sizeof *instance))) {
		free(r);
		return NULL;
	}
	r->o = *o;
	memcpy(r->instance, instance, ninstance * sizeof *instance);
	r->ninstance = ninstance;
	for (size_t i = 0; i < ninstance; i++)
		r->capacity |= instance[i].strategy == REPLAY_CAPACITY;
	return r;
}

static void free_layer(void *object)
{
	struct layer *l = object;

	for (size_t i = 0; l->run && i < l->nrun; i++) {
		free(l->run[i].bias);
		free(l->run[i].load);
		free(l->run[i].chunk);
		free(l->run[i].count);
		free(l->run[i].last);
	}
	free(l->run);
	free(l->held);
	free(l->ids);
	free(l->ids_s);
	free(l->all_s);
	free(l);
}

void replay_free(struct replay *r)
{
	if (!r)
		return;
	for (size_t i = 0; r->results && i < r->ninstance; i++)
		free(r->results[i].layers);
	free(r->results);
	bylayer_free(&r->layers, free_layer);
	free(r->s);
	free(r->work);
	free(r->none);
	free(r->picked);
	free(r->stamp);
	free(r->instance);
	free(r);
}

/* Grows the token work space to n experts. */
static int make_room(struct replay *r, size_t n)
{
	if (n <= r->room)
		return 0;
	free(r->s);
	free(r->work);
	free(r->none);
	free(r->picked);
	free(r->stamp);
	r->s = malloc(n * sizeof *r->s);
	r->work = malloc(6 * n * sizeof *r->work);
	r->none = malloc(n * sizeof *r->none);
	r->picked = malloc(n * sizeof *r->picked);
	r->stamp = calloc(n, sizeof *r->stamp);
	r->stamp_now = 0;
	r->room = r->s && r->work && r->none && r->picked && r->stamp ? n : 0;
	return r->room ? 0 : -1;
}

/* A new mark for the stamp array: stamp[i] == mark means "in the current set". */
static uint32_t new_mark(struct replay *r)
{
	if (++r->stamp_now == 0) {
		memset(r->stamp, 0, r->room * sizeof *r->stamp);
		r->stamp_now = 1;
	}
	return r->stamp_now;
}

/* A bias table's vector for a layer, checked against its n experts; NULL for none. */
static int table_bias(const struct bias_table *t, unsigned layer, size_t n, const double **out,
                      const char **why)
{
	const struct bias_vector *v = t ? bias_get(t, layer) : NULL;

	*out = NULL;
	if (v && v->n != n) {
		*why = "a bias vector's length is not the number of experts";
		return EX_DATAERR;
	}
	if (v)
		*out = v->b;
	return 0;
}

static struct layer *add_layer(struct replay *r, unsigned id, size_t n, const char **why)
{
	const double *start, *fixed;
	struct layer *l;

	if (table_bias(r->o.start, id, n, &start, why) || table_bias(r->o.fixed, id, n, &fixed, why))
		return NULL;
	if (!(l = calloc(1, sizeof *l)) || bylayer_put(&r->layers, id, l) < 0) {
		free(l);
		*why = NULL;
		return NULL;
	}
	l->layer = id;
	l->n = n;
	l->nrun = r->ninstance;
	if (!(l->run = calloc(r->ninstance ? r->ninstance : 1, sizeof *l->run)))
		goto oom;
	for (size_t i = 0; i < r->ninstance; i++) {
		struct run *u = &l->run[i];
		enum replay_strategy strategy = r->instance[i].strategy;
		const double *from = strategy == REPLAY_FIXED ? fixed
		                     : strategy == REPLAY_LOSSFREE || strategy == REPLAY_DYNAMIC ? start
		                     : NULL;

		u->bias = calloc(n, sizeof *u->bias);
		u->load = calloc(n, sizeof *u->load);
		u->chunk = calloc(n, sizeof *u->chunk);
		u->count = calloc(n, sizeof *u->count);
		u->last = malloc(n * sizeof *u->last);
		if (!u->bias || !u->load || !u->chunk || !u->count || !u->last)
			goto oom;
		for (size_t e = 0; e < n; e++)
			u->last[e] = -1;
		if (from)
			memcpy(u->bias, from, n * sizeof *u->bias);
	}
	return l;
oom:
	/* The table holds it: replay_free frees it. */
	*why = NULL;
	return NULL;
}

/* Counts one token's selections under run u. */
static void take(struct run *u, const uint32_t *ids, size_t k, const double *s, uint64_t pos)
{
	for (size_t i = 0; i < k; i++) {
		uint32_t e = ids[i];

		u->chunk[e]++;
		u->count[e]++;
		u->last[e] = (int64_t)pos;
		u->retained += s[e];
	}
	u->chunk_selections += k;
	u->selections += k;
}

/* Whether ids[0..k) is the set marked with mark, of size k_marked. */
static bool same_set(const struct replay *r, const uint32_t *ids, size_t k, size_t k_marked,
                     uint32_t mark)
{
	if (k != k_marked)
		return false;
	for (size_t i = 0; i < k; i++)
		if (r->stamp[ids[i]] != mark)
			return false;
	return true;
}

/* Holds a token for the capacity instances, which route a chunk only when it is whole.
 * For reroute it keeps every score, -infinity for the experts of groups not kept (v). */
static int hold(struct replay *r, struct layer *l, const uint32_t *none, size_t k, const double *s,
                const double *v)
{
	size_t t = (size_t)l->chunk_tokens;

	if (t == l->cap_held) {
		size_t cap = l->cap_held ? 2 * l->cap_held : 64;
		struct held *held = realloc(l->held, cap * sizeof *held);

		if (!held)
			return -1;
		l->held = held;
		if (r->o.reroute) {
			double *all = realloc(l->all_s, cap * l->n * sizeof *all);
			if (!all)
				return -1;
			l->all_s = all;
		}
		l->cap_held = cap;
	}
	if (l->nids + k > l->cap_ids) {
		size_t cap = l->cap_ids ? 2 * l->cap_ids : 512;
		uint32_t *ids;
		double *ids_s;

		while (cap < l->nids + k)
			cap *= 2;
		if (!(ids = realloc(l->ids, cap * sizeof *ids)))
			return -1;
		l->ids = ids;
		if (!(ids_s = realloc(l->ids_s, cap * sizeof *ids_s)))
			return -1;
		l->ids_s = ids_s;
		l->cap_ids = cap;
	}
	l->held[t].k = k;
	l->held[t].at = l->nids;
	for (size_t i = 0; i < k; i++) {
		l->ids[l->nids + i] = none[i];
		l->ids_s[l->nids + i] = s[none[i]];
	}
	l->nids += k;
	if (r->o.reroute)
		memcpy(l->all_s + t * l->n, v, l->n * sizeof *v);
	return 0;
}

/* A selection of the probs policy: who wins an expert's C places. */
struct bid {
	uint32_t expert;
	double s;
	size_t token;
	size_t slot;            /* its place in ids */
};

static int by_expert_score_token(const void *a, const void *b)
{
	const struct bid *x = a, *y = b;

	if (x->expert != y->expert)
		return x->expert < y->expert ? -1 : 1;
	if (x->s != y->s)
		return x->s > y->s ? -1 : 1;
	return (x->token > y->token) - (x->token < y->token);
}

/* The best-scored expert with room that the token has not chosen, outside the groups
 * it lost (score -infinity), or -1. */
static long reroute_to(const struct replay *r, const struct layer *l, const struct run *u,
                       const double *s, uint64_t capacity, uint32_t mark)
{
	long best = -1;

	for (size_t e = 0; e < l->n; e++)
		if (u->chunk[e] < capacity && r->stamp[e] != mark && s[e] != -INFINITY &&
		    (best < 0 || s[e] > s[best]))
			best = (long)e;
	return best;
}

/* Routes the held chunk under capacity instance u with factor f. */
double replay_factor(const struct replay_instance *in)
{
	return (double)in->factor_num / pow(10, in->factor_scale);
}

/* C = ceil(f S / N), S the selections asked for in the chunk (tokens x k), f the decimal
 * num / 10^scale: exactly, in integers. */
static uint64_t capacity_of(const struct replay_instance *in, uint64_t asked, size_t n)
{
	unsigned __int128 top = (unsigned __int128)in->factor_num * asked, bottom = n;

	for (unsigned i = 0; i < in->factor_scale; i++)
		bottom *= 10;
	top = (top + bottom - 1) / bottom;
	return top > UINT64_MAX ? UINT64_MAX : (uint64_t)top;
}

static int route_capacity(struct replay *r, struct layer *l, struct run *u,
                          const struct replay_instance *in)
{
	uint64_t asked = l->nids;
	uint64_t capacity = capacity_of(in, asked, l->n);
	bool *kept = NULL;

	if (r->o.probs) {
		struct bid *bid = malloc((asked ? asked : 1) * sizeof *bid);

		kept = calloc(asked ? asked : 1, sizeof *kept);
		if (!bid || !kept) {
			free(bid);
			free(kept);
			return -1;
		}
		for (size_t t = 0; t < l->chunk_tokens; t++)
			for (size_t i = 0; i < l->held[t].k; i++) {
				size_t slot = l->held[t].at + i;
				bid[slot] = (struct bid){ l->ids[slot], l->ids_s[slot], t, slot };
			}
		qsort(bid, asked, sizeof *bid, by_expert_score_token);
		for (size_t i = 0, place = 0; i < asked; i++) {
			place = i > 0 && bid[i].expert == bid[i - 1].expert ? place + 1 : 0;
			kept[bid[i].slot] = place < capacity;
		}
		free(bid);
	}
	for (size_t t = 0; t < l->chunk_tokens; t++) {
		const struct held *h = &l->held[t];
		uint64_t pos = l->chunk_start + t;
		uint32_t mark = new_mark(r);
		size_t m = 0;
		bool moved = false;

		for (size_t i = 0; i < h->k; i++)
			r->stamp[l->ids[h->at + i]] = mark;
		for (size_t i = 0; i < h->k; i++) {
			size_t slot = h->at + i;
			uint32_t e = l->ids[slot];
			long to;

			if (r->o.probs ? kept[slot] : u->chunk[e] < capacity) {
				r->picked[m++] = e;
				u->chunk[e]++;
				u->count[e]++;
				u->last[e] = (int64_t)pos;
				u->retained += l->ids_s[slot];
				continue;
			}
			moved = true;
			to = r->o.reroute ? reroute_to(r, l, u, l->all_s + t * l->n, capacity, mark) : -1;
			if (to < 0) {
				u->dropped++;
				continue;
			}
			r->stamp[to] = mark;
			r->picked[m++] = (uint32_t)to;
			u->chunk[to]++;
			u->count[to]++;
			u->last[to] = (int64_t)pos;
			u->retained += l->all_s[t * l->n + (size_t)to];
		}
		u->chunk_selections += m;
		u->selections += m;
		u->changed += moved;
	}
	free(kept);
	return 0;
}

/* After a chunk: b_i += u sign(c_mean - c_i), c_mean = selections / N, compared in integers. */
static void update_lossfree(struct run *u, size_t n, double rate)
{
	for (size_t e = 0; e < n; e++) {
		uint64_t scaled = u->chunk[e] * n;

		if (scaled < u->chunk_selections)
			u->bias[e] += rate;
		else if (scaled > u->chunk_selections)
			u->bias[e] -= rate;
	}
}

/* After a chunk: L_i = c_i the first time, then alpha L_i + (1 - alpha) c_i;
 * b_i += u (L_mean - L_i) / L_mean, nothing when L_mean = 0. */
static void update_dynamic(struct run *u, size_t n, double rate, double decay)
{
	double mean = 0;

	for (size_t e = 0; e < n; e++) {
		u->load[e] = u->loaded ? decay * u->load[e] + (1 - decay) * (double)u->chunk[e]
		                       : (double)u->chunk[e];
		mean += u->load[e];
	}
	u->loaded = true;
	mean /= (double)n;
	if (mean == 0)
		return;
	/* In doubles and in this order, so that equal loads move their biases equally. */
	for (size_t e = 0; e < n; e++)
		u->bias[e] += rate * ((mean - u->load[e]) / mean);
}

/* Ends the open chunk of l: routes it for the capacity instances, scores it, moves the biases. */
static int close_chunk(struct replay *r, struct layer *l)
{
	bool full = l->chunk_tokens == r->o.batch;

	for (size_t i = 0; i < r->ninstance; i++) {
		const struct replay_instance *in = &r->instance[i];
		struct run *u = &l->run[i];
		double maxvio;

		if (in->strategy == REPLAY_CAPACITY && route_capacity(r, l, u, in) < 0)
			return -1;
		maxvio = metrics_maxvio(u->chunk, l->n, u->chunk_selections);
		if (full) {
			u->maxvio_sum += maxvio;
			u->full_chunks++;
		} else {
			u->partial_maxvio = maxvio;
		}
		if (in->strategy == REPLAY_LOSSFREE)
			update_lossfree(u, l->n, in->rate);
		else if (in->strategy == REPLAY_DYNAMIC)
			update_dynamic(u, l->n, in->rate, r->o.decay);
		memset(u->chunk, 0, l->n * sizeof *u->chunk);
		u->chunk_selections = 0;
	}
	l->chunk_start += l->chunk_tokens;
	l->chunk_tokens = 0;
	l->nids = 0;
	return 0;
}

int replay_add(struct replay *r, const struct moe_record *rec, const char **why)
{
	struct layer *l = bylayer_get(&r->layers, rec->layer);
	size_t n = rec->nlogits, k = rec->k;
	uint64_t pos;
	uint32_t mark;
	long double mass = 0;

	*why = NULL;
	if (route_groups_fit(&r->o.groups, n, k, why) < 0)
		return EX_USAGE;
	if (make_room(r, n) < 0)
		return -1;
	if (!l && !(l = add_layer(r, rec->layer, n, why)))
		return *why ? EX_DATAERR : -1;
	pos = l->tokens;
	route_scores(r->o.score, rec->logits, n, r->s);
	route_select(r->s, NULL, n, k, &r->o.groups, r->none, r->work);
	/* With groups, route_select left s + 0 in work, -infinity where a group was not kept. */
	if (r->capacity && hold(r, l, r->none, k, r->s, r->o.groups.groups ? r->work : r->s) < 0)
		return -1;
	mark = new_mark(r);
	for (size_t i = 0; i < k; i++) {
		r->stamp[r->none[i]] = mark;
		mass += r->s[r->none[i]];
	}
	l->none_mass += mass;
	l->agree += same_set(r, rec->experts, k, k, mark);
	for (size_t i = 0; i < r->ninstance; i++) {
		struct run *u = &l->run[i];
		const uint32_t *ids = r->none;

		switch (r->instance[i].strategy) {
		case REPLAY_CAPACITY:
			continue;
		case REPLAY_NONE:
			break;
		default:
			route_select(r->s, u->bias, n, k, &r->o.groups, r->picked, r->work);
			ids = r->picked;
			u->changed += !same_set(r, ids, k, k, mark);
			break;
		}
		take(u, ids, k, r->s, pos);
	}
	l->tokens++;
	l->asked += k;
	if (++l->chunk_tokens == r->o.batch && close_chunk(r, l) < 0)
		return -1;
	return 0;
}

static struct replay_figures figures_of(const struct replay *r, const struct layer *l,
                                        const struct run *u, bool none)
{
	struct replay_figures f;
	uint64_t dead = 0;

	for (size_t e = 0; e < l->n; e++) {
		uint64_t idle = u->last[e] < 0 ? l->tokens : l->tokens - 1 - (uint64_t)u->last[e];
		dead += idle >= r->o.threshold;
	}
	f.maxvio_global = metrics_maxvio(u->count, l->n, u->selections);
	f.maxvio_batch = u->full_chunks ? (double)(u->maxvio_sum / u->full_chunks) : u->partial_maxvio;
	f.changed = (double)u->changed / (double)l->tokens;
	f.retained = (double)(u->retained / l->none_mass);
	f.dropped = (double)u->dropped / (double)l->asked;
	f.dead = (double)dead;
	f.agreement = none ? (double)l->agree / (double)l->tokens : NAN;
	return f;
}

static void add_to_mean(struct replay_figures *m, const struct replay_figures *f)
{
	m->maxvio_global += f->maxvio_global;
	m->maxvio_batch += f->maxvio_batch;
	m->changed += f->changed;
	m->retained += f->retained;
	m->dropped += f->dropped;
	m->dead += f->dead;
	m->agreement += f->agreement;
}

static void divide_mean(struct replay_figures *m, size_t n)
{
	double d = n ? (double)n : NAN;

	m->maxvio_global /= d;
	m->maxvio_batch /= d;
	m->changed /= d;
	m->retained /= d;
	m->dropped /= d;
	m->dead /= d;
	m->agreement /= d;
}

int replay_finish(struct replay *r)
{
	size_t nlayers = bylayer_count(&r->layers);
	struct layer *l;

	for (l = bylayer_next(&r->layers, 0); l; l = bylayer_next(&r->layers, l->layer + 1))
		if (l->chunk_tokens > 0 && close_chunk(r, l) < 0)
			return -1;
	r->results = calloc(r->ninstance ? r->ninstance : 1, sizeof *r->results);
	if (!r->results)
		return -1;
	for (size_t i = 0; i < r->ninstance; i++) {
		struct replay_result *res = &r->results[i];
		bool none = r->instance[i].strategy == REPLAY_NONE;
		size_t j = 0;

		res->instance = r->instance[i];
		res->nlayers = nlayers;
		res->layers = calloc(nlayers ? nlayers : 1, sizeof *res->layers);
		if (!res->layers)
			return -1;
		for (l = bylayer_next(&r->layers, 0); l; l = bylayer_next(&r->layers, l->layer + 1)) {
			struct replay_layer *out = &res->layers[j++];

			out->layer = l->layer;
			out->tokens = l->tokens;
			out->f = figures_of(r, l, &l->run[i], none);
			out->n = l->n;
			out->bias = l->run[i].bias;
			add_to_mean(&res->mean, &out->f);
		}
		divide_mean(&res->mean, nlayers);
	}
	return 0;
}

const struct replay_result *replay_results(const struct replay *r, size_t *n)
{
	*n = r->ninstance;
	return r->results;
}

int replay_bias(const struct replay *r, size_t i, struct bias_table *t)
{
	const struct layer *l;

	for (l = bylayer_next(&r->layers, 0); l; l = bylayer_next(&r->layers, l->layer + 1))
		if (bias_set(t, l->layer, l->run[i].bias, l->n) < 0)
			return -1;
	return 0;
}
