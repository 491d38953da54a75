/* cmd_summarize.c: `moestat summarize`: reader -> state (stats: all, per domain; chunks) -> summary -> text, JSON or CSV. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cmd.h"
#include "render.h"
#include "state.h"
#include "summary.h"

static const char usage[] =
	"usage: moestat summarize [OPTIONS] [FILE...]\n"
	"\n"
	"Expert usage and load balance per layer: tokens, selections, unused experts,\n"
	"the least-used experts, MaxVio, CV, normalized entropy, Gini and top-N coverage.\n"
	"Several files are read in order as one stream; none or '-' is standard input.\n"
	"\n"
	"      --bottom K          list the K least-used experts of each layer (default 5)\n"
	"      --experts-table     also print every expert's count, share, ratio and a bar\n"
	"      --by-domain         repeat the figures for each domain; each expert's share\n"
	"                          per domain and its specialisation\n"
	"      --batch B           each expert's load per chunk of B tokens: mean, standard\n"
	"                          deviation and CV (burstiness); implies --experts-table\n"
	"      --format FMT        text, json or csv (one row per layer and expert)\n"
	"      --heatmap           instead of the tables, a map of each expert's load in\n"
	"                          each layer in shades, wrapped to the terminal's width\n"
	"      --ascii             the heatmap in ASCII characters, not Unicode shades\n"
	CLI_STATE_USAGE
	CLI_COMMON_USAGE;

enum {
	OPT_BOTTOM = CLI_FIRST_COMMAND_OPTION, OPT_EXPERTS_TABLE, OPT_BY_DOMAIN, OPT_BATCH, OPT_FORMAT,
	OPT_HEATMAP, OPT_ASCII
};

static const struct option longopts[] = {
	{ "bottom", required_argument, NULL, OPT_BOTTOM },
	{ "experts-table", no_argument, NULL, OPT_EXPERTS_TABLE },
	{ "by-domain", no_argument, NULL, OPT_BY_DOMAIN },
	{ "batch", required_argument, NULL, OPT_BATCH },
	{ "format", required_argument, NULL, OPT_FORMAT },
	{ "heatmap", no_argument, NULL, OPT_HEATMAP },
	{ "ascii", no_argument, NULL, OPT_ASCII },
	CLI_STATE_LONGOPTS,
	{ NULL, 0, NULL, 0 },
};

/* How the text is drawn: tables, or the heatmap (not part of a state: merge
 * prints tables). */
struct look {
	bool heatmap, ascii;
};

/* The figures of one state, freed in one place. */
struct report {
	struct summary summary;
	struct summary by_domain_summary[MOE_MAX_DOMAINS];
	const char *domain_name[MOE_MAX_DOMAINS];
	size_t nsummaries;              /* by_domain_summary[0..nsummaries) are built */
	struct render_summary view;
};

static int parse_options(struct cli_common *c, struct state_options *opt, struct look *look,
                         int argc, char **argv)
{
	unsigned long long n;
	int opt_code;

	while ((opt_code = cli_getopt(c, argc, argv, longopts)) >= 0) {
		if (opt_code == OPT_BOTTOM) {
			if (cli_number(c, "bottom", optarg, 0, MOE_MAX_EXPERTS, &n) < 0)
				return -1;
			opt->bottom = n;
		}
		if (opt_code == OPT_BATCH) {
			if (cli_number(c, "batch", optarg, 1, UINT32_MAX, &n) < 0)
				return -1;
			opt->batch = n;
		}
		if (opt_code == OPT_EXPERTS_TABLE || opt_code == OPT_BATCH)
			opt->experts_table = true;
		if (opt_code == OPT_BY_DOMAIN)
			opt->by_domain = true;
		if (opt_code == OPT_FORMAT && cli_format(c, optarg) < 0)
			return -1;
		if (opt_code == OPT_HEATMAP)
			look->heatmap = true;
		if (opt_code == OPT_ASCII)
			look->ascii = true;
	}
	if (opt_code == CLI_OPTIONS_BAD)
		return -1;
	if (look->ascii && !look->heatmap) {
		cli_usage_error(c, "--ascii goes with --heatmap");
		return -1;
	}
	if (look->heatmap && (c->json || c->csv)) {
		cli_usage_error(c, "--heatmap is a picture for people, not with --json or --format csv");
		return -1;
	}
	return 0;
}

/* The summaries of all records and of each domain that has records. */
static int summarize(struct report *r, const struct state *s)
{
	const struct state_options *o = &s->opt;
	unsigned n = s->input.experts;

	if (summary_build(&r->summary, &s->all, n, o->bottom, o->batch ? &s->batch[0] : NULL) < 0)
		return -1;
	for (size_t i = 0; i < s->ndomains; i++) {
		if (stats_layers(&s->domain[i]) == 0)
			continue;
		if (summary_build(&r->by_domain_summary[r->nsummaries], &s->domain[i], n, o->bottom, NULL) < 0)
			return -1;
		r->domain_name[r->nsummaries++] = domains_name(s->domains, (int)i);
	}
	if (o->by_domain) {
		summary_specialise(&r->summary, r->by_domain_summary, r->nsummaries);
		r->view.by_domain = r->by_domain_summary;
		r->view.domain = r->domain_name;
		r->view.ndomains = r->nsummaries;
	}
	r->view.command = "summarize";
	r->view.experts_table = o->experts_table;
	r->view.input = &s->input;
	r->view.all = &r->summary;
	r->view.batch = o->batch;
	return 0;
}

static int render(FILE *fp, const struct cli_common *c, const struct render_summary *view)
{
	if (c->json)
		return render_json_summary(fp, view);
	return c->csv ? render_csv_summary(fp, view) : render_text_summary(fp, view);
}

static int report(const struct state *s, const struct cli_common *c, const struct look *look)
{
	struct report *r = calloc(1, sizeof *r);
	struct cli_output out;
	int status;

	if (!r)
		return cli_out_of_memory();
	r->view.heatmap = look->heatmap;
	r->view.ascii = look->ascii;
	r->view.columns = cli_columns();
	r->view.colour = look->heatmap && cli_colour(c->output);
	if (summarize(r, s) < 0)
		status = cli_out_of_memory();
	else if ((status = cli_output_open(&out, c->output)) == 0)
		status = cli_output_close(&out, render(out.fp, c, &r->view));
	for (size_t i = 0; i < r->nsummaries; i++)
		summary_free(&r->by_domain_summary[i]);
	summary_free(&r->summary);
	free(r);
	return status;
}

int cmd_summarize_report(const struct state *s, const struct cli_common *c)
{
	static const struct look tables;

	return report(s, c, &tables);
}

int cmd_summarize(int argc, char **argv)
{
	struct state_options opt = { .command = STATE_SUMMARIZE, .bottom = 5 };
	struct look look = { false, false };
	struct cli_common common;
	struct state s;
	int status;

	cli_common_init(&common, "summarize");
	common.takes_state = true;
	if (parse_options(&common, &opt, &look, argc, argv) < 0) {
		status = EX_USAGE;
	} else if (common.help) {
		fputs(usage, stdout);
		status = 0;
	} else {
		cli_state_options(&common, &opt);
		status = cli_read_state(&common, argc - optind, argv + optind, &opt, &s);
		if (status == 0) {
			int rc;

			status = cli_input_status(&s.input);
			rc = common.save_state ? cli_save_state(&s, common.save_state)
			                       : report(&s, &common, &look);
			status = rc ? rc : status;
			state_free(&s);
		}
	}
	cli_common_free(&common);
	return status;
}
