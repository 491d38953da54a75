/* render.h: the renderers: text for people and JSON for programs, from the same result structs. */
#ifndef MOESTAT_RENDER_H
#define MOESTAT_RENDER_H

#include <stdbool.h>
#include <stdio.h>

#include "compare.h"
#include "counts.h"
#include "dead.h"
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

#endif
