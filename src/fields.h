/* fields.h: the syntax every parser shares: ids, layer numbers, decimals, and the growing lists of a record. */
#ifndef MOESTAT_FIELDS_H
#define MOESTAT_FIELDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "moestat.h"

/* The lists of the record a parser is building; owned by the parser. */
struct field_lists {
	uint32_t *experts;
	double *weights;
	double *logits;
	size_t nexperts, nweights, nlogits;
	size_t cap_experts, cap_weights, cap_logits;
};

/* Each returns 0, or -1 with *why set to a static message about the value
 * ("not a non-negative integer"); the caller names the field. */

/* A decimal integer: digits only, no sign, no point, no spaces. */
int field_uint(const char *s, size_t len, uint64_t *out, const char **why);

/* An expert id (< MOE_MAX_EXPERTS) and a layer id (< MOE_MAX_LAYERS). */
int field_expert(const char *s, size_t len, uint32_t *out, const char **why);
int field_layer(const char *s, size_t len, unsigned *out, const char **why);

/* A finite decimal number (strtod syntax without hex, inf and nan). */
int field_double(const char *s, size_t len, double *out, const char **why);

/* Comma-separated decimals of at most 15 digits and no exponent at s, into
 * out[0..cap): the end of the list, with *n set; NULL when the list holds
 * anything else or does not fit (field_double then reads it). The line must end
 * in a NUL. Each value is strtod's, bit for bit. */
const char *field_decimals(const char *s, double *out, size_t cap, size_t *n);

/* What the field_push functions return besides 0 and -1 (a bad item). */
#define FIELD_NOMEM (-2)

/* Appends to a list; -1 when the list would pass MOE_MAX_EXPERTS items,
 * FIELD_NOMEM when memory runs out. */
int field_push_expert(struct field_lists *l, uint32_t id, const char **why);
int field_push_weight(struct field_lists *l, double w, const char **why);
int field_push_logit(struct field_lists *l, double x, const char **why);

/* Parses one item of a list of role (experts: an id; weights, logits: a
 * decimal) and appends it; -1 with *why set, or FIELD_NOMEM. */
int field_push_item(struct field_lists *l, enum moe_role role, const char *s, size_t len,
                    const char **why);

/* Empties the lists, keeping their memory. */
void field_lists_clear(struct field_lists *l);
void field_lists_free(struct field_lists *l);

/* Points rec's lists at l's; weights and logits are NULL when the log has no such field. */
void field_lists_to_record(const struct field_lists *l, bool has_weights, bool has_logits,
                           struct moe_record *rec);

#endif
