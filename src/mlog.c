/* mlog.c: parser of moestat's own line format: a "#moestat v1" header, "#domain" lines, one record a line. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fields.h"
#include "format.h"
#include "ids.h"
#include "mlog_avx512.h"

#define MLOG_MAX_COLUMNS 5

/* Where the window readers look: the bytes from base, with a bit for each
 * byte of the 64 there that is not a digit, and for every byte from lim on,
 * which are not the window's (so a number never runs past it), and a bit for
 * each newline before lim. Kept from record to record (a line is some 30
 * bytes), forgotten whenever lines_next may move the buffer. */
struct mlog_scan {
	const char *base;               /* NULL: nothing scanned */
	uint64_t nondigit, newline;
	uint64_t ahead;                 /* the bits of nondigit from the reading position on */
	size_t lim;
};

struct mlog {
	struct parser_env env;
	enum moe_role column[MLOG_MAX_COLUMNS];
	size_t ncolumns;                /* 0 until a header or the first record sets them */
	bool has_weights, has_logits;
	bool fast;                      /* the columns fast_record reads */
	bool in_place;                  /* and whole numbers only: window_record reads them */
	bool layer_ids;                 /* and just "layer experts": window_layer_ids does */
	bool avx512;                    /* mlog_avx512_line reads that shape where it can */
	struct mlog_scan scan;
	struct id_stamps stamps;        /* for the runs that window_line reads */
	struct field_lists lists;
};

static void set_columns(struct mlog *p, const enum moe_role *roles, size_t n);

static void *mlog_open(const struct parser_env *env)
{
	struct mlog *p = calloc(1, sizeof *p);

	if (!p)
		return NULL;
	p->env = *env;
	p->avx512 = mlog_avx512_usable();
	/* A file without a header goes on in the columns of the one before. */
	if (env->mlog->ncolumns)
		set_columns(p, env->mlog->column, env->mlog->ncolumns);
	return p;
}

static void mlog_close(void *parser)
{
	struct mlog *p = parser;

	if (!p)
		return;
	field_lists_free(&p->lists);
	id_stamps_free(&p->stamps);
	free(p);
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t';
}

/* Cuts the next whitespace-separated word from *s, NUL-terminating it; NULL when none is left. */
static char *next_word(char **s, size_t *len)
{
	char *w = *s;

	while (is_space(*w))
		w++;
	if (!*w)
		return NULL;
	*s = w;
	while (**s && !is_space(**s))
		(*s)++;
	*len = (size_t)(*s - w);
	if (**s)
		*(*s)++ = '\0';
	return w;
}

static void set_columns(struct mlog *p, const enum moe_role *roles, size_t n)
{
	const char *why;

	memcpy(p->column, roles, n * sizeof *roles);
	p->ncolumns = n;
	p->has_weights = p->has_logits = false;
	for (size_t i = 0; i < n; i++) {
		p->has_weights |= roles[i] == MOE_ROLE_WEIGHTS;
		p->has_logits |= roles[i] == MOE_ROLE_LOGITS;
	}
	/* The fast path reads into lists made ready here; a record that outgrows them
	 * takes the general path, which grows them for the next (a failed allocation
	 * only leaves the fast path off). */
	p->fast = true;
	while (p->fast && p->lists.cap_experts < 64)
		if (field_push_expert(&p->lists, 0, &why) < 0)
			p->fast = false;
	while (p->fast && p->has_weights && p->lists.cap_weights < 64)
		if (field_push_weight(&p->lists, 0, &why) < 0)
			p->fast = false;
	field_lists_clear(&p->lists);
	p->in_place = p->fast && !p->has_weights && !p->has_logits;
	p->layer_ids = p->in_place && n == 2 && roles[0] == MOE_ROLE_LAYER && roles[1] == MOE_ROLE_EXPERTS;
}

/* Sets the columns and leaves them to what reads on: the blocks of this file
 * (reader.c) and, unless guessed, the files after it. */
static void carry_columns(struct mlog *p, const enum moe_role *roles, size_t n, bool guessed)
{
	set_columns(p, roles, n);
	memcpy(p->env.mlog->column, roles, n * sizeof *roles);
	p->env.mlog->ncolumns = n;
	p->env.mlog->guessed = guessed;
}

static int parse_fields(struct mlog *p, const char *list, struct moe_error *err)
{
	enum moe_role roles[MLOG_MAX_COLUMNS];
	bool seen[MOE_ROLE_COUNT] = { false };
	size_t n = 0;

	for (const char *s = list;; s++) {
		size_t len = strcspn(s, ",");
		char name[16];
		int role = -1;

		if (len < sizeof name) {
			memcpy(name, s, len);
			name[len] = '\0';
			role = format_role_from_name(name);
		}
		if (role < 0 || role == MOE_ROLE_DOMAIN)
			return format_fail(&p->env, err, PARSE_FATAL,
			                   "header: unknown field '%.*s' in fields=%s", (int)len, s, list);
		if (seen[role])
			return format_fail(&p->env, err, PARSE_FATAL,
			                   "header: field '%s' named twice in fields=%s", name, list);
		seen[role] = true;
		roles[n++] = (enum moe_role)role;
		s += len;
		if (!*s)
			break;
	}
	if (!seen[MOE_ROLE_EXPERTS])
		return format_fail(&p->env, err, PARSE_FATAL, "header: fields=%s has no 'experts'", list);
	carry_columns(p, roles, n, false);
	return 0;
}

static int parse_count(struct mlog *p, const char *key, const char *value, unsigned *out,
                       struct moe_error *err)
{
	uint64_t v;
	const char *why;

	if (field_uint(value, strlen(value), &v, &why) < 0 || v == 0 || v > MOE_MAX_EXPERTS)
		return format_fail(&p->env, err, PARSE_FATAL,
		                   "header: %s=%s is not a whole number from 1 to %u", key, value,
		                   MOE_MAX_EXPERTS);
	*out = (unsigned)v;
	return 0;
}

/* "#moestat v1 key=value ...": unknown keys are passed over, for later versions. */
static int parse_header(struct mlog *p, char *s, struct moe_shape *shape, struct moe_error *err)
{
	char *word;
	size_t len;

	memset(shape, 0, sizeof *shape);
	next_word(&s, &len);
	word = next_word(&s, &len);
	if (!word || strcmp(word, "v1") != 0)
		return format_fail(&p->env, err, PARSE_FATAL, "header: unsupported version '%s' (expected v1)",
		                   word ? word : "");
	while ((word = next_word(&s, &len))) {
		char *value = strchr(word, '=');

		if (!value)
			return format_fail(&p->env, err, PARSE_FATAL, "header: '%s' is not key=value", word);
		*value++ = '\0';
		if (strcmp(word, "experts") == 0) {
			if (parse_count(p, word, value, &shape->experts, err) < 0)
				return PARSE_FATAL;
		} else if (strcmp(word, "topk") == 0) {
			if (parse_count(p, word, value, &shape->topk, err) < 0)
				return PARSE_FATAL;
		} else if (strcmp(word, "score") == 0) {
			if (strcmp(value, "softmax") != 0 && strcmp(value, "sigmoid") != 0)
				return format_fail(&p->env, err, PARSE_FATAL,
				                   "header: score=%s is neither softmax nor sigmoid", value);
			snprintf(shape->score, sizeof shape->score, "%s", value);
		} else if (strcmp(word, "fields") == 0) {
			if (parse_fields(p, value, err) < 0)
				return PARSE_FATAL;
		} else if (strcmp(word, "model") == 0) {
			if (strlen(value) >= sizeof shape->model)
				return format_fail(&p->env, err, PARSE_FATAL,
				                   "header: model name longer than %zu bytes",
				                   sizeof shape->model - 1);
			memcpy(shape->model, value, strlen(value) + 1);
		}
	}
	if (shape->experts && shape->topk > shape->experts)
		return format_fail(&p->env, err, PARSE_FATAL, "header: topk=%u is more than experts=%u",
		                   shape->topk, shape->experts);
	return PARSE_HEADER;
}

static int parse_domain(struct mlog *p, char *s, struct moe_error *err)
{
	char *name;
	size_t len;

	next_word(&s, &len);
	name = next_word(&s, &len);
	if (!name)
		return format_fail(&p->env, err, PARSE_FATAL, "#domain without a name");
	if (next_word(&s, &len))
		return format_fail(&p->env, err, PARSE_FATAL, "#domain name contains white space");
	if (len >= MOE_MAX_NAME)
		return format_fail(&p->env, err, PARSE_FATAL, "domain name longer than %u bytes",
		                   MOE_MAX_NAME - 1);
	p->env.mlog->domain = domains_intern(p->env.domains, name, len);
	if (p->env.mlog->domain < 0)
		return format_fail(&p->env, err, PARSE_FATAL, "more than %u domains", MOE_MAX_DOMAINS);
	return 0;
}

/* Parses a comma-separated list (no spaces, no empty items) of one role. */
static int parse_list(struct mlog *p, enum moe_role role, char *s, size_t len, struct moe_error *err)
{
	const char *end = s + len;

	for (;;) {
		size_t n = strcspn(s, ",");
		const char *why = NULL;
		int rc;

		if (n == 0)
			return format_fail(&p->env, err, PARSE_BAD, "empty item in the %s list",
			                   format_role_name(role));
		rc = field_push_item(&p->lists, role, s, n, &why);
		if (rc == FIELD_NOMEM)
			return format_nomem(&p->env, err);
		if (rc < 0)
			return format_fail(&p->env, err, PARSE_BAD, "bad %s item '%.*s': %s",
			                   format_role_name(role), (int)(n > 32 ? 32 : n), s, why);
		s += n;
		if (s == end)
			return 0;
		s++;
		if (s == end)
			return format_fail(&p->env, err, PARSE_BAD, "empty item in the %s list",
			                   format_role_name(role));
	}
}

static int parse_record(struct mlog *p, char *s, struct moe_record *rec, struct moe_error *err)
{
	char *word[MLOG_MAX_COLUMNS + 1];
	size_t len[MLOG_MAX_COLUMNS + 1];
	size_t n = 0;
	const char *why;

	while (n <= MLOG_MAX_COLUMNS && (word[n] = next_word(&s, &len[n])))
		n++;
	if (!p->ncolumns) {
		/* No header: one column is "experts", two are "layer experts". */
		static const enum moe_role guess[2][2] = {
			{ MOE_ROLE_EXPERTS }, { MOE_ROLE_LAYER, MOE_ROLE_EXPERTS },
		};
		if (n > 2)
			return format_fail(&p->env, err, PARSE_FATAL,
			                   "%zu columns and no '#moestat' header to name them", n);
		carry_columns(p, guess[n - 1], n, true);
	}
	if (n != p->ncolumns)
		return format_fail(&p->env, err, PARSE_BAD, "expected %zu columns, found %s%zu", p->ncolumns,
		                   n > MLOG_MAX_COLUMNS ? "more than " : "", n > MLOG_MAX_COLUMNS ? n - 1 : n);
	field_lists_clear(&p->lists);
	memset(rec, 0, sizeof *rec);
	rec->token = -1;
	rec->domain = p->env.mlog->domain;
	for (size_t i = 0; i < n; i++) {
		uint64_t token;

		switch (p->column[i]) {
		case MOE_ROLE_LAYER:
			if (field_layer(word[i], len[i], &rec->layer, &why) < 0)
				return format_fail(&p->env, err, PARSE_BAD, "bad layer '%.32s': %s", word[i], why);
			break;
		case MOE_ROLE_TOKEN:
			if (field_uint(word[i], len[i], &token, &why) < 0)
				return format_fail(&p->env, err, PARSE_BAD, "bad token '%.32s': %s", word[i], why);
			if (token > INT64_MAX)
				return format_fail(&p->env, err, PARSE_BAD, "bad token '%.32s': number too large",
				                   word[i]);
			rec->token = (int64_t)token;
			break;
		default:
			if (parse_list(p, p->column[i], word[i], len[i], err) < 0)
				return PARSE_BAD;
			break;
		}
	}
	field_lists_to_record(&p->lists, p->has_weights, p->has_logits, rec);
	return PARSE_RECORD;
}

/* A whole number below limit at *s, moving *s past it; false when there is none. */
static bool fast_number(const char **s, uint64_t limit, uint64_t *out)
{
	unsigned d = (unsigned char)**s - '0';
	uint64_t v;

	if (d > 9)
		return false;
	for (v = d; (d = (unsigned char)*++*s - '0') <= 9;)
		if ((v = v * 10 + d) >= limit)
			return false;
	*out = v;
	return true;
}

/* The ids of an experts column, "3,7,...", into ids[0..cap); false when it does not fit. */
static bool fast_ids(const char **s, uint32_t *ids, size_t cap, size_t *k)
{
	uint64_t v;

	for (*k = 0;; (*s)++) {
		if (*k == cap || !fast_number(s, MOE_MAX_EXPERTS, &v))
			return false;
		ids[(*k)++] = (uint32_t)v;
		if (**s != ',')
			return true;
	}
}

/* A record read in one pass over its bytes: the hot path on big logs. The line ends
 * in a NUL (lines.h), which no test below takes for a digit, a comma or a space, so
 * the scan needs no bounds check; a NUL inside the line stops it short of end.
 * Anything it does not take, odd or wrong, goes to parse_record, which reads it
 * again and says what is wrong. */
static bool fast_record(struct mlog *p, const char *s, const char *end, struct moe_record *rec)
{
	struct field_lists *l = &p->lists;
	uint64_t v;

	memset(rec, 0, sizeof *rec);
	rec->token = -1;
	rec->domain = p->env.mlog->domain;
	for (size_t c = 0; c < p->ncolumns; c++) {
		if (c > 0) {
			if (*s != ' ' && *s != '\t')
				return false;
			while (*s == ' ' || *s == '\t')
				s++;
		}
		switch (p->column[c]) {
		case MOE_ROLE_LAYER:
			if (!fast_number(&s, MOE_MAX_LAYERS, &v))
				return false;
			rec->layer = (unsigned)v;
			break;
		case MOE_ROLE_TOKEN:
			if (!fast_number(&s, INT64_MAX, &v))
				return false;
			rec->token = (int64_t)v;
			break;
		case MOE_ROLE_EXPERTS:
			if (!fast_ids(&s, l->experts, l->cap_experts, &l->nexperts))
				return false;
			break;
		case MOE_ROLE_WEIGHTS:
			if (!(s = field_decimals(s, l->weights, l->cap_weights, &l->nweights)))
				return false;
			break;
		default:
			if (!(s = field_decimals(s, l->logits, l->cap_logits, &l->nlogits)))
				return false;
			break;
		}
	}
	while (*s == ' ' || *s == '\t')
		s++;
	if (s != end)
		return false;
	field_lists_to_record(l, p->has_weights, p->has_logits, rec);
	return true;
}

/* Scans the 64 bytes from at. */
static void scan_from(struct mlog_scan *sc, const char *at, const char *end)
{
	struct field_masks m = field_masks64(at);

	sc->base = at;
	sc->nondigit = m.nondigit;
	sc->newline = m.newline;
	sc->lim = 64;
	if (end - at < 64) {
		sc->lim = end > at ? (size_t)(end - at) : 0;
		sc->nondigit |= sc->lim ? ~0ull << sc->lim : ~0ull;
		sc->newline &= sc->lim ? ~0ull >> (64 - sc->lim) : 0;
	}
	sc->ahead = sc->nondigit;
}

/* The number of 1 to max (<= 8) digits at position *at: its value, and *at moved
 * to the byte after it, which is in the window. Where a number ends comes from
 * the mask, each end clearing its bit, so that finding the next number waits on
 * one bit operation, not on reading the digits of this one. */
static inline bool scan_number(struct mlog_scan *sc, size_t *at, const char *end, unsigned max,
                               uint32_t *value)
{
	size_t stop;
	unsigned n;

	if (*at > 64 - 8) {
		scan_from(sc, sc->base + *at, end);
		*at = 0;
	}
	/* A bit stands at 63 when none is ahead: with *at <= 56 that is too long a number. */
	stop = (size_t)__builtin_ctzll(sc->ahead | 1ull << 63);
	n = (unsigned)(stop - *at);
	if (n - 1 >= max)
		return false;
	*value = field_digits_value(sc->base + *at, n);
	sc->ahead &= sc->ahead - 1;
	*at = stop;
	return true;
}

/* The hot path on big logs: a record of whole numbers (layer, token and experts
 * columns, one space or tab between them, nothing after) read in place from
 * the line buffer, with no search for the newline and no copy. Anything else,
 * and a line that ends past the window, goes back to lines_next and the other
 * paths. Loads may pass the window's end by up to 64 bytes (LINES_OVERREAD);
 * what is taken from the bytes is always inside it. */
static bool window_record(struct mlog *p, struct moe_record *rec)
{
	struct mlog_scan sc = p->scan;  /* a copy the compiler can keep in registers */
	uint32_t *ids = p->lists.experts;
	size_t cap = p->lists.cap_experts;
	const char *start, *end;
	size_t at, k = 0;
	uint32_t v;

	if (!lines_window(p->env.lines, &start, &end))
		return false;
	/* A new scan for each record that starts past the middle, so that the
	 * records of typical length need no new scan inside them, a branch taken
	 * at no predictable id. */
	if (sc.base && start >= sc.base && start - sc.base <= 32) {
		at = (size_t)(start - sc.base);
		sc.ahead = sc.nondigit & ~0ull << at;
	} else {
		scan_from(&sc, start, end);
		at = 0;
	}
	rec->token = -1;
	for (size_t c = 0; c < p->ncolumns; c++) {
		if (c > 0 && sc.base[at] != ' ' && sc.base[at] != '\t')
			return false;
		at += c > 0;
		switch (p->column[c]) {
		case MOE_ROLE_LAYER:
			if (!scan_number(&sc, &at, end, 5, &v) || v >= MOE_MAX_LAYERS)
				return false;
			rec->layer = v;
			break;
		case MOE_ROLE_TOKEN:
			if (!scan_number(&sc, &at, end, 8, &v))
				return false;
			rec->token = v;
			break;
		default:
			for (k = 0;; at++) {
				if (k == cap || !scan_number(&sc, &at, end, 5, &v) || v >= MOE_MAX_EXPERTS)
					return false;
				ids[k++] = v;
				if (sc.base[at] != ',')
					break;
			}
			break;
		}
	}
	if (at >= sc.lim || sc.base[at] != '\n')
		return false;
	lines_advance(p->env.lines, sc.base + at + 1);
	p->scan = sc;
	p->lists.nexperts = k;
	rec->domain = p->env.mlog->domain;
	rec->k = k;
	rec->experts = ids;
	rec->weights = rec->logits = NULL;
	rec->nweights = rec->nlogits = 0;
	return true;
}

/* The hot path of the common shape, "layer id,id,...", where mlog_avx512_line
 * does not run: each number ends at the next bit of the non-digit mask, and
 * the line at the one bit of the newline mask that ends it, so that nothing
 * is checked a number but its length and the byte after it. Numbers of 1 to
 * 4 digits (below both limits); a space between the columns; anything else
 * goes to window_record. The line at start, in the window [start, end), gives
 * its layer and ids (fewer than 32: the line is under 64 bytes) to *layer and
 * ids, their number to *k; returns the byte after its newline, or NULL. *sc
 * is the scan, kept by the caller. */
static inline __attribute__((always_inline)) const char *
window_line(struct mlog_scan *sc, const char *start, const char *end, unsigned *layer, uint32_t *ids,
            size_t *k)
{
	uint64_t ends, line_end;
	size_t at, last, e, n = 0;

	if (!sc->base || start < sc->base || start - sc->base >= 64 ||
	    !(line_end = sc->newline >> (start - sc->base))) {
		scan_from(sc, start, end);
		if (!(line_end = sc->newline))
			return NULL;
	}
	at = (size_t)(start - sc->base);
	last = at + (size_t)__builtin_ctzll(line_end);
	/* The newline is a non-digit: the ends stop there. */
	ends = sc->nondigit & ~0ull << at;
	e = (size_t)__builtin_ctzll(ends);
	if (e - at - 1 >= 4 || sc->base[e] != ' ')
		return NULL;
	*layer = field_digits4_value(sc->base + at, (unsigned)(e - at));
	for (;;) {
		ends &= ends - 1;
		at = e + 1;
		e = (size_t)__builtin_ctzll(ends);
		if (e - at - 1 >= 4)
			return NULL;
		ids[n++] = field_digits4_value(sc->base + at, (unsigned)(e - at));
		if (e == last)
			break;
		if (sc->base[e] != ',')
			return NULL;
	}
	*k = n;
	return sc->base + last + 1;
}

/* The next line, when it is of the common shape, into *layer, ids (room for
 * 64) and *k, and taken as read. */
static inline __attribute__((always_inline)) bool
common_line(struct mlog *p, struct mlog_scan *sc, unsigned *layer, uint32_t *ids, size_t *k)
{
	const char *start, *end, *next;
	size_t len;

	if (!lines_window(p->env.lines, &start, &end))
		return false;
	if (p->avx512 && (len = mlog_avx512_line(start, (size_t)(end - start), 0, 0, layer, ids, k)))
		next = start + len;
	else if (!(next = window_line(sc, start, end, layer, ids, k)))
		return false;
	lines_advance(p->env.lines, next);
	return true;
}

static bool window_layer_ids(struct mlog *p, struct moe_record *rec)
{
	struct mlog_scan sc = p->scan;  /* a copy the compiler can keep in registers */
	uint32_t *ids = p->lists.experts;       /* room for 64 (set_columns) */
	bool ok = common_line(p, &sc, &rec->layer, ids, &rec->k);

	p->scan = sc;
	if (!ok)
		return false;
	p->lists.nexperts = rec->k;
	rec->token = -1;
	rec->domain = p->env.mlog->domain;
	rec->experts = ids;
	rec->weights = rec->logits = NULL;
	rec->nweights = rec->nlogits = 0;
	return true;
}

/* Records of the common shape read with window_line into run from record n
 * on, while they keep to lim, up to record max; returns the new n, with
 * *used the ids in run. Its own loop: beside a call of mlog_avx512_line, its
 * scan would not stay in registers. */
static size_t run_portable(struct mlog *p, struct moe_run *run, const struct moe_limits *lim, size_t n,
                           uint32_t *used, size_t max)
{
	struct mlog_scan sc = p->scan;
	const char *start, *end, *next;
	uint32_t at = *used;
	size_t k;

	while (n < max && lines_window(p->env.lines, &start, &end)) {
		uint32_t *ids = run->ids + at;

		if (!(next = window_line(&sc, start, end, &run->layer[n], ids, &k)) ||
		    (lim->topk && k != lim->topk) || ids_first_bad(&p->stamps, ids, k, lim->experts) < k)
			break;
		lines_advance(p->env.lines, next);
		run->start[n++] = at;
		at += (uint32_t)k;
	}
	p->scan = sc;
	*used = at;
	return n;
}

/* The same with mlog_avx512_run, and window_line for a line it does not take. */
static size_t run_avx512(struct mlog *p, struct moe_run *run, const struct moe_limits *lim)
{
	const char *start, *end, *stop;
	size_t n = 0, m;
	uint32_t used;

	run->start[0] = 0;
	while (n < MOE_RUN && lines_window(p->env.lines, &start, &end)) {
		if ((m = mlog_avx512_run(start, end, lim, run, n, &stop)) > n) {
			lines_advance_n(p->env.lines, stop, (long)(m - n));
			n = m;
			continue;
		}
		used = run->start[n];
		if (run_portable(p, run, lim, n, &used, n + 1) == n)
			break;
		run->start[++n] = used;
	}
	return n;
}

static size_t mlog_next_run(void *parser, struct moe_run *run, const struct moe_limits *lim)
{
	struct mlog *p = parser;
	uint32_t used = 0;
	size_t n;

	if (!p->layer_ids || (!p->stamps.stamp && !id_stamps_init(&p->stamps)))
		return 0;
	if (p->avx512) {
		n = run_avx512(p, run, lim);
	} else {
		n = run_portable(p, run, lim, 0, &used, MOE_RUN);
		run->start[n] = used;
	}
	run->n = n;
	run->domain = p->env.mlog->domain;
	run->below = lim->experts;
	return n;
}

static bool starts_word(const char *s, const char *word)
{
	size_t n = strlen(word);

	return strncmp(s, word, n) == 0 && (s[n] == '\0' || is_space(s[n]));
}

static int mlog_next(void *parser, struct moe_record *rec, struct moe_shape *header,
                     struct moe_error *err)
{
	struct mlog *p = parser;
	char *line;
	size_t len;
	int rc;

	for (;;) {
		if (p->layer_ids && window_layer_ids(p, rec))
			return PARSE_RECORD;
		if (p->in_place && window_record(p, rec))
			return PARSE_RECORD;
		p->scan.base = NULL;    /* lines_next may move the bytes */
		rc = lines_next(p->env.lines, &line, &len, err);
		if (rc == LINES_END)
			return PARSE_END;
		if (rc == LINES_ERROR)
			return PARSE_FATAL;
		if (rc == LINES_TOO_LONG)
			return PARSE_BAD;
		while (is_space(*line)) {
			line++;
			len--;
		}
		if (len == 0)
			continue;
		if (p->fast && fast_record(p, line, line + len, rec))
			return PARSE_RECORD;
		if (strlen(line) != len)
			return format_fail(&p->env, err, PARSE_BAD, "NUL byte in line");
		if (*line != '#')
			return parse_record(p, line, rec, err);
		if (starts_word(line, "#moestat"))
			return parse_header(p, line, header, err);
		if (starts_word(line, "#domain") && (rc = parse_domain(p, line, err)) < 0)
			return rc;
	}
}

const struct parser_ops mlog_parser = {
	.name = "mlog",
	.open = mlog_open,
	.next = mlog_next,
	.next_run = mlog_next_run,
	.close = mlog_close,
};
