/* cmd_pairs.c: `moestat pairs`: reader -> pair counts -> the most co-selected pairs of each layer. */
#include <stdlib.h>

#include "cli.h"
#include "cmd.h"
#include "pairs.h"
#include "render.h"

static const char usage[] =
	"usage: moestat pairs [OPTIONS] [FILE...]\n"
	"\n"
	"Experts chosen together: per layer, the pairs of experts that the most tokens\n"
	"chose both of, with that count and its lift (1: as often as chance would have it).\n"
	"Several files are read in order as one stream; none or '-' is standard input.\n"
	"\n"
	"      --top K             list the K most co-selected pairs of each layer (default 10)\n"
	CLI_COMMON_USAGE;

enum { OPT_TOP = CLI_FIRST_COMMAND_OPTION };

static const struct option longopts[] = {
	{ "top", required_argument, NULL, OPT_TOP },
	{ NULL, 0, NULL, 0 },
};

static int count_record(void *ctx, const struct moe_record *rec)
{
	int rc = pairs_add(ctx, rec);

	if (rc == PAIRS_OVERFLOW) {
		fprintf(stderr, "moestat: pairs: layer %u has more than %u tokens, the limit of pair "
		        "counts\n", rec->layer, UINT32_MAX);
		return EX_SOFTWARE;
	}
	return rc < 0 ? -1 : 0;
}

int cmd_pairs(int argc, char **argv)
{
	struct render_pairs view = { .command = "pairs" };
	struct pairs_report report = { 0 };
	unsigned long long top = 10;
	struct cli_common common;
	struct cli_output out;
	struct reader *reader = NULL;
	struct pairs p;
	int opt, rc, status;

	cli_common_init(&common, "pairs");
	pairs_init(&p, 0);
	while ((opt = cli_getopt(&common, argc, argv, longopts)) >= 0)
		if (opt == OPT_TOP && cli_number(&common, "top", optarg, 0, UINT32_MAX, &top) < 0)
			break;
	if (opt != CLI_OPTIONS_END) {
		status = EX_USAGE;
		goto done;
	}
	if (common.help) {
		fputs(usage, stdout);
		status = 0;
		goto done;
	}
	status = cli_read(&common, argc - optind, argv + optind, count_record, &p, &reader);
	if (status)
		goto done;
	view.input = reader_input(reader);
	status = cli_input_status(view.input);
	if (pairs_reserve(&p, view.input->experts) < 0 ||
	    pairs_report_build(&report, &p, view.input->experts, top) < 0) {
		status = cli_out_of_memory();
		goto done;
	}
	view.pairs = &report;
	rc = cli_output_open(&out, common.output);
	if (rc == 0)
		rc = cli_output_close(&out, common.json ? render_json_pairs(out.fp, &view)
		                                        : render_text_pairs(out.fp, &view));
	if (rc)
		status = rc;
done:
	pairs_report_free(&report);
	pairs_free(&p);
	reader_close(reader);
	cli_common_free(&common);
	return status;
}
