/* render_json.c: the JSON documents of schema "1" (moestat.5), written in a fixed key order as the result structs are walked. */
#include <math.h>
#include <time.h>

#include "jsonw.h"
#include "render.h"

#define MOESTAT_SCHEMA "1"

/* Undefined figures (NAN) are null, which jsonw_real writes: JSON has no NaN. */

static void input_json(struct jsonw *w, const char *key, const struct moe_input *in)
{
	static const char *const from[] = {
		[EXPERTS_FROM_NONE] = NULL, [EXPERTS_FROM_OPTION] = "option",
		[EXPERTS_FROM_HEADER] = "header", [EXPERTS_FROM_IDS] = "ids",
	};

	if (!in) {
		jsonw_null(w, key);
		return;
	}
	jsonw_object(w, key);
	jsonw_array(w, "files");
	for (size_t i = 0; i < in->nfiles; i++)
		jsonw_string(w, NULL, in->files[i]);
	jsonw_end(w);
	jsonw_string(w, "format", in->format);
	jsonw_uint(w, "records", in->records);
	jsonw_uint(w, "skipped", in->skipped);
	jsonw_bool(w, "truncated", in->truncated);
	if (in->experts)
		jsonw_uint(w, "experts", in->experts);
	else
		jsonw_null(w, "experts");
	jsonw_string(w, "experts_from", from[in->experts_from]);
	if (in->topk)
		jsonw_uint(w, "topk", in->topk);
	else
		jsonw_null(w, "topk");
	jsonw_string(w, "score", in->header.score[0] ? in->header.score : NULL);
	jsonw_string(w, "model", in->header.model[0] ? in->header.model : NULL);
	jsonw_end(w);
}

/* The start of every document but place's and watch's: schema, command, input. */
static void document(struct jsonw *w, FILE *fp, const char *command, const struct moe_input *in)
{
	jsonw_init(w, fp);
	jsonw_object(w, NULL);
	jsonw_string(w, "moestat", MOESTAT_SCHEMA);
	jsonw_string(w, "command", command);
	input_json(w, "input", in);
}

/* Closes the document: 0, or -1 when it was not well nested (which only a
 * bug here makes; the caller reports it as it reports being out of memory). */
static int finish(struct jsonw *w)
{
	jsonw_end(w);
	return jsonw_finish(w);
}

/* A whole number, or null for 0 (not said). */
static void count_or_null(struct jsonw *w, const char *key, uint64_t x)
{
	if (x)
		jsonw_uint(w, key, x);
	else
		jsonw_null(w, key);
}

/* The figures shared by a layer and the overall object. */
static void set_figures(struct jsonw *w, double maxvio_global, double cv, double entropy_norm, double gini)
{
	jsonw_real(w, "maxvio_global", maxvio_global);
	jsonw_real(w, "cv", cv);
	jsonw_real(w, "entropy_norm", entropy_norm);
	jsonw_real(w, "gini", gini);
}

static void coverage_json(struct jsonw *w, const struct summary_layer *l)
{
	jsonw_array(w, "coverage");
	for (size_t i = 0; i < l->ncoverage; i++) {
		jsonw_object(w, NULL);
		jsonw_uint(w, "n", l->coverage[i].n);
		jsonw_real(w, "share", l->coverage[i].share);
		jsonw_real(w, "uniform", l->coverage[i].uniform);
		jsonw_end(w);
	}
	jsonw_end(w);
}

/* The figures of expert e that only some options compute, read from the view. */
static void expert_extras_json(struct jsonw *w, const struct summary_layer *l, unsigned e,
                               const struct render_summary *r)
{
	const struct summary_expert *ex = &l->experts[e];

	if (r->batch) {
		jsonw_real(w, "batch_mean", ex->batch_mean);
		jsonw_real(w, "batch_std", ex->batch_std);
		jsonw_real(w, "batch_cv", ex->batch_cv);
	}
	if (r->by_domain) {
		jsonw_object(w, "domain_shares");
		for (size_t d = 0; d < r->ndomains; d++) {
			const struct summary_layer *dl = summary_find_layer(&r->by_domain[d], l->layer);

			if (dl)
				jsonw_real(w, r->domain[d], dl->experts[e].share);
			else
				jsonw_null(w, r->domain[d]);
		}
		jsonw_end(w);
		jsonw_real(w, "specialisation", ex->specialisation);
	}
}

/* r is NULL for the layers of a domain, which have no extras. */
static void summary_layer_json(struct jsonw *w, const struct summary_layer *l, unsigned n,
                               const struct render_summary *r)
{
	jsonw_object(w, NULL);
	jsonw_uint(w, "layer", l->layer);
	jsonw_uint(w, "tokens", l->tokens);
	jsonw_uint(w, "selections", l->selections);
	count_or_null(w, "topk", l->topk);
	jsonw_uint(w, "unused", l->unused);
	set_figures(w, l->maxvio_global, l->cv, l->entropy_norm, l->gini);
	jsonw_array(w, "least_used");
	for (size_t i = 0; i < l->nleast; i++) {
		jsonw_object(w, NULL);
		jsonw_uint(w, "expert", l->least[i].expert);
		jsonw_uint(w, "count", l->least[i].count);
		jsonw_end(w);
	}
	jsonw_end(w);
	coverage_json(w, l);
	jsonw_array(w, "experts");
	for (unsigned i = 0; i < n; i++) {
		const struct summary_expert *e = &l->experts[i];

		jsonw_object(w, NULL);
		jsonw_uint(w, "expert", e->expert);
		jsonw_uint(w, "count", e->count);
		jsonw_real(w, "share", e->share);
		jsonw_real(w, "ratio", e->ratio);
		if (r)
			expert_extras_json(w, l, i, r);
		jsonw_end(w);
	}
	jsonw_end(w);
	jsonw_end(w);
}

static void summary_layers_json(struct jsonw *w, const struct summary *s, const struct render_summary *r)
{
	jsonw_array(w, "layers");
	for (size_t i = 0; i < s->nlayers; i++)
		summary_layer_json(w, &s->layers[i], s->experts, r);
	jsonw_end(w);
}

static void overall_json(struct jsonw *w, const struct summary *s)
{
	jsonw_object(w, "overall");
	jsonw_uint(w, "layers", s->nlayers);
	jsonw_uint(w, "tokens", s->overall.tokens);
	jsonw_uint(w, "selections", s->overall.selections);
	jsonw_uint(w, "unused", s->overall.unused);
	if (s->nlayers)
		set_figures(w, s->overall.maxvio_global, s->overall.cv, s->overall.entropy_norm,
		            s->overall.gini);
	else
		set_figures(w, NAN, NAN, NAN, NAN);
	jsonw_end(w);
}

int render_json_summary(FILE *fp, const struct render_summary *r)
{
	struct jsonw w;

	document(&w, fp, r->command, r->input);
	if (r->batch)
		jsonw_uint(&w, "batch", r->batch);
	summary_layers_json(&w, r->all, r);
	overall_json(&w, r->all);
	if (r->by_domain) {
		jsonw_array(&w, "domains");
		for (size_t i = 0; i < r->ndomains; i++) {
			jsonw_object(&w, NULL);
			jsonw_string(&w, "domain", r->domain[i]);
			summary_layers_json(&w, &r->by_domain[i], NULL);
			overall_json(&w, &r->by_domain[i]);
			jsonw_end(&w);
		}
		jsonw_end(&w);
	}
	return finish(&w);
}

static void dead_expert_json(struct jsonw *w, const struct dead_expert *e)
{
	jsonw_object(w, NULL);
	jsonw_uint(w, "expert", e->expert);
	jsonw_uint(w, "count", e->count);
	if (e->last_used < 0)
		jsonw_null(w, "last_used");
	else
		jsonw_int(w, "last_used", e->last_used);
	jsonw_uint(w, "idle", e->idle);
	jsonw_uint(w, "max_gap", e->max_gap);
	jsonw_end(w);
}

int render_json_dead(FILE *fp, const struct render_dead *r)
{
	const struct dead_report *d = r->dead;
	struct jsonw w;

	document(&w, fp, r->command, r->input);
	jsonw_string(&w, "criterion", d->criterion == DEAD_IDLE ? "idle" : "max_gap");
	jsonw_uint(&w, "threshold", d->threshold);
	jsonw_uint(&w, "listed", d->total);
	jsonw_array(&w, "layers");
	for (size_t i = 0; i < d->nlayers; i++) {
		const struct dead_layer *l = &d->layers[i];

		jsonw_object(&w, NULL);
		jsonw_uint(&w, "layer", l->layer);
		jsonw_uint(&w, "tokens", l->tokens);
		jsonw_uint(&w, "threshold", d->threshold);
		jsonw_array(&w, "dead");
		for (size_t j = 0; j < l->n; j++)
			dead_expert_json(&w, &l->experts[j]);
		jsonw_end(&w);
		jsonw_end(&w);
	}
	jsonw_end(&w);
	return finish(&w);
}

int render_json_maxvio(FILE *fp, const struct render_maxvio *r)
{
	const struct maxvio_report *m = r->maxvio;
	struct jsonw w;

	document(&w, fp, r->command, r->input);
	jsonw_array(&w, "sizes");
	for (size_t i = 0; i < m->nsizes; i++)
		jsonw_uint(&w, NULL, m->sizes[i]);
	jsonw_end(&w);
	jsonw_array(&w, "layers");
	for (size_t i = 0; i < m->nlayers; i++) {
		const struct maxvio_layer *l = &m->layers[i];

		jsonw_object(&w, NULL);
		jsonw_uint(&w, "layer", l->layer);
		jsonw_uint(&w, "tokens", l->tokens);
		jsonw_real(&w, "maxvio_global", l->maxvio_global);
		jsonw_array(&w, "batch");
		for (size_t j = 0; j < l->nbatch; j++) {
			const struct batch_maxvio *b = &l->batch[j];

			jsonw_object(&w, NULL);
			jsonw_uint(&w, "size", b->size);
			jsonw_uint(&w, "chunks", b->chunks);
			jsonw_bool(&w, "partial", b->partial);
			jsonw_real(&w, "maxvio_batch", b->mean);
			jsonw_real(&w, "maxvio_max", b->max);
			jsonw_real(&w, "maxvio_p95", b->p95);
			jsonw_end(&w);
		}
		jsonw_end(&w);
		jsonw_end(&w);
	}
	jsonw_end(&w);
	jsonw_object(&w, "overall");
	jsonw_uint(&w, "layers", m->nlayers);
	jsonw_real(&w, "maxvio_global", m->mean_global);
	jsonw_array(&w, "batch");
	for (size_t i = 0; i < m->nsizes; i++) {
		jsonw_object(&w, NULL);
		jsonw_uint(&w, "size", m->sizes[i]);
		jsonw_uint(&w, "layers", m->layers_with[i]);
		jsonw_real(&w, "maxvio_batch", m->mean_batch[i]);
		jsonw_end(&w);
	}
	jsonw_end(&w);
	jsonw_end(&w);
	return finish(&w);
}

int render_json_pairs(FILE *fp, const struct render_pairs *r)
{
	const struct pairs_report *p = r->pairs;
	struct jsonw w;

	document(&w, fp, r->command, r->input);
	jsonw_uint(&w, "top", p->top);
	jsonw_array(&w, "layers");
	for (size_t i = 0; i < p->nlayers; i++) {
		const struct pairs_report_layer *l = &p->layers[i];

		jsonw_object(&w, NULL);
		jsonw_uint(&w, "layer", l->layer);
		jsonw_uint(&w, "tokens", l->tokens);
		jsonw_array(&w, "pairs");
		for (size_t j = 0; j < l->n; j++) {
			jsonw_object(&w, NULL);
			jsonw_uint(&w, "a", l->top[j].a);
			jsonw_uint(&w, "b", l->top[j].b);
			jsonw_uint(&w, "count", l->top[j].count);
			jsonw_real(&w, "lift", l->top[j].lift);
			jsonw_end(&w);
		}
		jsonw_end(&w);
		jsonw_end(&w);
	}
	jsonw_end(&w);
	return finish(&w);
}

static void ids_json(struct jsonw *w, const char *key, const uint32_t *ids, size_t n)
{
	jsonw_array(w, key);
	for (size_t i = 0; i < n; i++)
		jsonw_uint(w, NULL, ids[i]);
	jsonw_end(w);
}

static void layer_ids_json(struct jsonw *w, const char *key, const unsigned *ids, size_t n)
{
	jsonw_array(w, key);
	for (size_t i = 0; i < n; i++)
		jsonw_uint(w, NULL, ids[i]);
	jsonw_end(w);
}

int render_json_compare(FILE *fp, const struct render_compare *r)
{
	const struct compare_report *c = r->compare;
	struct jsonw w;

	document(&w, fp, r->command, r->input);
	input_json(&w, "input_b", r->input_b);
	jsonw_object(&w, "sides");
	jsonw_string(&w, "by", r->by_domain ? "domain" : "input");
	jsonw_string(&w, "a", r->side_a);
	jsonw_string(&w, "b", r->side_b);
	jsonw_end(&w);
	jsonw_array(&w, "layers");
	for (size_t i = 0; i < c->nlayers; i++) {
		const struct compare_layer *l = &c->layers[i];

		jsonw_object(&w, NULL);
		jsonw_uint(&w, "layer", l->layer);
		jsonw_uint(&w, "tokens_a", l->tokens_a);
		jsonw_uint(&w, "tokens_b", l->tokens_b);
		jsonw_real(&w, "jsd", l->jsd);
		jsonw_real(&w, "tvd", l->tvd);
		jsonw_array(&w, "movers");
		for (size_t m = 0; m < l->nmovers; m++) {
			jsonw_object(&w, NULL);
			jsonw_uint(&w, "expert", l->movers[m].expert);
			jsonw_real(&w, "share_a", l->movers[m].share_a);
			jsonw_real(&w, "share_b", l->movers[m].share_b);
			jsonw_end(&w);
		}
		jsonw_end(&w);
		ids_json(&w, "dead_only_in_a", l->dead_only_in_a, l->ndead_a);
		ids_json(&w, "dead_only_in_b", l->dead_only_in_b, l->ndead_b);
		jsonw_end(&w);
	}
	jsonw_end(&w);
	jsonw_object(&w, "overall");
	jsonw_uint(&w, "layers", c->nlayers);
	jsonw_real(&w, "jsd", c->mean_jsd);
	jsonw_real(&w, "tvd", c->mean_tvd);
	jsonw_uint(&w, "dead_only_in_a", c->ndead_only_a);
	jsonw_uint(&w, "dead_only_in_b", c->ndead_only_b);
	jsonw_end(&w);
	layer_ids_json(&w, "layers_only_in_a", c->layers_only_in_a, c->nonly_a);
	layer_ids_json(&w, "layers_only_in_b", c->layers_only_in_b, c->nonly_b);
	return finish(&w);
}

static void replay_params_json(struct jsonw *w, const struct replay_instance *in,
                               const struct replay_options *o)
{
	jsonw_object(w, "params");
	switch (in->strategy) {
	case REPLAY_LOSSFREE:
		jsonw_real(w, "rate", in->rate);
		break;
	case REPLAY_DYNAMIC:
		jsonw_real(w, "rate", in->rate);
		jsonw_real(w, "decay", o->decay);
		break;
	case REPLAY_CAPACITY:
		jsonw_real(w, "capacity_factor", replay_factor(in));
		jsonw_string(w, "drop_policy", o->probs ? "probs" : "position");
		jsonw_string(w, "overflow", o->reroute ? "reroute" : "drop");
		break;
	default:
		break;
	}
	jsonw_end(w);
}

/* A layer's dead is a count; the mean over layers is not. */
static void replay_figures_json(struct jsonw *w, const struct replay_figures *f, bool none, bool mean)
{
	jsonw_real(w, "maxvio_global", f->maxvio_global);
	jsonw_real(w, "maxvio_batch", f->maxvio_batch);
	jsonw_real(w, "changed", f->changed);
	jsonw_real(w, "retained", f->retained);
	jsonw_real(w, "dropped", f->dropped);
	if (mean)
		jsonw_real(w, "dead", f->dead);
	else
		jsonw_int(w, "dead", (int64_t)f->dead);
	if (none)
		jsonw_real(w, "agreement", f->agreement);
}

int render_json_replay(FILE *fp, const struct render_replay *r)
{
	const struct replay_options *o = r->options;
	struct jsonw w;

	document(&w, fp, r->command, r->input);
	jsonw_string(&w, "score", r->score < 0 ? NULL : r->score == ROUTE_SIGMOID ? "sigmoid" : "softmax");
	jsonw_uint(&w, "batch", o->batch);
	count_or_null(&w, "groups", o->groups.groups);
	if (o->groups.groups)
		jsonw_uint(&w, "group_topk", o->groups.topk);
	else
		jsonw_null(&w, "group_topk");
	jsonw_uint(&w, "threshold", o->threshold);
	jsonw_array(&w, "strategies");
	for (size_t i = 0; i < r->nresults; i++) {
		const struct replay_result *res = &r->results[i];
		bool none = res->instance.strategy == REPLAY_NONE;

		jsonw_object(&w, NULL);
		jsonw_string(&w, "strategy", render_replay_name(res->instance.strategy));
		replay_params_json(&w, &res->instance, o);
		jsonw_array(&w, "layers");
		for (size_t l = 0; l < res->nlayers; l++) {
			const struct replay_layer *rl = &res->layers[l];

			jsonw_object(&w, NULL);
			jsonw_uint(&w, "layer", rl->layer);
			jsonw_uint(&w, "tokens", rl->tokens);
			replay_figures_json(&w, &rl->f, none, false);
			jsonw_array(&w, "bias");
			for (size_t e = 0; e < rl->n; e++)
				jsonw_real(&w, NULL, rl->bias[e]);
			jsonw_end(&w);
			jsonw_end(&w);
		}
		jsonw_end(&w);
		jsonw_object(&w, "mean");
		replay_figures_json(&w, &res->mean, none, true);
		jsonw_end(&w);
		jsonw_end(&w);
	}
	jsonw_end(&w);
	return finish(&w);
}

static void place_params_json(struct jsonw *w, const struct devload *d)
{
	jsonw_object(w, "params");
	if (d->kind == PLACE_EPLB) {
		jsonw_uint(w, "redundant", d->eplb.redundant);
		jsonw_uint(w, "nodes", d->eplb.nodes);
		jsonw_uint(w, "groups", d->eplb.groups);
		jsonw_string(w, "policy", place_eplb_hierarchical(&d->eplb) ? "hierarchical" : "global");
	}
	jsonw_end(w);
}

static void place_figures_json(struct jsonw *w, const struct devload_figures *f)
{
	jsonw_real(w, "imbalance", f->imbalance);
	jsonw_real(w, "imbalance_global", f->imbalance_global);
	jsonw_real(w, "balancedness", f->balancedness);
	jsonw_real(w, "balancedness_global", f->balancedness_global);
}

static void place_layer_json(struct jsonw *w, const struct devload_layer *l, unsigned devices, bool chunks)
{
	const struct place_plan *p = &l->plan;

	jsonw_object(w, NULL);
	jsonw_uint(w, "layer", l->layer);
	if (chunks)
		jsonw_uint(w, "tokens", l->tokens);
	else
		jsonw_null(w, "tokens");
	jsonw_uint(w, "chunks", l->chunks);
	jsonw_bool(w, "partial", l->partial);
	place_figures_json(w, &l->f);
	if (l->chunks) {
		jsonw_object(w, "straggler");
		jsonw_uint(w, "device", l->straggler);
		jsonw_uint(w, "chunks", l->busiest[l->straggler]);
		jsonw_end(w);
	} else {
		jsonw_null(w, "straggler");
	}
	ids_json(w, "phy2log", p->phy2log, p->slots);
	ids_json(w, "logcnt", p->logcnt, p->experts);
	jsonw_array(w, "device_slots");
	for (unsigned d = 0; d < devices; d++)
		jsonw_uint(w, NULL, p->first[d + 1] - p->first[d]);
	jsonw_end(w);
	jsonw_array(w, "device_load");
	for (unsigned d = 0; d < devices; d++)
		jsonw_real(w, NULL, l->device_load[d]);
	jsonw_end(w);
	jsonw_end(w);
}

int render_json_place(FILE *fp, const struct render_place *r)
{
	struct jsonw w;

	jsonw_init(&w, fp);
	jsonw_object(&w, NULL);
	jsonw_string(&w, "moestat", MOESTAT_SCHEMA);
	jsonw_string(&w, "command", r->command);
	input_json(&w, "input", r->input);
	input_json(&w, "fit_input", r->fit_input);
	if (r->counts) {
		jsonw_object(&w, "counts");
		jsonw_string(&w, "file", r->counts_file);
		jsonw_string(&w, "format", r->counts->format);
		jsonw_uint(&w, "layers", r->counts->nlayers);
		jsonw_uint(&w, "experts", r->counts->experts);
		jsonw_end(&w);
	} else {
		jsonw_null(&w, "counts");
	}
	jsonw_uint(&w, "ep", r->devices);
	if (r->counts)
		jsonw_null(&w, "batch");
	else
		jsonw_uint(&w, "batch", r->batch);
	jsonw_string(&w, "fitted_on", r->counts ? "counts" : r->fit_input ? "fit" : "input");
	jsonw_array(&w, "placements");
	for (size_t i = 0; i < r->nplacements; i++) {
		const struct devload *d = &r->placements[i];

		jsonw_object(&w, NULL);
		jsonw_string(&w, "placement", place_name(d->kind));
		place_params_json(&w, d);
		jsonw_bool(&w, "fitted", d->kind == PLACE_BALANCED || d->kind == PLACE_EPLB);
		jsonw_array(&w, "layers");
		for (size_t l = 0; l < d->nlayers; l++)
			place_layer_json(&w, &d->layers[l], d->devices, !r->counts);
		jsonw_end(&w);
		jsonw_object(&w, "mean");
		jsonw_uint(&w, "layers", d->nlayers);
		place_figures_json(&w, &d->mean);
		jsonw_end(&w);
		jsonw_end(&w);
	}
	jsonw_end(&w);
	return finish(&w);
}

int render_json_watch(FILE *fp, const struct watch_snapshot *s)
{
	time_t t = (time_t)s->time;
	struct jsonw w;
	struct tm tm;
	char when[32];

	strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&t, &tm));
	jsonw_init(&w, fp);
	jsonw_object(&w, NULL);
	jsonw_string(&w, "moestat", MOESTAT_SCHEMA);
	jsonw_string(&w, "command", "watch");
	jsonw_string(&w, "time", when);
	jsonw_uint(&w, "snapshot", s->sequence);
	jsonw_bool(&w, "final", s->final);
	count_or_null(&w, "experts", s->experts);
	jsonw_uint(&w, "every", s->every);
	jsonw_uint(&w, "window", s->window);
	jsonw_uint(&w, "threshold", s->threshold);
	jsonw_array(&w, "layers");
	for (size_t i = 0; i < s->nlayers; i++) {
		const struct watch_layer *l = &s->layers[i];

		jsonw_object(&w, NULL);
		jsonw_uint(&w, "layer", l->layer);
		jsonw_uint(&w, "tokens", l->tokens);
		jsonw_uint(&w, "selections", l->selections);
		jsonw_array(&w, "counts");
		for (unsigned e = 0; e < s->experts; e++)
			jsonw_uint(&w, NULL, l->count[e]);
		jsonw_end(&w);
		jsonw_uint(&w, "window_tokens", l->window_tokens);
		jsonw_real(&w, "maxvio_window", l->maxvio_window);
		jsonw_uint(&w, "dead", l->dead);
		ids_json(&w, "newly_dead", l->newly_dead, l->nnewly);
		jsonw_end(&w);
	}
	jsonw_end(&w);
	return finish(&w);
}
