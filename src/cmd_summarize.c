/* cmd_summarize.c: `moestat summarize`: reader -> stats (all, per domain) -> summary -> text or JSON. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cmd.h"
#include "render.h"
#include "stats.h"
#include "summary.h"

static const char usage[] =
	"usage: moestat summarize [OPTIONS] [FILE...]\n"
	"\n"
	"Expert usage and load balance per layer: tokens, selections, unused experts,\n"
	"the least-used experts, MaxVio, CV, normalized entropy and Gini.\n"
	"Several files are read in order as one stream; none or '-' is standard input.\n"
	"\n"
	"      --bottom K          list the K least-used experts of each layer (default 5)\n"
	"      --experts-table     also print every expert's count, share, ratio and a bar\n"
	"      --by-domain         repeat the figures for each domain\n"
	CLI_COMMON_USAGE;

enum { OPT_BOTTOM = CLI_FIRST_COMMAND_OPTION, OPT_EXPERTS_TABLE, OPT_BY_DOMAIN };

static const struct option longopts[] = {
	{ "bottom", required_argument, NULL, OPT_BOTTOM },
	{ "experts-table", no_argument, NULL, OPT_EXPERTS_TABLE },
	{ "by-domain", no_argument, NULL, OPT_BY_DOMAIN },
	{ NULL, 0, NULL, 0 },
};

struct counts {
	struct stats all;
	bool by_domain;
	struct stats domain[MOE_MAX_DOMAINS];
	size_t ndomains;        /* domain[0..ndomains) are initialized */
};

static int count_record(void *ctx, const struct moe_record *rec)
{
	struct counts *c = ctx;

	if (stats_add(&c->all, rec) < 0)
		return -1;
	if (!c->by_domain || rec->domain < 0)
		return 0;
	while (c->ndomains <= (size_t)rec->domain)
		stats_init(&c->domain[c->ndomains++], 0, false);
	return stats_add(&c->domain[rec->domain], rec);
}

/* The summaries of the domains that have records, with their names. */
static int summarize_domains(struct counts *c, const struct moe_input *in, size_t bottom,
                             struct summary *out, const char **names, size_t *n)
{
	*n = 0;
	for (size_t i = 0; i < c->ndomains; i++) {
		if (stats_layers(&c->domain[i]) == 0)
			continue;
		if (stats_reserve(&c->domain[i], in->experts) < 0 ||
		    summary_build(&out[*n], &c->domain[i], in->experts, bottom) < 0)
			return -1;
		names[(*n)++] = domains_name(in->domains, (int)i);
	}
	return 0;
}

int cmd_summarize(int argc, char **argv)
{
	const struct option *opts = cli_longopts(longopts);
	struct counts *c = calloc(1, sizeof *c);
	struct summary all = { 0 }, *by_domain = NULL;
	const char **names = NULL;
	struct render_summary view = { .command = "summarize" };
	struct cli_common common;
	struct cli_output out;
	struct reader *reader = NULL;
	unsigned long long bottom = 5;
	int opt, rc, status;

	cli_common_init(&common, "summarize");
	if (!c)
		goto oom;
	while ((opt = getopt_long(argc, argv, CLI_COMMON_SHORTOPTS, opts, NULL)) != -1) {
		rc = cli_common_option(&common, opt, optarg, argv);
		if (rc < 0) {
			status = EX_USAGE;
			goto done;
		}
		if (rc > 0)
			continue;
		if (opt == OPT_BOTTOM) {
			if (cli_number(&common, "bottom", optarg, 0, MOE_MAX_EXPERTS, &bottom) < 0) {
				status = EX_USAGE;
				goto done;
			}
		} else if (opt == OPT_EXPERTS_TABLE) {
			view.experts_table = true;
		} else if (opt == OPT_BY_DOMAIN) {
			c->by_domain = true;
		}
	}
	if (common.help) {
		fputs(usage, stdout);
		status = 0;
		goto done;
	}
	stats_init(&c->all, 0, false);
	status = cli_read(&common, argc - optind, argv + optind, count_record, c, &reader);
	if (status)
		goto done;
	view.input = reader_input(reader);
	status = cli_input_status(view.input);
	if (stats_reserve(&c->all, view.input->experts) < 0 ||
	    summary_build(&all, &c->all, view.input->experts, bottom) < 0)
		goto oom;
	view.all = &all;
	if (c->by_domain) {
		by_domain = calloc(MOE_MAX_DOMAINS, sizeof *by_domain);
		names = calloc(MOE_MAX_DOMAINS, sizeof *names);
		if (!by_domain || !names ||
		    summarize_domains(c, view.input, bottom, by_domain, names, &view.ndomains) < 0)
			goto oom;
		view.by_domain = by_domain;
		view.domain = names;
	}
	rc = cli_output_open(&out, common.output);
	if (rc == 0)
		rc = cli_output_close(&out, common.json ? render_json_summary(out.fp, &view)
		                                        : render_text_summary(out.fp, &view));
	if (rc)
		status = rc;
	goto done;
oom:
	status = cli_out_of_memory();
done:
	for (size_t i = 0; by_domain && i < view.ndomains; i++)
		summary_free(&by_domain[i]);
	free(by_domain);
	free(names);
	summary_free(&all);
	if (c) {
		stats_free(&c->all);
		for (size_t i = 0; i < c->ndomains; i++)
			stats_free(&c->domain[i]);
		free(c);
	}
	reader_close(reader);
	cli_common_free(&common);
	return status;
}
