/* cmd_place.c: `moestat place`: counts (a log's, or --counts) -> a plan per placement -> device loads per chunk of the log -> text or JSON. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "batch.h"
#include "cli.h"
#include "cmd.h"
#include "counts.h"
#include "devload.h"
#include "place.h"
#include "render.h"
#include "stats.h"

static const char usage[] =
	"usage: moestat place --ep P [OPTIONS] [FILE...]\n"
	"       moestat place --ep P --counts FILE [OPTIONS]\n"
	"\n"
	"The load of each device under expert parallelism over P devices, for several\n"
	"placements of the experts side by side: the imbalance (busiest device's load\n"
	"over the mean device's) per chunk of B tokens and over the whole log, the\n"
	"straggler, and each placement's plan. The files are read twice: once to count\n"
	"the experts' loads and fit the plans, once chunk by chunk.\n"
	"\n"
	"      --ep P              the expert-parallel size: P devices\n"
	"      --placement LIST    contiguous, round-robin, balanced, eplb (default all)\n"
	"      --batch B           tokens a chunk (default 4096)\n"
	"      --redundant R       eplb: R redundant replicas, N + R physical experts (default 0)\n"
	"      --nodes M           eplb: the devices are on M nodes (default 1)\n"
	"      --groups G          eplb: the experts form G groups (default 1)\n"
	"      --fit FILE          fit balanced and eplb on the log FILE instead of the input\n"
	"      --eval FILE         the log to evaluate, as a FILE argument\n"
	"      --counts FILE       a layer x expert load matrix (JSON or CSV) instead of a log\n"
	CLI_COMMON_USAGE;

enum {
	OPT_EP = CLI_FIRST_COMMAND_OPTION, OPT_PLACEMENT, OPT_BATCH, OPT_REDUNDANT, OPT_NODES, OPT_GROUPS,
	OPT_FIT, OPT_EVAL, OPT_COUNTS,
};

static const struct option longopts[] = {
	{ "ep", required_argument, NULL, OPT_EP },
	{ "placement", required_argument, NULL, OPT_PLACEMENT },
	{ "batch", required_argument, NULL, OPT_BATCH },
	{ "redundant", required_argument, NULL, OPT_REDUNDANT },
	{ "nodes", required_argument, NULL, OPT_NODES },
	{ "groups", required_argument, NULL, OPT_GROUPS },
	{ "fit", required_argument, NULL, OPT_FIT },
	{ "eval", required_argument, NULL, OPT_EVAL },
	{ "counts", required_argument, NULL, OPT_COUNTS },
	{ NULL, 0, NULL, 0 },
};

struct job {
	struct cli_common common;
	unsigned long long ep, batch;
	struct place_eplb eplb;
	bool eplb_options;              /* --redundant, --nodes or --groups given */
	enum place_kind order[PLACE_KINDS];
	size_t nplacements;
	const char *fit_file, *eval_file, *counts_file;
	struct reader *fit_reader, *reader;
	struct stats fit_stats, eval_stats;
	struct counts fit, eval;
	struct batch chunks;
	struct devload dl[PLACE_KINDS];
	size_t ndl;                     /* initialised */
	struct devload_set set;         /* dl[0 .. ndl), told of the chunks */
	struct moe_input input;         /* the evaluated input as shown */
};

/* "a,b" of placement names into order[], each once. */
static int parse_placements(struct job *j, const char *arg)
{
	const char *names[PLACE_KINDS];
	int order[PLACE_KINDS];

	for (int k = 0; k < PLACE_KINDS; k++)
		names[k] = place_name((enum place_kind)k);
	if (cli_names(&j->common, "placement", arg, names, PLACE_KINDS, order, &j->nplacements) < 0)
		return -1;
	for (size_t i = 0; i < j->nplacements; i++)
		j->order[i] = (enum place_kind)order[i];
	return 0;
}

static int parse_option(struct job *j, int opt, const char *arg)
{
	unsigned long long n;

	switch (opt) {
	case OPT_EP:
		return cli_number(&j->common, "ep", arg, 1, MOE_MAX_EXPERTS, &j->ep);
	case OPT_PLACEMENT:
		return parse_placements(j, arg);
	case OPT_BATCH:
		return cli_number(&j->common, "batch", arg, 1, UINT32_MAX, &j->batch);
	case OPT_REDUNDANT:
	case OPT_NODES:
	case OPT_GROUPS:
		j->eplb_options = true;
		if (cli_number(&j->common, opt == OPT_REDUNDANT ? "redundant" : opt == OPT_NODES ? "nodes" : "groups",
		               arg, opt == OPT_REDUNDANT ? 0 : 1, MOE_MAX_EXPERTS, &n) < 0)
			return -1;
		*(opt == OPT_REDUNDANT ? &j->eplb.redundant : opt == OPT_NODES ? &j->eplb.nodes
		                                                                : &j->eplb.groups) = (unsigned)n;
		return 0;
	case OPT_FIT:
		j->fit_file = arg;
		return 0;
	case OPT_EVAL:
		j->eval_file = arg;
		return 0;
	case OPT_COUNTS:
		j->counts_file = arg;
		return 0;
	}
	return 0;
}

static bool asked(const struct job *j, enum place_kind kind)
{
	for (size_t i = 0; i < j->nplacements; i++)
		if (j->order[i] == kind)
			return true;
	return false;
}

static int parse_options(struct job *j, int argc, char **argv)
{
	const char *why = NULL;
	int opt;

	while ((opt = cli_getopt(&j->common, argc, argv, longopts)) >= 0)
		if (parse_option(j, opt, optarg) < 0)
			return -1;
	if (opt == CLI_OPTIONS_BAD)
		return -1;
	if (j->common.help)
		return 0;
	if (!j->ep)
		why = "--ep P, the number of devices, is needed";
	else if (j->eplb_options && !asked(j, PLACE_EPLB))
		why = "--redundant, --nodes and --groups are eplb's, which --placement leaves out";
	else if (j->counts_file && (j->fit_file || j->eval_file || optind < argc))
		why = "--counts FILE replaces the logs: no --fit, --eval or FILE with it";
	else if (j->eval_file && optind < argc)
		why = "--eval FILE or FILE arguments, not both";
	if (why) {
		cli_usage_error(&j->common, "%s", why);
		return -1;
	}
	return 0;
}

/* Every placement asked for can place the n experts; a usage error otherwise. */
static int check_placements(struct job *j, unsigned n)
{
	for (size_t i = 0; i < j->nplacements; i++) {
		const char *why = place_check(j->order[i], n, (unsigned)j->ep, &j->eplb);

		if (why) {
			cli_usage_error(&j->common, "%s cannot place %u experts on --ep %llu devices: %s",
			                place_name(j->order[i]), n, j->ep, why);
			return -1;
		}
	}
	return 0;
}

/* A plan per placement and layer of fit, evaluated on eval (and chunks, with a log). */
static int plan_all(struct job *j, const struct counts *eval, const struct batch *chunks)
{
	for (size_t i = 0; i < j->nplacements; i++)
		if (devload_init(&j->dl[j->ndl++], j->order[i], (unsigned)j->ep, &j->eplb, &j->fit) < 0)
			return -1;
	if (eval)
		for (size_t i = 0; i < j->ndl; i++)
			devload_finish(&j->dl[i], eval, chunks);
	return 0;
}

static int fit_record(void *ctx, const struct moe_record *rec)
{
	return stats_add(ctx, rec);
}

static int eval_record(void *ctx, const struct moe_record *rec)
{
	struct job *j = ctx;

	if (j->fit_file && stats_add(&j->eval_stats, rec) < 0)
		return -1;
	return batch_add(&j->chunks, rec);
}

/* Says which layers of the input the --fit log does not have: they are left out. */
static void warn_unfitted(const struct job *j)
{
	size_t missing = 0;
	unsigned first = 0;

	for (size_t i = 0; i < j->eval.nlayers; i++)
		if (!counts_row(&j->fit, j->eval.layer[i]) && missing++ == 0)
			first = j->eval.layer[i];
	if (missing)
		cli_warn("%zu layer%s of the input (the first: %u) %s not in %s, which fits the plans: "
		         "left out", missing, missing == 1 ? "" : "s", first, missing == 1 ? "is" : "are",
		         j->fit_file);
}

static int render(struct job *j, struct render_place *view)
{
	struct cli_output out;
	int rc;

	view->command = "place";
	view->devices = (unsigned)j->ep;
	view->nplacements = j->ndl;
	view->placements = j->dl;
	rc = cli_output_open(&out, j->common.output);
	if (rc == 0)
		rc = cli_output_close(&out, j->common.json ? render_json_place(out.fp, view)
		                                           : render_text_place(out.fp, view));
	return rc;
}

static int run_counts(struct job *j)
{
	struct render_place view = { .counts = &j->fit, .counts_file = j->counts_file };
	struct moe_error err = { 0 };

	if (counts_read(&j->fit, j->counts_file, j->common.read.layers, &err) < 0)
		return cli_error(&err);
	if (check_placements(j, j->fit.experts) < 0)
		return EX_USAGE;
	if (plan_all(j, &j->fit, NULL) < 0)
		return cli_out_of_memory();
	return render(j, &view);
}

static int run_logs(struct job *j, int nfiles, char **files)
{
	struct render_place view = { 0 };
	const struct moe_input *fit_in;
	int status, fit_status, rc;
	bool told;
	unsigned n;

	/* The plans need the whole log's counts before its chunks: unless --fit, the log is read twice. */
	if (!j->fit_file && cli_rereadable(&j->common, nfiles ? nfiles : 1, nfiles ? files : (char *[]){ "-" },
	                                   "once to fit the plans, once chunk by chunk", "--fit FILE") < 0)
		return EX_USAGE;
	/* Pass 1: the counts the plans are fitted on. */
	status = cli_read(&j->common, j->fit_file ? 1 : nfiles, j->fit_file ? (char **)&j->fit_file : files,
	                  fit_record, &j->fit_stats, &j->fit_reader);
	if (status)
		return status;
	fit_in = reader_input(j->fit_reader);
	fit_status = cli_input_status(fit_in);
	n = fit_in->experts;
	if (stats_reserve(&j->fit_stats, n) < 0 || counts_from_stats(&j->fit, &j->fit_stats, n) < 0)
		return cli_out_of_memory();
	if (j->fit.nlayers && check_placements(j, n) < 0)
		return EX_USAGE;
	if (plan_all(j, NULL, NULL) < 0)
		return cli_out_of_memory();
	/* Pass 2: the chunks, with the fitted N. */
	told = j->common.read.experts != 0;
	if (!told && n)
		j->common.read.experts = n;
	batch_init(&j->chunks, j->batch, n, false);
	j->set = (struct devload_set){ j->dl, j->ndl };
	batch_on_chunk(&j->chunks, devload_set_chunk, &j->set);
	stats_init(&j->eval_stats, n, false);
	status = cli_read(&j->common, nfiles, files, eval_record, j, &j->reader);
	if (status)
		return status;
	j->input = *reader_input(j->reader);
	j->input.experts_from = fit_in->experts_from;
	if (j->fit_file && !told && j->input.header.experts && j->input.header.experts != n) {
		fprintf(stderr, "moestat: place: %s has %u experts, the input %u: not the same model\n",
		        j->fit_file, n, j->input.header.experts);
		return EX_DATAERR;
	}
	if (j->fit_file) {
		if ((status = cli_input_status(&j->input)) != 0)
			fit_status = status;
		if (counts_from_stats(&j->eval, &j->eval_stats, n) < 0)
			return cli_out_of_memory();
		warn_unfitted(j);
	}
	for (size_t i = 0; i < j->ndl; i++)
		devload_finish(&j->dl[i], j->fit_file ? &j->eval : &j->fit, &j->chunks);
	view.input = &j->input;
	view.fit_input = j->fit_file ? fit_in : NULL;
	view.batch = j->batch;
	rc = render(j, &view);
	return rc ? rc : fit_status;
}

int cmd_place(int argc, char **argv)
{
	struct job *j = calloc(1, sizeof *j);
	int status;

	if (!j)
		return cli_out_of_memory();
	cli_common_init(&j->common, "place");
	j->batch = 4096;
	j->eplb = (struct place_eplb){ .redundant = 0, .nodes = 1, .groups = 1 };
	for (int k = 0; k < PLACE_KINDS; k++)
		j->order[j->nplacements++] = (enum place_kind)k;
	stats_init(&j->fit_stats, 0, false);
	if (parse_options(j, argc, argv) < 0) {
		status = EX_USAGE;
	} else if (j->common.help) {
		fputs(usage, stdout);
		status = 0;
	} else {
		char *eval[] = { (char *)j->eval_file };

		status = j->counts_file ? run_counts(j)
		         : j->eval_file ? run_logs(j, 1, eval) : run_logs(j, argc - optind, argv + optind);
	}
	for (size_t i = 0; i < j->ndl; i++)
		devload_free(&j->dl[i]);
	batch_free(&j->chunks);
	stats_free(&j->fit_stats);
	stats_free(&j->eval_stats);
	counts_free(&j->fit);
	counts_free(&j->eval);
	reader_close(j->fit_reader);
	reader_close(j->reader);
	cli_common_free(&j->common);
	free(j);
	return status;
}
