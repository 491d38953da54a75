/* cmd_report.c: `moestat report`: reader -> stats, chunks, sides, replay (and plans, read again) -> summary, dead, maxvio, compare, devload -> one HTML page. */
#include <stdlib.h>
#include <string.h>

#include "batch.h"
#include "cli.h"
#include "cmd.h"
#include "compare.h"
#include "counts.h"
#include "dead.h"
#include "devload.h"
#include "maxvio.h"
#include "render.h"
#include "replay.h"
#include "stats.h"
#include "summary.h"

static const char usage[] =
	"usage: moestat report [OPTIONS] [FILE...] -o report.html\n"
	"\n"
	"One self-contained HTML page (inline SVG and CSS, nothing fetched) of the log:\n"
	"each expert's load in each layer as a heatmap, dead experts marked, MaxVio per\n"
	"layer; the domains (--by-domain) or two inputs side by side with their JSD per\n"
	"layer; with router logits, the replay trade-off of balance against routing\n"
	"quality; with --ep, the device loads of each placement.\n"
	"\n"
	"      --batch B           tokens a chunk, for MaxVio_batch, the replay and --ep\n"
	"                          (default 512)\n"
	"      --threshold T       dead: experts idle for T tokens at the end (default 10000)\n"
	"      --by-domain         the domains' heatmaps side by side, and their JSD\n"
	"      --ep P              the devices' loads under expert parallelism over P devices;\n"
	"                          the files are read twice\n"
	"      --redundant R       eplb: R redundant replicas (default 0)\n"
	CLI_COMMON_USAGE;

enum { OPT_BATCH = CLI_FIRST_COMMAND_OPTION, OPT_THRESHOLD, OPT_BY_DOMAIN, OPT_EP, OPT_REDUNDANT };

static const struct option longopts[] = {
	{ "batch", required_argument, NULL, OPT_BATCH },
	{ "threshold", required_argument, NULL, OPT_THRESHOLD },
	{ "by-domain", no_argument, NULL, OPT_BY_DOMAIN },
	{ "ep", required_argument, NULL, OPT_EP },
	{ "redundant", required_argument, NULL, OPT_REDUNDANT },
	{ NULL, 0, NULL, 0 },
};

/* The points of the replay trade-off: each strategy that needs no bias file, at three settings. */
static const struct replay_instance instances[] = {
	{ .strategy = REPLAY_NONE },
	{ .strategy = REPLAY_LOSSFREE, .rate = 0.0001 },
	{ .strategy = REPLAY_LOSSFREE, .rate = 0.001 },
	{ .strategy = REPLAY_LOSSFREE, .rate = 0.01 },
	{ .strategy = REPLAY_DYNAMIC, .rate = 0.0001 },
	{ .strategy = REPLAY_DYNAMIC, .rate = 0.001 },
	{ .strategy = REPLAY_DYNAMIC, .rate = 0.01 },
	{ .strategy = REPLAY_CAPACITY, .factor_num = 1, .factor_scale = 0 },
	{ .strategy = REPLAY_CAPACITY, .factor_num = 125, .factor_scale = 2 },
	{ .strategy = REPLAY_CAPACITY, .factor_num = 15, .factor_scale = 1 },
};

struct job {
	struct cli_common common;
	unsigned long long batch, threshold, ep, redundant;
	bool by_domain;
	char *command_line;
	struct reader *reader[2], *reread[2];
	int side_now;                   /* the input being read when there are two */
	bool two;                       /* two inputs, compared */
	char **files;                   /* the FILE arguments */
	struct stats all;               /* with gaps: last uses, dead experts */
	struct batch chunks;
	struct stats side_stats[MOE_MAX_DOMAINS];       /* by domain index, or by input */
	size_t nside_stats;
	struct summary summary;
	struct dead_report dead;
	struct maxvio_report maxvio;
	size_t nsides;                  /* the sides with records */
	size_t side_of[MOE_MAX_DOMAINS];        /* their index in side_stats */
	const char *side_name[MOE_MAX_DOMAINS];
	struct summary sides[MOE_MAX_DOMAINS];
	struct compare_report compare[MOE_MAX_DOMAINS];
	struct replay_options replay_options;
	struct replay *replay;
	bool replay_decided, replay_dropped;
	int score;
	struct counts fit;
	struct batch plan_chunks;
	struct devload dl[PLACE_KINDS];
	size_t ndl;
	struct devload_set set;         /* dl[0 .. ndl), told of the chunks */
	struct render_report view;
};

static int parse_options(struct job *j, int argc, char **argv)
{
	int opt;

	while ((opt = cli_getopt(&j->common, argc, argv, longopts)) >= 0) {
		if ((opt == OPT_BATCH && cli_number(&j->common, "batch", optarg, 1, UINT32_MAX, &j->batch) < 0) ||
		    (opt == OPT_THRESHOLD && cli_number(&j->common, "threshold", optarg, 1, INT64_MAX,
		                                        &j->threshold) < 0) ||
		    (opt == OPT_EP && cli_number(&j->common, "ep", optarg, 1, MOE_MAX_EXPERTS, &j->ep) < 0) ||
		    (opt == OPT_REDUNDANT && cli_number(&j->common, "redundant", optarg, 0, MOE_MAX_EXPERTS,
		                                        &j->redundant) < 0))
			return -1;
		if (opt == OPT_BY_DOMAIN)
			j->by_domain = true;
	}
	if (opt == CLI_OPTIONS_BAD)
		return -1;
	if (j->common.json) {
		cli_usage_error(&j->common, "the report is HTML, not with --json");
		return -1;
	}
	if (j->redundant && !j->ep) {
		cli_usage_error(&j->common, "--redundant goes with --ep");
		return -1;
	}
	return 0;
}

/* "moestat report ...", each argument quoted for a shell where it needs it. */
static char *command_line(int argc, char **argv)
{
	size_t size = sizeof "moestat";
	char *s, *p;

	for (int i = 0; i < argc; i++)
		size += 3 + 4 * strlen(argv[i]);
	if (!(s = p = malloc(size)))
		return NULL;
	p += sprintf(p, "moestat");
	for (int i = 0; i < argc; i++) {
		bool plain = argv[i][0] != '\0' &&
		             strspn(argv[i], "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
		                             "_-./=,:+@%") == strlen(argv[i]);

		*p++ = ' ';
		if (!plain)
			*p++ = '\'';
		for (const char *a = argv[i]; *a; a++)
			p += *a == '\'' && !plain ? sprintf(p, "'\\''") : sprintf(p, "%c", *a);
		if (!plain)
			*p++ = '\'';
	}
	*p = '\0';
	return s;
}

/* The replay starts at the first record, when the header's score= is known; a log without
 * logits (or score=) has none, and one whose logits stop drops it. */
static int replay_record(struct job *j, const struct moe_record *rec)
{
	const char *why;
	int rc;

	if (!j->replay_decided) {
		const char *said = reader_input(j->reader[j->side_now])->header.score;

		j->replay_decided = true;
		if (!rec->logits || !said[0])
			return 0;
		j->score = strcmp(said, "sigmoid") == 0 ? ROUTE_SIGMOID : ROUTE_SOFTMAX;
		j->replay_options.score = (enum route_score)j->score;
		if (!(j->replay = replay_new(&j->replay_options, instances, sizeof instances / sizeof *instances)))
			return -1;
	}
	if (!j->replay)
		return 0;
	if (!rec->logits || (rc = replay_add(j->replay, rec, &why)) > 0) {
		replay_free(j->replay);
		j->replay = NULL;
		j->replay_dropped = true;
		return 0;
	}
	return rc;
}

static int count_record(void *ctx, const struct moe_record *rec)
{
	struct job *j = ctx;
	int side = j->two ? j->side_now : j->by_domain ? rec->domain : -1;

	if (stats_add(&j->all, rec) < 0 || batch_add(&j->chunks, rec) < 0 || replay_record(j, rec) < 0)
		return -1;
	if (side < 0)
		return 0;
	while (j->nside_stats <= (size_t)side)
		stats_init(&j->side_stats[j->nside_stats++], 0, false);
	return stats_add(&j->side_stats[side], rec);
}

static int chunk_record(void *ctx, const struct moe_record *rec)
{
	return batch_add(ctx, rec);
}

/* Reads the files, one stream, or two inputs one after the other: 0 or an exit status;
 * *in_status is what the inputs call for. */
static int read_all(struct job *j, int nfiles, char **files, cli_sink sink, void *ctx, struct reader **readers,
                    int *in_status)
{
	int status;

	for (int s = 0; s < (j->two ? 2 : 1); s++) {
		j->side_now = s;
		status = j->two ? cli_read(&j->common, 1, &files[s], sink, ctx, &readers[s])
		                : cli_read(&j->common, nfiles, files, sink, ctx, &readers[s]);
		if (status)
			return status;
		if ((status = cli_input_status(reader_input(readers[s]))) != 0)
			*in_status = status;
	}
	return 0;
}

/* The sides: the domains with records (in the order they came) or the two inputs; side 0 against each other. */
static int build_sides(struct job *j, unsigned n)
{
	const struct domains *table = reader_input(j->reader[0])->domains;

	for (size_t i = 0; i < j->nside_stats; i++) {
		if (stats_layers(&j->side_stats[i]) == 0)
			continue;
		if (stats_reserve(&j->side_stats[i], n) < 0 ||
		    summary_build(&j->sides[j->nsides], &j->side_stats[i], n, 0, NULL) < 0)
			return -1;
		j->side_of[j->nsides] = i;
		j->side_name[j->nsides++] = j->two ? j->files[i] : domains_name(table, (int)i);
	}
	for (size_t i = 1; i < j->nsides; i++)
		if (compare_build(&j->compare[i - 1], &j->side_stats[j->side_of[0]], &j->side_stats[j->side_of[i]], n,
		                  0) < 0)
			return -1;
	return 0;
}

/* --ep: a plan per placement that can place n experts, fitted on the counts, and the
 * files read again, chunk by chunk. 0 or an exit status. */
static int plan(struct job *j, int nfiles, char **files, unsigned n)
{
	struct place_eplb eplb = { .redundant = (unsigned)j->redundant, .nodes = 1, .groups = 1 };
	int in_status = 0, status;

	if (counts_from_stats(&j->fit, &j->all, n) < 0)
		return cli_out_of_memory();
	for (int k = 0; k < PLACE_KINDS; k++) {
		const char *why = place_check((enum place_kind)k, n, (unsigned)j->ep, &eplb);

		if (why)
			cli_warn("%s cannot place %u experts on --ep %llu devices (%s): left out",
			         place_name((enum place_kind)k), n, j->ep, why);
		else if (devload_init(&j->dl[j->ndl++], (enum place_kind)k, (unsigned)j->ep, &eplb, &j->fit) < 0)
			return cli_out_of_memory();
	}
	batch_init(&j->plan_chunks, j->batch, n, false);
	j->set = (struct devload_set){ j->dl, j->ndl };
	batch_on_chunk(&j->plan_chunks, devload_set_chunk, &j->set);
	status = read_all(j, nfiles, files, chunk_record, &j->plan_chunks, j->reread, &in_status);
	if (status)
		return status;
	for (size_t i = 0; i < j->ndl; i++)
		devload_finish(&j->dl[i], &j->fit, &j->plan_chunks);
	j->view.devices = (unsigned)j->ep;
	j->view.nplacements = j->ndl;
	j->view.placements = j->dl;
	return 0;
}

/* Every figure of the page, from the modules that compute them: 0, -1 out of memory. */
static int build(struct job *j, unsigned n)
{
	uint64_t size = j->batch;

	if (stats_reserve(&j->all, n) < 0 || batch_finish(&j->chunks) < 0 || batch_reserve(&j->chunks, n) < 0 ||
	    summary_build(&j->summary, &j->all, n, 0, NULL) < 0 ||
	    dead_build(&j->dead, &j->all, n, j->threshold, DEAD_IDLE) < 0 ||
	    maxvio_build(&j->maxvio, &j->all, &j->chunks, &size, 1, n, false) < 0 ||
	    build_sides(j, n) < 0 || (j->replay && replay_finish(j->replay) < 0))
		return -1;
	j->view.all = &j->summary;
	j->view.stats = &j->all;
	j->view.dead = &j->dead;
	j->view.maxvio = &j->maxvio;
	j->view.nsides = j->nsides;
	j->view.side = j->side_name;
	j->view.sides = j->sides;
	j->view.compare = j->compare;
	if (j->replay) {
		j->view.replay_options = &j->replay_options;
		j->view.score = j->score;
		j->view.replay = replay_results(j->replay, &j->view.nreplay);
	}
	return 0;
}

static int run(struct job *j, int nfiles, char **files)
{
	struct cli_output out;
	int status, in_status = 0;
	unsigned n;

	j->two = nfiles == 2 && !j->by_domain;
	j->files = files;
	if (j->ep && cli_rereadable(&j->common, nfiles ? nfiles : 1, nfiles ? files : (char *[]){ "-" },
	                            "once to fit the plans of --ep, once chunk by chunk", NULL) < 0)
		return EX_USAGE;
	stats_init(&j->all, 0, true);
	batch_init(&j->chunks, j->batch, 0, false);
	if ((status = read_all(j, nfiles, files, count_record, j, j->reader, &in_status)) != 0)
		return status;
	if ((status = cli_common_experts(&j->common, reader_input(j->reader[0]),
	                                 j->two ? reader_input(j->reader[1]) : NULL,
	                                 j->two ? files[0] : "", j->two ? files[1] : "", &n)) != 0)
		return status;
	if (j->replay_dropped)
		cli_warn("not every record has router logits: no replay");
	if (build(j, n) < 0)
		return cli_out_of_memory();
	if (j->ep && (status = plan(j, nfiles, files, n)) != 0)
		return status;
	j->view.command_line = j->command_line;
	j->view.input = reader_input(j->reader[0]);
	j->view.input_b = j->two ? reader_input(j->reader[1]) : NULL;
	if ((status = cli_output_open(&out, j->common.output)) != 0 ||
	    (status = cli_output_close(&out, render_html_report(out.fp, &j->view))) != 0)
		return status;
	return in_status;
}

static void job_free(struct job *j)
{
	for (size_t i = 0; i < j->ndl; i++)
		devload_free(&j->dl[i]);
	batch_free(&j->plan_chunks);
	counts_free(&j->fit);
	replay_free(j->replay);
	for (size_t i = 0; i < j->nsides; i++) {
		summary_free(&j->sides[i]);
		if (i)
			compare_free(&j->compare[i - 1]);
	}
	for (size_t i = 0; i < j->nside_stats; i++)
		stats_free(&j->side_stats[i]);
	maxvio_free(&j->maxvio);
	dead_free(&j->dead);
	summary_free(&j->summary);
	batch_free(&j->chunks);
	stats_free(&j->all);
	for (int s = 0; s < 2; s++) {
		reader_close(j->reader[s]);
		reader_close(j->reread[s]);
	}
	free(j->command_line);
	cli_common_free(&j->common);
	free(j);
}

int cmd_report(int argc, char **argv)
{
	struct job *j = calloc(1, sizeof *j);
	int status;

	if (!j)
		return cli_out_of_memory();
	cli_common_init(&j->common, "report");
	j->batch = 512;
	j->threshold = 10000;
	j->replay_options = (struct replay_options){ .decay = 0.9 };
	if (parse_options(j, argc, argv) < 0) {
		status = EX_USAGE;
	} else if (j->common.help) {
		fputs(usage, stdout);
		status = 0;
	} else if (!(j->command_line = command_line(argc, argv))) {
		status = cli_out_of_memory();
	} else {
		j->replay_options.batch = j->batch;
		j->replay_options.threshold = j->threshold;
		status = run(j, argc - optind, argv + optind);
	}
	job_free(j);
	return status;
}
