/* fields.h: the syntax every parser shares: ids, layer numbers, decimals, and the growing lists of a record. */
#ifndef MOESTAT_FIELDS_H
#define MOESTAT_FIELDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

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

/* Whole numbers read a word at a time, for the hot paths. Loops per digit
 * mispredict their exit on nearly every id, whose length varies from record
 * to record; these take the same steps for "7" and for "65535". */

/* Bit i of each mask tells what s[i] is, for i in 0..63 (s must have 64
 * readable bytes): not a decimal digit; a newline. */
struct field_masks {
	uint64_t nondigit, newline;
};

/* The top bit of each byte of x, gathered into 8 bits (the multiply adds
 * each bit into a place of its own). */
static inline uint64_t field_top_bits8(uint64_t x)
{
	return (x >> 7 & 0x0101010101010101u) * 0x0102040810204080u >> 56;
}

/* In portable C; field_masks64 is the same with SSE2. */
static inline struct field_masks field_masks64_swar(const char *s)
{
	const uint64_t hi = 0x8080808080808080u, low = 0x7f7f7f7f7f7f7f7fu;
	struct field_masks m = { 0, 0 };

	for (unsigned i = 0; i < 64; i += 8) {
		uint64_t x;

		memcpy(&x, s + i, sizeof x);
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
		x = __builtin_bswap64(x);
#endif
		/* Per byte, without carries between bytes: the top bit of ge0 is set
		 * where the low 7 bits are >= '0', that of ge10 where they are > '9',
		 * that of nl where the byte is a newline. */
		uint64_t ge0 = ((x | hi) - 0x3030303030303030u) & hi;
		uint64_t ge10 = ((x | hi) - 0x3a3a3a3a3a3a3a3au) & hi;
		uint64_t digit = ge0 & ~ge10 & ~x & hi;
		uint64_t t = x ^ 0x0a0a0a0a0a0a0a0au;
		uint64_t nl = ~(((t & low) + low) | t) & hi;

		m.nondigit |= field_top_bits8(digit ^ hi) << i;
		m.newline |= field_top_bits8(nl) << i;
	}
	return m;
}

#ifdef __SSE2__
/* Of the 16 bytes at s: bit i of *digit set where s[i] is a digit, of
 * *newline where it is a newline. */
static inline void field_masks16(const char *s, uint64_t *digit, uint64_t *newline)
{
	__m128i x = _mm_loadu_si128((const __m128i *)(const void *)s);
	__m128i d = _mm_sub_epi8(x, _mm_set1_epi8('0'));

	*digit = (uint16_t)_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_min_epu8(d, _mm_set1_epi8(9)), d));
	*newline = (uint16_t)_mm_movemask_epi8(_mm_cmpeq_epi8(x, _mm_set1_epi8('\n')));
}

/* Written out four times: a loop kept its shifts variable, at a third more
 * instructions. */
static inline struct field_masks field_masks64(const char *s)
{
	uint64_t d0, d1, d2, d3, n0, n1, n2, n3;
	struct field_masks m;

	field_masks16(s, &d0, &n0);
	field_masks16(s + 16, &d1, &n1);
	field_masks16(s + 32, &d2, &n2);
	field_masks16(s + 48, &d3, &n3);
	m.nondigit = ~(d0 | d1 << 16 | d2 << 32 | d3 << 48);
	m.newline = n0 | n1 << 16 | n2 << 32 | n3 << 48;
	return m;
}
#else
#define field_masks64 field_masks64_swar
#endif

/* The value of the n digits at s, 1 <= n <= 4 (s must have 4 readable bytes). */
static inline uint32_t field_digits4_value(const char *s, unsigned n)
{
	uint32_t x;

	memcpy(&x, s, sizeof x);
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	x = __builtin_bswap32(x);
#endif
	/* Byte i holds digit i; move the n digits to the top bytes, zeros before
	 * them, add up pairs, then the first pair times 100 plus the second lands
	 * in bits 16..31. */
	x = (x - 0x30303030u) << 8 * (4 - n);
	x = (x * 10 + (x >> 8)) & 0x00ff00ffu;
	return x * (100u << 16 | 1) >> 16;
}

/* The same for 1 <= n <= 8 (s must have 8 readable bytes). */
static inline uint32_t field_digits_value(const char *s, unsigned n)
{
	if (n <= 4)
		return field_digits4_value(s, n);
	return field_digits4_value(s, n - 4) * 10000 + field_digits4_value(s + n - 4, 4);
}

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
