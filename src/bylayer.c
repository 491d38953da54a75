/* bylayer.c: a table indexed by layer id that doubles as ids grow, and the growth rule of expert arrays. */
#include "bylayer.h"

#include <stdlib.h>
#include <string.h>

#include "moestat.h"

int bylayer_put(struct bylayer *t, unsigned layer, void *obj)
{
	if (layer >= t->nslots) {
		unsigned n = t->nslots ? t->nslots : 64;
		void **slot;

		while (n <= layer)
			n *= 2;
		slot = realloc(t->slot, n * sizeof *slot);
		if (!slot)
			return -1;
		memset(slot + t->nslots, 0, (n - t->nslots) * sizeof *slot);
		t->slot = slot;
		t->nslots = n;
	}
	t->slot[layer] = obj;
	return 0;
}

int bylayer_move(struct bylayer *to, struct bylayer *from, unsigned shard, unsigned nshards)
{
	for (unsigned i = 0; i < from->nslots; i++) {
		if (!from->slot[i] || i % nshards != shard)
			continue;
		if (bylayer_put(to, i, from->slot[i]) < 0)
			return -1;
		from->slot[i] = NULL;
	}
	return 0;
}

void *bylayer_next(const struct bylayer *t, unsigned from)
{
	for (unsigned i = from; i < t->nslots; i++)
		if (t->slot[i])
			return t->slot[i];
	return NULL;
}

unsigned bylayer_count(const struct bylayer *t)
{
	unsigned n = 0;

	for (unsigned i = 0; i < t->nslots; i++)
		n += t->slot[i] != NULL;
	return n;
}

void bylayer_free(struct bylayer *t, void (*free_object)(void *))
{
	for (unsigned i = 0; i < t->nslots; i++)
		if (t->slot[i])
			free_object(t->slot[i]);
	free(t->slot);
	t->slot = NULL;
	t->nslots = 0;
}

unsigned bylayer_capacity(unsigned cap, unsigned n)
{
	if (n > MOE_MAX_EXPERTS)
		return 0;
	if (cap == 0)
		cap = 8;
	while (cap < n)
		cap *= 2;
	return cap > MOE_MAX_EXPERTS ? MOE_MAX_EXPERTS : cap;
}
