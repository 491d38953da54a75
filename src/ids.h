/* ids.h: whether a record's expert ids are distinct and below N, in O(k): the check that every record passes. */
#ifndef MOESTAT_IDS_H
#define MOESTAT_IDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "moestat.h"

/* A stamp for each possible id: the record an id was last seen in. */
struct id_stamps {
	uint32_t *stamp;                /* [MOE_MAX_EXPERTS] */
	uint32_t now;
};

/* False when out of memory. */
static inline bool id_stamps_init(struct id_stamps *s)
{
	s->now = 0;
	return (s->stamp = calloc(MOE_MAX_EXPERTS, sizeof *s->stamp)) != NULL;
}

static inline void id_stamps_free(struct id_stamps *s)
{
	free(s->stamp);
	s->stamp = NULL;
}

/* The place of the first of the k ids (each below MOE_MAX_EXPERTS) that is
 * not below n (when n > 0) or repeats one before it; k when there is none. */
static inline __attribute__((always_inline)) size_t
ids_first_bad(struct id_stamps *s, const uint32_t *ids, size_t k, unsigned n)
{
	if (++s->now == 0) {
		memset(s->stamp, 0, MOE_MAX_EXPERTS * sizeof *s->stamp);
		s->now = 1;
	}
	/* On local copies: a store into stamp[] could otherwise be now. */
	uint32_t *stamp = s->stamp, now = s->now, limit = n ? n : MOE_MAX_EXPERTS;

	for (size_t i = 0; i < k; i++) {
		uint32_t id = ids[i];

		if (id >= limit || stamp[id] == now)
			return i;
		stamp[id] = now;
	}
	return k;
}

#endif
