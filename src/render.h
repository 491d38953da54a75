/* render.h: the renderers: text and HTML for people and JSON for programs, from the same result structs. */
#ifndef MOESTAT_RENDER_H
#define MOESTAT_RENDER_H

#include <stdbool.h>
#include <stdio.h>

#include "compare.h"
#include "counts.h"
#include "dead.h"
#include "heat.h"
#include "devload.h"
#include "maxvio.h"
#include "pairs.h"
#include "replay.h"
#include "reader.h"
#include "summary.h"
#include "watch.h"

struct render_summary {
	const char *command;
	const struct moe_input *input;
	const struct summary *all;
	size_t ndomains;                /* with --by-domain */
	const char *const *domain;      /* ndomains names */
	const struct summary *by_domain;        /* ndomains summaries */
	bool experts_table;             /* text: every expert's line */
	uint64_t batch;                 /* the chunk size of the experts' batch_* figures; 0: none */
	bool heatmap;                   /* text: the heatmap instead of the tables */
	bool ascii;                     /* the heatmap in ASCII instead of Unicode shades */
	bool colour;                    /* the heatmap in ANSI colours */
	unsigned columns;               /* the heatmap's width in characters */
};

struct render_dead {
	const char *command;
	const struct moe_input *input;
	const struct dead_report *dead;
};

struct render_maxvio {
	const char *command;
	const struct moe_input *input;
	const struct maxvio_report *maxvio;
};

struct render_pairs {
	const char *command;
	const struct moe_input *input;
	const struct pairs_report *pairs;
};

struct render_compare {
	const char *command;
	const struct moe_input *input;          /* side A, or the one input of both domains */
	const struct moe_input *input_b;        /* side B; NULL when the sides are domains */
	const char *side_a, *side_b;            /* the files, or the domains */
	bool by_domain;
	const struct compare_report *compare;
};

struct render_replay {
	const char *command;
	const struct moe_input *input;
	const struct replay_options *options;
	int score;                              /* the enum route_score used, -1: no record */
	size_t nresults;
	const struct replay_result *results;
};

struct render_place {
	const char *command;
	const struct moe_input *input;          /* the log evaluated; NULL with --counts */
	const struct moe_input *fit_input;      /* the --fit log, or NULL: fitted on the input */
	const char *counts_file;                /* --counts, or NULL */
	const struct counts *counts;
	unsigned devices;
	uint64_t batch;                         /* 0 with --counts */
	size_t nplacements;
	const struct devload *placements;       /* in the order asked */
};

/* The HTML report: every figure from the modules that compute it. */
struct render_report {
	const char *command_line;               /* as given, quoted for a shell */
	const struct moe_input *input;          /* the input, or the first of two */
	const struct moe_input *input_b;        /* the second of two inputs, or NULL */
	const struct summary *all;              /* the heatmap: every record */
	const struct stats *stats;              /* all's accumulator, with gaps: each expert's last use */
	const struct dead_report *dead;         /* the experts marked dead */
	const struct maxvio_report *maxvio;     /* MaxVio_global and, one size, MaxVio_batch */
	size_t nsides;                          /* 0, or the domains or the two inputs */
	const char *const *side;                /* their names */
	const struct summary *sides;            /* their summaries */
	const struct compare_report *compare;   /* nsides - 1: side 0 against side i + 1 */
	const struct replay_options *replay_options;    /* NULL: no replay (no logits) */
	int score;                              /* the enum route_score used */
	size_t nreplay;
	const struct replay_result *replay;
	unsigned devices;                       /* --ep P, 0: no placements */
	size_t nplacements;
	const struct devload *placements;
};

/* What the text and HTML renderers say of a replayed strategy: its name, and
 * "rate=0.001" and the like, what tells the rows of one strategy apart. */
const char *render_replay_name(enum replay_strategy s);
void render_replay_params(char *buf, size_t size, const struct replay_instance *in,
                          const struct replay_options *o);

/* Each writes one whole document to fp and returns 0, or -1 when out of
 * memory; write errors are left for the caller to find on fp. */
int render_text_summary(FILE *fp, const struct render_summary *r);
int render_json_summary(FILE *fp, const struct render_summary *r);
/* One CSV row per layer and expert, with a header row (moestat.5). */
int render_csv_summary(FILE *fp, const struct render_summary *r);
/* One line of NDJSON, for `watch`. */
int render_json_watch(FILE *fp, const struct watch_snapshot *s);
/* The Prometheus text exposition format, for node_exporter's textfile collector. */
int render_prom_watch(FILE *fp, const struct watch_snapshot *s);
int render_text_dead(FILE *fp, const struct render_dead *r);
int render_json_dead(FILE *fp, const struct render_dead *r);
int render_text_maxvio(FILE *fp, const struct render_maxvio *r);
int render_json_maxvio(FILE *fp, const struct render_maxvio *r);
int render_text_pairs(FILE *fp, const struct render_pairs *r);
int render_json_pairs(FILE *fp, const struct render_pairs *r);
int render_text_compare(FILE *fp, const struct render_compare *r);
int render_json_compare(FILE *fp, const struct render_compare *r);
int render_text_replay(FILE *fp, const struct render_replay *r);
int render_json_replay(FILE *fp, const struct render_replay *r);
int render_text_place(FILE *fp, const struct render_place *r);
int render_json_place(FILE *fp, const struct render_place *r);
int render_html_report(FILE *fp, const struct render_report *r);

#endif
