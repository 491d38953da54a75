/* cmd_merge.c: `moestat merge`: saved states -> one state, merged in order -> the report of their command. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cmd.h"
#include "state.h"

static const char usage[] =
	"usage: moestat merge [OPTIONS] STATE...\n"
	"\n"
	"Prints what one run of summarize, dead or maxvio over the logs of the states\n"
	"(written by --save-state, in the order given) would print; the command and\n"
	"its options are the states'. Batch chunks do not span the parts.\n"
	"\n"
	"      --json              print JSON instead of text\n"
	"      --format FMT        text, json or csv (summarize)\n"
	"  -o, --output FILE       write to FILE (whole, or not at all) instead of standard output\n"
	"      --save-state FILE   write the merged state to FILE instead of the report\n"
	"  -h, --help              show this help\n";

enum { OPT_JSON = 256, OPT_FORMAT, OPT_SAVE_STATE };

static const struct option longopts[] = {
	{ "json", no_argument, NULL, OPT_JSON },
	{ "format", required_argument, NULL, OPT_FORMAT },
	{ "output", required_argument, NULL, 'o' },
	{ "save-state", required_argument, NULL, OPT_SAVE_STATE },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static int parse_options(struct cli_common *c, int argc, char **argv)
{
	int opt;

	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":o:h", longopts, NULL)) != -1) {
		if (opt == OPT_JSON)
			c->json = true;
		else if (opt == OPT_FORMAT && cli_format(c, optarg) < 0)
			return -1;
		else if (opt == 'o')
			c->output = optarg;
		else if (opt == OPT_SAVE_STATE)
			c->save_state = optarg;
		else if (opt == 'h')
			c->help = true;
		else if (opt != OPT_FORMAT && cli_common_option(c, opt, optarg, argv) < 0)
			return -1;
	}
	if (!c->help && optind == argc)
		return cli_usage_error(c, "no state to merge"), -1;
	if (c->save_state && c->output)
		return cli_usage_error(c, "--save-state writes the state instead of the report: not with -o"), -1;
	return 0;
}

/* Loads the states one at a time into *total, in order; the exit status. */
static int merge(struct state *total, int n, char **paths)
{
	struct moe_error err = { 0 };
	struct state part;

	if (state_load(total, paths[0], &err) < 0)
		return cli_error(&err);
	for (int i = 1; i < n; i++) {
		int rc = state_load(&part, paths[i], &err) < 0 ? -1 : state_merge(total, &part, paths[i], &err);

		state_free(&part);
		if (rc < 0) {
			state_free(total);
			return cli_error(&err);
		}
	}
	return 0;
}

int cmd_merge(int argc, char **argv)
{
	int (*const report[])(const struct state *, const struct cli_common *) = {
		[STATE_SUMMARIZE] = cmd_summarize_report, [STATE_DEAD] = cmd_dead_report,
		[STATE_MAXVIO] = cmd_maxvio_report,
	};
	struct cli_common common;
	struct state s;
	int status;

	cli_common_init(&common, "merge");
	if (parse_options(&common, argc, argv) < 0) {
		status = EX_USAGE;
	} else if (common.help) {
		fputs(usage, stdout);
		status = 0;
	} else if ((status = merge(&s, argc - optind, argv + optind)) == 0) {
		int rc;

		status = cli_input_status(&s.input);
		if (common.csv && s.opt.command != STATE_SUMMARIZE)
			rc = cli_usage_error(&common, "--format csv is for states of summarize");
		else
			rc = common.save_state ? cli_save_state(&s, common.save_state)
			                       : report[s.opt.command](&s, &common);
		if (status && (rc == 0 || rc == EXIT_PREDICATE))
			rc = status;
		status = rc;
		state_free(&s);
	}
	cli_common_free(&common);
	return status;
}
