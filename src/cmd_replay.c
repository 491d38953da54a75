/* cmd_replay.c: `moestat replay`: reader (records with logits) -> replay of every strategy -> text or JSON. */
#include <stdlib.h>
#include <string.h>

#include "bias.h"
#include "cli.h"
#include "cmd.h"
#include "render.h"
#include "replay.h"

static const char usage[] =
	"usage: moestat replay [OPTIONS] [FILE...]\n"
	"\n"
	"Re-runs the router on the logits recorded in the log under several policies\n"
	"side by side: no bias, the loss-free bias, a dynamic (EWMA) bias, a fixed bias,\n"
	"a capacity limit. Per layer: MaxVio, changed selections, retained score mass,\n"
	"dropped selections, dead experts, and the final bias.\n"
	"\n"
	"      --strategy LIST     none, lossfree, dynamic, fixed, capacity\n"
	"                          (default none,lossfree,dynamic,capacity)\n"
	"      --batch B           tokens a chunk: the bias moves after each (default 512)\n"
	"      --rate LIST         the bias step u of lossfree and dynamic (default 0.001)\n"
	"      --decay A           dynamic's EWMA factor (default 0.9)\n"
	"      --capacity-factor LIST  capacity: f in C = ceil(f tokens k / N) (default 1.0)\n"
	"      --drop-policy P     capacity: position (earlier tokens win) or probs\n"
	"      --overflow O        capacity: drop, or reroute to the best expert with room\n"
	"      --groups G          group-limited routing over G groups of experts\n"
	"      --group-topk M      ... keeping the M best groups\n"
	"      --score F           softmax or sigmoid (default: the header's score=)\n"
	"      --threshold T       dead: experts idle for T tokens at the end (default 10000)\n"
	"      --bias-file FILE    the bias every strategy starts from; fixed's, too\n"
	"      --bias-from LOG     fixed: the final lossfree bias of a replay of LOG instead\n"
	"      --save-bias FILE    write the final bias of the first lossfree or dynamic row\n"
	CLI_COMMON_USAGE;

enum {
	OPT_STRATEGY = CLI_FIRST_COMMAND_OPTION, OPT_BATCH, OPT_RATE, OPT_DECAY, OPT_CAPACITY_FACTOR,
	OPT_DROP_POLICY, OPT_OVERFLOW, OPT_GROUPS, OPT_GROUP_TOPK, OPT_SCORE, OPT_THRESHOLD,
	OPT_BIAS_FILE, OPT_BIAS_FROM, OPT_SAVE_BIAS,
};

static const struct option longopts[] = {
	{ "strategy", required_argument, NULL, OPT_STRATEGY },
	{ "batch", required_argument, NULL, OPT_BATCH },
	{ "rate", required_argument, NULL, OPT_RATE },
	{ "decay", required_argument, NULL, OPT_DECAY },
	{ "capacity-factor", required_argument, NULL, OPT_CAPACITY_FACTOR },
	{ "drop-policy", required_argument, NULL, OPT_DROP_POLICY },
	{ "overflow", required_argument, NULL, OPT_OVERFLOW },
	{ "groups", required_argument, NULL, OPT_GROUPS },
	{ "group-topk", required_argument, NULL, OPT_GROUP_TOPK },
	{ "score", required_argument, NULL, OPT_SCORE },
	{ "threshold", required_argument, NULL, OPT_THRESHOLD },
	{ "bias-file", required_argument, NULL, OPT_BIAS_FILE },
	{ "bias-from", required_argument, NULL, OPT_BIAS_FROM },
	{ "save-bias", required_argument, NULL, OPT_SAVE_BIAS },
	{ NULL, 0, NULL, 0 },
};

#define MAX_VALUES 32   /* in --rate and --capacity-factor */

static const char *const strategy_names[] = {
	[REPLAY_NONE] = "none", [REPLAY_LOSSFREE] = "lossfree", [REPLAY_DYNAMIC] = "dynamic",
	[REPLAY_FIXED] = "fixed", [REPLAY_CAPACITY] = "capacity",
};

struct job {
	struct cli_common common;
	bool strategy[5];               /* asked for */
	enum replay_strategy order[5];  /* in the order asked */
	size_t nstrategies;
	double rate[MAX_VALUES], factor[MAX_VALUES];    /* factor: only to check the list */
	struct exact { uint64_t num; unsigned scale; } exact[MAX_VALUES];       /* the factors */
	size_t nrates, nfactors;
	struct replay_options o;
	int score;                      /* -1 until --score or a header says */
	const char *bias_file, *bias_from, *save_bias;
	struct bias_table start, fixed;
	struct replay_instance instance[5 * MAX_VALUES];
	size_t ninstances;
	struct reader *reader;
	struct replay *replay;
	const struct replay_instance *pass;     /* the instances of the pass being read */
	size_t npass;
	enum route_score used_score;
	bool scored;                    /* a record set used_score */
	const char *sink_why;
};

/* "a,b,c" of strategy names into order[], each once. */
static int parse_strategies(struct job *j, const char *arg)
{
	int order[5];

	if (cli_names(&j->common, "strategy", arg, strategy_names, 5, order, &j->nstrategies) < 0)
		return -1;
	memset(j->strategy, 0, sizeof j->strategy);
	for (size_t i = 0; i < j->nstrategies; i++) {
		j->strategy[order[i]] = true;
		j->order[i] = (enum replay_strategy)order[i];
	}
	return 0;
}

/* A decimal like 1.25 as num / 10^scale, exactly; -1 when it is not one. */
static int exact_decimal(const char *s, const char *end, uint64_t *num, unsigned *scale)
{
	bool point = false;

	*num = 0;
	*scale = 0;
	for (; s < end; s++) {
		if (*s == '.' && !point) {
			point = true;
			continue;
		}
		if (*s < '0' || *s > '9' || *num > (UINT64_MAX - 9) / 10 || *scale >= 18)
			return -1;
		*num = *num * 10 + (uint64_t)(*s - '0');
		*scale += point;
	}
	return 0;
}

/* A list of positive decimals, like 0.001,0.01. */
static int parse_values(struct job *j, const char *name, const char *arg, double *v, size_t *n,
                        struct exact *exact)
{
	const char *s = arg;

	*n = 0;
	for (;;) {
		char *end;
		double x = strtod(s, &end);

		if (end == s || (*end && *end != ',') || !(x > 0) || x > 1e300 || *n == MAX_VALUES ||
		    (exact && exact_decimal(s, end, &exact[*n].num, &exact[*n].scale) < 0)) {
			cli_usage_error(&j->common, "--%s takes up to %d positive decimals like %s, "
			                "not '%s'", name, MAX_VALUES, exact ? "1,1.25" : "0.001,0.01", arg);
			return -1;
		}
		v[(*n)++] = x;
		if (!*end)
			return 0;
		s = end + 1;
	}
}

static int parse_choice(struct job *j, const char *name, const char *arg, const char *a,
                        const char *b, bool *is_b)
{
	if (strcmp(arg, a) != 0 && strcmp(arg, b) != 0) {
		cli_usage_error(&j->common, "--%s takes %s or %s, not '%s'", name, a, b, arg);
		return -1;
	}
	*is_b = strcmp(arg, b) == 0;
	return 0;
}

static int parse_option(struct job *j, int opt, const char *arg)
{
	unsigned long long n;
	bool b;

	switch (opt) {
	case OPT_STRATEGY:
		return parse_strategies(j, arg);
	case OPT_BATCH:
		if (cli_number(&j->common, "batch", arg, 1, UINT32_MAX, &n) < 0)
			return -1;
		j->o.batch = n;
		return 0;
	case OPT_RATE:
		return parse_values(j, "rate", arg, j->rate, &j->nrates, NULL);
	case OPT_DECAY: {
		char *end;
		j->o.decay = strtod(arg, &end);
		if (end == arg || *end || !(j->o.decay >= 0 && j->o.decay < 1)) {
			cli_usage_error(&j->common, "--decay takes a number from 0 up to (not with) 1, not '%s'",
			                arg);
			return -1;
		}
		return 0;
	}
	case OPT_CAPACITY_FACTOR:
		return parse_values(j, "capacity-factor", arg, j->factor, &j->nfactors, j->exact);
	case OPT_DROP_POLICY:
		return parse_choice(j, "drop-policy", arg, "position", "probs", &j->o.probs);
	case OPT_OVERFLOW:
		return parse_choice(j, "overflow", arg, "drop", "reroute", &j->o.reroute);
	case OPT_GROUPS:
	case OPT_GROUP_TOPK:
		if (cli_number(&j->common, opt == OPT_GROUPS ? "groups" : "group-topk", arg, 1,
		               MOE_MAX_EXPERTS, &n) < 0)
			return -1;
		*(opt == OPT_GROUPS ? &j->o.groups.groups : &j->o.groups.topk) = (unsigned)n;
		return 0;
	case OPT_SCORE:
		if (parse_choice(j, "score", arg, "softmax", "sigmoid", &b) < 0)
			return -1;
		j->score = b ? ROUTE_SIGMOID : ROUTE_SOFTMAX;
		return 0;
	case OPT_THRESHOLD:
		if (cli_number(&j->common, "threshold", arg, 1, INT64_MAX, &n) < 0)
			return -1;
		j->o.threshold = n;
		return 0;
	case OPT_BIAS_FILE:
		j->bias_file = arg;
		return 0;
	case OPT_BIAS_FROM:
		j->bias_from = arg;
		return 0;
	case OPT_SAVE_BIAS:
		j->save_bias = arg;
		return 0;
	}
	return 0;
}

/* The rows: each strategy in the order asked, once per rate or factor. */
static void make_instances(struct job *j)
{
	for (size_t s = 0; s < j->nstrategies; s++) {
		enum replay_strategy st = j->order[s];
		size_t n = st == REPLAY_LOSSFREE || st == REPLAY_DYNAMIC ? j->nrates
		           : st == REPLAY_CAPACITY ? j->nfactors : 1;

		for (size_t i = 0; i < n; i++)
			j->instance[j->ninstances++] = (struct replay_instance){
				.strategy = st,
				.rate = st == REPLAY_LOSSFREE || st == REPLAY_DYNAMIC ? j->rate[i] : 0,
				.factor_num = st == REPLAY_CAPACITY ? j->exact[i].num : 0,
				.factor_scale = st == REPLAY_CAPACITY ? j->exact[i].scale : 0,
			};
	}
}

static int parse_options(struct job *j, int argc, char **argv)
{
	int opt;

	while ((opt = cli_getopt(&j->common, argc, argv, longopts)) >= 0)
		if (parse_option(j, opt, optarg) < 0)
			return -1;
	if (opt == CLI_OPTIONS_BAD)
		return -1;
	if (!j->o.groups.groups != !j->o.groups.topk) {
		cli_usage_error(&j->common, "--groups and --group-topk go together");
		return -1;
	}
	if (j->o.probs && j->o.reroute) {
		cli_usage_error(&j->common, "--overflow reroute goes with --drop-policy position only");
		return -1;
	}
	if (j->strategy[REPLAY_FIXED] && !j->bias_file && !j->bias_from) {
		cli_usage_error(&j->common, "the fixed strategy needs --bias-file or --bias-from");
		return -1;
	}
	if (j->save_bias && strcmp(j->save_bias, "-") == 0 &&
	    (!j->common.output || strcmp(j->common.output, "-") == 0)) {
		cli_usage_error(&j->common, "--save-bias - and the report would both go to standard output");
		return -1;
	}
	if (j->save_bias && !j->strategy[REPLAY_LOSSFREE] && !j->strategy[REPLAY_DYNAMIC]) {
		cli_usage_error(&j->common, "--save-bias needs the lossfree or dynamic strategy");
		return -1;
	}
	make_instances(j);
	return 0;
}

/* The replay starts at the first record: only then is the header, and its score=, known. */
static int route_record(void *ctx, const struct moe_record *rec)
{
	struct job *j = ctx;
	int rc;

	if (!j->replay) {
		const char *said = reader_input(j->reader)->header.score;
		struct replay_options o = j->o;

		if (j->score >= 0)
			o.score = (enum route_score)j->score;
		else if (said[0])
			o.score = strcmp(said, "sigmoid") == 0 ? ROUTE_SIGMOID : ROUTE_SOFTMAX;
		else {
			fprintf(stderr, "moestat: replay: the log does not say its score function "
			        "(score=): give --score softmax or --score sigmoid\n");
			return EX_USAGE;
		}
		j->used_score = o.score;
		j->scored = true;
		if (!(j->replay = replay_new(&o, j->pass, j->npass)))
			return -1;
	}
	rc = replay_add(j->replay, rec, &j->sink_why);
	if (rc == EX_USAGE)
		fprintf(stderr, "moestat: replay: layer %u: %s (%zu experts, top-%zu, --groups %u, "
		        "--group-topk %u)\n", rec->layer, j->sink_why, rec->nlogits, rec->k,
		        j->o.groups.groups, j->o.groups.topk);
	else if (rc > 0)
		fprintf(stderr, "moestat: replay: %s: layer %u: %s (%zu experts)\n",
		        j->bias_file ? j->bias_file : j->bias_from, rec->layer, j->sink_why, rec->nlogits);
	return rc;
}

/* Replays files under instances: 0 with j->replay finished, or an exit status. */
static int run_pass(struct job *j, int nfiles, char **files, const struct replay_instance *instances,
                    size_t n)
{
	int status;

	j->pass = instances;
	j->npass = n;
	status = cli_read(&j->common, nfiles, files, route_record, j, &j->reader);
	if (status)
		return status;
	if (!j->replay && !(j->replay = replay_new(&j->o, instances, n)))
		return cli_out_of_memory();
	return replay_finish(j->replay) < 0 ? cli_out_of_memory() : 0;
}

/* --bias-from LOG: the final bias of lossfree, at the first rate, replayed over LOG.
 * An exit status for a failure; *in_status is what LOG calls for (EX_IOERR: cut short). */
static int fit_bias(struct job *j, int *in_status)
{
	struct replay_instance lossfree = { .strategy = REPLAY_LOSSFREE, .rate = j->rate[0] };
	char *files[] = { (char *)j->bias_from };
	int status = run_pass(j, 1, files, &lossfree, 1);

	if (status == 0) {
		*in_status = cli_input_status(reader_input(j->reader));
		if (replay_bias(j->replay, 0, &j->fixed) < 0)
			status = cli_out_of_memory();
	}
	replay_free(j->replay);
	j->replay = NULL;
	reader_close(j->reader);
	j->reader = NULL;
	return status;
}

/* Says when the log's own selections are not the top-k of its logits. */
static void check_agreement(const struct job *j)
{
	size_t n;
	const struct replay_result *res = replay_results(j->replay, &n);

	for (size_t i = 0; i < n; i++) {
		if (res[i].instance.strategy != REPLAY_NONE)
			continue;
		for (size_t l = 0; l < res[i].nlayers; l++)
			if (res[i].layers[l].f.agreement < 1) {
				cli_warn("the log's selections do not all follow the top-k of its logits "
				         "(agreement %.4f in layer %u): %sa correction bias in the model, or "
				         "rounded logits", res[i].layers[l].f.agreement, res[i].layers[l].layer,
				         j->o.groups.groups ? "the log was not routed with these --groups, " : "");
				return;
			}
	}
}

static int save_bias(struct job *j)
{
	struct bias_table t = { 0 };
	struct cli_output out;
	size_t i = 0;
	int rc;

	while (j->instance[i].strategy != REPLAY_LOSSFREE && j->instance[i].strategy != REPLAY_DYNAMIC)
		i++;
	if (replay_bias(j->replay, i, &t) < 0) {
		bias_free(&t);
		return cli_out_of_memory();
	}
	rc = cli_output_open(&out, j->save_bias);
	if (rc == 0)
		rc = cli_output_close(&out, bias_save(&t, out.fp));
	bias_free(&t);
	return rc;
}

static int run(struct job *j, int nfiles, char **files)
{
	struct render_replay view = { .command = "replay" };
	struct moe_error err = { 0 };
	struct cli_output out;
	size_t n;
	int status, rc, fitted = 0;

	/* --bias-file is where every bias starts, and fixed's unless --bias-from fits one. */
	if (j->bias_file && bias_load(&j->start, j->bias_file, &err) < 0)
		return cli_error(&err);
	j->o.start = j->bias_file ? &j->start : NULL;
	if (j->bias_from && (status = fit_bias(j, &fitted)) != 0)
		return status;
	j->o.fixed = j->bias_from ? &j->fixed : &j->start;
	if ((status = run_pass(j, nfiles, files, j->instance, j->ninstances)) != 0)
		return status;
	view.input = reader_input(j->reader);
	status = cli_input_status(view.input);
	if (fitted)
		status = fitted;        /* --bias-from's log was cut short (--skip-bad) */
	check_agreement(j);
	if (j->save_bias && (rc = save_bias(j)) != 0)
		return rc;
	view.results = replay_results(j->replay, &n);
	view.nresults = n;
	view.options = &j->o;
	view.score = j->scored ? (int)j->used_score : -1;
	rc = cli_output_open(&out, j->common.output);
	if (rc == 0)
		rc = cli_output_close(&out, j->common.json ? render_json_replay(out.fp, &view)
		                                           : render_text_replay(out.fp, &view));
	return rc ? rc : status;
}

int cmd_replay(int argc, char **argv)
{
	struct job *j = calloc(1, sizeof *j);
	int status;

	if (!j)
		return cli_out_of_memory();
	cli_common_init(&j->common, "replay");
	j->common.read.need_logits = true;
	j->score = -1;
	j->o.batch = 512;
	j->o.decay = 0.9;
	j->o.threshold = 10000;
	j->rate[0] = 0.001;
	j->nrates = 1;
	j->factor[0] = 1.0;
	j->exact[0].num = 1;
	j->nfactors = 1;
	parse_strategies(j, "none,lossfree,dynamic,capacity");
	if (parse_options(j, argc, argv) < 0) {
		status = EX_USAGE;
	} else if (j->common.help) {
		fputs(usage, stdout);
		status = 0;
	} else {
		status = run(j, argc - optind, argv + optind);
	}
	replay_free(j->replay);
	reader_close(j->reader);
	bias_free(&j->start);
	bias_free(&j->fixed);
	cli_common_free(&j->common);
	free(j);
	return status;
}
