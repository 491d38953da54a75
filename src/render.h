/* render.h: the renderers: text for people and JSON for programs, from the same result structs. */
#ifndef MOESTAT_RENDER_H
#define MOESTAT_RENDER_H

#include <stdbool.h>
#include <stdio.h>

#include "dead.h"
#include "reader.h"
#include "summary.h"

struct render_summary {
	const char *command;
	const struct moe_input *input;
	const struct summary *all;
	size_t ndomains;                /* with --by-domain */
	const char *const *domain;      /* ndomains names */
	const struct summary *by_domain;        /* ndomains summaries */
	bool experts_table;             /* text: every expert's line */
};

struct render_dead {
	const char *command;
	const struct moe_input *input;
	const struct dead_report *dead;
};

/* Each writes one whole document to fp and returns 0, or -1 when out of
 * memory; write errors are left for the caller to find on fp. */
int render_text_summary(FILE *fp, const struct render_summary *r);
int render_json_summary(FILE *fp, const struct render_summary *r);
int render_text_dead(FILE *fp, const struct render_dead *r);
int render_json_dead(FILE *fp, const struct render_dead *r);

#endif
