/* cmd_summarize.c: `moestat summarize`: reader -> stats (all, per domain), chunks -> summary -> text or JSON. */
#include <stdlib.h>
#include <string.h>

#include "batch.h"
#include "cli.h"
#include "cmd.h"
#include "render.h"
#include "stats.h"
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
	"      --heatmap           instead of the tables, a map of each expert's load in\n"
	"                          each layer in shades, wrapped to the terminal's width\n"
	"      --ascii             the heatmap in ASCII characters, not Unicode shades\n"
	CLI_COMMON_USAGE;

enum { OPT_BOTTOM = CLI_FIRST_COMMAND_OPTION, OPT_EXPERTS_TABLE, OPT_BY_DOMAIN, OPT_BATCH, OPT_HEATMAP, OPT_ASCII };

static const struct option longopts[] = {
	{ "bottom", required_argument, NULL, OPT_BOTTOM },
	{ "experts-table", no_argument, NULL, OPT_EXPERTS_TABLE },
	{ "by-domain", no_argument, NULL, OPT_BY_DOMAIN },
	{ "batch", required_argument, NULL, OPT_BATCH },
	{ "heatmap", no_argument, NULL, OPT_HEATMAP },
	{ "ascii", no_argument, NULL, OPT_ASCII },
	{ NULL, 0, NULL, 0 },
};

/* Everything one run holds, freed in one place. */
struct job {
	struct cli_common common;
	unsigned long long bottom;
	bool by_domain;
	unsigned long long batch;       /* 0: no --batch */
	struct reader *reader;
	struct stats all;
	struct batch chunks;
	struct stats domain[MOE_MAX_DOMAINS];
	size_t ndomains;                /* domain[0..ndomains) are initialized */
	struct summary summary;
	struct summary by_domain_summary[MOE_MAX_DOMAINS];
	const char *domain_name[MOE_MAX_DOMAINS];
	size_t nsummaries;              /* by_domain_summary[0..nsummaries) are built */
	struct render_summary view;
};

static int parse_options(struct job *j, int argc, char **argv)
{
	int opt;

	while ((opt = cli_getopt(&j->common, argc, argv, longopts)) >= 0) {
		if (opt == OPT_BOTTOM && cli_number(&j->common, "bottom", optarg, 0, MOE_MAX_EXPERTS,
		                                    &j->bottom) < 0)
			return -1;
		if (opt == OPT_BATCH && cli_number(&j->common, "batch", optarg, 1, UINT32_MAX,
		                                   &j->batch) < 0)
			return -1;
		if (opt == OPT_EXPERTS_TABLE || opt == OPT_BATCH)
			j->view.experts_table = true;
		if (opt == OPT_BY_DOMAIN)
			j->by_domain = true;
		if (opt == OPT_HEATMAP)
			j->view.heatmap = true;
		if (opt == OPT_ASCII)
			j->view.ascii = true;
	}
	if (opt == CLI_OPTIONS_BAD)
		return -1;
	if (j->view.ascii && !j->view.heatmap) {
		cli_usage_error(&j->common, "--ascii goes with --heatmap");
		return -1;
	}
	if (j->view.heatmap && j->common.json) {
		cli_usage_error(&j->common, "--heatmap is a picture for people, not with --json");
		return -1;
	}
	j->view.columns = cli_columns();
	j->view.colour = j->view.heatmap && cli_colour(j->common.output);
	return 0;
}

static int count_record(void *ctx, const struct moe_record *rec)
{
	struct job *j = ctx;

	if (stats_add(&j->all, rec) < 0 || (j->batch && batch_add(&j->chunks, rec) < 0))
		return -1;
	if (!j->by_domain || rec->domain < 0)
		return 0;
	while (j->ndomains <= (size_t)rec->domain)
		stats_init(&j->domain[j->ndomains++], 0, false);
	return stats_add(&j->domain[rec->domain], rec);
}

/* The summaries of all records and of each domain that has records. */
static int summarize(struct job *j)
{
	const struct moe_input *in = reader_input(j->reader);

	if (stats_reserve(&j->all, in->experts) < 0 ||
	    (j->batch && batch_reserve(&j->chunks, in->experts) < 0) ||
	    summary_build(&j->summary, &j->all, in->experts, j->bottom, j->batch ? &j->chunks : NULL) < 0)
		return -1;
	for (size_t i = 0; i < j->ndomains; i++) {
		if (stats_layers(&j->domain[i]) == 0)
			continue;
		if (stats_reserve(&j->domain[i], in->experts) < 0 ||
		    summary_build(&j->by_domain_summary[j->nsummaries], &j->domain[i], in->experts,
		                  j->bottom, NULL) < 0)
			return -1;
		j->domain_name[j->nsummaries++] = domains_name(in->domains, (int)i);
	}
	if (j->by_domain) {
		summary_specialise(&j->summary, j->by_domain_summary, j->nsummaries);
		j->view.by_domain = j->by_domain_summary;
		j->view.domain = j->domain_name;
		j->view.ndomains = j->nsummaries;
	}
	j->view.input = in;
	j->view.all = &j->summary;
	j->view.batch = j->batch;
	return 0;
}

static void job_free(struct job *j)
{
	for (size_t i = 0; i < j->nsummaries; i++)
		summary_free(&j->by_domain_summary[i]);
	summary_free(&j->summary);
	for (size_t i = 0; i < j->ndomains; i++)
		stats_free(&j->domain[i]);
	batch_free(&j->chunks);
	stats_free(&j->all);
	reader_close(j->reader);
	cli_common_free(&j->common);
	free(j);
}

int cmd_summarize(int argc, char **argv)
{
	struct job *j = calloc(1, sizeof *j);
	struct cli_output out;
	int status, rc;

	if (!j)
		return cli_out_of_memory();
	cli_common_init(&j->common, "summarize");
	j->bottom = 5;
	j->view.command = "summarize";
	if (parse_options(j, argc, argv) < 0) {
		status = EX_USAGE;
	} else if (j->common.help) {
		fputs(usage, stdout);
		status = 0;
	} else {
		stats_init(&j->all, 0, false);
		batch_init(&j->chunks, j->batch, 0, true);
		status = cli_read(&j->common, argc - optind, argv + optind, count_record, j, &j->reader);
		if (status == 0) {
			status = cli_input_status(reader_input(j->reader));
			if (summarize(j) < 0) {
				status = cli_out_of_memory();
			} else if ((rc = cli_output_open(&out, j->common.output)) != 0 ||
			           (rc = cli_output_close(&out, j->common.json
			                                  ? render_json_summary(out.fp, &j->view)
			                                  : render_text_summary(out.fp, &j->view))) != 0) {
				status = rc;
			}
		}
	}
	job_free(j);
	return status;
}
