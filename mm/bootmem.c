/*
 * Boot allocator over a sorted array of free physical ranges. Owns only
 * that array. Allocation is top-down below a limit so low memory, which
 * some devices and the SMP trampoline need, is used last. Boot CPU only,
 * before the page allocator takes the remaining ranges over.
 */
#include <hv/bootmem.h>
#include <hv/lib.h>
#include <hv/printk.h>

static struct mem_range free_ranges[BOOTMEM_MAX_RANGES];
static unsigned int nr_free;

void bootmem_init(const struct mem_range *map, unsigned int nr)
{
	unsigned int i;

	nr_free = 0;
	for (i = 0; map && i < nr && nr_free < BOOTMEM_MAX_RANGES; i++) {
		if (map[i].type != MEM_RAM || map[i].end <= map[i].start)
			continue;
		free_ranges[nr_free].start = map[i].start;
		free_ranges[nr_free].end = map[i].end;
		free_ranges[nr_free].type = MEM_RAM;
		nr_free++;
	}
}

static void remove_at(unsigned int i)
{
	memmove(&free_ranges[i], &free_ranges[i + 1], (nr_free - i - 1) * sizeof(free_ranges[0]));
	nr_free--;
}

void bootmem_reserve(paddr_t start, paddr_t end)
{
	unsigned int i;

	if (end <= start)
		return;
	/* Whole pages only: a partly reserved page is not free. */
	start = ALIGN_DOWN(start, PAGE_SIZE);
	end = end > UINT64_MAX - (PAGE_SIZE - 1) ? ALIGN_DOWN(UINT64_MAX, PAGE_SIZE)
						 : ALIGN_UP(end, PAGE_SIZE);
	for (i = 0; i < nr_free;) {
		struct mem_range *r = &free_ranges[i];

		if (r->end <= start || r->start >= end) {
			i++;
			continue;
		}
		if (r->start >= start && r->end <= end) {
			remove_at(i);
			continue;
		}
		if (r->start < start && r->end > end) {
			/* Split in two; with no room left, keep the larger side. */
			if (nr_free == BOOTMEM_MAX_RANGES) {
				pr_warn("bootmem: no room to split a free range; losing %llu KiB\n",
					(MIN(start - r->start, r->end - end) >> 10));
				if (start - r->start >= r->end - end)
					r->end = start;
				else
					r->start = end;
				return;
			}
			memmove(&free_ranges[i + 1], &free_ranges[i],
				(nr_free - i) * sizeof(free_ranges[0]));
			nr_free++;
			free_ranges[i].end = start;
			free_ranges[i + 1].start = end;
			return;
		}
		if (r->start < start)
			r->end = start;
		else
			r->start = end;
		i++;
	}
}

paddr_t bootmem_alloc(u64 size, u64 align, paddr_t limit)
{
	return bootmem_alloc_range(size, align, 0, limit);
}

paddr_t bootmem_alloc_range(u64 size, u64 align, paddr_t lo, paddr_t limit)
{
	unsigned int i;

	if (!size || size > UINT64_MAX - (PAGE_SIZE - 1) || (align & (align - 1)))
		return 0;
	if (align < PAGE_SIZE)
		align = PAGE_SIZE;
	size = ALIGN_UP(size, PAGE_SIZE);
	limit = ALIGN_DOWN(limit, PAGE_SIZE);
	for (i = nr_free; i-- > 0;) {
		struct mem_range *r = &free_ranges[i];
		paddr_t top = MIN(r->end, limit), bottom = MAX(r->start, lo), base;

		if (top <= bottom || top - bottom < size)
			continue;
		base = ALIGN_DOWN(top - size, align);
		if (base < bottom || base == 0)
			continue;
		bootmem_reserve(base, base + size);
		return base;
	}
	return 0;
}

u64 bootmem_free_bytes(void)
{
	u64 sum = 0;
	unsigned int i;

	for (i = 0; i < nr_free; i++)
		sum += free_ranges[i].end - free_ranges[i].start;
	return sum;
}

unsigned int bootmem_free_ranges(const struct mem_range **ranges)
{
	*ranges = free_ranges;
	return nr_free;
}
