/* cmd_convert.c: `moestat convert`: reader -> records written back as mlog or JSON Lines, gzip'd for -o x.gz. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cmd.h"
#include "render_log.h"
#include "writer.h"

static const char usage[] =
	"usage: moestat convert [OPTIONS] [FILE...]\n"
	"\n"
	"Writes the records of any log moestat reads as one log in moestat's own format:\n"
	"layer, token, domain, weights and logits kept, every figure unchanged.\n"
	"Several files are read in order as one stream; none or '-' is standard input.\n"
	"With -o FILE.gz the log is gzip'd.\n"
	"\n"
	"      --to FORMAT         mlog (default) or jsonl\n"
	CLI_COMMON_USAGE;

enum { OPT_TO = CLI_FIRST_COMMAND_OPTION };

static const struct option longopts[] = {
	{ "to", required_argument, NULL, OPT_TO },
	{ NULL, 0, NULL, 0 },
};

struct job {
	struct cli_common common;
	enum render_log_format to;
	struct reader *reader;
	struct cli_output out;
	struct writer *writer;
	struct render_log log;
};

static int parse_options(struct job *j, int argc, char **argv)
{
	int opt;

	while ((opt = cli_getopt(&j->common, argc, argv, longopts)) >= 0) {
		if (opt != OPT_TO)
			continue;
		if (strcmp(optarg, "mlog") == 0) {
			j->to = RENDER_LOG_MLOG;
		} else if (strcmp(optarg, "jsonl") == 0) {
			j->to = RENDER_LOG_JSONL;
		} else {
			cli_usage_error(&j->common, "--to %s: not mlog or jsonl", optarg);
			return -1;
		}
	}
	if (opt == CLI_OPTIONS_BAD)
		return -1;
	if (j->common.json) {
		cli_usage_error(&j->common, "--json: convert writes a log; --to jsonl writes JSON Lines");
		return -1;
	}
	return 0;
}

/* What a failed render_log call means, said; the exit status. */
static int failure(const struct job *j, int rc, const char *why)
{
	const char *file;
	long line;

	if (rc == RENDER_LOG_NOMEM)
		return cli_out_of_memory();
	if (rc == RENDER_LOG_WRITE)
		return EX_IOERR;        /* said when the writer is closed */
	reader_where(j->reader, &file, &line);
	fprintf(stderr, "moestat: %s:%ld: %s\n", file, line, why);
	return EX_DATAERR;
}

static int write_record(void *ctx, const struct moe_record *rec)
{
	struct job *j = ctx;
	const char *why = NULL;
	int rc = render_log_record(&j->log, rec, reader_input(j->reader), &why);

	return rc ? failure(j, rc, why) : 0;
}

static bool gzip_name(const char *path)
{
	size_t n = path ? strlen(path) : 0;

	return n > 3 && strcmp(path + n - 3, ".gz") == 0;
}

static int convert(struct job *j, int nfiles, char **files)
{
	const char *why = NULL;
	int status, rc;

	if ((status = cli_output_open(&j->out, j->common.output)) != 0)
		return status;
	j->writer = writer_open(j->out.fp, gzip_name(j->common.output));
	if (!j->writer) {
		cli_output_discard(&j->out);
		return cli_out_of_memory();
	}
	render_log_init(&j->log, j->writer, j->to);
	/* The log streams out as it is read; on any failure the output is removed. */
	status = cli_read(&j->common, nfiles, files, write_record, j, &j->reader);
	if (status == 0) {
		status = cli_input_status(reader_input(j->reader));
		rc = render_log_finish(&j->log, reader_input(j->reader), &why);
		if (rc)
			status = failure(j, rc, why);
	}
	rc = writer_close(j->writer);
	j->writer = NULL;
	if (rc < 0) {
		int error = errno;

		cli_output_discard(&j->out);
		fprintf(stderr, "moestat: %s: write error: %s\n",
		        j->common.output ? j->common.output : "<stdout>", strerror(error));
		return EX_IOERR;
	}
	/* A damaged input (74 with --skip-bad) still leaves the log of what was read;
	 * any other failure leaves no file. */
	if (status && status != EX_IOERR) {
		cli_output_discard(&j->out);
		return status;
	}
	rc = cli_output_close(&j->out, 0);
	return rc ? rc : status;
}

int cmd_convert(int argc, char **argv)
{
	struct job *j = calloc(1, sizeof *j);
	int status;

	if (!j)
		return cli_out_of_memory();
	cli_common_init(&j->common, "convert");
	if (parse_options(j, argc, argv) < 0) {
		status = EX_USAGE;
	} else if (j->common.help) {
		fputs(usage, stdout);
		status = 0;
	} else {
		status = convert(j, argc - optind, argv + optind);
	}
	render_log_free(&j->log);
	reader_close(j->reader);
	cli_common_free(&j->common);
	free(j);
	return status;
}
