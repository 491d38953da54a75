/* jsonl.c: parser of JSON Lines logs (one object a line, one token or a batch): a scanner for the common lines, jansson for the rest. */
#include "jsonl.h"

#include <errno.h>
#include <float.h>
#include <inttypes.h>
#include <jansson.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "array.h"
#include "fields.h"
#include "format.h"

/* The names loggers use for each role, tried in order; --key replaces them. */
static const char *const default_keys[MOE_ROLE_COUNT][6] = {
	[MOE_ROLE_LAYER] = { "layer", "layer_id" },
	[MOE_ROLE_TOKEN] = { "token", "token_idx", "token_pos" },
	[MOE_ROLE_EXPERTS] = { "experts", "topk_ids", "expert_ids", "selected_experts", "top_indices" },
	[MOE_ROLE_WEIGHTS] = { "weights", "gating_probs", "topk_weights" },
	[MOE_ROLE_LOGITS] = { "logits", "router_logits" },
	[MOE_ROLE_DOMAIN] = { "domain" },
};

/* Keys the scanner knows: a role's names, "moestat", which makes a line a
 * header, and the keys of Megatron's router traces that it leaves to jansson. */
#define MAX_SCAN_KEYS (MOE_ROLE_COUNT * 6 + 3)
#define KEY_HEADER (-1)
#define KEY_JANSSON (-2)

/* Megatron-LM's router traces (router_trace_rank*.jsonl): a multi-token
 * prediction layer's record has "mtp_idx", and with --moe-routing-trace logits
 * a record points into logits_rank{rank}.bin, bfloat16 [tokens, N], by
 * "logit_offset" and "logit_bytes", with "logit_shape". */
#define MTP_LAYER_BASE 1000u    /* MTP i's layer l is layer 1000 (i + 1) + l */
#define MTP_MAX_INDEX 63
/* A line with more keys than this goes to jansson: the duplicate check is quadratic. */
#define MAX_LINE_KEYS 32
/* Arrays nested deeper than this, in keys that are no role's, go to jansson. */
#define MAX_SKIP_DEPTH 32

struct scan_key {
	const char *name;
	size_t len;
	int role;                       /* KEY_HEADER for "moestat" */
	int rank;                       /* in the role's list of names: the lowest present wins */
};

/* What the scanner found under a role's key. */
enum scan_type { SCAN_ABSENT, SCAN_NULL, SCAN_INT, SCAN_OTHER, SCAN_STRING, SCAN_LIST };

struct scan_value {
	enum scan_type type;            /* SCAN_OTHER: a real, true or false */
	int rank;
	int64_t integer;                /* SCAN_INT */
	const char *string;             /* SCAN_STRING: its bytes in the line (no escapes) */
	size_t len;
	bool nested;                    /* SCAN_LIST: a list of lists, one row each; else one row */
	size_t nrows;
};

/* The numbers of a list role, in rows: row i is items [i ? end[i-1] : 0, end[i]). */
struct scan_list {
	void *items;                    /* uint32_t ids, double weights and logits, int64_t tokens */
	size_t n, cap;
	size_t *end;
	size_t nrows, cap_rows;
};

struct jsonl {
	struct parser_env env;
	bool live;                      /* a line is being handed out */
	bool scanned;                   /* and it came through the scanner, not jansson */
	json_t *doc;                    /* the line being handed out by jansson */
	json_t *value[MOE_ROLE_COUNT];  /* its fields, borrowed from doc */
	size_t batch;                   /* tokens in the line; 0 = one token, not a list of lists */
	size_t next;                    /* the token to hand out next */
	unsigned layer;
	int domain;
	struct field_lists lists;
	/* The scanner: off when --key gives two roles one name. */
	bool scanner;
	struct scan_key keys[MAX_SCAN_KEYS];
	size_t nkeys;
	struct scan_value found[MOE_ROLE_COUNT];
	struct scan_list list[MOE_ROLE_COUNT];  /* for token, experts, weights, logits */
	int64_t token;                  /* of a line that is one token; -1 for none */
	const char *end;                /* of the line being scanned */
	unsigned long nscanned, njansson;
	/* The logits of the line from a Megatron sidecar: [tokens][n], or n = 0. */
	double *sidecar;
	size_t sidecar_n, sidecar_cap;
	uint16_t *raw;                  /* its bfloat16 bytes as read */
	size_t raw_cap;
	FILE *sidecar_fp;               /* the file last opened, and its name */
	char *sidecar_path;
};

static bool scanner_default = true;

void jsonl_set_scanner(bool on)
{
	scanner_default = on;
}

unsigned long jsonl_scanned_lines(const void *parser)
{
	return ((const struct jsonl *)parser)->nscanned;
}

unsigned long jsonl_jansson_lines(const void *parser)
{
	return ((const struct jsonl *)parser)->njansson;
}

static void add_key(struct jsonl *p, const char *name, int role, int rank)
{
	struct scan_key *k = &p->keys[p->nkeys++];

	k->name = name;
	k->len = strlen(name);
	k->role = role;
	k->rank = rank;
}

/* The names the scanner looks for, as find_role and read_line do; false when
 * a name serves two purposes, which the scanner does not take on. */
static bool scan_keys(struct jsonl *p)
{
	add_key(p, "moestat", KEY_HEADER, 0);
	add_key(p, "mtp_idx", KEY_JANSSON, 0);
	add_key(p, "logit_offset", KEY_JANSSON, 0);
	for (int role = 0; role < MOE_ROLE_COUNT; role++) {
		if (p->env.keys && p->env.keys[role]) {
			add_key(p, p->env.keys[role], role, 0);
			continue;
		}
		for (int i = 0; i < 6 && default_keys[role][i]; i++)
			add_key(p, default_keys[role][i], role, i);
	}
	for (size_t i = 0; i < p->nkeys; i++)
		for (size_t j = i + 1; j < p->nkeys; j++)
			if (strcmp(p->keys[i].name, p->keys[j].name) == 0)
				return false;
	return true;
}

static void *jsonl_open(const struct parser_env *env)
{
	struct jsonl *p = calloc(1, sizeof *p);

	if (!p)
		return NULL;
	p->env = *env;
	p->scanner = scanner_default && scan_keys(p);
	return p;
}

static void jsonl_close(void *parser)
{
	struct jsonl *p = parser;

	if (!p)
		return;
	json_decref(p->doc);
	field_lists_free(&p->lists);
	free(p->sidecar);
	free(p->raw);
	if (p->sidecar_fp)
		fclose(p->sidecar_fp);
	free(p->sidecar_path);
	for (int role = 0; role < MOE_ROLE_COUNT; role++) {
		free(p->list[role].items);
		free(p->list[role].end);
	}
	free(p);
}

static json_t *find_role(const struct jsonl *p, const json_t *obj, enum moe_role role)
{
	if (p->env.keys && p->env.keys[role])
		return json_object_get(obj, p->env.keys[role]);
	for (size_t i = 0; i < 6 && default_keys[role][i]; i++) {
		json_t *v = json_object_get(obj, default_keys[role][i]);
		if (v)
			return v;
	}
	return NULL;
}

static const char *role_key(const struct jsonl *p, enum moe_role role)
{
	return p->env.keys && p->env.keys[role] ? p->env.keys[role] : default_keys[role][0];
}

/* A header object: {"moestat": 1, "experts": 8, "topk": 2, "score": "softmax", "model": "..."}. */
static int parse_header(struct jsonl *p, json_t *obj, struct moe_shape *shape, struct moe_error *err)
{
	static const char *const counts[] = { "experts", "topk" };
	json_t *v;

	memset(shape, 0, sizeof *shape);
	v = json_object_get(obj, "moestat");
	if (!(json_is_integer(v) && json_integer_value(v) == 1) &&
	    !(json_is_string(v) && strcmp(json_string_value(v), "1") == 0))
		return format_fail(&p->env, err, PARSE_FATAL, "header: unsupported version (expected \"moestat\": 1)");
	for (size_t i = 0; i < 2; i++) {
		json_int_t n;

		v = json_object_get(obj, counts[i]);
		if (!v)
			continue;
		n = json_is_integer(v) ? json_integer_value(v) : 0;
		if (n < 1 || n > MOE_MAX_EXPERTS)
			return format_fail(&p->env, err, PARSE_FATAL,
			                   "header: \"%s\" is not a whole number from 1 to %u", counts[i],
			                   MOE_MAX_EXPERTS);
		*(i == 0 ? &shape->experts : &shape->topk) = (unsigned)n;
	}
	if (shape->experts && shape->topk > shape->experts)
		return format_fail(&p->env, err, PARSE_FATAL, "header: topk %u is more than experts %u",
		                   shape->topk, shape->experts);
	v = json_object_get(obj, "score");
	if (v) {
		const char *s = json_string_value(v);
		if (!s || (strcmp(s, "softmax") != 0 && strcmp(s, "sigmoid") != 0))
			return format_fail(&p->env, err, PARSE_FATAL,
			                   "header: \"score\" is neither \"softmax\" nor \"sigmoid\"");
		snprintf(shape->score, sizeof shape->score, "%s", s);
	}
	v = json_object_get(obj, "model");
	if (v) {
		const char *s = json_string_value(v);
		if (!s || strlen(s) >= sizeof shape->model)
			return format_fail(&p->env, err, PARSE_FATAL,
			                   "header: \"model\" is not a string of at most %zu bytes",
			                   sizeof shape->model - 1);
		memcpy(shape->model, s, strlen(s) + 1);
	}
	return PARSE_HEADER;
}

/* Layer and domain apply to every token of the line. */
static int parse_line_fields(struct jsonl *p, struct moe_error *err)
{
	json_t *v = p->value[MOE_ROLE_LAYER];
	char text[32];

	p->layer = 0;
	if (v) {
		json_int_t n = json_integer_value(v);
		if (!json_is_integer(v) || n < 0 || n >= MOE_MAX_LAYERS)
			return format_fail(&p->env, err, PARSE_BAD,
			                   "\"%s\" is not a layer number from 0 to %u",
			                   role_key(p, MOE_ROLE_LAYER), MOE_MAX_LAYERS - 1);
		p->layer = (unsigned)n;
	}
	p->domain = -1;
	v = p->value[MOE_ROLE_DOMAIN];
	if (v && !json_is_null(v)) {
		const char *name = text;
		size_t len;

		if (json_is_string(v)) {
			name = json_string_value(v);
			len = json_string_length(v);
		} else if (json_is_integer(v)) {
			len = (size_t)snprintf(text, sizeof text, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		} else {
			return format_fail(&p->env, err, PARSE_BAD, "\"%s\" is not a string",
			                   role_key(p, MOE_ROLE_DOMAIN));
		}
		if (len == 0 || len >= MOE_MAX_NAME || memchr(name, '\0', len))
			return format_fail(&p->env, err, PARSE_BAD,
			                   "\"%s\" is empty, longer than %u bytes or holds a NUL",
			                   role_key(p, MOE_ROLE_DOMAIN), MOE_MAX_NAME - 1);
		p->domain = domains_intern(p->env.domains, name, len);
		if (p->domain < 0)
			return format_fail(&p->env, err, PARSE_FATAL, "more than %u domains", MOE_MAX_DOMAINS);
	}
	return 0;
}

/* The per-token fields must be lists, one item per token in a batch. */
static int check_shapes(struct jsonl *p, struct moe_error *err)
{
	static const enum moe_role listed[] = { MOE_ROLE_TOKEN, MOE_ROLE_WEIGHTS, MOE_ROLE_LOGITS };

	for (size_t i = 0; i < sizeof listed / sizeof *listed; i++) {
		enum moe_role role = listed[i];
		json_t *v = p->value[role];

		if (!v || (role == MOE_ROLE_TOKEN && !p->batch))
			continue;
		if (!json_is_array(v))
			return format_fail(&p->env, err, PARSE_BAD, "\"%s\" is not a list", role_key(p, role));
		if (p->batch && json_array_size(v) != p->batch)
			return format_fail(&p->env, err, PARSE_BAD,
			                   "\"%s\" has %zu items for a batch of %zu tokens", role_key(p, role),
			                   json_array_size(v), p->batch);
	}
	return 0;
}

/* The whole number under key in the line's object, from 0 to max; -1 when
 * absent, null or anything else. */
static long long whole_number(const struct jsonl *p, const char *key, long long max)
{
	json_t *v = json_object_get(p->doc, key);
	json_int_t n = json_integer_value(v);

	return json_is_integer(v) && n >= 0 && n <= max ? (long long)n : -1;
}

/* logits_rank{rank}.bin beside the trace file, kept open from line to line. */
static FILE *open_sidecar(struct jsonl *p, long long rank, struct moe_error *err)
{
	const char *trace = lines_name(p->env.lines), *slash = strrchr(trace, '/');
	int dir = slash ? (int)(slash - trace + 1) : 0;
	char *path;

	if (strcmp(trace, "<stdin>") == 0) {        /* source.c's name for standard input */
		format_fail(&p->env, err, PARSE_FATAL, "a logits sidecar is found beside its trace "
		            "file: name the file, not standard input");
		return NULL;
	}
	path = malloc((size_t)dir + sizeof "logits_rank.bin" + 24);
	if (!path) {
		format_nomem(&p->env, err);
		return NULL;
	}
	sprintf(path, "%.*slogits_rank%lld.bin", dir, trace, rank);
	if (p->sidecar_fp && strcmp(path, p->sidecar_path) == 0) {
		free(path);
		return p->sidecar_fp;
	}
	if (p->sidecar_fp)
		fclose(p->sidecar_fp);
	free(p->sidecar_path);
	p->sidecar_path = path;
	p->sidecar_fp = fopen(path, "rb");
	if (!p->sidecar_fp)
		format_fail(&p->env, err, PARSE_FATAL, "cannot open the logits sidecar %s: %s", path,
		            strerror(errno));
	return p->sidecar_fp;
}

/* Makes *items hold at least n items of size bytes. */
static bool room_for(void **items, size_t *cap, size_t n, size_t size)
{
	void *q;

	if (n <= *cap)
		return true;
	if (n > SIZE_MAX / size || !(q = realloc(*items, n * size)))
		return false;
	*items = q;
	*cap = n;
	return true;
}

/* bfloat16 is the top half of a float32: its bits, shifted, are the float. */
static double from_bfloat16(const unsigned char *b)
{
	uint32_t bits = (uint32_t)(b[0] | b[1] << 8) << 16;
	float f;

	memcpy(&f, &bits, sizeof f);
	return f;
}

/* What a Megatron router trace adds to a line: the layer of a multi-token
 * prediction block, and the logits from the sidecar (unless the line has its own). */
static int megatron_fields(struct jsonl *p, struct moe_error *err)
{
	size_t tokens = p->batch ? p->batch : 1, n, count;
	json_t *mtp = json_object_get(p->doc, "mtp_idx"), *shape;
	long long offset, bytes, rank;
	FILE *fp;

	p->sidecar_n = 0;
	if (mtp && !json_is_null(mtp)) {
		long long i = whole_number(p, "mtp_idx", MTP_MAX_INDEX);

		if (i < 0)
			return format_fail(&p->env, err, PARSE_BAD,
			                   "\"mtp_idx\" is not a whole number from 0 to %d", MTP_MAX_INDEX);
		if (p->layer >= MTP_LAYER_BASE)
			return format_fail(&p->env, err, PARSE_BAD, "layer %u of multi-token prediction "
			                   "block %lld is not below %u", p->layer, i, MTP_LAYER_BASE);
		p->layer += MTP_LAYER_BASE * (unsigned)(i + 1);
	}
	if (p->value[MOE_ROLE_LOGITS] || !json_object_get(p->doc, "logit_offset") ||
	    json_is_null(json_object_get(p->doc, "logit_offset")))
		return 0;
	shape = json_object_get(p->doc, "logit_shape");
	if (json_array_size(shape) != 2 || !json_is_integer(json_array_get(shape, 0)) ||
	    !json_is_integer(json_array_get(shape, 1)) ||
	    json_integer_value(json_array_get(shape, 0)) != (json_int_t)tokens ||
	    json_integer_value(json_array_get(shape, 1)) < 1 ||
	    json_integer_value(json_array_get(shape, 1)) > MOE_MAX_EXPERTS)
		return format_fail(&p->env, err, PARSE_BAD, "\"logit_shape\" is not [%zu, N] with N "
		                   "from 1 to %u", tokens, MOE_MAX_EXPERTS);
	n = (size_t)json_integer_value(json_array_get(shape, 1));
	count = tokens * n;
	offset = whole_number(p, "logit_offset", INT64_MAX);
	bytes = whole_number(p, "logit_bytes", INT64_MAX);
	rank = whole_number(p, "rank", INT32_MAX);
	if (offset < 0 || bytes != (long long)(2 * count))
		return format_fail(&p->env, err, PARSE_BAD, "\"logit_offset\" and \"logit_bytes\" are "
		                   "not a position and the %zu bytes of \"logit_shape\"", 2 * count);
	if (2 * count > MOE_MAX_LINE)
		return format_fail(&p->env, err, PARSE_BAD, "logits of more than %u bytes in one record",
		                   MOE_MAX_LINE);
	if (rank < 0)
		return format_fail(&p->env, err, PARSE_BAD, "no \"rank\" to name the logits sidecar");
	if (!(fp = open_sidecar(p, rank, err)))
		return PARSE_FATAL;
	if (!room_for((void **)&p->raw, &p->raw_cap, count, sizeof *p->raw) ||
	    !room_for((void **)&p->sidecar, &p->sidecar_cap, count, sizeof *p->sidecar))
		return format_nomem(&p->env, err);
	if (fseeko(fp, (off_t)offset, SEEK_SET) != 0 || fread(p->raw, 2, count, fp) != count)
		return format_fail(&p->env, err, PARSE_FATAL, "%s ends before byte %lld (\"logit_offset\" "
		                   "%lld, \"logit_bytes\" %lld)", p->sidecar_path, offset + bytes, offset,
		                   bytes);
	for (size_t i = 0; i < count; i++) {
		p->sidecar[i] = from_bfloat16((const unsigned char *)&p->raw[i]);
		if (!isfinite(p->sidecar[i]))
			return format_fail(&p->env, err, PARSE_BAD, "logit %zu of token %zu in %s is not "
			                   "a finite number", i % n, i / n, p->sidecar_path);
	}
	p->sidecar_n = n;
	return 0;
}

/*
 * The scanner: one pass over a line's bytes that takes an object whose values
 * are numbers, strings without escapes, true, false, null, and lists of numbers
 * or of lists of numbers, and keeps the line only when every check of the
 * jansson path below would pass on it. Anything else (escapes, bytes outside
 * printable ASCII in a string, nested objects, duplicate keys, a header, invalid
 * JSON, a number jansson would refuse, a value the checks would refuse) returns
 * false before any side effect, and jansson reads the line from the start: its
 * records and its messages stay the records and the messages. The line ends
 * with a NUL at len, which stops every loop below; a NUL inside it is a byte no
 * rule takes, so no loop needs the length.
 */

static const char *skip_space(const char *s)
{
	while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
		s++;
	return s;
}

static bool is_digit(char c)
{
	return (unsigned)(c - '0') <= 9;
}

/* A string of ASCII without control characters or backslashes, s at its quote:
 * its bytes, and the byte after the closing quote. */
static const char *scan_string(const char *s, const char **str, size_t *len)
{
	const char *t = ++s;

	for (; *t != '"'; t++)
		if ((unsigned char)*t < 0x20 || (unsigned char)*t >= 0x80 || *t == '\\')
			return NULL;
	*str = s;
	*len = (size_t)(t - s);
	return t + 1;
}

struct number {
	bool integer;                   /* a JSON integer: no point, no exponent */
	int64_t i;
	double d;                       /* a real's value */
};

/* Clinger's fast path is exact only when each double operation is rounded once. */
#if defined(FLT_EVAL_METHOD) && FLT_EVAL_METHOD == 0
#define FAST_REALS 1
#else
#define FAST_REALS 0
#endif

/*
 * A JSON number as jansson reads it: an integer by strtoll (so one beyond long
 * long is refused here, as jansson refuses it), a real by strtod (one that
 * overflows is refused, as jansson refuses it). With at most 19 digits and the
 * digits as an integer m <= 2^53, m and 10^|e| for |e| <= 22 are exact doubles,
 * and one multiplication or division rounded to nearest is strtod's correctly
 * rounded result bit for bit; other reals go to strtod itself.
 */
static const char *scan_number(const char *s, struct number *out)
{
	static const double ten[23] = {
		1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
		1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
	};
	const char *start = s;
	bool negative = *s == '-', exact = true;
	uint64_t m = 0;
	int digits = 0;                 /* in m, from its first nonzero digit */
	long e10 = 0;                   /* the value is m * 10^e10 while exact */
	char *end;

	s += negative;
	if (*s == '0') {
		if (is_digit(*++s))
			return NULL;
	} else if (is_digit(*s)) {
		for (; is_digit(*s); s++) {
			if (digits < 19) {
				m = m * 10 + (unsigned)(*s - '0');
				digits++;
			} else {
				exact = false;
				e10++;
			}
		}
	} else {
		return NULL;
	}
	if (*s != '.' && *s != 'e' && *s != 'E') {
		if (!exact || m > (uint64_t)INT64_MAX + negative)
			return NULL;
		out->integer = true;
		out->i = !negative ? (int64_t)m : m > (uint64_t)INT64_MAX ? INT64_MIN : -(int64_t)m;
		return s;
	}
	if (*s == '.') {
		if (!is_digit(*++s))
			return NULL;
		for (; is_digit(*s); s++) {
			if (m == 0 && *s == '0') {
				e10--;
			} else if (digits < 19) {
				m = m * 10 + (unsigned)(*s - '0');
				digits++;
				e10--;
			} else {
				exact = false;
			}
		}
	}
	if (*s == 'e' || *s == 'E') {
		bool down = *++s == '-';
		long e = 0;

		s += *s == '-' || *s == '+';
		if (!is_digit(*s))
			return NULL;
		for (; is_digit(*s); s++)
			if (e < 100000)
				e = e * 10 + (*s - '0');
		/* Past that, e may have stopped short of the exponent written: strtod's to judge. */
		if (e >= 100000)
			exact = false;
		e10 += down ? -e : e;
	}
	out->integer = false;
	out->i = 0;
	if (FAST_REALS && exact && m <= (uint64_t)1 << 53 && e10 >= -22 && e10 <= 22) {
		double d = (double)m;

		d = e10 < 0 ? d / ten[-e10] : d * ten[e10];
		out->d = negative ? -d : d;
		return s;
	}
	out->d = strtod(start, &end);
	if (end != s || isinf(out->d))
		return NULL;
	return s;
}

/* The separator after a list's item: the start of the next item, the byte
 * after the closing bracket (*done set), or NULL. */
static const char *after_item(const char *s, bool *done)
{
	s = skip_space(s);
	if (*s == ',')
		return skip_space(s + 1);
	*done = true;
	return *s == ']' ? s + 1 : NULL;
}

/* Eight bytes at once on little-endian machines; see leading_digits. */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define SWAR_DIGITS 1
#else
#define SWAR_DIGITS 0
#endif

/*
 * The count of digits that lead the 8 bytes at s, and their value in *v (all 8
 * may be digits). A byte is a digit when its high nibble is 3 both before and
 * after adding 6; a carry out of a byte can only come from a byte >= 0xfa, a
 * non-digit, so the bytes up to the first non-digit are judged exactly. The
 * digits, moved to the top of the word behind zeros, are summed in pairs, then
 * quads, then all (Lemire's eight-digit reduction).
 */
static unsigned leading_digits(const char *s, uint32_t *v)
{
	const uint64_t nibbles = 0xf0f0f0f0f0f0f0f0u, threes = 0x3030303030303030u;
	uint64_t x, other;
	unsigned n;

	memcpy(&x, s, sizeof x);
	other = ((x & nibbles) ^ threes) | (((x + 0x0606060606060606u) & nibbles) ^ threes);
	n = other ? (unsigned)__builtin_ctzll(other) / 8 : 8;
	if (n == 0)
		return 0;
	x = (x << (8 * (8 - n))) & 0x0f0f0f0f0f0f0f0fu;
	x = (x * 10 + (x >> 8)) & 0x00ff00ff00ff00ffu;
	x = (x * 100 + (x >> 16)) & 0x0000ffff0000ffffu;
	*v = (uint32_t)((x * 10000 + (x >> 32)) & 0xffffffffu);
	return n;
}

/* The items of one row, s after its '['. Expert ids are what jansson's path
 * takes (integers from 0 to MOE_MAX_EXPERTS - 1), written out; end is the
 * line's end, so that no word is read past it. */
static const char *scan_ids(struct scan_list *l, const char *s, const char *end)
{
	uint32_t *ids = l->items;
	size_t n = l->n;
	bool done = false;

	s = skip_space(s);
	if (*s == ']')
		return s + 1;
	while (!done) {
		uint32_t v;

		if (SWAR_DIGITS && end - s >= 8) {
			unsigned len = leading_digits(s, &v);

			/* Five digits at most: 65535; a leading zero only alone, as JSON has it. */
			if (len == 0 || len > 5 || (*s == '0' && len > 1) || v >= MOE_MAX_EXPERTS)
				return NULL;
			s += len;
		} else {
			unsigned d;

			if ((v = (unsigned)(*s - '0')) > 9)
				return NULL;
			if (v == 0) {
				if (is_digit(*++s))
					return NULL;
			} else {
				while ((d = (unsigned)(*++s - '0')) <= 9)
					if ((v = v * 10 + d) >= MOE_MAX_EXPERTS)
						return NULL;
			}
		}
		if (n == l->cap) {
			if (!array_reserve(&l->items, &l->cap, n, 1, sizeof *ids))
				return NULL;
			ids = l->items;
		}
		ids[n++] = v;
		if (*s == ',') {
			s = skip_space(s + 1);
			continue;
		}
		s = after_item(s, &done);
		if (!s)
			return NULL;
	}
	l->n = n;
	return s;
}

/* The numbers of a row, s after its '[': tokens (non-negative integers, kept
 * as int64_t) when tokens, else weights or logits (any number, as double). */
static const char *scan_numbers(struct scan_list *l, const char *s, bool tokens)
{
	bool done = false;

	s = skip_space(s);
	if (*s == ']')
		return s + 1;
	while (!done) {
		struct number x;

		if (!(s = scan_number(s, &x)) || (tokens && (!x.integer || x.i < 0)) ||
		    !array_reserve(&l->items, &l->cap, l->n, 1, tokens ? sizeof(int64_t) : sizeof(double)))
			return NULL;
		if (tokens)
			((int64_t *)l->items)[l->n++] = x.i;
		else
			((double *)l->items)[l->n++] = x.integer ? (double)x.i : x.d;
		if (!(s = after_item(s, &done)))
			return NULL;
	}
	return s;
}

/* One row of a list role, s after its '['; a row longer than the field lists take is refused. */
static const char *scan_row(struct scan_list *l, enum moe_role role, const char *s,
                            const char *end)
{
	size_t from = l->n;

	if (role == MOE_ROLE_EXPERTS)
		s = scan_ids(l, s, end);
	else
		s = scan_numbers(l, s, role == MOE_ROLE_TOKEN);
	if (!s || l->n - from > MOE_MAX_EXPERTS ||
	    !array_reserve((void **)&l->end, &l->cap_rows, l->nrows, 1, sizeof *l->end))
		return NULL;
	l->end[l->nrows++] = l->n;
	return s;
}

/* A list of numbers (one row) or of lists of numbers (a row each), s at its '['.
 * A list whose first item is a list is a batch, as jansson's path has it; one
 * mixing lists and numbers, the checks would refuse. */
static const char *scan_list(struct jsonl *p, enum moe_role role, struct scan_value *v, const char *s)
{
	struct scan_list *l = &p->list[role];
	const char *t = skip_space(s + 1);
	bool done = false;

	l->n = l->nrows = 0;
	v->type = SCAN_LIST;
	v->nested = *t == '[';
	if (!v->nested) {
		v->nrows = 1;
		return scan_row(l, role, s + 1, p->end);
	}
	if (role == MOE_ROLE_TOKEN)
		return NULL;
	while (!done) {
		if (*t != '[' || !(t = scan_row(l, role, t + 1, p->end)) || !(t = after_item(t, &done)))
			return NULL;
	}
	v->nrows = l->nrows;
	return t;
}

static const char *scan_literal(const char *s, const char *word)
{
	size_t n = strlen(word);

	return strncmp(s, word, n) == 0 ? s + n : NULL;
}

/* Any value but an object (whose keys would need their own duplicate check), checked, not kept. */
static const char *skip_value(const char *s, int depth)
{
	struct number x;
	const char *str;
	size_t len;
	bool done = false;

	switch (*s) {
	case '"':
		return scan_string(s, &str, &len);
	case 't':
		return scan_literal(s, "true");
	case 'f':
		return scan_literal(s, "false");
	case 'n':
		return scan_literal(s, "null");
	case '[':
		if (depth >= MAX_SKIP_DEPTH)
			return NULL;
		s = skip_space(s + 1);
		if (*s == ']')
			return s + 1;
		while (!done)
			if (!(s = skip_value(s, depth + 1)) || !(s = after_item(s, &done)))
				return NULL;
		return s;
	default:
		return scan_number(s, &x);
	}
}

/* The value of a role's key, kept in p->found[role] (and p->list[role]). */
static const char *scan_role(struct jsonl *p, enum moe_role role, int rank, const char *s)
{
	struct scan_value *v = &p->found[role];
	struct number x;

	v->rank = rank;
	switch (*s) {
	case '"':
		v->type = SCAN_STRING;
		return scan_string(s, &v->string, &v->len);
	case 't':
		v->type = SCAN_OTHER;
		return scan_literal(s, "true");
	case 'f':
		v->type = SCAN_OTHER;
		return scan_literal(s, "false");
	case 'n':
		v->type = SCAN_NULL;
		return scan_literal(s, "null");
	case '[':
		/* A list is never a layer or a domain: the checks would refuse the line. */
		if (role == MOE_ROLE_LAYER || role == MOE_ROLE_DOMAIN)
			return NULL;
		return scan_list(p, role, v, s);
	default:
		if (!(s = scan_number(s, &x)))
			return NULL;
		v->type = x.integer ? SCAN_INT : SCAN_OTHER;
		v->integer = x.i;
		return s;
	}
}

/* Present and not null: what the jansson path calls a value. */
static bool given(const struct scan_value *v)
{
	return v->type != SCAN_ABSENT && v->type != SCAN_NULL;
}

/* The checks of read_line, parse_line_fields, check_shapes and emit, all at
 * once, then the domain interned (the only side effect, and the last). */
static bool scan_accept(struct jsonl *p)
{
	static const enum moe_role lists[] = { MOE_ROLE_WEIGHTS, MOE_ROLE_LOGITS };
	const struct scan_value *experts = &p->found[MOE_ROLE_EXPERTS];
	const struct scan_value *layer = &p->found[MOE_ROLE_LAYER];
	const struct scan_value *token = &p->found[MOE_ROLE_TOKEN];
	const struct scan_value *domain = &p->found[MOE_ROLE_DOMAIN];
	size_t batch;
	int index = -1;

	if (experts->type != SCAN_LIST)
		return false;
	if (given(layer) && !(layer->type == SCAN_INT && layer->integer >= 0 &&
	                      layer->integer < MOE_MAX_LAYERS))
		return false;
	batch = experts->nested ? experts->nrows : 0;
	if (given(token) && (batch ? token->type != SCAN_LIST || p->list[MOE_ROLE_TOKEN].n != batch
	                           : token->type != SCAN_INT || token->integer < 0))
		return false;
	for (size_t i = 0; i < sizeof lists / sizeof *lists; i++) {
		const struct scan_value *v = &p->found[lists[i]];

		if (given(v) && (v->type != SCAN_LIST || v->nested != (batch > 0) ||
		                 (batch && v->nrows != batch)))
			return false;
	}
	if (given(domain)) {
		char text[32];
		const char *name = domain->string;
		size_t len = domain->len;

		if (domain->type == SCAN_INT) {
			len = (size_t)snprintf(text, sizeof text, "%" PRId64, domain->integer);
			name = text;
		} else if (domain->type != SCAN_STRING) {
			return false;
		}
		if (len == 0 || len >= MOE_MAX_NAME)
			return false;
		index = domains_intern(p->env.domains, name, len);
		if (index < 0)
			return false;
	}
	p->layer = given(layer) ? (unsigned)layer->integer : 0;
	p->domain = index;
	p->batch = batch;
	p->token = !batch && given(token) ? token->integer : -1;
	return true;
}

/* Takes the line s (NUL at end) if it is one the scanner takes; see above. */
static bool scan_line(struct jsonl *p, const char *s, const char *end)
{
	struct {
		const char *name;
		size_t len;
	} seen[MAX_LINE_KEYS];
	size_t nseen = 0;

	p->end = end;
	for (int role = 0; role < MOE_ROLE_COUNT; role++)
		p->found[role].type = SCAN_ABSENT;
	if (*s != '{')
		return false;
	s = skip_space(s + 1);
	for (;;) {
		const struct scan_key *key = NULL;
		const char *name;
		size_t len;

		if (*s != '"' || nseen == MAX_LINE_KEYS || !(s = scan_string(s, &name, &len)))
			return false;
		for (size_t i = 0; i < nseen; i++)
			if (seen[i].len == len && memcmp(seen[i].name, name, len) == 0)
				return false;
		seen[nseen].name = name;
		seen[nseen++].len = len;
		s = skip_space(s);
		if (*s != ':')
			return false;
		s = skip_space(s + 1);
		for (size_t i = 0; i < p->nkeys && !key; i++)
			if (p->keys[i].len == len && memcmp(p->keys[i].name, name, len) == 0)
				key = &p->keys[i];
		if (key && (key->role == KEY_HEADER || key->role == KEY_JANSSON))
			return false;
		if (key && (p->found[key->role].type == SCAN_ABSENT || key->rank < p->found[key->role].rank))
			s = scan_role(p, (enum moe_role)key->role, key->rank, s);
		else
			s = skip_value(s, 0);
		if (!s)
			return false;
		s = skip_space(s);
		if (*s == '}')
			break;
		if (*s != ',')
			return false;
		s = skip_space(s + 1);
	}
	return skip_space(s + 1) == end && scan_accept(p);
}

/* Hands out token p->next of a line the scanner took: every check has passed. */
static int emit_scanned(struct jsonl *p, struct moe_record *rec)
{
	static const double none[1];
	static const enum moe_role reals[] = { MOE_ROLE_WEIGHTS, MOE_ROLE_LOGITS };
	const struct scan_list *l = &p->list[MOE_ROLE_EXPERTS];
	size_t i = p->next, from = i ? l->end[i - 1] : 0;

	memset(rec, 0, sizeof *rec);
	rec->layer = p->layer;
	rec->domain = p->domain;
	rec->token = p->batch && given(&p->found[MOE_ROLE_TOKEN]) ?
	             ((const int64_t *)p->list[MOE_ROLE_TOKEN].items)[i] : p->token;
	rec->k = l->end[i] - from;
	rec->experts = rec->k ? (const uint32_t *)l->items + from : NULL;
	for (size_t r = 0; r < sizeof reals / sizeof *reals; r++) {
		const double *items;
		size_t n;

		if (!given(&p->found[reals[r]]))
			continue;
		l = &p->list[reals[r]];
		from = i ? l->end[i - 1] : 0;
		n = l->end[i] - from;
		items = n ? (const double *)l->items + from : none;
		if (reals[r] == MOE_ROLE_WEIGHTS) {
			rec->weights = items;
			rec->nweights = n;
		} else {
			rec->logits = items;
			rec->nlogits = n;
		}
	}
	return PARSE_RECORD;
}

/* Reads the next non-blank line: the scanner takes it whole, or it goes into
 * p->doc and its fields are found as they always were. */
static int read_line(struct jsonl *p, struct moe_shape *header, struct moe_error *err)
{
	json_error_t jerr;
	json_t *experts;
	char *line;
	size_t len;
	int rc;

	json_decref(p->doc);
	p->doc = NULL;
	for (;;) {
		rc = lines_next(p->env.lines, &line, &len, err);
		if (rc == LINES_END)
			return PARSE_END;
		if (rc == LINES_ERROR)
			return PARSE_FATAL;
		if (rc == LINES_TOO_LONG)
			return PARSE_BAD;
		while (len > 0 && (*line == ' ' || *line == '\t')) {
			line++;
			len--;
		}
		if (len > 0)
			break;
	}
	p->next = 0;
	p->scanned = p->scanner && scan_line(p, line, line + len);
	if (p->scanned) {
		p->nscanned++;
		return PARSE_RECORD;
	}
	p->njansson++;
	/* jansson would stop there and blame the byte after it. */
	if (memchr(line, '\0', len))
		return format_fail(&p->env, err, PARSE_BAD, "NUL byte in line");
	p->doc = json_loadb(line, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!p->doc)
		return format_fail(&p->env, err, PARSE_BAD, "invalid JSON: %s", jerr.text);
	if (!json_is_object(p->doc))
		return format_fail(&p->env, err, PARSE_BAD, "not a JSON object");
	if (json_object_get(p->doc, "moestat"))
		return parse_header(p, p->doc, header, err);
	for (int role = 0; role < MOE_ROLE_COUNT; role++) {
		p->value[role] = find_role(p, p->doc, (enum moe_role)role);
		if (json_is_null(p->value[role]))
			p->value[role] = NULL;
	}
	experts = p->value[MOE_ROLE_EXPERTS];
	if (!experts)
		return format_fail(&p->env, err, PARSE_BAD, "no expert list (no key \"%s\"%s)",
		                   role_key(p, MOE_ROLE_EXPERTS),
		                   p->env.keys && p->env.keys[MOE_ROLE_EXPERTS] ? "" :
		                   " nor topk_ids, expert_ids, selected_experts, top_indices");
	if (!json_is_array(experts))
		return format_fail(&p->env, err, PARSE_BAD, "\"%s\" is not a list",
		                   role_key(p, MOE_ROLE_EXPERTS));
	rc = parse_line_fields(p, err);
	if (rc < 0)
		return rc;
	/* A list of lists is a batch of tokens; a list of numbers is one token. */
	p->batch = json_is_array(json_array_get(experts, 0)) ? json_array_size(experts) : 0;
	p->next = 0;
	if (check_shapes(p, err) < 0)
		return PARSE_BAD;
	rc = megatron_fields(p, err);
	return rc < 0 ? rc : PARSE_RECORD;
}

/* The item of a per-token field for the token being handed out. */
static json_t *token_item(const struct jsonl *p, enum moe_role role)
{
	json_t *v = p->value[role];

	return v && p->batch ? json_array_get(v, p->next) : v;
}

static int parse_numbers(struct jsonl *p, enum moe_role role, json_t *list, struct moe_error *err)
{
	const char *key = role_key(p, role);
	const char *why = NULL;
	json_t *item;
	size_t i;

	if (!json_is_array(list))
		return format_fail(&p->env, err, PARSE_BAD, "\"%s\" of token %zu is not a list", key, p->next);
	json_array_foreach(list, i, item) {
		int rc;

		if (role == MOE_ROLE_EXPERTS) {
			json_int_t id = json_integer_value(item);
			if (!json_is_integer(item) || id < 0)
				return format_fail(&p->env, err, PARSE_BAD,
				                   "\"%s\" item %zu is not a non-negative integer", key, i);
			if (id >= MOE_MAX_EXPERTS)
				return format_fail(&p->env, err, PARSE_BAD,
				                   "expert id %" JSON_INTEGER_FORMAT " above the limit of %u",
				                   id, MOE_MAX_EXPERTS - 1);
			rc = field_push_expert(&p->lists, (uint32_t)id, &why);
		} else {
			if (!json_is_number(item))
				return format_fail(&p->env, err, PARSE_BAD, "\"%s\" item %zu is not a number",
				                   key, i);
			rc = role == MOE_ROLE_WEIGHTS ? field_push_weight(&p->lists, json_number_value(item), &why)
			                              : field_push_logit(&p->lists, json_number_value(item), &why);
		}
		if (rc == FIELD_NOMEM)
			return format_nomem(&p->env, err);
		if (rc < 0)
			return format_fail(&p->env, err, PARSE_BAD, "\"%s\": %s", key, why);
	}
	return 0;
}

/* Hands out token p->next of the current line. */
static int emit(struct jsonl *p, struct moe_record *rec, struct moe_error *err)
{
	static const enum moe_role lists[] = { MOE_ROLE_EXPERTS, MOE_ROLE_WEIGHTS, MOE_ROLE_LOGITS };
	json_t *token = token_item(p, MOE_ROLE_TOKEN);

	field_lists_clear(&p->lists);
	memset(rec, 0, sizeof *rec);
	rec->layer = p->layer;
	rec->domain = p->domain;
	rec->token = -1;
	if (token && !json_is_null(token)) {
		if (!json_is_integer(token) || json_integer_value(token) < 0)
			return format_fail(&p->env, err, PARSE_BAD, "\"%s\" is not a non-negative integer",
			                   role_key(p, MOE_ROLE_TOKEN));
		rec->token = json_integer_value(token);
	}
	for (size_t i = 0; i < sizeof lists / sizeof *lists; i++) {
		json_t *v = token_item(p, lists[i]);
		if (v && parse_numbers(p, lists[i], v, err) < 0)
			return PARSE_BAD;
	}
	field_lists_to_record(&p->lists, p->value[MOE_ROLE_WEIGHTS] != NULL,
	                      p->value[MOE_ROLE_LOGITS] != NULL, rec);
	if (p->sidecar_n) {
		rec->logits = p->sidecar + p->next * p->sidecar_n;
		rec->nlogits = p->sidecar_n;
	}
	return PARSE_RECORD;
}

static int jsonl_next(void *parser, struct moe_record *rec, struct moe_shape *header,
                      struct moe_error *err)
{
	struct jsonl *p = parser;
	int rc;

	if (!p->live || p->next >= (p->batch ? p->batch : 1)) {
		rc = read_line(p, header, err);
		p->live = rc == PARSE_RECORD;
		if (!p->live) {
			/* Nothing more is handed out from a line that failed or was a header. */
			json_decref(p->doc);
			p->doc = NULL;
			return rc;
		}
	}
	rc = p->scanned ? emit_scanned(p, rec) : emit(p, rec, err);
	p->next++;
	return rc;
}

const struct parser_ops jsonl_parser = {
	.name = "jsonl",
	.open = jsonl_open,
	.next = jsonl_next,
	.close = jsonl_close,
};
