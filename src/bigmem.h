/* bigmem.h: big buffers, in 2 MiB pages where the kernel gives them: the first write to a 4 KiB page is a page fault. */
#ifndef MOESTAT_BIGMEM_H
#define MOESTAT_BIGMEM_H

#include <stddef.h>

/* size zeroed bytes, or NULL when out of memory. From 1 MiB on they are
 * mapped on their own, aligned to 2 MiB and asked of the kernel in 2 MiB
 * pages (Linux's transparent huge pages, when enabled for madvise or always):
 * the first write to each 4 KiB page of fresh memory costs a page fault, some
 * 9 us in a virtual machine (2 ms a MiB, as long as inflating it), and a 2 MiB
 * page costs one. Below, they are calloc's. Freed with bigmem_free and the
 * same size. */
void *bigmem_alloc(size_t size);

void bigmem_free(void *p, size_t size);

#endif
