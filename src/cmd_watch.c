/* cmd_watch.c: `moestat watch`: a followed log -> watch (stats, window, dead flags) -> NDJSON snapshots and a Prometheus file. */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "cmd.h"
#include "render.h"
#include "watch.h"

static const char usage[] =
	"usage: moestat watch [OPTIONS] [FILE|-]\n"
	"\n"
	"Follows a log that is still being written (like tail -F: through rotation and\n"
	"truncation), or reads standard input, and every N tokens of every layer prints\n"
	"one JSON object on one line: per layer the cumulative counts, MaxVio over the\n"
	"last W tokens, the experts that just crossed the dead threshold, and the time.\n"
	"Ctrl-C or SIGTERM ends it with a final snapshot.\n"
	"\n"
	"      --every N           a snapshot every N tokens of every layer (default 10000)\n"
	"      --window W          MaxVio over each layer's last W tokens (default N)\n"
	"      --threshold T       dead: not chosen for T tokens of the layer (default 10000)\n"
	"      --prom FILE         also write each snapshot to FILE in the Prometheus text\n"
	"                          format (a temporary file, then renamed over FILE)\n"
	CLI_COMMON_USAGE;

enum { OPT_EVERY = CLI_FIRST_COMMAND_OPTION, OPT_WINDOW, OPT_THRESHOLD, OPT_PROM };

static const struct option longopts[] = {
	{ "every", required_argument, NULL, OPT_EVERY },
	{ "window", required_argument, NULL, OPT_WINDOW },
	{ "threshold", required_argument, NULL, OPT_THRESHOLD },
	{ "prom", required_argument, NULL, OPT_PROM },
	{ NULL, 0, NULL, 0 },
};

static volatile sig_atomic_t stopped;

static void on_signal(int sig)
{
	(void)sig;
	stopped = 1;
}

struct job {
	struct cli_common common;
	unsigned long long every, window, threshold;
	const char *prom;
	struct reader *reader;
	struct watch watch;
};

static int parse_options(struct job *j, int argc, char **argv)
{
	int opt;

	while ((opt = cli_getopt(&j->common, argc, argv, longopts)) >= 0) {
		if ((opt == OPT_EVERY && cli_number(&j->common, "every", optarg, 1, UINT32_MAX, &j->every) < 0) ||
		    (opt == OPT_WINDOW && cli_number(&j->common, "window", optarg, 1, 1u << 24, &j->window) < 0) ||
		    (opt == OPT_THRESHOLD &&
		     cli_number(&j->common, "threshold", optarg, 1, INT64_MAX, &j->threshold) < 0))
			return -1;
		if (opt == OPT_PROM)
			j->prom = optarg;
	}
	if (opt == CLI_OPTIONS_BAD)
		return -1;
	if (argc - optind > 1)
		return cli_usage_error(&j->common, "one FILE or - at a time"), -1;
	if (j->common.output)
		return cli_usage_error(&j->common, "the snapshots go to standard output; -o does not "
		                       "apply (--prom FILE writes a file)"), -1;
	return 0;
}

/* Prints a snapshot (and writes the Prometheus file); 0, -1 out of memory, or an exit status. */
static int emit(struct job *j, bool final)
{
	struct watch_snapshot s;
	struct cli_output out;
	int status = 0;

	if (watch_snapshot(&j->watch, reader_input(j->reader)->experts, &s) < 0) {
		watch_snapshot_free(&s);
		return -1;
	}
	s.final = final;
	s.time = (int64_t)time(NULL);
	if (render_json_watch(stdout, &s) < 0)
		status = -1;
	else if (fflush(stdout) != 0 || ferror(stdout))
		status = cli_output_close(&(struct cli_output){ .fp = stdout }, 0);
	else if (j->prom && (status = cli_output_open(&out, j->prom)) == 0)
		status = cli_output_close(&out, render_prom_watch(out.fp, &s));
	watch_snapshot_free(&s);
	return status;
}

static int watch_record(void *ctx, const struct moe_record *rec)
{
	struct job *j = ctx;
	int due = watch_add(&j->watch, rec);

	return due <= 0 ? due : emit(j, false);
}

int cmd_watch(int argc, char **argv)
{
	struct job *j = calloc(1, sizeof *j);
	struct sigaction sa;
	int status;

	if (!j)
		return cli_out_of_memory();
	cli_common_init(&j->common, "watch");
	j->every = 10000;
	j->threshold = 10000;
	if (parse_options(j, argc, argv) < 0) {
		status = EX_USAGE;
	} else if (j->common.help) {
		fputs(usage, stdout);
		status = 0;
	} else {
		/* No SA_RESTART: a read or a wait at the end of the file returns, and sees the flag. */
		memset(&sa, 0, sizeof sa);
		sa.sa_handler = on_signal;
		sigemptyset(&sa.sa_mask);
		sigaction(SIGINT, &sa, NULL);
		sigaction(SIGTERM, &sa, NULL);
		j->common.read.follow = &stopped;
		watch_init(&j->watch, j->every, j->window ? j->window : j->every, j->threshold);
		status = cli_read(&j->common, argc - optind, argv + optind, watch_record, j, &j->reader);
		if (status == 0) {
			status = cli_input_status(reader_input(j->reader));
			int rc = emit(j, true);

			status = rc < 0 ? cli_out_of_memory() : rc ? rc : status;
		}
		watch_free(&j->watch);
	}
	reader_close(j->reader);
	cli_common_free(&j->common);
	free(j);
	return status;
}
