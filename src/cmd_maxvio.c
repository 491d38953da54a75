/* cmd_maxvio.c: `moestat maxvio`: reader -> state (stats and one chunk accumulator per batch size) -> maxvio report. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cmd.h"
#include "maxvio.h"
#include "render.h"
#include "state.h"

static const char usage[] =
	"usage: moestat maxvio [OPTIONS] [FILE...]\n"
	"\n"
	"Load balance per computation batch: each layer's records, in stream order, cut\n"
	"into consecutive chunks of B tokens; the mean, 95th percentile and largest MaxVio\n"
	"of the chunks, for each batch size B, beside MaxVio over the whole log.\n"
	"Several files are read in order as one stream; none or '-' is standard input.\n"
	"\n"
	"      --batch LIST        batch sizes, e.g. 64,512,4096 (default 1,8,64,512,4096,\n"
	"                          32768, each where the layer has that many tokens)\n"
	"      --micro-batch M     with --ep-dp D: one batch size, M * D\n"
	"      --ep-dp D           the expert-parallel data-parallel size\n"
	CLI_STATE_USAGE
	CLI_COMMON_USAGE;

enum { OPT_BATCH = CLI_FIRST_COMMAND_OPTION, OPT_MICRO_BATCH, OPT_EP_DP };

static const struct option longopts[] = {
	{ "batch", required_argument, NULL, OPT_BATCH },
	{ "micro-batch", required_argument, NULL, OPT_MICRO_BATCH },
	{ "ep-dp", required_argument, NULL, OPT_EP_DP },
	CLI_STATE_LONGOPTS,
	{ NULL, 0, NULL, 0 },
};

#define MAX_SIZES STATE_MAX_SIZES

static const uint64_t default_sizes[] = { 1, 8, 64, 512, 4096, 32768 };

struct job {
	struct cli_common common;
	struct state_options opt;
	unsigned long long micro_batch, ep_dp;
};

static int by_value(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

/* "64,512,4096" into the sizes, ascending, without repeats. */
static int parse_sizes(struct job *j, const char *arg)
{
	uint64_t *sizes = j->opt.sizes;
	const char *s = arg;
	size_t n = 0;

	for (;;) {
		char *end;
		unsigned long long v;

		if (*s < '0' || *s > '9')
			goto bad;
		v = strtoull(s, &end, 10);
		if (v == 0 || v > UINT32_MAX || n == MAX_SIZES || (*end && *end != ','))
			goto bad;
		sizes[n++] = v;
		if (!*end)
			break;
		s = end + 1;
	}
	qsort(sizes, n, sizeof *sizes, by_value);
	j->opt.nsizes = 0;
	for (size_t i = 0; i < n; i++)
		if (i == 0 || sizes[i] != sizes[i - 1])
			sizes[j->opt.nsizes++] = sizes[i];
	j->opt.default_sweep = false;
	return 0;
bad:
	cli_usage_error(&j->common, "--batch takes up to %d sizes from 1 to %u, like 64,512,4096, not '%s'",
	                MAX_SIZES, UINT32_MAX, arg);
	return -1;
}

static int parse_options(struct job *j, int argc, char **argv)
{
	int opt;

	while ((opt = cli_getopt(&j->common, argc, argv, longopts)) >= 0) {
		if ((opt == OPT_BATCH && parse_sizes(j, optarg) < 0) ||
		    (opt == OPT_MICRO_BATCH && cli_number(&j->common, "micro-batch", optarg, 1,
		                                          UINT32_MAX, &j->micro_batch) < 0) ||
		    (opt == OPT_EP_DP && cli_number(&j->common, "ep-dp", optarg, 1, UINT32_MAX,
		                                    &j->ep_dp) < 0))
			return -1;
	}
	if (opt == CLI_OPTIONS_BAD)
		return -1;
	if (!j->micro_batch != !j->ep_dp) {
		cli_usage_error(&j->common, "--micro-batch and --ep-dp go together");
		return -1;
	}
	if (j->micro_batch) {
		if (!j->opt.default_sweep) {
			cli_usage_error(&j->common, "--batch, or --micro-batch with --ep-dp, not both");
			return -1;
		}
		if (j->micro_batch * j->ep_dp > UINT32_MAX) {
			cli_usage_error(&j->common, "--micro-batch times --ep-dp is above %u", UINT32_MAX);
			return -1;
		}
		j->opt.sizes[0] = j->micro_batch * j->ep_dp;
		j->opt.nsizes = 1;
		j->opt.default_sweep = false;
	}
	return 0;
}

int cmd_maxvio_report(const struct state *s, const struct cli_common *c)
{
	struct render_maxvio view = { .command = "maxvio", .input = &s->input };
	struct maxvio_report report;
	struct cli_output out;
	int status;

	if (maxvio_build(&report, &s->all, s->batch, s->opt.sizes, s->opt.nsizes, s->input.experts,
	                 s->opt.default_sweep) < 0) {
		status = cli_out_of_memory();
	} else {
		view.maxvio = &report;
		status = cli_output_open(&out, c->output);
		if (status == 0)
			status = cli_output_close(&out, c->json ? render_json_maxvio(out.fp, &view)
			                                        : render_text_maxvio(out.fp, &view));
	}
	maxvio_free(&report);
	return status;
}

int cmd_maxvio(int argc, char **argv)
{
	struct job *j = calloc(1, sizeof *j);
	struct state s;
	int status, rc;

	if (!j)
		return cli_out_of_memory();
	cli_common_init(&j->common, "maxvio");
	j->common.takes_state = true;
	j->opt.command = STATE_MAXVIO;
	memcpy(j->opt.sizes, default_sizes, sizeof default_sizes);
	j->opt.nsizes = sizeof default_sizes / sizeof *default_sizes;
	j->opt.default_sweep = true;
	if (parse_options(j, argc, argv) < 0) {
		status = EX_USAGE;
	} else if (j->common.help) {
		fputs(usage, stdout);
		status = 0;
	} else {
		cli_state_options(&j->common, &j->opt);
		status = cli_read_state(&j->common, argc - optind, argv + optind, &j->opt, &s);
		if (status == 0) {
			status = cli_input_status(&s.input);
			rc = j->common.save_state ? cli_save_state(&s, j->common.save_state)
			                          : cmd_maxvio_report(&s, &j->common);
			status = rc ? rc : status;
			state_free(&s);
		}
	}
	cli_common_free(&j->common);
	free(j);
	return status;
}
