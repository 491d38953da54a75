/* cmd_dead.c: `moestat dead`: reader -> stats with gaps -> dead report -> text or JSON. */
#include <stdint.h>
#include <stdlib.h>

#include "cli.h"
#include "cmd.h"
#include "dead.h"
#include "render.h"
#include "stats.h"

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
	CLI_COMMON_USAGE;

enum { OPT_THRESHOLD = CLI_FIRST_COMMAND_OPTION, OPT_GAP, OPT_FAIL };

static const struct option longopts[] = {
	{ "threshold", required_argument, NULL, OPT_THRESHOLD },
	{ "gap", no_argument, NULL, OPT_GAP },
	{ "fail", no_argument, NULL, OPT_FAIL },
	{ NULL, 0, NULL, 0 },
};

static int count_record(void *ctx, const struct moe_record *rec)
{
	return stats_add(ctx, rec);
}

int cmd_dead(int argc, char **argv)
{
	struct render_dead view = { .command = "dead" };
	struct dead_report report = { 0 };
	enum dead_criterion criterion = DEAD_IDLE;
	unsigned long long threshold = 10000;
	struct cli_common common;
	struct cli_output out;
	struct reader *reader = NULL;
	struct stats st;
	bool fail = false;
	int opt, rc, status;

	cli_common_init(&common, "dead");
	stats_init(&st, 0, true);
	while ((opt = cli_getopt(&common, argc, argv, longopts)) >= 0) {
		if (opt == OPT_THRESHOLD &&
		    cli_number(&common, "threshold", optarg, 1, INT64_MAX, &threshold) < 0)
			break;
		if (opt == OPT_GAP)
			criterion = DEAD_GAP;
		else if (opt == OPT_FAIL)
			fail = true;
	}
	if (opt != CLI_OPTIONS_END) {
		status = EX_USAGE;
		goto done;
	}
	if (common.help) {
		fputs(usage, stdout);
		status = 0;
		goto done;
	}
	status = cli_read(&common, argc - optind, argv + optind, count_record, &st, &reader);
	if (status)
		goto done;
	view.input = reader_input(reader);
	status = cli_input_status(view.input);
	if (stats_reserve(&st, view.input->experts) < 0 ||
	    dead_build(&report, &st, view.input->experts, threshold, criterion) < 0) {
		status = cli_out_of_memory();
		goto done;
	}
	view.dead = &report;
	rc = cli_output_open(&out, common.output);
	if (rc == 0)
		rc = cli_output_close(&out, common.json ? render_json_dead(out.fp, &view)
		                                        : render_text_dead(out.fp, &view));
	if (rc)
		status = rc;
	else if (!status && fail && report.total > 0)
		status = EXIT_PREDICATE;
done:
	dead_free(&report);
	stats_free(&st);
	reader_close(reader);
	cli_common_free(&common);
	return status;
}
