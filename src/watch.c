/* watch.c: feeds stats (with gaps) and the window, says when a snapshot is due, and takes it with the formulas of metrics.c. */
#include "watch.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dead.h"
#include "metrics.h"

/* Which experts of a layer were dead at the last snapshot. */
struct watch_dead {
	unsigned n;
	unsigned char *flag;    /* [n] */
};

void watch_init(struct watch *w, uint64_t every, uint64_t window, uint64_t threshold)
{
	memset(w, 0, sizeof *w);
	w->every = every;
	w->threshold = threshold;
	w->next = every;
	stats_init(&w->stats, 0, true);
	window_init(&w->window, window);
}

int watch_add(struct watch *w, const struct moe_record *rec)
{
	const struct stats_layer *l;
	uint64_t least = UINT64_MAX;

	if (stats_add(&w->stats, rec) < 0 || window_add(&w->window, rec) < 0)
		return -1;
	l = stats_layer(&w->stats, rec->layer);
	if (l->tokens < w->next)
		return 0;
	for (l = stats_next(&w->stats, 0); l; l = stats_next(&w->stats, l->layer + 1))
		least = l->tokens < least ? l->tokens : least;
	if (least < w->next)
		return 0;
	while (w->next <= least)
		w->next += w->every;
	return 1;
}

static void free_dead(void *object)
{
	struct watch_dead *d = object;

	if (d)
		free(d->flag);
	free(d);
}

/* The flags of layer, with room for n experts (new ones not dead). */
static struct watch_dead *dead_flags(struct watch *w, unsigned layer, unsigned n)
{
	struct watch_dead *d = bylayer_get(&w->dead, layer);
	unsigned char *flag;

	if (!d) {
		if (!(d = calloc(1, sizeof *d)) || bylayer_put(&w->dead, layer, d) < 0) {
			free(d);
			return NULL;
		}
	}
	if (n > d->n) {
		if (!(flag = realloc(d->flag, n)))
			return NULL;
		memset(flag + d->n, 0, n - d->n);
		d->flag = flag;
		d->n = n;
	}
	return d;
}

static int snapshot_layer(struct watch *w, const struct stats_layer *l, unsigned n, struct watch_layer *out)
{
	const struct window_layer *win = window_layer(&w->window, l->layer);
	struct watch_dead *d = dead_flags(w, l->layer, n);

	if (!d || !(out->newly_dead = malloc((n ? n : 1) * sizeof *out->newly_dead)))
		return -1;
	out->layer = l->layer;
	out->tokens = l->tokens;
	out->selections = l->selections;
	out->count = l->count;
	out->window_tokens = win->tokens;
	out->maxvio_window = metrics_maxvio(win->count, n, win->selections);
	for (uint32_t e = 0; e < n; e++) {
		bool dead = dead_expert_of(l, e).idle >= w->threshold;

		out->dead += dead;
		if (dead && !d->flag[e])
			out->newly_dead[out->nnewly++] = e;
		d->flag[e] = dead;
	}
	return 0;
}

int watch_snapshot(struct watch *w, unsigned experts, struct watch_snapshot *s)
{
	const struct stats_layer *l;
	size_t i = 0;

	memset(s, 0, sizeof *s);
	s->sequence = ++w->sequence;
	s->experts = experts;
	s->every = w->every;
	s->window = w->window.size;
	s->threshold = w->threshold;
	if (stats_reserve(&w->stats, experts) < 0 || window_reserve(&w->window, experts) < 0)
		return -1;
	s->nlayers = stats_layers(&w->stats);
	s->layers = calloc(s->nlayers ? s->nlayers : 1, sizeof *s->layers);
	if (!s->layers)
		return -1;
	for (l = stats_next(&w->stats, 0); l; l = stats_next(&w->stats, l->layer + 1))
		if (snapshot_layer(w, l, experts, &s->layers[i++]) < 0)
			return -1;
	return 0;
}

void watch_snapshot_free(struct watch_snapshot *s)
{
	for (size_t i = 0; s->layers && i < s->nlayers; i++)
		free(s->layers[i].newly_dead);
	free(s->layers);
	memset(s, 0, sizeof *s);
}

void watch_free(struct watch *w)
{
	stats_free(&w->stats);
	window_free(&w->window);
	bylayer_free(&w->dead, free_dead);
}
