/* cli.h: what every command shares: the common options, reading the files, reporting, the exit status. */
#ifndef MOESTAT_CLI_H
#define MOESTAT_CLI_H

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>

#include "error.h"
#include "reader.h"

/* Exit status of a predicate that holds (`dead --fail` found dead experts), as grep's 1. */
#define EXIT_PREDICATE 1

/* Option codes of the long-only options; the common ones first. */
enum {
	CLI_JSON = 256,
	CLI_EXPERTS,
	CLI_LAYERS,
	CLI_DOMAIN,
	CLI_SKIP_BAD,
	CLI_INPUT_FORMAT,
	CLI_KEY,
	CLI_PROGRESS,
	CLI_NO_PROGRESS,
	CLI_HELP,
	CLI_SAVE_STATE,
	CLI_FIRST_COMMAND_OPTION,       /* commands number their own options from here */
};

/* The common options, in the order of the usage text and the man page. */
#define CLI_COMMON_LONGOPTS \
	{ "json", no_argument, NULL, CLI_JSON }, \
	{ "output", required_argument, NULL, 'o' }, \
	{ "experts", required_argument, NULL, CLI_EXPERTS }, \
	{ "layers", required_argument, NULL, CLI_LAYERS }, \
	{ "domain", required_argument, NULL, CLI_DOMAIN }, \
	{ "skip-bad", no_argument, NULL, CLI_SKIP_BAD }, \
	{ "input-format", required_argument, NULL, CLI_INPUT_FORMAT }, \
	{ "key", required_argument, NULL, CLI_KEY }, \
	{ "progress", no_argument, NULL, CLI_PROGRESS }, \
	{ "no-progress", no_argument, NULL, CLI_NO_PROGRESS }, \
	{ "help", no_argument, NULL, CLI_HELP }

/* getopt_long's short options for the common ones; ':' first, so a missing argument is told apart.
 * -j is taken only by the commands that set takes_state. */
#define CLI_COMMON_SHORTOPTS ":o:hj:"

/* The options of the commands whose state can be saved and merged (summarize, dead, maxvio). */
#define CLI_STATE_LONGOPTS \
	{ "save-state", required_argument, NULL, CLI_SAVE_STATE }, \
	{ "jobs", required_argument, NULL, 'j' }

#define CLI_STATE_USAGE \
	"      --save-state FILE   write the state of the run to FILE instead of the report;\n" \
	"                          'moestat merge' prints the report of several\n" \
	"  -j, --jobs N            read each file on its own, N at a time, and merge them\n"

#define CLI_COMMON_USAGE \
	"      --json              print JSON instead of text\n" \
	"  -o, --output FILE       write to FILE (whole, or not at all) instead of standard output\n" \
	"      --experts N         the model has N experts (overrides the header)\n" \
	"      --layers LIST       only these layers, e.g. 0,3,10-20\n" \
	"      --domain NAME       only records of domain NAME\n" \
	"      --skip-bad          count and pass over bad records instead of stopping\n" \
	"      --input-format FMT  auto, mlog, jsonl, csv or steps (default auto)\n" \
	"      --key ROLE=NAME     jsonl/csv: take ROLE (layer, token, experts, weights,\n" \
	"                          logits, domain) from the field NAME\n" \
	"      --progress          show a progress meter on standard error, even into a pipe\n" \
	"      --no-progress       never show it (by default: when standard error is a\n" \
	"                          terminal and the inputs' sizes are known)\n" \
	"  -h, --help              show this help\n"

struct cli_common {
	const char *command;
	bool json;
	bool csv;                       /* --format csv */
	bool help;
	int progress;                   /* 1 --progress, -1 --no-progress, 0 by default */
	const char *output;
	bool takes_state;               /* the command has --save-state and -j */
	const char *save_state;         /* --save-state FILE, or NULL */
	unsigned jobs;                  /* -j N; 0: the files are one stream */
	struct reader_options read;
	unsigned char *layers;          /* owned bitmap behind read.layers */
};

void cli_common_init(struct cli_common *c, const char *command);
void cli_common_free(struct cli_common *c);

/* The next of a command's own options (own: a list ending in a zero entry),
 * handling the common ones on the way: its getopt_long code, with optarg set;
 * CLI_OPTIONS_END after the last option; CLI_OPTIONS_BAD after a usage error
 * (printed). The files start at argv[optind]. */
#define CLI_OPTIONS_END (-1)
#define CLI_OPTIONS_BAD (-2)
int cli_getopt(struct cli_common *c, int argc, char **argv, const struct option *own);

/* Handles opt if it is a common option or a getopt error: 1 handled, 0 not a
 * common option, -1 a usage error (printed). */
int cli_common_option(struct cli_common *c, int opt, const char *arg, char **argv);

/* --format FMT: text, json or csv; -1 with a usage message. */
int cli_format(struct cli_common *c, const char *arg);

/* Parses a whole number in [min, max] for option name; -1 with a usage message. */
int cli_number(const struct cli_common *c, const char *name, const char *arg, unsigned long long min,
               unsigned long long max, unsigned long long *out);

/* A comma-separated list of names from names[0..nnames), each at most once, for option
 * name: their indexes into order[] (room for nnames) in the order given, their number in *n.
 * -1 with a usage message ("--NAME takes a, b or c, each once, not 'ARG'"). */
int cli_names(const struct cli_common *c, const char *name, const char *arg, const char *const *names,
              size_t nnames, int *order, size_t *n);

/* Prints "moestat: COMMAND: message" and the hint to --help; returns EX_USAGE. */
int cli_usage_error(const struct cli_common *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Prints "moestat: FILE:LINE: message"; returns err->status. */
int cli_error(const struct moe_error *err);

/* Prints a warning "moestat: warning: ..." on standard error. */
void cli_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The progress meter's line (--progress) for done bytes of total (0: not
 * known) read in elapsed seconds, into line[size]: "moestat: 12.3 MB read,
 * 45.6 MB/s, 0:01", then ", 37%, ETA 0:02" when total is known and done
 * within it. Its length. The meter draws it on standard error at most 10
 * times a second, over the last, and erases it at the end. */
int cli_meter_line(char *line, size_t size, uint64_t done, uint64_t total, double elapsed);

/* Hands every record of files (none: standard input) to sink, which returns
 * 0, -1 when out of memory, or an exit status after printing why it stopped.
 * On success returns 0 and leaves the reader in *out for reader_input (the
 * caller closes it; a sink may read it too); otherwise prints the error,
 * sets *out to NULL and returns its exit status. */
typedef int (*cli_sink)(void *ctx, const struct moe_record *rec);
int cli_read(const struct cli_common *c, int nfiles, char **files, cli_sink sink, void *ctx,
             struct reader **out);

/* The N of two inputs read as two sides, named name_a and name_b: the larger,
 * unless both state it (header or --experts) and differ, or one states less
 * than the other has. 0, or prints why and returns EX_DATAERR. */
int cli_common_experts(const struct cli_common *c, const struct moe_input *a, const struct moe_input *b,
                       const char *name_a, const char *name_b, unsigned *n);

/* Files that a command reads twice must be regular files, not "-" or a pipe:
 * 0, or a usage error saying why (why: what the two readings are for; or_else,
 * when not NULL, the other way out). */
int cli_rereadable(const struct cli_common *c, int nfiles, char **files, const char *why, const char *or_else);

struct state;
struct state_options;

/* Reads files (none: standard input) into s, initialised for opt and finished
 * (state.h): as one stream, or with -j N each file on its own, N threads at a
 * time, the parts merged in the order of the files. Returns 0, or prints the
 * error and returns its exit status (s is then freed; EX_USAGE, s untouched,
 * for --save-state with -o). */
int cli_read_state(const struct cli_common *c, int nfiles, char **files,
                   const struct state_options *opt, struct state *s);

/* Copies the options that choose the records (--experts, --layers, --domain) into opt. */
void cli_state_options(const struct cli_common *c, struct state_options *opt);

/* Writes s to path (whole, or not at all); 0 or the exit status, after a message. */
int cli_save_state(const struct state *s, const char *path);

/* Warns about skipped records, a cut-short input and a guessed N; returns
 * the exit status the input calls for (EX_IOERR when truncated, else 0). */
int cli_input_status(const struct moe_input *in);

/* The output: standard output, or a temporary file beside -o FILE that is
 * renamed over FILE only when everything was written. */
struct cli_output {
	FILE *fp;
	const char *path;       /* NULL for standard output */
	char *tmp;              /* NULL when writing to path directly (not a regular file) */
};

/* Returns 0, or prints the error and returns EX_CANTCREAT. */
int cli_output_open(struct cli_output *out, const char *path);

/* Flushes and puts the file in place, unless render_rc (what the renderer
 * returned) is negative. Returns 0, or prints the error and returns its exit
 * status (the temporary file is removed, FILE left as it was). */
int cli_output_close(struct cli_output *out, int render_rc);

/* Closes the output and leaves no file: for a run that failed midway. */
void cli_output_discard(struct cli_output *out);

/* The width to draw to: $COLUMNS when it is a positive number, else the width of
 * the terminal when standard output is one, else 80. */
unsigned cli_columns(void);

/* Whether to colour what goes to the output path (NULL or "-": standard
 * output): only standard output that is a terminal, and only when NO_COLOR is
 * unset or empty (no-color.org). */
bool cli_colour(const char *path);

/* Prints "moestat: out of memory" and returns EX_OSERR. */
int cli_out_of_memory(void);

#endif
