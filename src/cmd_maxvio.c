/* cmd_maxvio.c: `moestat maxvio`: reader -> stats and one chunk accumulator per batch size -> maxvio report. */
#include <stdlib.h>
#include <string.h>

#include "batch.h"
#include "cli.h"
#include "cmd.h"
#include "maxvio.h"
#include "render.h"
#include "stats.h"

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
	CLI_COMMON_USAGE;

enum { OPT_BATCH = CLI_FIRST_COMMAND_OPTION, OPT_MICRO_BATCH, OPT_EP_DP };

static const struct option longopts[] = {
	{ "batch", required_argument, NULL, OPT_BATCH },
	{ "micro-batch", required_argument, NULL, OPT_MICRO_BATCH },
	{ "ep-dp", required_argument, NULL, OPT_EP_DP },
	{ NULL, 0, NULL, 0 },
};

#define MAX_SIZES 64

static const uint64_t default_sizes[] = { 1, 8, 64, 512, 4096, 32768 };

struct job {
	struct cli_common common;
	uint64_t sizes[MAX_SIZES];
	size_t nsizes;
	bool default_sweep;
	unsigned long long micro_batch, ep_dp;
	struct reader *reader;
	struct stats stats;
	struct batch batch[MAX_SIZES];
	struct batch *takes_records[MAX_SIZES];  /* the sizes not fed by a smaller one */
	size_t ntakes;
	struct maxvio_report report;
};

static int by_value(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

/* "64,512,4096" into j->sizes, ascending, without repeats. */
static int parse_sizes(struct job *j, const char *arg)
{
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
		j->sizes[n++] = v;
		if (!*end)
			break;
		s = end + 1;
	}
	qsort(j->sizes, n, sizeof *j->sizes, by_value);
	j->nsizes = 0;
	for (size_t i = 0; i < n; i++)
		if (i == 0 || j->sizes[i] != j->sizes[i - 1])
			j->sizes[j->nsizes++] = j->sizes[i];
	j->default_sweep = false;
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
		if (!j->default_sweep) {
			cli_usage_error(&j->common, "--batch, or --micro-batch with --ep-dp, not both");
			return -1;
		}
		if (j->micro_batch * j->ep_dp > UINT32_MAX) {
			cli_usage_error(&j->common, "--micro-batch times --ep-dp is above %u", UINT32_MAX);
			return -1;
		}
		j->sizes[0] = j->micro_batch * j->ep_dp;
		j->nsizes = 1;
		j->default_sweep = false;
	}
	return 0;
}

static bool fed(const struct job *j, size_t i)
{
	return i > 0 && j->batch[i - 1].parent == &j->batch[i];
}

/* Sizes that divide the next are chained (batch.h): only the first of a chain
 * takes records. A size of 1 counts nothing, so it does not feed the next. */
static void chain(struct job *j)
{
	for (size_t i = 0; i + 1 < j->nsizes; i++)
		if (j->sizes[i] > 1 && j->sizes[i + 1] % j->sizes[i] == 0)
			batch_chain(&j->batch[i], &j->batch[i + 1]);
	for (size_t i = 0; i < j->nsizes; i++)
		if (!fed(j, i))
			j->takes_records[j->ntakes++] = &j->batch[i];
}

static int count_record(void *ctx, const struct moe_record *rec)
{
	struct job *j = ctx;

	if (stats_add(&j->stats, rec) < 0)
		return -1;
	for (size_t i = 0; i < j->ntakes; i++)
		if (batch_add(j->takes_records[i], rec) < 0)
			return -1;
	return 0;
}

static int build(struct job *j)
{
	unsigned n = reader_input(j->reader)->experts;

	if (stats_reserve(&j->stats, n) < 0)
		return -1;
	for (size_t i = 0; i < j->nsizes; i++)
		if ((!fed(j, i) && batch_finish(&j->batch[i]) < 0) || batch_reserve(&j->batch[i], n) < 0)
			return -1;
	return maxvio_build(&j->report, &j->stats, j->batch, j->sizes, j->nsizes, n, j->default_sweep);
}

static void job_free(struct job *j)
{
	maxvio_free(&j->report);
	for (size_t i = 0; i < j->nsizes; i++)
		batch_free(&j->batch[i]);
	stats_free(&j->stats);
	reader_close(j->reader);
	cli_common_free(&j->common);
	free(j);
}

int cmd_maxvio(int argc, char **argv)
{
	struct job *j = calloc(1, sizeof *j);
	struct render_maxvio view = { .command = "maxvio" };
	struct cli_output out;
	int status, rc;

	if (!j)
		return cli_out_of_memory();
	cli_common_init(&j->common, "maxvio");
	memcpy(j->sizes, default_sizes, sizeof default_sizes);
	j->nsizes = sizeof default_sizes / sizeof *default_sizes;
	j->default_sweep = true;
	if (parse_options(j, argc, argv) < 0) {
		status = EX_USAGE;
	} else if (j->common.help) {
		fputs(usage, stdout);
		status = 0;
	} else {
		stats_init(&j->stats, 0, false);
		for (size_t i = 0; i < j->nsizes; i++)
			batch_init(&j->batch[i], j->sizes[i], 0, false);
		chain(j);
		status = cli_read(&j->common, argc - optind, argv + optind, count_record, j, &j->reader);
		if (status == 0) {
			view.input = reader_input(j->reader);
			view.maxvio = &j->report;
			status = cli_input_status(view.input);
			if (build(j) < 0) {
				status = cli_out_of_memory();
			} else if ((rc = cli_output_open(&out, j->common.output)) != 0 ||
			           (rc = cli_output_close(&out, j->common.json
			                                  ? render_json_maxvio(out.fp, &view)
			                                  : render_text_maxvio(out.fp, &view))) != 0) {
				status = rc;
			}
		}
	}
	job_free(j);
	return status;
}
