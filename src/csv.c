/* csv.c: parser of comma-separated logs (RFC 4180 quoting) whose header row names the columns. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fields.h"
#include "format.h"

#define CSV_NONE SIZE_MAX               /* the column of a role the header lacks */
#define CSV_MAX_ALIASES 7               /* per role, with room for the closing NULL */

enum csv_state {
	CSV_FIELD_START,
	CSV_UNQUOTED,
	CSV_QUOTED,
	CSV_CLOSED,                     /* after a quoted field's closing quote */
};

struct csv {
	struct parser_env env;
	bool has_header;
	size_t ncolumns;
	size_t column[MOE_ROLE_COUNT];  /* index of each role's column, CSV_NONE when absent */
	/* The record being read: its fields unquoted, each ended by a NUL (a line
	 * holding a NUL byte is rejected, so the separator is unambiguous). */
	char *buf;
	size_t len, cap;
	size_t nfields;
	size_t field_start;             /* offset in buf of the field being read */
	enum csv_state state;
	long first_line;
	const char *bad;                /* the first malformation seen in the record */
	size_t bad_field, bad_start;
	struct field_lists lists;
};

/* Names compared after normalizing (see csv_same_name). A token column is
 * not a bare "token": real logs use that name for the token's text. */
static const char *const csv_aliases[MOE_ROLE_COUNT][CSV_MAX_ALIASES] = {
	[MOE_ROLE_LAYER] = { "layer", "layerid" },
	[MOE_ROLE_TOKEN] = { "tokenidx", "tokenpos" },
	[MOE_ROLE_EXPERTS] = { "experts", "activatedexpertids", "expertids", "topkids", "selectedexperts",
	                       "topindices" },
	[MOE_ROLE_WEIGHTS] = { "weights", "gatingprobs", "topkweights" },
	[MOE_ROLE_LOGITS] = { "logits", "routerlogits" },
	[MOE_ROLE_DOMAIN] = { "domain" },
};

static void *csv_open(const struct parser_env *env)
{
	struct csv *p = calloc(1, sizeof *p);

	if (!p)
		return NULL;
	p->env = *env;
	return p;
}

static void csv_close(void *parser)
{
	struct csv *p = parser;

	if (!p)
		return;
	field_lists_free(&p->lists);
	free(p->buf);
	free(p);
}

/* A newline can sit inside a quoted cell: numpy wraps long arrays over lines. */
static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static bool is_ignored(char c)
{
	return c == ' ' || c == '_' || c == '-';
}

/* Header names match without case, spaces, '_' and '-', so that "Layer ID",
 * "layer_id" and "layerid" are one name. */
static bool csv_same_name(const char *a, const char *b)
{
	for (;; a++, b++) {
		while (is_ignored(*a))
			a++;
		while (is_ignored(*b))
			b++;
		if (tolower((unsigned char)*a) != tolower((unsigned char)*b))
			return false;
		if (!*a)
			return true;
	}
}

/* A name given with --key replaces that role's defaults, and wins over
 * another role's default, so that one column never serves two roles. */
static int csv_role_of(const struct csv *p, const char *name)
{
	const char *const *keys = p->env.keys;

	for (int r = 0; r < MOE_ROLE_COUNT; r++)
		if (keys && keys[r] && csv_same_name(name, keys[r]))
			return r;
	for (int r = 0; r < MOE_ROLE_COUNT; r++) {
		if (keys && keys[r])
			continue;
		for (const char *const *alias = csv_aliases[r]; *alias; alias++)
			if (csv_same_name(name, *alias))
				return r;
	}
	return -1;
}

static bool csv_reserve(struct csv *p, size_t more)
{
	size_t cap = p->cap ? p->cap : 256;
	char *buf;

	if (p->len + more <= p->cap)
		return true;
	while (cap < p->len + more)
		cap *= 2;
	buf = realloc(p->buf, cap);
	if (!buf)
		return false;
	p->buf = buf;
	p->cap = cap;
	return true;
}

/* Remembers the first malformation, and the field it is in unless field is false. */
static void csv_mark_bad(struct csv *p, const char *why, bool field)
{
	if (p->bad)
		return;
	p->bad = why;
	p->bad_field = field ? p->nfields : CSV_NONE;
	p->bad_start = p->field_start;
}

static char *csv_end_field(struct csv *p, char *out)
{
	*out++ = '\0';
	p->nfields++;
	p->field_start = (size_t)(out - p->buf);
	p->state = CSV_FIELD_START;
	return out;
}

/* Appends one line of a record to buf (which has room for n + 1 more bytes).
 * Returns true when a quoted field goes on to the next line. */
static bool csv_scan(struct csv *p, const char *s, size_t n)
{
	char *out = p->buf + p->len;

	for (size_t i = 0; i < n; i++) {
		char c = s[i];

		switch (p->state) {
		case CSV_FIELD_START:
			if (c == '"') {
				p->state = CSV_QUOTED;
				break;
			}
			p->state = CSV_UNQUOTED;
			/* fall through */
		case CSV_UNQUOTED:
			if (c == ',') {
				out = csv_end_field(p, out);
				break;
			}
			if (c == '"')
				csv_mark_bad(p, "stray quote", true);
			*out++ = c;
			break;
		case CSV_QUOTED:
			if (c != '"')
				*out++ = c;
			else if (i + 1 < n && s[i + 1] == '"')
				*out++ = s[++i];
			else
				p->state = CSV_CLOSED;
			break;
		case CSV_CLOSED:
			if (c == ',') {
				out = csv_end_field(p, out);
				break;
			}
			csv_mark_bad(p, "text after the closing quote", true);
			*out++ = c;
			p->state = CSV_UNQUOTED;
			break;
		}
	}
	if (p->state == CSV_QUOTED) {
		*out++ = '\n';
		p->len = (size_t)(out - p->buf);
		return true;
	}
	out = csv_end_field(p, out);
	p->len = (size_t)(out - p->buf);
	return false;
}

/* Reads the next non-blank record into buf: PARSE_RECORD, PARSE_END, or an error. */
static int csv_read(struct csv *p, struct moe_error *err)
{
	bool started = false;
	char *line;
	size_t len;
	int rc;

	p->len = p->nfields = p->field_start = 0;
	p->state = CSV_FIELD_START;
	p->bad = NULL;
	for (;;) {
		rc = lines_next(p->env.lines, &line, &len, err);
		if (rc == LINES_END && started) {
			format_fail(&p->env, err, PARSE_FATAL, "file ends inside a quoted field");
			err->line = p->first_line;
			return PARSE_FATAL;
		}
		if (rc == LINES_END)
			return PARSE_END;
		if (rc == LINES_ERROR)
			return PARSE_FATAL;
		if (rc == LINES_TOO_LONG)
			return PARSE_BAD;
		if (!started) {
			if (strspn(line, " \t") == len)
				continue;
			started = true;
			p->first_line = lines_number(p->env.lines);
		} else if (p->len + len >= MOE_MAX_LINE) {
			/* Most likely a quote never closed: stop before it swallows the file. */
			format_fail(&p->env, err, PARSE_FATAL,
			            "quoted field longer than the limit of %u bytes", MOE_MAX_LINE);
			err->line = p->first_line;
			return PARSE_FATAL;
		}
		if (!csv_reserve(p, len + 1))
			return format_nomem(&p->env, err);
		if (memchr(line, '\0', len))
			csv_mark_bad(p, "NUL byte in line", false);
		if (!csv_scan(p, line, len))
			return PARSE_RECORD;
	}
}

/* The field after f in buf. */
static const char *csv_next_field(const char *f)
{
	return f + strlen(f) + 1;
}

static int csv_header(struct csv *p, struct moe_error *err)
{
	const char *const *keys = p->env.keys;
	const char *name[MOE_ROLE_COUNT] = { NULL };
	const char *f = p->buf;

	if (p->bad && p->bad_field == CSV_NONE)
		return format_fail(&p->env, err, PARSE_FATAL, "header: %s", p->bad);
	if (p->bad)
		return format_fail(&p->env, err, PARSE_FATAL, "header: %s in column %zu ('%.32s')",
		                   p->bad, p->bad_field + 1, p->buf + p->bad_start);
	for (int r = 0; r < MOE_ROLE_COUNT; r++)
		p->column[r] = CSV_NONE;
	for (size_t i = 0; i < p->nfields; i++, f = csv_next_field(f)) {
		int r = csv_role_of(p, f);

		if (r < 0)
			continue;
		if (name[r])
			return format_fail(&p->env, err, PARSE_FATAL,
			                   "header: columns '%.64s' and '%.64s' both name the %s "
			                   "(choose one with --key %s=NAME)", name[r], f,
			                   format_role_name((enum moe_role)r), format_role_name((enum moe_role)r));
		name[r] = f;
		p->column[r] = i;
	}
	for (int r = 0; r < MOE_ROLE_COUNT; r++)
		if (keys && keys[r] && p->column[r] == CSV_NONE)
			return format_fail(&p->env, err, PARSE_FATAL, "header: no column '%s' (--key %s=%s)",
			                   keys[r], format_role_name((enum moe_role)r), keys[r]);
	if (p->column[MOE_ROLE_EXPERTS] == CSV_NONE) {
		char looked[256];
		size_t n = 0;

		looked[0] = '\0';
		for (const char *const *alias = csv_aliases[MOE_ROLE_EXPERTS]; *alias; alias++)
			n += (size_t)snprintf(looked + n, sizeof looked - n, "%s'%s'", n ? ", " : "", *alias);
		return format_fail(&p->env, err, PARSE_FATAL,
		                   "header: no experts column (looked for %s, ignoring case, ' ', '_' and '-')",
		                   looked);
	}
	p->ncolumns = p->nfields;
	p->has_header = true;
	return 0;
}

/* Drops the spaces around a cell: "1, 2" is a common way of writing "1,2". */
static void csv_trim(const char **s, size_t *len)
{
	while (*len && is_space(**s)) {
		(*s)++;
		(*len)--;
	}
	while (*len && is_space((*s)[*len - 1]))
		(*len)--;
}

static bool is_separator(char c)
{
	return c == ',' || c == ';' || is_space(c);
}

/* A list cell: "[8, 26, 56]", "8 26 56", "8;26;56" or "8,26,56". */
static int csv_list(struct csv *p, enum moe_role role, const char *cell, struct moe_error *err)
{
	const char *s = cell;
	size_t len = strlen(cell);
	const char *end;
	bool bracket, any = false;

	csv_trim(&s, &len);
	bracket = len >= 2 && s[0] == '[' && s[len - 1] == ']';
	if (bracket) {
		s++;
		len -= 2;
	}
	end = s + len;
	for (;;) {
		size_t hard = 0, n;
		bool edge, alone;
		const char *why = NULL;
		int rc;

		for (; s < end && is_separator(*s); s++)
			if (*s == ',' || *s == ';')
				hard++;
		edge = !any || s == end;
		alone = !any && s == end;
		/* Two commas make an empty item; one at either end is a style of
		 * the bracketed form ("[1, 2,]"), unless it is all there is. */
		if (hard > 1 || (hard == 1 && edge && (!bracket || alone)))
			return format_fail(&p->env, err, PARSE_BAD, "empty item in the %s list '%.32s'",
			                   format_role_name(role), cell);
		if (s == end)
			return 0;
		for (n = 0; s + n < end && !is_separator(s[n]); n++)
			continue;
		rc = field_push_item(&p->lists, role, s, n, &why);
		if (rc == FIELD_NOMEM)
			return format_nomem(&p->env, err);
		if (rc < 0)
			return format_fail(&p->env, err, PARSE_BAD, "bad %s item '%.*s': %s",
			                   format_role_name(role), (int)(n > 32 ? 32 : n), s, why);
		s += n;
		any = true;
	}
}

static int csv_row(struct csv *p, struct moe_record *rec, struct moe_error *err)
{
	const char *cell[MOE_ROLE_COUNT] = { NULL };
	const char *f = p->buf;
	const char *why;
	size_t len;
	uint64_t token;

	if (p->bad && p->bad_field == CSV_NONE)
		return format_fail(&p->env, err, PARSE_BAD, "%s", p->bad);
	if (p->bad)
		return format_fail(&p->env, err, PARSE_BAD, "%s in field %zu ('%.32s')", p->bad,
		                   p->bad_field + 1, p->buf + p->bad_start);
	if (p->nfields != p->ncolumns)
		return format_fail(&p->env, err, PARSE_BAD, "expected %zu fields as in the header, found %zu",
		                   p->ncolumns, p->nfields);
	for (size_t i = 0; i < p->nfields; i++, f = csv_next_field(f))
		for (int r = 0; r < MOE_ROLE_COUNT; r++)
			if (p->column[r] == i)
				cell[r] = f;
	field_lists_clear(&p->lists);
	memset(rec, 0, sizeof *rec);
	rec->token = -1;
	rec->domain = -1;
	if ((f = cell[MOE_ROLE_LAYER])) {
		len = strlen(f);
		csv_trim(&f, &len);
		if (field_layer(f, len, &rec->layer, &why) < 0)
			return format_fail(&p->env, err, PARSE_BAD, "bad layer '%.*s': %s",
			                   (int)(len > 32 ? 32 : len), f, why);
	}
	if ((f = cell[MOE_ROLE_TOKEN])) {
		len = strlen(f);
		csv_trim(&f, &len);
		if (field_uint(f, len, &token, &why) < 0)
			return format_fail(&p->env, err, PARSE_BAD, "bad token '%.*s': %s",
			                   (int)(len > 32 ? 32 : len), f, why);
		if (token > INT64_MAX)
			return format_fail(&p->env, err, PARSE_BAD, "bad token '%.*s': number too large",
			                   (int)(len > 32 ? 32 : len), f);
		rec->token = (int64_t)token;
	}
	for (int r = MOE_ROLE_EXPERTS; r <= MOE_ROLE_LOGITS; r++)
		if (cell[r] && csv_list(p, (enum moe_role)r, cell[r], err) < 0)
			return PARSE_BAD;
	/* Last, so that a record rejected for another reason adds no name. */
	if ((f = cell[MOE_ROLE_DOMAIN])) {
		len = strlen(f);
		csv_trim(&f, &len);
		if (len >= MOE_MAX_NAME)
			return format_fail(&p->env, err, PARSE_BAD, "domain '%.32s...' longer than %u bytes", f,
			                   MOE_MAX_NAME - 1);
		if (len && (rec->domain = domains_intern(p->env.domains, f, len)) < 0)
			return format_fail(&p->env, err, PARSE_FATAL, "more than %u domains", MOE_MAX_DOMAINS);
	}
	field_lists_to_record(&p->lists, cell[MOE_ROLE_WEIGHTS] != NULL, cell[MOE_ROLE_LOGITS] != NULL, rec);
	return PARSE_RECORD;
}

static int csv_next(void *parser, struct moe_record *rec, struct moe_shape *header,
                    struct moe_error *err)
{
	struct csv *p = parser;
	int rc;

	(void)header;
	for (;;) {
		rc = csv_read(p, err);
		if (rc == PARSE_BAD && !p->has_header)
			return PARSE_FATAL;     /* without its header the file cannot be read */
		if (rc != PARSE_RECORD)
			return rc;
		if (p->has_header)
			break;
		if (csv_header(p, err) < 0) {
			err->line = p->first_line;
			return PARSE_FATAL;
		}
	}
	rc = csv_row(p, rec, err);
	if (rc < 0)
		err->line = p->first_line;      /* a quoted field may have carried the record over lines */
	return rc;
}

const struct parser_ops csv_parser = {
	.name = "csv",
	.open = csv_open,
	.next = csv_next,
	.close = csv_close,
};
