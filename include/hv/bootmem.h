/*
 * The boot allocator: hands out physical memory before the page allocator
 * exists, from the RAM of the sanitised boot memory map minus reserved
 * regions (the image and the first MiB; the loader's data has been copied
 * out by then). Boot CPU only.
 */
#ifndef HV_BOOTMEM_H
#define HV_BOOTMEM_H

#include <hv/boot.h>
#include <hv/types.h>

#define BOOTMEM_MAX_RANGES 256

/* Start from the RAM ranges of a sanitised map; drops any previous state. */
void bootmem_init(const struct mem_range *map, unsigned int nr);

/*
 * Take [start, end), widened to whole pages, out of the free memory (it
 * may overlap anything).
 */
void bootmem_reserve(paddr_t start, paddr_t end);

/*
 * Allocate size bytes, rounded up to whole pages, aligned to align (a
 * power of two; at least a page) entirely below limit, from the highest
 * free address that fits. Returns the physical address, or 0 when nothing
 * fits (0 is never handed out).
 */
paddr_t bootmem_alloc(u64 size, u64 align, paddr_t limit);

/* The same, with the whole block also at or above lo. */
paddr_t bootmem_alloc_range(u64 size, u64 align, paddr_t lo, paddr_t limit);

/* Free bytes left, and the free ranges themselves (for the page allocator). */
u64 bootmem_free_bytes(void);
unsigned int bootmem_free_ranges(const struct mem_range **ranges);

#endif /* HV_BOOTMEM_H */
