/* domains.h: the table of domain names seen in a stream; records carry an index into it. */
#ifndef MOESTAT_DOMAINS_H
#define MOESTAT_DOMAINS_H

#include <stddef.h>

struct domains;

struct domains *domains_new(void);

/* The index of name (len bytes, not NUL-terminated), added if new. Returns -1
 * when the table already holds MOE_MAX_DOMAINS names or memory runs out. */
int domains_intern(struct domains *d, const char *name, size_t len);

/* The index of name, or -1 when it has not been seen. */
int domains_find(const struct domains *d, const char *name);

/* Names in order of first appearance. */
size_t domains_count(const struct domains *d);
const char *domains_name(const struct domains *d, int index);

void domains_free(struct domains *d);

#endif
