/* render_text.c: aligned tables for people; figures rounded to 4 decimals, "-" where undefined. */
#include <math.h>
#include <stdbool.h>
#include <string.h>

#include "render.h"

#define BAR_WIDTH 40

static void figure(FILE *fp, int width, double x)
{
	if (isfinite(x))
		fprintf(fp, " %*.4f", width, x);
	else
		fprintf(fp, " %*s", width, "-");
}

static void input_block_as(FILE *fp, const char *label, const struct moe_input *in)
{
	static const char *const from[] = {
		[EXPERTS_FROM_NONE] = "", [EXPERTS_FROM_OPTION] = " (--experts)",
		[EXPERTS_FROM_HEADER] = "", [EXPERTS_FROM_IDS] = " (largest id + 1)",
	};

	fprintf(fp, "%-8s", label);
	for (size_t i = 0; i < in->nfiles; i++)
		fprintf(fp, "%s%s", i ? " " : "", strcmp(in->files[i], "-") ? in->files[i] : "<stdin>");
	fprintf(fp, " (%s), %llu record%s", in->format ? in->format : "no data",
	        (unsigned long long)in->records, in->records == 1 ? "" : "s");
	if (in->skipped)
		fprintf(fp, ", %llu skipped", (unsigned long long)in->skipped);
	if (in->truncated)
		fprintf(fp, ", TRUNCATED");
	fprintf(fp, "\nmodel:  %s%s", in->header.model, in->header.model[0] ? ", " : "");
	if (in->experts)
		fprintf(fp, "%u experts%s", in->experts, from[in->experts_from]);
	else
		fprintf(fp, "experts unknown");
	if (in->topk)
		fprintf(fp, ", top-%u", in->topk);
	if (in->header.score[0])
		fprintf(fp, ", %s", in->header.score);
	fputc('\n', fp);
}

static void input_block(FILE *fp, const struct moe_input *in)
{
	input_block_as(fp, "input:", in);
}

static void summary_table(FILE *fp, const struct summary *s)
{
	const struct summary_overall *o = &s->overall;

	if (s->nlayers == 0) {
		fprintf(fp, "no records\n");
		return;
	}
	fprintf(fp, "%5s %10s %11s %5s %5s %6s %13s %8s %12s %8s  %s\n", "layer", "tokens",
	        "selections", "top-k", "N", "unused", "maxvio_global", "cv", "entropy_norm", "gini",
	        "least used (expert:count)");
	for (size_t i = 0; i < s->nlayers; i++) {
		const struct summary_layer *l = &s->layers[i];

		fprintf(fp, "%5u %10llu %11llu", l->layer, (unsigned long long)l->tokens,
		        (unsigned long long)l->selections);
		if (l->topk)
			fprintf(fp, " %5u", l->topk);
		else
			fprintf(fp, " %5s", "-");
		fprintf(fp, " %5u %6zu", s->experts, l->unused);
		figure(fp, 13, l->maxvio_global);
		figure(fp, 8, l->cv);
		figure(fp, 12, l->entropy_norm);
		figure(fp, 8, l->gini);
		fputc(' ', fp);
		for (size_t j = 0; j < l->nleast; j++)
			fprintf(fp, " %u:%llu", l->least[j].expert, (unsigned long long)l->least[j].count);
		fputc('\n', fp);
	}
	fprintf(fp, "%5s %10llu %11llu %5s %5s %6zu", "all", (unsigned long long)o->tokens,
	        (unsigned long long)o->selections, "", "", o->unused);
	figure(fp, 13, o->maxvio_global);
	figure(fp, 8, o->cv);
	figure(fp, 12, o->entropy_norm);
	figure(fp, 8, o->gini);
	fprintf(fp, "  (sums; figures are means over %zu layer%s)\n", s->nlayers,
	        s->nlayers == 1 ? "" : "s");
}

static void coverage_table(FILE *fp, const struct summary *s)
{
	const struct summary_layer *first = &s->layers[0];

	if (s->nlayers == 0)
		return;
	fprintf(fp, "\ntop-N coverage: the share of the selections taken by the N most-used experts\n");
	fprintf(fp, "%7s", "layer");
	for (size_t i = 0; i < first->ncoverage; i++)
		fprintf(fp, " %7zu", first->coverage[i].n);
	fputc('\n', fp);
	for (size_t l = 0; l < s->nlayers; l++) {
		fprintf(fp, "%7u", s->layers[l].layer);
		for (size_t i = 0; i < s->layers[l].ncoverage; i++)
			figure(fp, 7, s->layers[l].coverage[i].share);
		fputc('\n', fp);
	}
	fprintf(fp, "%7s", "uniform");
	for (size_t i = 0; i < first->ncoverage; i++)
		figure(fp, 7, first->coverage[i].uniform);
	fputc('\n', fp);
}

/* A domain's column is as wide as its name, and at least a figure. */
static int domain_width(const char *name)
{
	size_t n = strlen(name);

	return n > 8 ? (int)n : 8;
}

/* r is NULL for the tables of a domain, which have no extra columns. */
static void experts_table(FILE *fp, const struct summary *s, const struct render_summary *r)
{
	bool batch = r && r->batch, domains = r && r->by_domain;

	for (size_t i = 0; i < s->nlayers; i++) {
		const struct summary_layer *l = &s->layers[i];
		uint64_t max = 0;

		for (unsigned e = 0; e < s->experts; e++)
			if (l->experts[e].count > max)
				max = l->experts[e].count;
		fprintf(fp, "\nlayer %u: %llu tokens, %llu selections\n", l->layer,
		        (unsigned long long)l->tokens, (unsigned long long)l->selections);
		fprintf(fp, "%6s %10s %8s %8s", "expert", "count", "share", "ratio");
		if (batch)
			fprintf(fp, " %10s %9s %8s", "batch_mean", "batch_std", "batch_cv");
		for (size_t d = 0; domains && d < r->ndomains; d++)
			fprintf(fp, " %*s", domain_width(r->domain[d]), r->domain[d]);
		if (domains)
			fprintf(fp, " %8s", "special.");
		fputc('\n', fp);
		for (unsigned e = 0; e < s->experts; e++) {
			const struct summary_expert *x = &l->experts[e];
			/* The bar is scaled to the layer's busiest expert. */
			int bar = max ? (int)((x->count * BAR_WIDTH + max / 2) / max) : 0;

			fprintf(fp, "%6u %10llu", x->expert, (unsigned long long)x->count);
			figure(fp, 8, x->share);
			figure(fp, 8, x->ratio);
			if (batch) {
				figure(fp, 10, x->batch_mean);
				figure(fp, 9, x->batch_std);
				figure(fp, 8, x->batch_cv);
			}
			for (size_t d = 0; domains && d < r->ndomains; d++) {
				const struct summary_layer *dl = summary_find_layer(&r->by_domain[d], l->layer);
				figure(fp, domain_width(r->domain[d]), dl ? dl->experts[e].share : NAN);
			}
			if (domains)
				figure(fp, 8, x->specialisation);
			if (bar > 0)
				fprintf(fp, "  %.*s", bar, "########################################");
			fputc('\n', fp);
		}
	}
}

/* The shades of heat_shade, 0 to 4, darker as the load grows. */
static const char *const shade_unicode[] = { " ", "\u2591", "\u2592", "\u2593", "\u2588" };
static const char *const shade_ascii[] = { " ", ".", ":", "+", "#" };

#define HEATMAP_LABEL 6         /* "%5u " before a row */
#define HEATMAP_TICK 8          /* an expert id over every 8th column */

/* The xterm colour nearest to c in the 6 x 6 x 6 cube of the 256 colours. */
static int colour_index(struct heat_rgb c)
{
	return 16 + 36 * ((c.r * 5 + 127) / 255) + 6 * ((c.g * 5 + 127) / 255) + (c.b * 5 + 127) / 255;
}

/* Writes one shade in colour; last is the colour in force (-1: none), returned updated. */
static int shade_in_colour(FILE *fp, const char *shade, double heat, int last)
{
	int c = colour_index(heat_colour(heat));

	if (c != last)
		fprintf(fp, "\033[38;5;%dm", c);
	fputs(shade, fp);
	return c;
}

/* The ids of experts first .. first + n - 1 over their columns, at every multiple of HEATMAP_TICK. */
static void heatmap_ruler(FILE *fp, unsigned first, unsigned n)
{
	unsigned end = 0;

	fprintf(fp, "%*s", HEATMAP_LABEL, "");
	for (unsigned e = first; e < first + n; e++) {
		char id[12];
		int len;

		if (e % HEATMAP_TICK || e - first < end)
			continue;
		len = snprintf(id, sizeof id, "%u", e);
		if (e - first + (unsigned)len > n)
			break;
		fprintf(fp, "%*s%s", (int)(e - first - end), "", id);
		end = e - first + (unsigned)len;
	}
	fputc('\n', fp);
}

static void heatmap_rows(FILE *fp, const struct render_summary *r, unsigned first, unsigned n)
{
	const char *const *shade = r->ascii ? shade_ascii : shade_unicode;

	heatmap_ruler(fp, first, n);
	for (size_t i = 0; i < r->all->nlayers; i++) {
		const struct summary_layer *l = &r->all->layers[i];
		int last = -1;

		fprintf(fp, "%5u ", l->layer);
		for (unsigned e = first; e < first + n; e++) {
			const struct summary_expert *x = &l->experts[e];
			double h = heat_of(x->ratio);
			const char *s = shade[heat_shade(x->count, h)];

			if (r->colour)
				last = shade_in_colour(fp, s, h, last);
			else
				fputs(s, fp);
		}
		fputs(last >= 0 ? "\033[0m\n" : "\n", fp);
	}
}

/* The shades' meaning and, in colour, the colours from heat -1 to 1 in steps of 1/8. */
static void heatmap_scale(FILE *fp, const struct render_summary *r)
{
	static const char *const meaning[] = { "never chosen", "below 1/2", "1/2 to 2", "2 to 4", "4 or more" };
	const char *const *shade = r->ascii ? shade_ascii : shade_unicode;

	fprintf(fp, "\nscale:");
	for (int i = 0; i < 5; i++)
		fprintf(fp, "  %s%s%s %s", i ? "" : "'", shade[i], i ? "" : "'", meaning[i]);
	fputc('\n', fp);
	if (r->colour) {
		int last = -1;

		fprintf(fp, "colour: 1/4 or less ");
		for (int i = -8; i <= 8; i++)
			last = shade_in_colour(fp, shade[4], i / 8.0, last);
		fprintf(fp, "\033[0m 4 or more\n");
	}
}

/* Each layer a row, each expert a column, wrapped to r->columns (a multiple of 16 experts a line). */
static void heatmap(FILE *fp, const struct render_summary *r)
{
	unsigned n = r->all->experts;
	unsigned per = r->columns > HEATMAP_LABEL ? r->columns - HEATMAP_LABEL : 1;

	if (r->all->nlayers == 0) {
		fprintf(fp, "no records\n");
		return;
	}
	if (per >= 16)
		per -= per % 16;
	fprintf(fp, "load ratio (count / balanced load) of each expert, numbered above, in each layer\n");
	for (unsigned first = 0; first < n; first += per) {
		fputc('\n', fp);
		heatmap_rows(fp, r, first, n - first < per ? n - first : per);
	}
	heatmap_scale(fp, r);
}

int render_text_summary(FILE *fp, const struct render_summary *r)
{
	input_block(fp, r->input);
	fputc('\n', fp);
	if (r->heatmap) {
		heatmap(fp, r);
		return 0;
	}
	summary_table(fp, r->all);
	coverage_table(fp, r->all);
	if (r->experts_table) {
		if (r->batch)
			fprintf(fp, "\nbatch_*: each expert's load per chunk of %llu tokens (full chunks)\n",
			        (unsigned long long)r->batch);
		experts_table(fp, r->all, r);
	}
	for (size_t i = 0; r->by_domain && i < r->ndomains; i++) {
		fprintf(fp, "\ndomain %s\n", r->domain[i]);
		summary_table(fp, &r->by_domain[i]);
		coverage_table(fp, &r->by_domain[i]);
		if (r->experts_table)
			experts_table(fp, &r->by_domain[i], NULL);
	}
	return 0;
}

int render_text_dead(FILE *fp, const struct render_dead *r)
{
	const struct dead_report *d = r->dead;
	const char *what = d->criterion == DEAD_IDLE ? "idle at the end for" : "idle at some time for";
	uint64_t longest = 0;

	input_block(fp, r->input);
	fputc('\n', fp);
	for (size_t i = 0; i < d->nlayers; i++)
		if (d->layers[i].tokens > longest)
			longest = d->layers[i].tokens;
	if (d->total == 0) {
		fprintf(fp, "no expert %s %llu tokens or more in %zu layers (the longest has %llu tokens)\n",
		        what, (unsigned long long)d->threshold, d->nlayers, (unsigned long long)longest);
		return 0;
	}
	fprintf(fp, "%zu expert%s %s %llu tokens or more:\n\n", d->total, d->total == 1 ? "" : "s", what,
	        (unsigned long long)d->threshold);
	fprintf(fp, "%5s %10s %6s %10s %10s %10s %10s\n", "layer", "tokens", "expert", "count",
	        "last_used", "idle", "max_gap");
	for (size_t i = 0; i < d->nlayers; i++) {
		const struct dead_layer *l = &d->layers[i];

		for (size_t j = 0; j < l->n; j++) {
			const struct dead_expert *e = &l->experts[j];

			fprintf(fp, "%5u %10llu %6u %10llu", l->layer, (unsigned long long)l->tokens, e->expert,
			        (unsigned long long)e->count);
			if (e->last_used < 0)
				fprintf(fp, " %10s", "never");
			else
				fprintf(fp, " %10lld", (long long)e->last_used);
			fprintf(fp, " %10llu %10llu\n", (unsigned long long)e->idle,
			        (unsigned long long)e->max_gap);
		}
	}
	return 0;
}

/* Ends a table row: without the spaces the empty cells left at its end. */
static void end_row(FILE *fp, char *row, size_t len)
{
	while (len > 0 && row[len - 1] == ' ')
		len--;
	fprintf(fp, "%.*s\n", (int)len, row);
}

/* Appends the cell of layer l for size to row: the figure chosen by which,
 * then '*' when it comes from a partial chunk, or nothing when l has no such size. */
static size_t maxvio_cell(char *row, size_t len, size_t cap, const struct maxvio_layer *l,
                          uint64_t size, int which)
{
	for (size_t j = 0; j < l->nbatch; j++) {
		const struct batch_maxvio *b = &l->batch[j];
		double x = which == 0 ? b->mean : which == 1 ? b->p95 : b->max;

		if (b->size != size)
			continue;
		if (isfinite(x))
			return len + (size_t)snprintf(row + len, cap - len, " %9.4f%c", x, b->partial ? '*' : ' ');
		return len + (size_t)snprintf(row + len, cap - len, " %9s ", "-");
	}
	return len + (size_t)snprintf(row + len, cap - len, " %9s ", "");
}

int render_text_maxvio(FILE *fp, const struct render_maxvio *r)
{
	static const char *const title[] = {
		"MaxVio_batch: the mean MaxVio of the chunks of B tokens",
		"the 95th percentile of the chunks' MaxVio",
		"the largest MaxVio of a chunk",
	};
	const struct maxvio_report *m = r->maxvio;
	char row[64 + 12 * 64];

	input_block(fp, r->input);
	if (m->nlayers == 0) {
		fprintf(fp, "\nno records\n");
		return 0;
	}
	for (int which = 0; which < 3; which++) {
		size_t len;

		fprintf(fp, "\n%s, by B (* one partial chunk: the layer is shorter than B)\n",
		        title[which]);
		len = (size_t)snprintf(row, sizeof row, "%5s %13s", "layer", "maxvio_global");
		for (size_t s = 0; s < m->nsizes; s++)
			len += (size_t)snprintf(row + len, sizeof row - len, " %9llu ",
			                        (unsigned long long)m->sizes[s]);
		end_row(fp, row, len);
		for (size_t i = 0; i < m->nlayers; i++) {
			const struct maxvio_layer *l = &m->layers[i];

			len = (size_t)snprintf(row, sizeof row, "%5u %13.4f", l->layer, l->maxvio_global);
			for (size_t s = 0; s < m->nsizes; s++)
				len = maxvio_cell(row, len, sizeof row, l, m->sizes[s], which);
			end_row(fp, row, len);
		}
		if (which > 0)
			continue;
		len = (size_t)snprintf(row, sizeof row, "%5s %13.4f", "all", m->mean_global);
		for (size_t s = 0; s < m->nsizes; s++)
			len += (size_t)snprintf(row + len, sizeof row - len, " %9.4f ", m->mean_batch[s]);
		len += (size_t)snprintf(row + len, sizeof row - len, " (means over the layers)");
		end_row(fp, row, len);
	}
	return 0;
}

int render_text_pairs(FILE *fp, const struct render_pairs *r)
{
	const struct pairs_report *p = r->pairs;

	input_block(fp, r->input);
	if (p->nlayers == 0) {
		fprintf(fp, "\nno records\n");
		return 0;
	}
	fprintf(fp, "\nthe %zu most co-selected pairs of each layer (lift 1: as often as chance)\n",
	        p->top);
	fprintf(fp, "%5s %10s %6s %6s %10s %8s\n", "layer", "tokens", "a", "b", "count", "lift");
	for (size_t i = 0; i < p->nlayers; i++) {
		const struct pairs_report_layer *l = &p->layers[i];

		for (size_t j = 0; j < l->n; j++) {
			fprintf(fp, "%5u %10llu %6u %6u %10llu", l->layer, (unsigned long long)l->tokens,
			        l->top[j].a, l->top[j].b, (unsigned long long)l->top[j].count);
			figure(fp, 8, l->top[j].lift);
			fputc('\n', fp);
		}
	}
	return 0;
}

static void id_list(FILE *fp, const char *label, const uint32_t *ids, size_t n)
{
	fprintf(fp, "%s", label);
	for (size_t i = 0; i < n; i++)
		fprintf(fp, "%s%u", i ? "," : " ", ids[i]);
}

static void layer_list(FILE *fp, const char *side, const unsigned *ids, size_t n)
{
	if (n == 0)
		return;
	fprintf(fp, "layers only in %s:", side);
	for (size_t i = 0; i < n; i++)
		fprintf(fp, " %u", ids[i]);
	fputc('\n', fp);
}

int render_text_compare(FILE *fp, const struct render_compare *r)
{
	const struct compare_report *c = r->compare;
	const char *by = r->by_domain ? "domain" : "input";

	input_block(fp, r->input);
	if (r->input_b)
		input_block(fp, r->input_b);
	fprintf(fp, "\nA = %s %s, B = %s %s\n", by, r->side_a, by, r->side_b);
	if (c->nlayers == 0) {
		fprintf(fp, "no layer has records on both sides\n");
	} else {
		fprintf(fp, "%5s %8s %8s  %s\n", "layer", "jsd", "tvd",
		        "movers (expert: share in A -> in B); experts dead in one side only");
		for (size_t i = 0; i < c->nlayers; i++) {
			const struct compare_layer *l = &c->layers[i];

			fprintf(fp, "%5u", l->layer);
			figure(fp, 8, l->jsd);
			figure(fp, 8, l->tvd);
			fputc(' ', fp);
			for (size_t m = 0; m < l->nmovers; m++)
				fprintf(fp, " %u: %.4f->%.4f", l->movers[m].expert, l->movers[m].share_a,
				        l->movers[m].share_b);
			if (l->ndead_a)
				id_list(fp, "; dead only in A:", l->dead_only_in_a, l->ndead_a);
			if (l->ndead_b)
				id_list(fp, "; dead only in B:", l->dead_only_in_b, l->ndead_b);
			fputc('\n', fp);
		}
		fprintf(fp, "%5s", "all");
		figure(fp, 8, c->mean_jsd);
		figure(fp, 8, c->mean_tvd);
		fprintf(fp, "  (means over the %zu layer%s both sides have; experts dead in one side "
		        "only: %zu in A, %zu in B)\n", c->nlayers, c->nlayers == 1 ? "" : "s",
		        c->ndead_only_a, c->ndead_only_b);
	}
	layer_list(fp, "A", c->layers_only_in_a, c->nonly_a);
	layer_list(fp, "B", c->layers_only_in_b, c->nonly_b);
	return 0;
}

const char *render_replay_name(enum replay_strategy s)
{
	static const char *const names[] = {
		[REPLAY_NONE] = "none", [REPLAY_LOSSFREE] = "lossfree", [REPLAY_DYNAMIC] = "dynamic",
		[REPLAY_FIXED] = "fixed", [REPLAY_CAPACITY] = "capacity",
	};

	return names[s];
}

void render_replay_params(char *buf, size_t size, const struct replay_instance *in,
                          const struct replay_options *o)
{
	if (in->strategy == REPLAY_LOSSFREE)
		snprintf(buf, size, "rate=%g", in->rate);
	else if (in->strategy == REPLAY_DYNAMIC)
		snprintf(buf, size, "rate=%g decay=%g", in->rate, o->decay);
	else if (in->strategy == REPLAY_CAPACITY)
		snprintf(buf, size, "f=%g %s%s", replay_factor(in), o->probs ? "probs" : "position",
		         o->reroute ? " reroute" : "");
	else
		buf[0] = '\0';
}

int render_text_replay(FILE *fp, const struct render_replay *r)
{
	const struct replay_options *o = r->options;
	char params[64];

	input_block(fp, r->input);
	if (r->nresults == 0 || r->results[0].nlayers == 0) {
		fprintf(fp, "\nno records\n");
		return 0;
	}
	fprintf(fp, "\nreplayed with %s scores, chunks of %llu tokens", r->score == ROUTE_SIGMOID ?
	        "sigmoid" : "softmax", (unsigned long long)o->batch);
	if (o->groups.groups)
		fprintf(fp, ", the %u best of %u expert groups", o->groups.topk, o->groups.groups);
	fprintf(fp, "; means over %zu layer%s (dead: experts idle for %llu tokens at the end)\n",
	        r->results[0].nlayers, r->results[0].nlayers == 1 ? "" : "s",
	        (unsigned long long)o->threshold);
	fprintf(fp, "%-9s %-22s %13s %12s %8s %8s %8s %8s\n", "strategy", "params", "maxvio_global",
	        "maxvio_batch", "changed", "retained", "dropped", "dead");
	for (size_t i = 0; i < r->nresults; i++) {
		const struct replay_result *res = &r->results[i];

		render_replay_params(params, sizeof params, &res->instance, o);
		fprintf(fp, "%-9s %-22s", render_replay_name(res->instance.strategy), params);
		figure(fp, 13, res->mean.maxvio_global);
		figure(fp, 12, res->mean.maxvio_batch);
		figure(fp, 8, res->mean.changed);
		figure(fp, 8, res->mean.retained);
		figure(fp, 8, res->mean.dropped);
		fprintf(fp, " %8.2f\n", res->mean.dead);
		if (res->instance.strategy == REPLAY_NONE)
			fprintf(fp, "%-9s %-22s agreement with the log's own selections: %.4f\n", "", "",
			        res->mean.agreement);
	}
	/* Per layer, the balance each row reaches. */
	fprintf(fp, "\nmaxvio_batch per layer, one column per row above\n%5s", "layer");
	for (size_t i = 0; i < r->nresults; i++)
		fprintf(fp, " %9zu", i + 1);
	fputc('\n', fp);
	for (size_t l = 0; l < r->results[0].nlayers; l++) {
		fprintf(fp, "%5u", r->results[0].layers[l].layer);
		for (size_t i = 0; i < r->nresults; i++)
			figure(fp, 9, r->results[i].layers[l].f.maxvio_batch);
		fputc('\n', fp);
	}
	return 0;
}

/* eplb's "redundant=R nodes=M groups=G hierarchical"; nothing for the others. */
static void place_params(char *buf, size_t size, const struct devload *d)
{
	if (d->kind == PLACE_EPLB)
		snprintf(buf, size, "redundant=%u nodes=%u groups=%u %s", d->eplb.redundant, d->eplb.nodes,
		         d->eplb.groups, place_eplb_hierarchical(&d->eplb) ? "hierarchical" : "global");
	else
		buf[0] = '\0';
}

static void place_figures(FILE *fp, const struct devload_figures *f)
{
	figure(fp, 9, f->imbalance);
	figure(fp, 12, f->balancedness);
	figure(fp, 16, f->imbalance_global);
	figure(fp, 19, f->balancedness_global);
}

static void place_layers(FILE *fp, const struct devload *d)
{
	fprintf(fp, "\n%s, per layer\n%5s %10s %7s %9s %12s %16s %19s  %s\n", place_name(d->kind), "layer",
	        "tokens", "chunks", "imbalance", "balancedness", "imbalance_global", "balancedness_global",
	        "straggler (device: busiest in chunks)");
	for (size_t i = 0; i < d->nlayers; i++) {
		const struct devload_layer *l = &d->layers[i];

		fprintf(fp, "%5u", l->layer);
		if (l->chunks) {
			fprintf(fp, " %10llu %6llu%c", (unsigned long long)l->tokens,
			        (unsigned long long)l->chunks, l->partial ? '*' : ' ');
		} else {
			fprintf(fp, " %10s %6s ", "-", "-");
		}
		place_figures(fp, &l->f);
		if (l->chunks)
			fprintf(fp, "  %u: %llu of %llu", l->straggler,
			        (unsigned long long)l->busiest[l->straggler], (unsigned long long)l->chunks);
		fputc('\n', fp);
	}
}

int render_text_place(FILE *fp, const struct render_place *r)
{
	bool fitted = false;
	char params[64];

	if (r->input)
		input_block(fp, r->input);
	if (r->fit_input)
		input_block_as(fp, "fit:", r->fit_input);
	if (r->counts)
		fprintf(fp, "counts: %s (%s), %zu layer%s, %u experts\n", r->counts_file, r->counts->format,
		        r->counts->nlayers, r->counts->nlayers == 1 ? "" : "s", r->counts->experts);
	for (size_t i = 0; i < r->nplacements; i++)
		fitted |= r->placements[i].kind == PLACE_BALANCED || r->placements[i].kind == PLACE_EPLB;
	fprintf(fp, "\nexpert parallelism over %u device%s; ", r->devices, r->devices == 1 ? "" : "s");
	if (r->counts)
		fprintf(fp, "counts alone have no chunks: only the _global figures\n");
	else
		fprintf(fp, "chunks of %llu tokens (* one partial chunk: the layer is shorter)\n",
		        (unsigned long long)r->batch);
	if (fitted && r->counts)
		fprintf(fp, "balanced and eplb are fitted on the same counts they are judged on\n");
	else if (fitted && r->fit_input)
		fprintf(fp, "balanced and eplb are fitted on the counts of the fit log, judged on the input\n");
	else if (fitted)
		fprintf(fp, "balanced and eplb are fitted on the counts of this same input (--fit LOG fits them "
		        "on another)\n");
	if (r->nplacements == 0 || r->placements[0].nlayers == 0) {
		fprintf(fp, "\nno records\n");
		return 0;
	}
	fprintf(fp, "\nmeans over %zu layer%s\n%-11s %9s %12s %16s %19s  %s\n", r->placements[0].nlayers,
	        r->placements[0].nlayers == 1 ? "" : "s", "placement", "imbalance", "balancedness",
	        "imbalance_global", "balancedness_global", "params");
	for (size_t i = 0; i < r->nplacements; i++) {
		fprintf(fp, "%-11s", place_name(r->placements[i].kind));
		place_figures(fp, &r->placements[i].mean);
		place_params(params, sizeof params, &r->placements[i]);
		fprintf(fp, "%s%s\n", params[0] ? "  " : "", params);
	}
	for (size_t i = 0; i < r->nplacements; i++)
		place_layers(fp, &r->placements[i]);
	return 0;
}
