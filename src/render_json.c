/* render_json.c: the JSON documents of schema "1" (moestat.5), built with jansson in a fixed key order. */
#include <jansson.h>
#include <math.h>
#include <time.h>

#include "render.h"

#define MOESTAT_SCHEMA "1"

/* Undefined figures (NAN) are null: JSON has no NaN. */
static json_t *real_or_null(double x)
{
	return isfinite(x) ? json_real(x) : json_null();
}

static json_t *uint_json(uint64_t x)
{
	return json_integer((json_int_t)x);
}

static json_t *input_json(const struct moe_input *in)
{
	static const char *const from[] = {
		[EXPERTS_FROM_NONE] = NULL, [EXPERTS_FROM_OPTION] = "option",
		[EXPERTS_FROM_HEADER] = "header", [EXPERTS_FROM_IDS] = "ids",
	};
	json_t *o = json_object(), *files = json_array();

	for (size_t i = 0; i < in->nfiles; i++)
		json_array_append_new(files, json_string(in->files[i]));
	json_object_set_new(o, "files", files);
	json_object_set_new(o, "format", in->format ? json_string(in->format) : json_null());
	json_object_set_new(o, "records", uint_json(in->records));
	json_object_set_new(o, "skipped", uint_json(in->skipped));
	json_object_set_new(o, "truncated", json_boolean(in->truncated));
	json_object_set_new(o, "experts", in->experts ? json_integer(in->experts) : json_null());
	json_object_set_new(o, "experts_from", from[in->experts_from] ? json_string(from[in->experts_from])
	                                                              : json_null());
	json_object_set_new(o, "topk", in->topk ? json_integer(in->topk) : json_null());
	json_object_set_new(o, "score", in->header.score[0] ? json_string(in->header.score) : json_null());
	json_object_set_new(o, "model", in->header.model[0] ? json_string(in->header.model) : json_null());
	return o;
}

static json_t *document(const char *command, const struct moe_input *in)
{
	json_t *doc = json_object();

	json_object_set_new(doc, "moestat", json_string(MOESTAT_SCHEMA));
	json_object_set_new(doc, "command", json_string(command));
	json_object_set_new(doc, "input", input_json(in));
	return doc;
}

static int dump(FILE *fp, json_t *doc)
{
	int rc;

	if (!doc)
		return -1;
	rc = json_dumpf(doc, fp, JSON_COMPACT | JSON_REAL_PRECISION(17));
	json_decref(doc);
	if (rc < 0)
		return -1;
	fputc('\n', fp);
	return 0;
}

/* The figures shared by a layer and the overall object. */
static void set_figures(json_t *o, double maxvio_global, double cv, double entropy_norm, double gini)
{
	json_object_set_new(o, "maxvio_global", real_or_null(maxvio_global));
	json_object_set_new(o, "cv", real_or_null(cv));
	json_object_set_new(o, "entropy_norm", real_or_null(entropy_norm));
	json_object_set_new(o, "gini", real_or_null(gini));
}

static json_t *coverage_json(const struct summary_layer *l)
{
	json_t *list = json_array();

	for (size_t i = 0; i < l->ncoverage; i++)
		json_array_append_new(list, json_pack("{s:I,s:o,s:o}", "n", (json_int_t)l->coverage[i].n,
		                                      "share", real_or_null(l->coverage[i].share),
		                                      "uniform", real_or_null(l->coverage[i].uniform)));
	return list;
}

/* The figures of expert e that only some options compute, read from the view. */
static void expert_extras_json(json_t *x, const struct summary_layer *l, unsigned e,
                               const struct render_summary *r)
{
	const struct summary_expert *ex = &l->experts[e];

	if (r->batch) {
		json_object_set_new(x, "batch_mean", real_or_null(ex->batch_mean));
		json_object_set_new(x, "batch_std", real_or_null(ex->batch_std));
		json_object_set_new(x, "batch_cv", real_or_null(ex->batch_cv));
	}
	if (r->by_domain) {
		json_t *shares = json_object();

		for (size_t d = 0; d < r->ndomains; d++) {
			const struct summary_layer *dl = summary_find_layer(&r->by_domain[d], l->layer);
			json_object_set_new(shares, r->domain[d],
			                    dl ? real_or_null(dl->experts[e].share) : json_null());
		}
		json_object_set_new(x, "domain_shares", shares);
		json_object_set_new(x, "specialisation", real_or_null(ex->specialisation));
	}
}

/* r is NULL for the layers of a domain, which have no extras. */
static json_t *summary_layer_json(const struct summary_layer *l, unsigned n,
                                  const struct render_summary *r)
{
	json_t *o = json_object(), *least = json_array(), *experts = json_array();

	json_object_set_new(o, "layer", json_integer(l->layer));
	json_object_set_new(o, "tokens", uint_json(l->tokens));
	json_object_set_new(o, "selections", uint_json(l->selections));
	json_object_set_new(o, "topk", l->topk ? json_integer(l->topk) : json_null());
	json_object_set_new(o, "unused", uint_json(l->unused));
	set_figures(o, l->maxvio_global, l->cv, l->entropy_norm, l->gini);
	for (size_t i = 0; i < l->nleast; i++)
		json_array_append_new(least, json_pack("{s:I,s:I}", "expert", (json_int_t)l->least[i].expert,
		                                       "count", (json_int_t)l->least[i].count));
	json_object_set_new(o, "least_used", least);
	json_object_set_new(o, "coverage", coverage_json(l));
	for (unsigned i = 0; i < n; i++) {
		const struct summary_expert *e = &l->experts[i];
		json_t *x = json_object();

		json_object_set_new(x, "expert", json_integer(e->expert));
		json_object_set_new(x, "count", uint_json(e->count));
		json_object_set_new(x, "share", real_or_null(e->share));
		json_object_set_new(x, "ratio", real_or_null(e->ratio));
		if (r)
			expert_extras_json(x, l, i, r);
		json_array_append_new(experts, x);
	}
	json_object_set_new(o, "experts", experts);
	return o;
}

static json_t *summary_layers_json(const struct summary *s, const struct render_summary *r)
{
	json_t *layers = json_array();

	for (size_t i = 0; i < s->nlayers; i++)
		json_array_append_new(layers, summary_layer_json(&s->layers[i], s->experts, r));
	return layers;
}

static json_t *overall_json(const struct summary *s)
{
	json_t *o = json_object();

	json_object_set_new(o, "layers", json_integer((json_int_t)s->nlayers));
	json_object_set_new(o, "tokens", uint_json(s->overall.tokens));
	json_object_set_new(o, "selections", uint_json(s->overall.selections));
	json_object_set_new(o, "unused", uint_json(s->overall.unused));
	if (s->nlayers)
		set_figures(o, s->overall.maxvio_global, s->overall.cv, s->overall.entropy_norm,
		            s->overall.gini);
	else
		set_figures(o, NAN, NAN, NAN, NAN);
	return o;
}

int render_json_summary(FILE *fp, const struct render_summary *r)
{
	json_t *doc = document(r->command, r->input);

	if (r->batch)
		json_object_set_new(doc, "batch", uint_json(r->batch));
	json_object_set_new(doc, "layers", summary_layers_json(r->all, r));
	json_object_set_new(doc, "overall", overall_json(r->all));
	if (r->by_domain) {
		json_t *domains = json_array();

		for (size_t i = 0; i < r->ndomains; i++)
			json_array_append_new(domains, json_pack("{s:s,s:o,s:o}", "domain", r->domain[i],
			                                         "layers", summary_layers_json(&r->by_domain[i], NULL),
			                                         "overall", overall_json(&r->by_domain[i])));
		json_object_set_new(doc, "domains", domains);
	}
	return dump(fp, doc);
}

static json_t *dead_expert_json(const struct dead_expert *e)
{
	json_t *o = json_object();

	json_object_set_new(o, "expert", json_integer(e->expert));
	json_object_set_new(o, "count", uint_json(e->count));
	json_object_set_new(o, "last_used", e->last_used < 0 ? json_null() : json_integer(e->last_used));
	json_object_set_new(o, "idle", uint_json(e->idle));
	json_object_set_new(o, "max_gap", uint_json(e->max_gap));
	return o;
}

int render_json_dead(FILE *fp, const struct render_dead *r)
{
	const struct dead_report *d = r->dead;
	json_t *doc = document(r->command, r->input), *layers = json_array();

	json_object_set_new(doc, "criterion", json_string(d->criterion == DEAD_IDLE ? "idle" : "max_gap"));
	json_object_set_new(doc, "threshold", uint_json(d->threshold));
	json_object_set_new(doc, "listed", json_integer((json_int_t)d->total));
	for (size_t i = 0; i < d->nlayers; i++) {
		const struct dead_layer *l = &d->layers[i];
		json_t *o = json_object(), *dead = json_array();

		json_object_set_new(o, "layer", json_integer(l->layer));
		json_object_set_new(o, "tokens", uint_json(l->tokens));
		json_object_set_new(o, "threshold", uint_json(d->threshold));
		for (size_t j = 0; j < l->n; j++)
			json_array_append_new(dead, dead_expert_json(&l->experts[j]));
		json_object_set_new(o, "dead", dead);
		json_array_append_new(layers, o);
	}
	json_object_set_new(doc, "layers", layers);
	return dump(fp, doc);
}

int render_json_maxvio(FILE *fp, const struct render_maxvio *r)
{
	const struct maxvio_report *m = r->maxvio;
	json_t *doc = document(r->command, r->input), *layers = json_array();
	json_t *overall = json_object(), *sizes = json_array();

	for (size_t i = 0; i < m->nsizes; i++)
		json_array_append_new(sizes, uint_json(m->sizes[i]));
	json_object_set_new(doc, "sizes", sizes);
	for (size_t i = 0; i < m->nlayers; i++) {
		const struct maxvio_layer *l = &m->layers[i];
		json_t *o = json_object(), *batch = json_array();

		json_object_set_new(o, "layer", json_integer(l->layer));
		json_object_set_new(o, "tokens", uint_json(l->tokens));
		json_object_set_new(o, "maxvio_global", real_or_null(l->maxvio_global));
		for (size_t j = 0; j < l->nbatch; j++) {
			const struct batch_maxvio *b = &l->batch[j];
			json_t *x = json_object();

			json_object_set_new(x, "size", uint_json(b->size));
			json_object_set_new(x, "chunks", uint_json(b->chunks));
			json_object_set_new(x, "partial", json_boolean(b->partial));
			json_object_set_new(x, "maxvio_batch", real_or_null(b->mean));
			json_object_set_new(x, "maxvio_max", real_or_null(b->max));
			json_object_set_new(x, "maxvio_p95", real_or_null(b->p95));
			json_array_append_new(batch, x);
		}
		json_object_set_new(o, "batch", batch);
		json_array_append_new(layers, o);
	}
	json_object_set_new(doc, "layers", layers);
	json_object_set_new(overall, "layers", json_integer((json_int_t)m->nlayers));
	json_object_set_new(overall, "maxvio_global", real_or_null(m->mean_global));
	sizes = json_array();
	for (size_t i = 0; i < m->nsizes; i++)
		json_array_append_new(sizes, json_pack("{s:o,s:I,s:o}", "size", uint_json(m->sizes[i]),
		                                       "layers", (json_int_t)m->layers_with[i],
		                                       "maxvio_batch", real_or_null(m->mean_batch[i])));
	json_object_set_new(overall, "batch", sizes);
	json_object_set_new(doc, "overall", overall);
	return dump(fp, doc);
}

int render_json_pairs(FILE *fp, const struct render_pairs *r)
{
	const struct pairs_report *p = r->pairs;
	json_t *doc = document(r->command, r->input), *layers = json_array();

	json_object_set_new(doc, "top", uint_json(p->top));
	for (size_t i = 0; i < p->nlayers; i++) {
		const struct pairs_report_layer *l = &p->layers[i];
		json_t *o = json_object(), *pairs = json_array();

		json_object_set_new(o, "layer", json_integer(l->layer));
		json_object_set_new(o, "tokens", uint_json(l->tokens));
		for (size_t j = 0; j < l->n; j++)
			json_array_append_new(pairs, json_pack("{s:I,s:I,s:o,s:o}",
			                                       "a", (json_int_t)l->top[j].a,
			                                       "b", (json_int_t)l->top[j].b,
			                                       "count", uint_json(l->top[j].count),
			                                       "lift", real_or_null(l->top[j].lift)));
		json_object_set_new(o, "pairs", pairs);
		json_array_append_new(layers, o);
	}
	json_object_set_new(doc, "layers", layers);
	return dump(fp, doc);
}

static json_t *ids_json(const uint32_t *ids, size_t n)
{
	json_t *list = json_array();

	for (size_t i = 0; i < n; i++)
		json_array_append_new(list, json_integer(ids[i]));
	return list;
}

static json_t *layer_ids_json(const unsigned *ids, size_t n)
{
	json_t *list = json_array();

	for (size_t i = 0; i < n; i++)
		json_array_append_new(list, json_integer(ids[i]));
	return list;
}

int render_json_compare(FILE *fp, const struct render_compare *r)
{
	const struct compare_report *c = r->compare;
	json_t *doc = document(r->command, r->input), *layers = json_array(), *overall = json_object();

	json_object_set_new(doc, "input_b", r->input_b ? input_json(r->input_b) : json_null());
	json_object_set_new(doc, "sides", json_pack("{s:s,s:s,s:s}", "by", r->by_domain ? "domain" : "input",
	                                             "a", r->side_a, "b", r->side_b));
	for (size_t i = 0; i < c->nlayers; i++) {
		const struct compare_layer *l = &c->layers[i];
		json_t *o = json_object(), *movers = json_array();

		json_object_set_new(o, "layer", json_integer(l->layer));
		json_object_set_new(o, "tokens_a", uint_json(l->tokens_a));
		json_object_set_new(o, "tokens_b", uint_json(l->tokens_b));
		json_object_set_new(o, "jsd", real_or_null(l->jsd));
		json_object_set_new(o, "tvd", real_or_null(l->tvd));
		for (size_t m = 0; m < l->nmovers; m++)
			json_array_append_new(movers, json_pack("{s:I,s:o,s:o}",
			                                        "expert", (json_int_t)l->movers[m].expert,
			                                        "share_a", real_or_null(l->movers[m].share_a),
			                                        "share_b", real_or_null(l->movers[m].share_b)));
		json_object_set_new(o, "movers", movers);
		json_object_set_new(o, "dead_only_in_a", ids_json(l->dead_only_in_a, l->ndead_a));
		json_object_set_new(o, "dead_only_in_b", ids_json(l->dead_only_in_b, l->ndead_b));
		json_array_append_new(layers, o);
	}
	json_object_set_new(doc, "layers", layers);
	json_object_set_new(overall, "layers", json_integer((json_int_t)c->nlayers));
	json_object_set_new(overall, "jsd", real_or_null(c->mean_jsd));
	json_object_set_new(overall, "tvd", real_or_null(c->mean_tvd));
	json_object_set_new(overall, "dead_only_in_a", json_integer((json_int_t)c->ndead_only_a));
	json_object_set_new(overall, "dead_only_in_b", json_integer((json_int_t)c->ndead_only_b));
	json_object_set_new(doc, "overall", overall);
	json_object_set_new(doc, "layers_only_in_a", layer_ids_json(c->layers_only_in_a, c->nonly_a));
	json_object_set_new(doc, "layers_only_in_b", layer_ids_json(c->layers_only_in_b, c->nonly_b));
	return dump(fp, doc);
}

static json_t *replay_params_json(const struct replay_instance *in, const struct replay_options *o)
{
	switch (in->strategy) {
	case REPLAY_LOSSFREE:
		return json_pack("{s:o}", "rate", json_real(in->rate));
	case REPLAY_DYNAMIC:
		return json_pack("{s:o,s:o}", "rate", json_real(in->rate), "decay", json_real(o->decay));
	case REPLAY_CAPACITY:
		return json_pack("{s:o,s:s,s:s}", "capacity_factor", json_real(replay_factor(in)),
		                 "drop_policy", o->probs ? "probs" : "position",
		                 "overflow", o->reroute ? "reroute" : "drop");
	default:
		return json_object();
	}
}

/* A layer's dead is a count; the mean over layers is not. */
static void replay_figures_json(json_t *o, const struct replay_figures *f, bool none, bool mean)
{
	json_object_set_new(o, "maxvio_global", real_or_null(f->maxvio_global));
	json_object_set_new(o, "maxvio_batch", real_or_null(f->maxvio_batch));
	json_object_set_new(o, "changed", real_or_null(f->changed));
	json_object_set_new(o, "retained", real_or_null(f->retained));
	json_object_set_new(o, "dropped", real_or_null(f->dropped));
	json_object_set_new(o, "dead", mean ? real_or_null(f->dead) : json_integer((json_int_t)f->dead));
	if (none)
		json_object_set_new(o, "agreement", real_or_null(f->agreement));
}

int render_json_replay(FILE *fp, const struct render_replay *r)
{
	const struct replay_options *o = r->options;
	json_t *doc = document(r->command, r->input), *strategies = json_array();

	json_object_set_new(doc, "score", r->score < 0 ? json_null()
	                                  : json_string(r->score == ROUTE_SIGMOID ? "sigmoid" : "softmax"));
	json_object_set_new(doc, "batch", uint_json(o->batch));
	json_object_set_new(doc, "groups", o->groups.groups ? json_integer(o->groups.groups) : json_null());
	json_object_set_new(doc, "group_topk", o->groups.groups ? json_integer(o->groups.topk) : json_null());
	json_object_set_new(doc, "threshold", uint_json(o->threshold));
	for (size_t i = 0; i < r->nresults; i++) {
		const struct replay_result *res = &r->results[i];
		bool none = res->instance.strategy == REPLAY_NONE;
		json_t *s = json_object(), *layers = json_array(), *mean = json_object();

		json_object_set_new(s, "strategy", json_string(render_replay_name(res->instance.strategy)));
		json_object_set_new(s, "params", replay_params_json(&res->instance, o));
		for (size_t l = 0; l < res->nlayers; l++) {
			const struct replay_layer *rl = &res->layers[l];
			json_t *x = json_object(), *bias = json_array();

			json_object_set_new(x, "layer", json_integer(rl->layer));
			json_object_set_new(x, "tokens", uint_json(rl->tokens));
			replay_figures_json(x, &rl->f, none, false);
			for (size_t e = 0; e < rl->n; e++)
				json_array_append_new(bias, json_real(rl->bias[e]));
			json_object_set_new(x, "bias", bias);
			json_array_append_new(layers, x);
		}
		json_object_set_new(s, "layers", layers);
		replay_figures_json(mean, &res->mean, none, true);
		json_object_set_new(s, "mean", mean);
		json_array_append_new(strategies, s);
	}
	json_object_set_new(doc, "strategies", strategies);
	return dump(fp, doc);
}

static json_t *place_params_json(const struct devload *d)
{
	if (d->kind != PLACE_EPLB)
		return json_object();
	return json_pack("{s:I,s:I,s:I,s:s}", "redundant", (json_int_t)d->eplb.redundant,
	                 "nodes", (json_int_t)d->eplb.nodes, "groups", (json_int_t)d->eplb.groups,
	                 "policy", place_eplb_hierarchical(&d->eplb) ? "hierarchical" : "global");
}

static void place_figures_json(json_t *o, const struct devload_figures *f)
{
	json_object_set_new(o, "imbalance", real_or_null(f->imbalance));
	json_object_set_new(o, "imbalance_global", real_or_null(f->imbalance_global));
	json_object_set_new(o, "balancedness", real_or_null(f->balancedness));
	json_object_set_new(o, "balancedness_global", real_or_null(f->balancedness_global));
}

static json_t *place_layer_json(const struct devload_layer *l, unsigned devices, bool chunks)
{
	const struct place_plan *p = &l->plan;
	json_t *o = json_object(), *slots = json_array(), *load = json_array();

	json_object_set_new(o, "layer", json_integer(l->layer));
	json_object_set_new(o, "tokens", chunks ? uint_json(l->tokens) : json_null());
	json_object_set_new(o, "chunks", uint_json(l->chunks));
	json_object_set_new(o, "partial", json_boolean(l->partial));
	place_figures_json(o, &l->f);
	json_object_set_new(o, "straggler", l->chunks ? json_pack("{s:I,s:o}", "device", (json_int_t)l->straggler,
	                                                          "chunks", uint_json(l->busiest[l->straggler]))
	                                              : json_null());
	json_object_set_new(o, "phy2log", ids_json(p->phy2log, p->slots));
	json_object_set_new(o, "logcnt", ids_json(p->logcnt, p->experts));
	for (unsigned d = 0; d < devices; d++) {
		json_array_append_new(slots, json_integer(p->first[d + 1] - p->first[d]));
		json_array_append_new(load, json_real(l->device_load[d]));
	}
	json_object_set_new(o, "device_slots", slots);
	json_object_set_new(o, "device_load", load);
	return o;
}

int render_json_place(FILE *fp, const struct render_place *r)
{
	json_t *doc = json_object(), *list = json_array();

	json_object_set_new(doc, "moestat", json_string(MOESTAT_SCHEMA));
	json_object_set_new(doc, "command", json_string(r->command));
	json_object_set_new(doc, "input", r->input ? input_json(r->input) : json_null());
	json_object_set_new(doc, "fit_input", r->fit_input ? input_json(r->fit_input) : json_null());
	json_object_set_new(doc, "counts", r->counts ? json_pack("{s:s,s:s,s:I,s:I}", "file", r->counts_file,
	                                                         "format", r->counts->format,
	                                                         "layers", (json_int_t)r->counts->nlayers,
	                                                         "experts", (json_int_t)r->counts->experts)
	                                             : json_null());
	json_object_set_new(doc, "ep", json_integer(r->devices));
	json_object_set_new(doc, "batch", r->counts ? json_null() : uint_json(r->batch));
	json_object_set_new(doc, "fitted_on", json_string(r->counts ? "counts" : r->fit_input ? "fit" : "input"));
	for (size_t i = 0; i < r->nplacements; i++) {
		const struct devload *d = &r->placements[i];
		json_t *o = json_object(), *layers = json_array(), *mean = json_object();

		json_object_set_new(o, "placement", json_string(place_name(d->kind)));
		json_object_set_new(o, "params", place_params_json(d));
		json_object_set_new(o, "fitted", json_boolean(d->kind == PLACE_BALANCED || d->kind == PLACE_EPLB));
		for (size_t l = 0; l < d->nlayers; l++)
			json_array_append_new(layers, place_layer_json(&d->layers[l], d->devices, !r->counts));
		json_object_set_new(o, "layers", layers);
		json_object_set_new(mean, "layers", json_integer((json_int_t)d->nlayers));
		place_figures_json(mean, &d->mean);
		json_object_set_new(o, "mean", mean);
		json_array_append_new(list, o);
	}
	json_object_set_new(doc, "placements", list);
	return dump(fp, doc);
}

int render_json_watch(FILE *fp, const struct watch_snapshot *s)
{
	json_t *doc = json_object(), *layers = json_array();
	time_t t = (time_t)s->time;
	struct tm tm;
	char when[32];

	strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&t, &tm));
	json_object_set_new(doc, "moestat", json_string(MOESTAT_SCHEMA));
	json_object_set_new(doc, "command", json_string("watch"));
	json_object_set_new(doc, "time", json_string(when));
	json_object_set_new(doc, "snapshot", uint_json(s->sequence));
	json_object_set_new(doc, "final", json_boolean(s->final));
	json_object_set_new(doc, "experts", s->experts ? json_integer(s->experts) : json_null());
	json_object_set_new(doc, "every", uint_json(s->every));
	json_object_set_new(doc, "window", uint_json(s->window));
	json_object_set_new(doc, "threshold", uint_json(s->threshold));
	for (size_t i = 0; i < s->nlayers; i++) {
		const struct watch_layer *l = &s->layers[i];
		json_t *o = json_object(), *counts = json_array(), *newly = json_array();

		for (unsigned e = 0; e < s->experts; e++)
			json_array_append_new(counts, uint_json(l->count[e]));
		for (size_t j = 0; j < l->nnewly; j++)
			json_array_append_new(newly, json_integer(l->newly_dead[j]));
		json_object_set_new(o, "layer", json_integer(l->layer));
		json_object_set_new(o, "tokens", uint_json(l->tokens));
		json_object_set_new(o, "selections", uint_json(l->selections));
		json_object_set_new(o, "counts", counts);
		json_object_set_new(o, "window_tokens", uint_json(l->window_tokens));
		json_object_set_new(o, "maxvio_window", real_or_null(l->maxvio_window));
		json_object_set_new(o, "dead", json_integer((json_int_t)l->dead));
		json_object_set_new(o, "newly_dead", newly);
		json_array_append_new(layers, o);
	}
	json_object_set_new(doc, "layers", layers);
	return dump(fp, doc);
}
