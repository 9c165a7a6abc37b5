/*
 * Guest memory: what the multiboot information block says (RAM ranges,
 * command line), the identity map above 4 GiB, RAM added and given back
 * at run time (memory_op, reserve.c), and a bump allocator for what the
 * guest needs beyond its image (page directories, AP stacks, buffers).
 *
 * Owns guest_mem and the page directories above 4 GiB, written by vCPU 0
 * before any other vCPU starts (mem_remove_ram() later, while the others
 * wait at a barrier) and only read otherwise. The MBI is read once, in
 * mem_init(): the memory test may overwrite it later. Everything from
 * GUEST_LOAD_ADDR up to guest_mem.reserved_end is the guest's own and
 * never tested.
 */
#include "guest.h"

/* Multiboot v1 information block, up to the field read last. */
struct mb_info {
	u32 flags;
	u32 mem_lower, mem_upper; /* KiB below 640 KiB, KiB from 1 MiB */
	u32 boot_device;
	u32 cmdline;
	u32 mods_count, mods_addr;
	u32 syms[4];
	u32 mmap_length, mmap_addr;
	u32 drives_length, drives_addr;
	u32 config_table;
	u32 boot_loader_name;
};
_Static_assert(__builtin_offsetof(struct mb_info, mmap_length) == 44, "multiboot v1 layout");
_Static_assert(__builtin_offsetof(struct mb_info, boot_loader_name) == 64, "multiboot v1 layout");

struct mb_mmap_entry {
	u32 size; /* of the rest of the entry */
	u64 addr, len;
	u32 type;
} __attribute__((packed));
_Static_assert(sizeof(struct mb_mmap_entry) == 24, "multiboot v1 mmap entry");

#define MBI_MEM (1u << 0)
#define MBI_CMDLINE (1u << 2)
#define MBI_MODS (1u << 3)
#define MBI_MMAP (1u << 6)
#define MBI_LOADER_NAME (1u << 9)
/* The whole v1 block, framebuffer fields included: what a loader may have written. */
#define MB_INFO_SIZE 116
#define MB_RAM 1

#define LOW_RAM_END 0xa0000ull
#define PDE_2M 0x83ull
#define PTE_TABLE 0x03ull
#define PTE_PRESENT 0x01ull
/* One PDPT: the identity map ends here. */
#define MAP_LIMIT (512 * GIB)

struct guest_mem guest_mem;
static char cmdline_copy[480];

/* Where the MBI and what it points to end; low memory above it is testable. */
struct mbi_extent {
	u64 end;
	bool low; /* everything so far below LOW_RAM_END */
};

static void extent_add(struct mbi_extent *x, u64 addr, u64 len)
{
	if (addr + len > x->end)
		x->end = addr + len;
	if (addr + len > LOW_RAM_END)
		x->low = false;
}

static void add_ram(u64 start, u64 len)
{
	struct guest_mem *m = &guest_mem;
	u64 end = start + len < start ? ~0ull : start + len;

	if (!len)
		return;
	m->ram_bytes += len;
	if (end > m->ram_top)
		m->ram_top = end;
	if (end > MAP_LIMIT)
		end = MAP_LIMIT;
	if (start >= end)
		return;
	if (m->nr_ram == MAX_RAM_RANGES) {
		gprintf("guest: more than %u RAM ranges; 0x%lx-0x%lx not tested\n", MAX_RAM_RANGES,
			start, end);
		return;
	}
	m->ram[m->nr_ram].start = start;
	m->ram[m->nr_ram].end = end;
	m->nr_ram++;
}

/* Sorts the RAM ranges by start and merges those that touch or overlap. */
static void sort_ram(void)
{
	struct guest_mem *m = &guest_mem;
	unsigned int i, j, n = 0;

	for (i = 1; i < m->nr_ram; i++) {
		struct ram_range r = m->ram[i];

		for (j = i; j > 0 && m->ram[j - 1].start > r.start; j--)
			m->ram[j] = m->ram[j - 1];
		m->ram[j] = r;
	}
	for (i = 0; i < m->nr_ram; i++) {
		if (n && m->ram[i].start <= m->ram[n - 1].end) {
			if (m->ram[i].end > m->ram[n - 1].end)
				m->ram[n - 1].end = m->ram[i].end;
			continue;
		}
		m->ram[n++] = m->ram[i];
	}
	m->nr_ram = n;
}

static void read_mmap(const struct mb_info *mbi, struct mbi_extent *x)
{
	u64 p = mbi->mmap_addr, end = p + mbi->mmap_length;

	extent_add(x, p, mbi->mmap_length);
	while (p + sizeof(struct mb_mmap_entry) <= end) {
		const struct mb_mmap_entry *e = (const void *)p;

		if (e->size < sizeof(*e) - 4) {
			gprintf("guest: memory map entry at 0x%lx has size %u; map cut there\n", p,
				e->size);
			break;
		}
		if (e->type == MB_RAM)
			add_ram(e->addr, e->len);
		p += e->size + 4;
	}
}

static const char *copy_string(u32 addr, char *dst, size_t size, struct mbi_extent *x)
{
	const char *s = (const char *)(u64)addr;
	size_t n = strlen(s);

	extent_add(x, addr, n + 1);
	if (!dst)
		return s;
	if (n >= size)
		n = size - 1;
	memcpy(dst, s, n);
	dst[n] = '\0';
	return dst;
}

void mem_init(u32 mbi_pa)
{
	const struct mb_info *mbi = (const void *)(u64)mbi_pa;
	struct mbi_extent x = {0, true};
	struct guest_mem *m = &guest_mem;

	extent_add(&x, mbi_pa, MB_INFO_SIZE);
	m->cmdline = "";
	if (mbi->flags & MBI_CMDLINE)
		m->cmdline = copy_string(mbi->cmdline, cmdline_copy, sizeof(cmdline_copy), &x);
	if (mbi->flags & MBI_LOADER_NAME)
		copy_string(mbi->boot_loader_name, NULL, 0, &x);
	if ((mbi->flags & MBI_MODS) && mbi->mods_count)
		x.low = false; /* modules could be anywhere: leave low memory alone */
	if (mbi->flags & MBI_MMAP) {
		read_mmap(mbi, &x);
	} else if (mbi->flags & MBI_MEM) {
		gprintf("guest: no memory map; using mem_lower and mem_upper\n");
		add_ram(0, (u64)mbi->mem_lower << 10);
		add_ram(MIB, (u64)mbi->mem_upper << 10);
	}
	if (!m->nr_ram)
		crash("guest: no RAM in the multiboot information\n");
	sort_ram();
	if (m->ram_top > MAP_LIMIT)
		gprintf("guest: RAM above %lu GiB is not mapped or tested\n", MAP_LIMIT / GIB);
	m->low_start = x.low ? ROUND_UP(x.end, PAGE_SIZE) : 0;
	m->reserved_end = ROUND_UP((u64)__image_end, PAGE_SIZE);
	if (!is_ram(GUEST_LOAD_ADDR, m->reserved_end))
		crash("guest: image 0x%x-0x%lx is not in RAM\n", GUEST_LOAD_ADDR, m->reserved_end);
}

bool is_ram(u64 start, u64 end)
{
	unsigned int i;

	for (i = 0; i < guest_mem.nr_ram; i++)
		if (guest_mem.ram[i].start <= start && end <= guest_mem.ram[i].end)
			return true;
	return false;
}

void *boot_alloc(u64 size)
{
	u64 p = guest_mem.reserved_end;

	size = ROUND_UP(size, PAGE_SIZE);
	if (!is_ram(p, p + size))
		crash("guest: no RAM for 0x%lx bytes at 0x%lx\n", size, p);
	guest_mem.reserved_end = p + size;
	return memset((void *)p, 0, size);
}

/* Identity-maps GiB number gib with 2 MiB pages, unless it is mapped already. */
static void map_gib(u64 gib)
{
	u64 *pd, i;

	if (boot_pdpt[gib] & PTE_PRESENT)
		return;
	pd = boot_alloc(PAGE_SIZE);
	for (i = 0; i < 512; i++)
		pd[i] = (gib * GIB + i * (2 * MIB)) | PDE_2M;
	boot_pdpt[gib] = (u64)pd | PTE_TABLE;
}

void mem_map_all(void)
{
	/* One page more than RAM: fault=npf reads it. head.S mapped 4 GiB. */
	u64 limit = ROUND_UP(guest_mem.ram_top + PAGE_SIZE, GIB);
	u64 gib;

	if (limit > MAP_LIMIT)
		limit = MAP_LIMIT;
	for (gib = 4; gib < limit / GIB; gib++)
		map_gib(gib);
	write_cr3(read_cr3());
}

void mem_map_range(u64 start, u64 end)
{
	u64 gib;

	if (end > MAP_LIMIT || start >= end)
		crash("guest: cannot map 0x%lx-0x%lx: the map ends at %lu GiB\n", start, end,
		      MAP_LIMIT / GIB);
	for (gib = start / GIB; gib < ROUND_UP(end, GIB) / GIB; gib++)
		map_gib(gib);
	/* Only not-present entries changed, but a reload costs nothing here. */
	write_cr3(read_cr3());
}

void mem_add_ram(u64 start, u64 end)
{
	struct guest_mem *m = &guest_mem;
	unsigned int i;

	for (i = 0; i < m->nr_ram; i++)
		if (start < m->ram[i].end && m->ram[i].start < end)
			crash("guest: new RAM 0x%lx-0x%lx overlaps RAM 0x%lx-0x%lx\n", start, end,
			      m->ram[i].start, m->ram[i].end);
	/* Grow a range it touches: reserve= adds hundreds of adjacent extents. */
	for (i = 0; i < m->nr_ram; i++) {
		if (m->ram[i].end != start && m->ram[i].start != end)
			continue;
		if (m->ram[i].end == start)
			m->ram[i].end = end;
		else
			m->ram[i].start = start;
		m->ram_bytes += end - start;
		if (end > m->ram_top)
			m->ram_top = end;
		sort_ram(); /* it may touch its other neighbour now */
		return;
	}
	add_ram(start, end - start);
	sort_ram();
}

/* The end of the highest RAM range, after some went away. */
static u64 top_of_ram(void)
{
	u64 top = 0;
	unsigned int i;

	for (i = 0; i < guest_mem.nr_ram; i++)
		if (guest_mem.ram[i].end > top)
			top = guest_mem.ram[i].end;
	return top;
}

void mem_remove_ram(u64 start, u64 end)
{
	struct guest_mem *m = &guest_mem;
	struct ram_range *r = NULL;
	unsigned int i;

	for (i = 0; i < m->nr_ram && !r; i++)
		if (m->ram[i].start <= start && end <= m->ram[i].end)
			r = &m->ram[i];
	if (!r || start >= end)
		crash("guest: 0x%lx-0x%lx to take off the RAM list is not RAM\n", start, end);
	if (r->start < start && end < r->end) {
		/* A hole in the middle: the rest above becomes a range of its own. */
		if (m->nr_ram == MAX_RAM_RANGES)
			crash("guest: more than %u RAM ranges\n", MAX_RAM_RANGES);
		m->ram[m->nr_ram].start = end;
		m->ram[m->nr_ram].end = r->end;
		m->nr_ram++;
		r->end = start;
	} else if (r->start < start) {
		r->end = start;
	} else if (end < r->end) {
		r->start = end;
	} else {
		*r = m->ram[--m->nr_ram];
	}
	sort_ram();
	m->ram_bytes -= end - start;
	if (end >= m->ram_top)
		m->ram_top = top_of_ram();
}
