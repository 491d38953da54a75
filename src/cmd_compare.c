/* cmd_compare.c: `moestat compare`: two readers (or two domains of one) -> two stats -> compare report. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cmd.h"
#include "compare.h"
#include "render.h"
#include "stats.h"

static const char usage[] =
	"usage: moestat compare [OPTIONS] A B\n"
	"       moestat compare [OPTIONS] --domains X,Y [FILE...]\n"
	"\n"
	"How routing differs between two inputs, or two domains of one: per layer the\n"
	"Jensen-Shannon divergence and total variation distance of the experts' shares,\n"
	"the experts whose share moved most, and the experts dead on one side only.\n"
	"\n"
	"      --domains X,Y       compare domain X with domain Y of the FILEs\n"
	"      --top M             list the M experts whose share moved most (default 5)\n"
	CLI_COMMON_USAGE;

enum { OPT_DOMAINS = CLI_FIRST_COMMAND_OPTION, OPT_TOP };

static const struct option longopts[] = {
	{ "domains", required_argument, NULL, OPT_DOMAINS },
	{ "top", required_argument, NULL, OPT_TOP },
	{ NULL, 0, NULL, 0 },
};

struct job {
	struct cli_common common;
	unsigned long long top;
	char *domains;                  /* "X,Y" cut in two at the comma */
	const char *name[2];            /* the sides: the two files, or the two domains */
	int domain[2];                  /* their indexes in the domain table, -1 until seen */
	struct reader *reader[2];
	struct stats side[2];
	struct compare_report report;
};

static int count_side(void *ctx, const struct moe_record *rec)
{
	return stats_add(ctx, rec);
}

/* A record of domain X goes to side A, of Y to side B, of any other nowhere. */
static int count_domain(void *ctx, const struct moe_record *rec)
{
	struct job *j = ctx;
	const struct domains *table = reader_input(j->reader[0])->domains;

	for (int s = 0; s < 2; s++) {
		if (j->domain[s] < 0)
			j->domain[s] = domains_find(table, j->name[s]);
		if (rec->domain >= 0 && rec->domain == j->domain[s])
			return stats_add(&j->side[s], rec);
	}
	return 0;
}

static int parse_options(struct job *j, int argc, char **argv)
{
	int opt;

	while ((opt = cli_getopt(&j->common, argc, argv, longopts)) >= 0) {
		if (opt == OPT_TOP && cli_number(&j->common, "top", optarg, 0, MOE_MAX_EXPERTS, &j->top) < 0)
			return -1;
		if (opt == OPT_DOMAINS) {
			char *comma;

			free(j->domains);
			j->domains = strdup(optarg);
			comma = j->domains ? strchr(j->domains, ',') : NULL;
			if (!comma || comma == j->domains || !comma[1] || strchr(comma + 1, ',')) {
				cli_usage_error(&j->common, "--domains takes two domain names X,Y, not '%s'",
				                optarg);
				return -1;
			}
			*comma = '\0';
			j->name[0] = j->domains;
			j->name[1] = comma + 1;
		}
	}
	if (opt == CLI_OPTIONS_BAD)
		return -1;
	if (!j->common.help && !j->domains && argc - optind != 2) {
		cli_usage_error(&j->common, "two inputs to compare, or --domains X,Y");
		return -1;
	}
	return 0;
}

/* Reads both sides and compares them: 0, or the exit status of a failure (printed).
 * *in_status is what the inputs call for (EX_IOERR when one was cut short). */
static int run(struct job *j, int nfiles, char **files, int *in_status)
{
	int status;
	unsigned n;

	if (j->domains) {
		status = cli_read(&j->common, nfiles, files, count_domain, j, &j->reader[0]);
	} else {
		status = cli_read(&j->common, 1, &files[0], count_side, &j->side[0], &j->reader[0]);
		if (status == 0)
			status = cli_read(&j->common, 1, &files[1], count_side, &j->side[1], &j->reader[1]);
	}
	if (status)
		return status;
	*in_status = cli_input_status(reader_input(j->reader[0]));
	if (j->reader[1] && cli_input_status(reader_input(j->reader[1])))
		*in_status = EX_IOERR;
	for (int s = 0; j->domains && s < 2; s++)
		if (stats_layers(&j->side[s]) == 0)
			cli_warn("domain '%s' has no records", j->name[s]);
	if ((status = cli_common_experts(&j->common, reader_input(j->reader[0]),
	                                 j->reader[1] ? reader_input(j->reader[1]) : NULL, j->name[0],
	                                 j->name[1], &n)) != 0)
		return status;
	if (stats_reserve(&j->side[0], n) < 0 || stats_reserve(&j->side[1], n) < 0 ||
	    compare_build(&j->report, &j->side[0], &j->side[1], n, j->top) < 0)
		return cli_out_of_memory();
	return 0;
}

int cmd_compare(int argc, char **argv)
{
	struct job *j = calloc(1, sizeof *j);
	struct render_compare view = { .command = "compare" };
	struct cli_output out;
	int status, rc, in_status = 0;

	if (!j)
		return cli_out_of_memory();
	cli_common_init(&j->common, "compare");
	j->top = 5;
	j->domain[0] = j->domain[1] = -1;
	stats_init(&j->side[0], 0, false);
	stats_init(&j->side[1], 0, false);
	if (parse_options(j, argc, argv) < 0) {
		status = EX_USAGE;
	} else if (j->common.help) {
		fputs(usage, stdout);
		status = 0;
	} else {
		if (!j->domains) {
			j->name[0] = argv[optind];
			j->name[1] = argv[optind + 1];
		}
		status = run(j, argc - optind, argv + optind, &in_status);
		if (status == 0) {
			status = in_status;
			view.input = reader_input(j->reader[0]);
			view.input_b = j->reader[1] ? reader_input(j->reader[1]) : NULL;
			view.side_a = j->name[0];
			view.side_b = j->name[1];
			view.by_domain = j->domains != NULL;
			view.compare = &j->report;
			rc = cli_output_open(&out, j->common.output);
			if (rc == 0)
				rc = cli_output_close(&out, j->common.json ? render_json_compare(out.fp, &view)
				                                           : render_text_compare(out.fp, &view));
			if (rc)
				status = rc;
		}
	}
	compare_free(&j->report);
	for (int s = 0; s < 2; s++) {
		stats_free(&j->side[s]);
		reader_close(j->reader[s]);
	}
	free(j->domains);
	cli_common_free(&j->common);
	free(j);
	return status;
}
