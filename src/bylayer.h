/* bylayer.h: what the accumulators share: per-layer objects kept by layer id, and how per-expert arrays grow. */
#ifndef MOESTAT_BYLAYER_H
#define MOESTAT_BYLAYER_H

#include <stddef.h>

struct bylayer {
	void **slot;            /* [nslots] the object of each layer id; NULL for none */
	unsigned nslots;
};

/* The object of layer, or NULL. Inline: every accumulator asks once a record. */
static inline void *bylayer_get(const struct bylayer *t, unsigned layer)
{
	return layer < t->nslots ? t->slot[layer] : NULL;
}

/* Stores obj as the object of layer, growing the table; -1 when out of memory. */
int bylayer_put(struct bylayer *t, unsigned layer, void *obj);

/* Moves the objects of the layers of from whose id % nshards is shard into
 * to, which has none of them; -1 when out of memory, the ones not moved yet
 * left in from. */
int bylayer_move(struct bylayer *to, struct bylayer *from, unsigned shard, unsigned nshards);

/* The object of the first layer id >= from that has one, or NULL. */
void *bylayer_next(const struct bylayer *t, unsigned from);

/* Number of layers with an object. */
unsigned bylayer_count(const struct bylayer *t);

/* Frees every object with free_object, then the table. */
void bylayer_free(struct bylayer *t, void (*free_object)(void *));

/* The room for at least n experts, grown from cap: doubled from 8, at most
 * MOE_MAX_EXPERTS. 0 when n is above MOE_MAX_EXPERTS. */
unsigned bylayer_capacity(unsigned cap, unsigned n);

#endif
