/* main.c: global options, the command table, the exit status. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "cmd.h"

struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
};

static int cmd_help(int argc, char **argv);

/* Sorted by name. */
static const struct command commands[] = {
	{ "compare", cmd_compare, "how routing differs between two inputs or two domains" },
	{ "convert", cmd_convert, "any log moestat reads, written as mlog or JSON Lines" },
	{ "dead", cmd_dead, "experts not chosen for N tokens: dead now, or for a while" },
	{ "help", cmd_help, "show the help of a command" },
	{ "maxvio", cmd_maxvio, "load balance per computation batch, by batch size" },
	{ "merge", cmd_merge, "what one run over the logs of saved states would print" },
	{ "pairs", cmd_pairs, "experts chosen together: the most co-selected pairs" },
	{ "place", cmd_place, "device loads under expert parallelism, for several placements" },
	{ "replay", cmd_replay, "re-run the router on the logged logits under other policies" },
	{ "report", cmd_report, "one HTML page of pictures: loads, balance, domains, replay, devices" },
	{ "summarize", cmd_summarize, "expert usage and load balance per layer" },
	{ "watch", cmd_watch, "follow a growing log: NDJSON snapshots, a Prometheus file" },
};

static void usage(FILE *fp)
{
	fputs("usage: moestat [--version] [--help] COMMAND [OPTIONS] [FILE...]\n"
	      "\n"
	      "Tells how the top-k router of a Mixture-of-Experts model behaves, from logs of\n"
	      "the experts each token chose (mlog, JSON Lines, CSV, steps; plain or gzip).\n"
	      "\n"
	      "commands:\n", fp);
	for (size_t i = 0; i < sizeof commands / sizeof *commands; i++)
		fprintf(fp, "  %-11s %s\n", commands[i].name, commands[i].summary);
	fputs("\nSee 'moestat help COMMAND' and moestat(1); the formats and JSON are in moestat(5).\n", fp);
}

static const struct command *find_command(const char *name)
{
	for (size_t i = 0; i < sizeof commands / sizeof *commands; i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

static int unknown_command(const char *name)
{
	fprintf(stderr, "moestat: '%s' is not a command; see 'moestat --help'\n", name);
	return EX_USAGE;
}

/* `moestat help COMMAND` is `moestat COMMAND --help`. */
static int cmd_help(int argc, char **argv)
{
	const struct command *cmd;
	char *help_argv[] = { NULL, "--help", NULL };

	if (argc < 2) {
		usage(stdout);
		return 0;
	}
	if (argc > 2) {
		fprintf(stderr, "moestat: help: one command at a time\n");
		return EX_USAGE;
	}
	cmd = find_command(argv[1]);
	if (!cmd)
		return unknown_command(argv[1]);
	if (cmd->run == cmd_help) {
		usage(stdout);
		return 0;
	}
	help_argv[0] = argv[1];
	optind = 0;
	return cmd->run(2, help_argv);
}

/* The command line, up to the command's exit status. */
static int run(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	const struct command *cmd;
	int opt;

	opterr = 0;
	/* '+': stop at the command; what follows is the command's. */
	while ((opt = getopt_long(argc, argv, "+hV", longopts, NULL)) != -1) {
		switch (opt) {
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("moestat %s\n", MOESTAT_VERSION);
			return 0;
		default:
			fprintf(stderr, "moestat: unknown option '%s'; see 'moestat --help'\n", argv[optind - 1]);
			return EX_USAGE;
		}
	}
	if (optind == argc) {
		usage(stderr);
		return EX_USAGE;
	}
	cmd = find_command(argv[optind]);
	if (!cmd)
		return unknown_command(argv[optind]);
	argc -= optind;
	argv += optind;
	/* The command parses its argv from argv[1]. 0, not 1, makes glibc's
	 * getopt start afresh: the "+" above must not stop it at the first file. */
	optind = 0;
	return cmd->run(argc, argv);
}

int main(int argc, char **argv)
{
	int status;

	/* Past a file size limit (ulimit -f), a write fails with EFBIG, as on a full
	 * disk, and -o's temporary file is removed, rather than the signal killing
	 * moestat and leaving it behind. */
	signal(SIGXFSZ, SIG_IGN);
	status = run(argc, argv);
	/* The commands check their own output; this is for the help and the version. */
	if (status == 0 && (fflush(stdout) != 0 || ferror(stdout))) {
		fprintf(stderr, "moestat: <stdout>: write error: %s\n", strerror(errno));
		return EX_IOERR;
	}
	return status;
}
