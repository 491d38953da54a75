/* fields.c: strict number syntax and record lists for the parsers. */
#include "fields.h"

#include <math.h>
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

int field_double(const char *s, size_t len, double *out, const char **why)
{
	char tmp[64];
	char *end;

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
