/* domains.c: interns domain names in an open-addressing hash table of fixed size. */
#include "domains.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "moestat.h"

#define DOMAINS_SLOTS (2 * MOE_MAX_DOMAINS)     /* a power of two, never more than half full */

struct domains {
	size_t count;
	char *name[MOE_MAX_DOMAINS];
	int slot[DOMAINS_SLOTS];                /* index + 1; 0 = empty */
};

static uint32_t hash(const char *s, size_t len)
{
	uint32_t h = 2166136261u;               /* FNV-1a */

	while (len--)
		h = (h ^ (unsigned char)*s++) * 16777619u;
	return h;
}

struct domains *domains_new(void)
{
	return calloc(1, sizeof(struct domains));
}

/* The slot that holds name, or the empty slot where it would go. */
static size_t probe(const struct domains *d, const char *name, size_t len)
{
	size_t i = hash(name, len) & (DOMAINS_SLOTS - 1);

	while (d->slot[i]) {
		const char *s = d->name[d->slot[i] - 1];
		if (strncmp(s, name, len) == 0 && s[len] == '\0')
			break;
		i = (i + 1) & (DOMAINS_SLOTS - 1);
	}
	return i;
}

int domains_intern(struct domains *d, const char *name, size_t len)
{
	size_t i = probe(d, name, len);
	char *copy;

	if (d->slot[i])
		return d->slot[i] - 1;
	if (d->count == MOE_MAX_DOMAINS || !(copy = malloc(len + 1)))
		return -1;
	memcpy(copy, name, len);
	copy[len] = '\0';
	d->name[d->count] = copy;
	d->slot[i] = (int)++d->count;
	return (int)d->count - 1;
}

int domains_find(const struct domains *d, const char *name)
{
	size_t i = probe(d, name, strlen(name));

	return d->slot[i] - 1;
}

size_t domains_count(const struct domains *d)
{
	return d->count;
}

const char *domains_name(const struct domains *d, int index)
{
	return d->name[index];
}

void domains_free(struct domains *d)
{
	if (!d)
		return;
	for (size_t i = 0; i < d->count; i++)
		free(d->name[i]);
	free(d);
}
