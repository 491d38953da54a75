/* array.h: room in a growing array, doubled as it fills; what the parsers' lists and the blocks' records share. */
#ifndef MOESTAT_ARRAY_H
#define MOESTAT_ARRAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

/* Room in *items (*cap items of size bytes, len of them used) for more
 * items: the capacity doubles from 1024 until they fit. False when out of
 * memory, *items and *cap as they were. */
static inline bool array_reserve(void **items, size_t *cap, size_t len, size_t more, size_t size)
{
	size_t want = *cap ? *cap : 1024;
	void *q;

	if (len + more <= *cap)
		return true;
	while (want < len + more) {
		if (want > SIZE_MAX / 2)
			return false;
		want *= 2;
	}
	if (want > SIZE_MAX / size || !(q = realloc(*items, want * size)))
		return false;
	*items = q;
	*cap = want;
	return true;
}

#endif
