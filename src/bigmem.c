/* bigmem.c: big buffers mapped on their own, aligned and advised into 2 MiB pages. */
#include "bigmem.h"

#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>

#define HUGE_PAGE ((size_t)2 << 20)
#define MAPPED_FROM ((size_t)1 << 20)

static size_t rounded(size_t size)
{
	return (size + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
}

void *bigmem_alloc(size_t size)
{
	size_t len = rounded(size), head, tail;
	char *map, *p;

	if (size < MAPPED_FROM)
		return calloc(1, size ? size : 1);
	if (len < size || len + HUGE_PAGE < len)
		return NULL;
	/* A page more than asked, so that an aligned start lies inside; the
	 * parts before and after it go back at once. */
	map = mmap(NULL, len + HUGE_PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (map == MAP_FAILED)
		return NULL;
	p = (char *)(((uintptr_t)map + HUGE_PAGE - 1) & ~(uintptr_t)(HUGE_PAGE - 1));
	head = (size_t)(p - map);
	tail = HUGE_PAGE - head;
	if (head)
		munmap(map, head);
	if (tail)
		munmap(p + len, tail);
#ifdef MADV_HUGEPAGE
	/* Advice only: without huge pages the memory is the same, in 4 KiB pages. */
	madvise(p, len, MADV_HUGEPAGE);
#endif
	return p;
}

void bigmem_free(void *p, size_t size)
{
	if (!p)
		return;
	if (size < MAPPED_FROM)
		free(p);
	else
		munmap(p, rounded(size));
}
