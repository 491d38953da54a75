/* render_text.c: aligned tables for people; figures rounded to 4 decimals, "-" where undefined. */
#include <math.h>
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

static void input_block(FILE *fp, const struct moe_input *in)
{
	static const char *const from[] = {
		[EXPERTS_FROM_NONE] = "", [EXPERTS_FROM_OPTION] = " (--experts)",
		[EXPERTS_FROM_HEADER] = "", [EXPERTS_FROM_IDS] = " (largest id + 1)",
	};

	fprintf(fp, "input:  ");
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

static void experts_table(FILE *fp, const struct summary *s)
{
	for (size_t i = 0; i < s->nlayers; i++) {
		const struct summary_layer *l = &s->layers[i];
		uint64_t max = 0;

		for (unsigned e = 0; e < s->experts; e++)
			if (l->experts[e].count > max)
				max = l->experts[e].count;
		fprintf(fp, "\nlayer %u: %llu tokens, %llu selections\n", l->layer,
		        (unsigned long long)l->tokens, (unsigned long long)l->selections);
		fprintf(fp, "%6s %10s %8s %8s\n", "expert", "count", "share", "ratio");
		for (unsigned e = 0; e < s->experts; e++) {
			const struct summary_expert *x = &l->experts[e];
			/* The bar is scaled to the layer's busiest expert. */
			int bar = max ? (int)((x->count * BAR_WIDTH + max / 2) / max) : 0;

			fprintf(fp, "%6u %10llu", x->expert, (unsigned long long)x->count);
			figure(fp, 8, x->share);
			figure(fp, 8, x->ratio);
			if (bar > 0)
				fprintf(fp, "  %.*s", bar, "########################################");
			fputc('\n', fp);
		}
	}
}

int render_text_summary(FILE *fp, const struct render_summary *r)
{
	input_block(fp, r->input);
	fputc('\n', fp);
	summary_table(fp, r->all);
	if (r->experts_table)
		experts_table(fp, r->all);
	for (size_t i = 0; r->by_domain && i < r->ndomains; i++) {
		fprintf(fp, "\ndomain %s\n", r->domain[i]);
		summary_table(fp, &r->by_domain[i]);
		if (r->experts_table)
			experts_table(fp, &r->by_domain[i]);
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
