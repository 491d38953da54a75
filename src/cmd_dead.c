/* cmd_dead.c: `moestat dead`: reader -> state (stats with gaps) -> dead report -> text or JSON. */
#include <stdint.h>
#include <stdlib.h>

#include "cli.h"
#include "cmd.h"
#include "dead.h"
#include "render.h"
#include "state.h"

static const char usage[] =
	"usage: moestat dead [OPTIONS] [FILE...]\n"
	"\n"
	"Experts not chosen for at least T consecutive tokens of their layer: idle at the\n"
	"end of the log (dead now) or, with --gap, at any time.\n"
	"Several files are read in order as one stream; none or '-' is standard input.\n"
	"\n"
	"      --threshold T       idle for at least T tokens (default 10000)\n"
	"      --gap               list experts whose longest idle run is >= T, even if back\n"
	"      --fail              exit 1 when any expert is listed\n"
	CLI_STATE_USAGE
	CLI_COMMON_USAGE;

enum { OPT_THRESHOLD = CLI_FIRST_COMMAND_OPTION, OPT_GAP, OPT_FAIL };

static const struct option longopts[] = {
	{ "threshold", required_argument, NULL, OPT_THRESHOLD },
	{ "gap", no_argument, NULL, OPT_GAP },
	{ "fail", no_argument, NULL, OPT_FAIL },
	CLI_STATE_LONGOPTS,
	{ NULL, 0, NULL, 0 },
};

int cmd_dead_report(const struct state *s, const struct cli_common *c)
{
	struct render_dead view = { .command = "dead", .input = &s->input };
	struct dead_report report = { 0 };
	struct cli_output out;
	int status;

	if (dead_build(&report, &s->all, s->input.experts, s->opt.threshold,
	               s->opt.gap ? DEAD_GAP : DEAD_IDLE) < 0) {
		dead_free(&report);
		return cli_out_of_memory();
	}
	view.dead = &report;
	status = cli_output_open(&out, c->output);
	if (status == 0)
		status = cli_output_close(&out, c->json ? render_json_dead(out.fp, &view)
		                                        : render_text_dead(out.fp, &view));
	if (!status && s->opt.fail && report.total > 0)
		status = EXIT_PREDICATE;
	dead_free(&report);
	return status;
}

int cmd_dead(int argc, char **argv)
{
	struct state_options opt = { .command = STATE_DEAD, .threshold = 10000 };
	unsigned long long threshold;
	struct cli_common common;
	struct state s;
	int code, status;

	cli_common_init(&common, "dead");
	common.takes_state = true;
	while ((code = cli_getopt(&common, argc, argv, longopts)) >= 0) {
		if (code == OPT_THRESHOLD) {
			if (cli_number(&common, "threshold", optarg, 1, INT64_MAX, &threshold) < 0)
				break;
			opt.threshold = threshold;
		}
		if (code == OPT_GAP)
			opt.gap = true;
		else if (code == OPT_FAIL)
			opt.fail = true;
	}
	if (code != CLI_OPTIONS_END) {
		status = EX_USAGE;
	} else if (common.help) {
		fputs(usage, stdout);
		status = 0;
	} else {
		cli_state_options(&common, &opt);
		status = cli_read_state(&common, argc - optind, argv + optind, &opt, &s);
		if (status == 0) {
			int input = cli_input_status(&s.input);

			status = common.save_state ? cli_save_state(&s, common.save_state)
			                           : cmd_dead_report(&s, &common);
			/* A damaged input outranks the predicate, as before. */
			if (input && (status == 0 || status == EXIT_PREDICATE))
				status = input;
			state_free(&s);
		}
	}
	cli_common_free(&common);
	return status;
}
