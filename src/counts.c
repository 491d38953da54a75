/* counts.c: the --counts reader (JSON through jansson, CSV by lines) and the same matrix from a log's stats. */
#include "counts.h"

#include <ctype.h>
#include <jansson.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fields.h"
#include "lines.h"
#include "moestat.h"
#include "source.h"

#define JSON_LIMIT MOE_MAX_LINE         /* bytes of a JSON counts document */

/* The rows as they are read, before they are put in layer order. */
struct building {
	struct counts *c;
	size_t cap;
	const char *file;
	long *line;                     /* [cap] where each row was, for a layer given twice */
	struct moe_error *err;
};

static int nomem(struct building *b)
{
	moe_error_set(b->err, EX_OSERR, b->file, 0, "out of memory");
	return -1;
}

static int bad(struct building *b, long line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int bad(struct building *b, long line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	moe_error_vset(b->err, EX_DATAERR, b->file, line, fmt, ap);
	va_end(ap);
	return -1;
}

/* Room for one more row of c->experts loads; its load row is returned. */
static double *new_row(struct building *b, unsigned layer, long line)
{
	struct counts *c = b->c;

	if (c->nlayers == MOE_MAX_LAYERS) {
		bad(b, line, "more than %u layers", MOE_MAX_LAYERS);
		return NULL;
	}
	if (c->nlayers == b->cap) {
		size_t cap = b->cap ? 2 * b->cap : 64;
		unsigned *ids = realloc(c->layer, cap * sizeof *ids);
		long *lines = ids ? realloc(b->line, cap * sizeof *lines) : NULL;
		double *load;

		if (ids)
			c->layer = ids;
		if (lines)
			b->line = lines;
		load = lines ? realloc(c->load, cap * c->experts * sizeof *load) : NULL;
		if (!load) {
			nomem(b);
			return NULL;
		}
		c->load = load;
		b->cap = cap;
	}
	c->layer[c->nlayers] = layer;
	b->line[c->nlayers] = line;
	return &c->load[c->nlayers++ * c->experts];
}

static int check_load(struct building *b, long line, double x, size_t col)
{
	if (!(x >= 0) || !isfinite(x))
		return bad(b, line, "load %zu is not a finite number >= 0", col);
	return 0;
}

struct row_ref {
	unsigned layer;
	size_t row;
};

static int by_layer(const void *a, const void *b)
{
	const struct row_ref *x = a, *y = b;

	if (x->layer != y->layer)
		return x->layer < y->layer ? -1 : 1;
	return (x->row > y->row) - (x->row < y->row);
}

/* Puts the rows in layer order, keeping those in the bitmap layers. */
static int finish(struct building *b, const unsigned char *layers)
{
	struct counts *c = b->c;
	size_t n = c->nlayers, kept = 0;
	struct row_ref *order;
	unsigned *ids;
	double *load;

	if (n == 0) {
		moe_error_set(b->err, EX_DATAERR, b->file, 0, "no rows of loads");
		return -1;
	}
	order = malloc(n * sizeof *order);
	ids = malloc(n * sizeof *ids);
	load = malloc(n * c->experts * sizeof *load);
	if (!order || !ids || !load) {
		free(order);
		free(ids);
		free(load);
		return nomem(b);
	}
	for (size_t i = 0; i < n; i++)
		order[i] = (struct row_ref){ c->layer[i], i };
	qsort(order, n, sizeof *order, by_layer);
	for (size_t i = 0; i < n; i++) {
		unsigned id = order[i].layer;

		if (i > 0 && order[i - 1].layer == id) {
			long first = b->line[order[i - 1].row], again = b->line[order[i].row];

			free(order);
			free(ids);
			free(load);
			return bad(b, again, "layer %u given twice (first at line %ld)", id, first);
		}
		if (layers && !(layers[id / 8] & (1u << id % 8)))
			continue;
		ids[kept] = id;
		memcpy(&load[kept++ * c->experts], &c->load[order[i].row * c->experts],
		       c->experts * sizeof *load);
	}
	free(order);
	free(c->layer);
	free(c->load);
	c->layer = ids;
	c->load = load;
	c->nlayers = kept;
	return 0;
}

/* CSV: the cells of a line, in place: trimmed, unquoted ("" is a quote), each ended by a
 * NUL. NULL when the line is malformed (an unclosed quote). */
static size_t split_cells(char *line, char **cell, size_t cap, const char **why)
{
	size_t n = 0;
	char *s = line;

	for (;;) {
		char *out, *start;

		while (*s == ' ' || *s == '\t')
			s++;
		start = out = s;
		if (*s == '"') {
			for (s++;; s++) {
				if (!*s) {
					*why = "a quoted cell does not end";
					return SIZE_MAX;
				}
				if (*s == '"' && s[1] != '"')
					break;
				*out++ = *s == '"' ? *s++ : *s;
			}
			s++;
			while (*s == ' ' || *s == '\t')
				s++;
			if (*s && *s != ',') {
				*why = "text after a quoted cell";
				return SIZE_MAX;
			}
		} else {
			while (*s && *s != ',')
				s++;
			out = s;
			while (out > start && (out[-1] == ' ' || out[-1] == '\t'))
				out--;
		}
		if (n == cap) {
			*why = "more cells than the limit of experts";
			return SIZE_MAX;
		}
		cell[n++] = start;
		if (!*s) {
			*out = '\0';
			return n;
		}
		*out = '\0';
		s++;
	}
}

static bool is_number(const char *s)
{
	double x;
	const char *why;

	return field_double(s, strlen(s), &x, &why) == 0;
}

static bool blank(const char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	return !*s;
}

struct csv_state {
	char **cell;
	size_t ncells;          /* of every row */
	size_t layer_col;       /* SIZE_MAX: none */
	bool started;
	unsigned next_layer;    /* rows without a layer column */
};

/* The first row: a header when a cell is not a number. */
static int csv_first(struct building *b, struct csv_state *st, size_t n, long line)
{
	bool header = false;

	st->ncells = n;
	st->layer_col = SIZE_MAX;
	st->started = true;
	for (size_t i = 0; i < n; i++)
		header |= !is_number(st->cell[i]);
	if (!header)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (strcasecmp(st->cell[i], "layer") == 0) {
			if (st->layer_col != SIZE_MAX)
				return bad(b, line, "header: two layer columns");
			st->layer_col = i;
		}
	if (n - (st->layer_col != SIZE_MAX) == 0)
		return bad(b, line, "header: no expert column");
	return 1;
}

static int csv_row(struct building *b, struct csv_state *st, size_t n, long line)
{
	unsigned layer = st->next_layer;
	size_t col = 0;
	const char *why;
	double *row;

	if (n != st->ncells)
		return bad(b, line, "expected %zu cells, found %zu", st->ncells, n);
	if (st->layer_col != SIZE_MAX &&
	    field_layer(st->cell[st->layer_col], strlen(st->cell[st->layer_col]), &layer, &why) < 0)
		return bad(b, line, "layer '%s': %s", st->cell[st->layer_col], why);
	st->next_layer++;
	if (!(row = new_row(b, layer, line)))
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (i == st->layer_col)
			continue;
		if (field_double(st->cell[i], strlen(st->cell[i]), &row[col], &why) < 0)
			return bad(b, line, "load %zu '%s': %s", col, st->cell[i], why);
		if (check_load(b, line, row[col], col) < 0)
			return -1;
		col++;
	}
	return 0;
}

/* CSV from the line just read on: first decides the number of columns. */
static int read_csv(struct building *b, struct lines *ln, char *line)
{
	struct csv_state st = { .cell = malloc(MOE_MAX_EXPERTS * sizeof *st.cell + sizeof *st.cell) };
	size_t len;
	int rc = 0;

	if (!st.cell)
		return nomem(b);
	do {
		const char *why = "";
		size_t n;

		if (blank(line) || line[0] == '#')
			continue;
		n = split_cells(line, st.cell, MOE_MAX_EXPERTS + 1, &why);
		if (n == SIZE_MAX) {
			rc = bad(b, lines_number(ln), "%s", why);
			break;
		}
		if (!st.started) {
			rc = csv_first(b, &st, n, lines_number(ln));
			if (rc < 0)
				break;
			b->c->experts = (unsigned)(n - (st.layer_col != SIZE_MAX));
			if (b->c->experts > MOE_MAX_EXPERTS) {
				rc = bad(b, lines_number(ln), "more than %u experts", MOE_MAX_EXPERTS);
				break;
			}
			if (rc == 1)
				continue;
		}
		if ((rc = csv_row(b, &st, n, lines_number(ln))) < 0)
			break;
	} while ((rc = lines_next(ln, &line, &len, b->err)) == LINES_OK);
	free(st.cell);
	if (rc == LINES_TOO_LONG || rc == LINES_ERROR)
		return -1;
	return rc < 0 ? -1 : 0;
}

/* The line of item `col` of row `row` of a JSON matrix (col SIZE_MAX: the row itself),
 * found by walking the text again: jansson keeps no positions. */
static long json_line(const char *text, size_t row, size_t col)
{
	size_t item[3] = { 0 };
	long line = 1;
	int depth = 0;
	bool string = false;

	for (const char *s = text; *s; s++) {
		if (*s == '\n')
			line++;
		if (string) {
			if (*s == '\\' && s[1])
				s++;
			else if (*s == '"')
				string = false;
			continue;
		}
		if (isspace((unsigned char)*s))
			continue;
		if (*s == ',' && depth >= 1 && depth <= 2) {
			item[depth]++;
			continue;
		}
		if (*s == ']') {
			depth--;
			continue;
		}
		/* The start of a value at the depth we are at. */
		if (depth == 1 && item[1] == row && col == SIZE_MAX)
			return line;
		if (depth == 2 && item[1] == row && item[2] == col)
			return line;
		if (*s == '[') {
			depth++;
			if (depth <= 2)
				item[depth] = 0;
		} else if (*s == '"') {
			string = true;
		}
	}
	return line;
}

static int read_json(struct building *b, struct lines *ln, char *line, size_t len)
{
	char *text = NULL;
	size_t n = 0, cap = 0;
	json_error_t jerr;
	json_t *doc, *row;
	size_t i;
	int rc;

	do {
		if (n + len + 2 > cap) {
			char *t;

			if (n + len + 2 > JSON_LIMIT) {
				free(text);
				return bad(b, lines_number(ln), "a JSON counts file longer than %u bytes",
				           JSON_LIMIT);
			}
			cap = 2 * (n + len + 2);
			if (!(t = realloc(text, cap))) {
				free(text);
				return nomem(b);
			}
			text = t;
		}
		memcpy(text + n, line, len);
		n += len;
		text[n++] = '\n';
		text[n] = '\0';
	} while ((rc = lines_next(ln, &line, &len, b->err)) == LINES_OK);
	if (rc != LINES_END) {
		free(text);
		return -1;
	}
	doc = json_loadb(text, n, JSON_DECODE_ANY, &jerr);
	if (!doc) {
		free(text);
		return bad(b, jerr.line, "invalid JSON: %s", jerr.text);
	}
	rc = 0;
	if (!json_is_array(doc)) {
		rc = bad(b, 1, "not a list of rows, one list of loads a layer");
		goto done;
	}
	json_array_foreach(doc, i, row) {
		size_t j;
		json_t *x;
		double *out;

		if (!json_is_array(row) || json_array_size(row) == 0) {
			rc = bad(b, json_line(text, i, SIZE_MAX), "row %zu is not a list of loads", i);
			goto done;
		}
		if (i == 0) {
			if (json_array_size(row) > MOE_MAX_EXPERTS) {
				rc = bad(b, json_line(text, i, SIZE_MAX), "more than %u experts", MOE_MAX_EXPERTS);
				goto done;
			}
			b->c->experts = (unsigned)json_array_size(row);
		} else if (json_array_size(row) != b->c->experts) {
			rc = bad(b, json_line(text, i, SIZE_MAX), "row %zu has %zu loads, row 0 %u", i,
			         json_array_size(row), b->c->experts);
			goto done;
		}
		if (!(out = new_row(b, (unsigned)i, json_line(text, i, SIZE_MAX)))) {
			rc = -1;
			goto done;
		}
		json_array_foreach(row, j, x) {
			long where = json_line(text, i, j);

			if (!json_is_number(x)) {
				rc = bad(b, where, "load %zu of row %zu is not a number", j, i);
				goto done;
			}
			out[j] = json_number_value(x);
			if ((rc = check_load(b, where, out[j], j)) < 0)
				goto done;
		}
	}
done:
	json_decref(doc);
	free(text);
	return rc;
}

int counts_read(struct counts *c, const char *path, const unsigned char *layers, struct moe_error *err)
{
	struct building b = { .c = c, .err = err };
	struct source *src;
	struct lines *ln = NULL;
	char *line;
	size_t len;
	int rc;

	memset(c, 0, sizeof *c);
	if (!(src = source_open(path, err)))
		return -1;
	b.file = source_name(src);
	if (!(ln = lines_open(src))) {
		rc = nomem(&b);
		goto done;
	}
	while ((rc = lines_next(ln, &line, &len, err)) == LINES_OK && blank(line))
		;
	if (rc == LINES_END) {
		rc = bad(&b, 0, "no rows of loads");
	} else if (rc != LINES_OK) {
		rc = -1;
	} else {
		while (isspace((unsigned char)*line))
			line++, len--;
		c->format = line[0] == '[' ? "json" : "csv";
		rc = line[0] == '[' ? read_json(&b, ln, line, len) : read_csv(&b, ln, line);
		if (rc == 0)
			rc = finish(&b, layers);
	}
done:
	free(b.line);
	if (rc < 0)
		counts_free(c);
	lines_close(ln);
	source_close(src);
	return rc < 0 ? -1 : 0;
}

int counts_from_stats(struct counts *c, const struct stats *st, unsigned n)
{
	const struct stats_layer *l;
	size_t i = 0;

	memset(c, 0, sizeof *c);
	c->format = "log";
	c->experts = n;
	c->nlayers = stats_layers(st);
	c->layer = malloc((c->nlayers ? c->nlayers : 1) * sizeof *c->layer);
	c->load = malloc((c->nlayers ? c->nlayers : 1) * (n ? n : 1) * sizeof *c->load);
	if (!c->layer || !c->load) {
		counts_free(c);
		return -1;
	}
	for (l = stats_next(st, 0); l; l = stats_next(st, l->layer + 1), i++) {
		c->layer[i] = l->layer;
		for (unsigned e = 0; e < n; e++)
			c->load[i * n + e] = (double)l->count[e];
	}
	return 0;
}

const double *counts_row(const struct counts *c, unsigned layer)
{
	size_t lo = 0, hi = c->nlayers;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (c->layer[mid] == layer)
			return &c->load[mid * c->experts];
		if (c->layer[mid] < layer)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

void counts_free(struct counts *c)
{
	free(c->layer);
	free(c->load);
	memset(c, 0, sizeof *c);
}
