/* fields.c: strict number syntax and record lists for the parsers. */
#include "fields.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

int field_uint(const char *s, size_t len, uint64_t *out, const char **why)
{
	uint64_t v = 0;

	if (len == 0) {
		*why = "empty number";
		return -1;
	}
	for (size_t i = 0; i < len; i++) {
		unsigned d = (unsigned char)s[i] - '0';
		if (d > 9) {
			*why = "not a non-negative integer";
			return -1;
		}
		if (v > (UINT64_MAX - d) / 10) {
			*why = "number too large";
			return -1;
		}
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

int field_expert(const char *s, size_t len, uint32_t *out, const char **why)
{
	uint64_t v;

	if (field_uint(s, len, &v, why) < 0)
		return -1;
	if (v >= MOE_MAX_EXPERTS) {
		*why = "above the limit of 65535";
		return -1;
	}
	*out = (uint32_t)v;
	return 0;
}

int field_layer(const char *s, size_t len, unsigned *out, const char **why)
{
	uint64_t v;

	if (field_uint(s, len, &v, why) < 0)
		return -1;
	if (v >= MOE_MAX_LAYERS) {
		*why = "above the limit of 65535";
		return -1;
	}
	*out = (unsigned)v;
	return 0;
}

static const double ten[16] = {
	1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
};

/* Clinger's fast path: with at most 15 digits and no exponent, the digits make an
 * exact integer m < 2^53 and 10^d (d <= 15 decimals) is exact, so the division
 * m / 10^d, rounded once, is strtod's correctly rounded answer bit for bit. */
static bool fast_decimal(const char *s, size_t len, double *out)
{
	uint64_t m = 0;
	unsigned digits = 0, decimals = 0;
	bool point = false, negative = false;
	size_t i = 0;

	if (len > 0 && (s[0] == '-' || s[0] == '+'))
		negative = s[i++] == '-';
	for (; i < len; i++) {
		unsigned d = (unsigned char)s[i] - '0';

		if (d <= 9) {
			if (++digits > 15)
				return false;
			m = m * 10 + d;
			decimals += point;
		} else if (s[i] == '.' && !point) {
			point = true;
		} else {
			return false;
		}
	}
	if (digits == 0)
		return false;
	*out = (double)m / ten[decimals];
	if (negative)
		*out = -*out;
	return true;
}

const char *field_decimals(const char *s, double *out, size_t cap, size_t *n)
{
	for (*n = 0;; s++) {
		bool negative = *s == '-';
		const char *start, *point;
		size_t digits, decimals = 0;
		uint64_t m = 0;
		unsigned d;
		double x;

		s += negative || *s == '+';
		for (start = s; (d = (unsigned char)*s - '0') <= 9; s++)
			m = m * 10 + d;
		digits = (size_t)(s - start);
		if (*s == '.') {
			for (point = ++s; (d = (unsigned char)*s - '0') <= 9; s++)
				m = m * 10 + d;
			decimals = (size_t)(s - point);
			digits += decimals;
		}
		/* As fast_decimal: exact below 16 digits (digits - 1 wraps when there is none). */
		if (digits - 1 >= 15 || *n == cap || *s == 'e' || *s == 'E')
			return NULL;
		x = (double)m / ten[decimals];
		out[(*n)++] = negative ? -x : x;
		if (*s != ',')
			return s;
	}
}

int field_double(const char *s, size_t len, double *out, const char **why)
{
	char tmp[64];
	char *end;

	if (fast_decimal(s, len, out))
		return 0;
	/* Only the characters of a decimal: strtod alone would take "inf", "nan" and hex. */
	if (len == 0 || len >= sizeof tmp || strspn(s, "0123456789+-.eE") < len) {
		*why = len == 0 ? "empty number" : "not a decimal number";
		return -1;
	}
	memcpy(tmp, s, len);
	tmp[len] = '\0';
	*out = strtod(tmp, &end);
	if (end != tmp + len) {
		*why = "not a decimal number";
		return -1;
	}
	if (!isfinite(*out)) {
		*why = "number out of range";
		return -1;
	}
	return 0;
}

static int grow(void **items, size_t *cap, size_t n, size_t size, const char **why)
{
	size_t want;
	void *p;

	if (n < *cap)
		return 0;
	if (n >= MOE_MAX_EXPERTS) {
		*why = "list longer than the limit of 65536 items";
		return -1;
	}
	want = *cap ? *cap * 2 : 16;
	if (want > MOE_MAX_EXPERTS)
		want = MOE_MAX_EXPERTS;
	p = realloc(*items, want * size);
	if (!p) {
		*why = "out of memory";
		return FIELD_NOMEM;
	}
	*items = p;
	*cap = want;
	return 0;
}

int field_push_expert(struct field_lists *l, uint32_t id, const char **why)
{
	int rc = grow((void **)&l->experts, &l->cap_experts, l->nexperts, sizeof *l->experts, why);

	if (rc < 0)
		return rc;
	l->experts[l->nexperts++] = id;
	return 0;
}

int field_push_weight(struct field_lists *l, double w, const char **why)
{
	int rc = grow((void **)&l->weights, &l->cap_weights, l->nweights, sizeof *l->weights, why);

	if (rc < 0)
		return rc;
	l->weights[l->nweights++] = w;
	return 0;
}

int field_push_logit(struct field_lists *l, double x, const char **why)
{
	int rc = grow((void **)&l->logits, &l->cap_logits, l->nlogits, sizeof *l->logits, why);

	if (rc < 0)
		return rc;
	l->logits[l->nlogits++] = x;
	return 0;
}

int field_push_item(struct field_lists *l, enum moe_role role, const char *s, size_t len,
                    const char **why)
{
	uint32_t id;
	double x;

	if (role == MOE_ROLE_EXPERTS)
		return field_expert(s, len, &id, why) < 0 ? -1 : field_push_expert(l, id, why);
	if (field_double(s, len, &x, why) < 0)
		return -1;
	return role == MOE_ROLE_WEIGHTS ? field_push_weight(l, x, why) : field_push_logit(l, x, why);
}

void field_lists_clear(struct field_lists *l)
{
	l->nexperts = l->nweights = l->nlogits = 0;
}

void field_lists_free(struct field_lists *l)
{
	free(l->experts);
	free(l->weights);
	free(l->logits);
	memset(l, 0, sizeof *l);
}

void field_lists_to_record(const struct field_lists *l, bool has_weights, bool has_logits,
                           struct moe_record *rec)
{
	static const double none[1];

	rec->k = l->nexperts;
	rec->experts = l->experts;
	rec->nweights = l->nweights;
	rec->weights = has_weights ? (l->weights ? l->weights : none) : NULL;
	rec->nlogits = l->nlogits;
	rec->logits = has_logits ? (l->logits ? l->logits : none) : NULL;
}
