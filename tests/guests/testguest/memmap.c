/*
 * Guest memory: what the multiboot information says, a v1 MBI or an MBI2
 * (RAM ranges, command line; from an MBI2 also the copies of the RSDP
 * that acpi.c checks), the identity map above 4 GiB, RAM added and given
 * back at run time (memory_op, reserve.c), and a bump allocator for what
 * the guest needs beyond its image (page directories, AP stacks,
 * buffers).
 *
 * Owns guest_mem and the page directories above 4 GiB, written by vCPU 0
 * before any other vCPU starts (mem_remove_ram() later, while the others
 * wait at a barrier) and only read otherwise. The MBI is read once, in
 * mem_init(): the memory test may overwrite it later, so its extent (and
 * all it points to) is kept out of the testable low memory. Everything
 * from GUEST_LOAD_ADDR up to guest_mem.reserved_end is the guest's own
 * and never tested. The MBI2 is under test like the ACPI tables: a
 * broken tag or a missing one the header asked for crashes with a line.
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

/* Multiboot2 1.0, section 3.6: the MBI2's fixed part, then tags, each 8-byte aligned. */
struct mb2_info {
	u32 total_size; /* fixed part and tags, end tag included */
	u32 reserved;
};

struct mb2_tag {
	u32 type;
	u32 size; /* with this header, without the padding up to the next tag */
};

/* Tag 6, before its entries of entry_size bytes each. */
struct mb2_mmap {
	struct mb2_tag tag;
	u32 entry_size;
	u32 entry_version;
};

struct mb2_mmap_entry {
	u64 base_addr, length;
	u32 type; /* MB_RAM, the same numbers as v1 */
	u32 reserved;
};
_Static_assert(sizeof(struct mb2_info) == 8, "multiboot2 information layout");
_Static_assert(sizeof(struct mb2_tag) == 8, "multiboot2 tag layout");
_Static_assert(sizeof(struct mb2_mmap) == 16, "multiboot2 memory map tag layout");
_Static_assert(sizeof(struct mb2_mmap_entry) == 24, "multiboot2 memory map entry layout");

#define MB2_ALIGN 8
#define MB2_MAX_SIZE MIB /* a larger total_size is a broken field */
#define MB2_TAG_BIT(t) (1u << (t))
/* The tags mb2.S asks for, not optionally: the loader must give them. */
#define MB2_REQUIRED \
	(MB2_TAG_BIT(MB2_TAG_CMDLINE) | MB2_TAG_BIT(MB2_TAG_MMAP) | MB2_TAG_BIT(MB2_TAG_ACPI_NEW))
/* The tags read here: each may come once. */
#define MB2_READ (MB2_REQUIRED | MB2_TAG_BIT(MB2_TAG_ACPI_OLD))

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

static void read_mb1_mmap(const struct mb_info *mbi, struct mbi_extent *x)
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

/* Copies s into cmdline_copy (cut to fit) for guest_mem.cmdline. */
static void copy_cmdline(const char *s)
{
	size_t n = strlen(s);

	if (n >= sizeof(cmdline_copy))
		n = sizeof(cmdline_copy) - 1;
	memcpy(cmdline_copy, s, n);
	cmdline_copy[n] = '\0';
	guest_mem.cmdline = cmdline_copy;
}

/* The v1 MBI's string at addr, which the MBI's extent takes in. */
static const char *mb1_string(u32 addr, struct mbi_extent *x)
{
	const char *s = (const char *)(u64)addr;

	extent_add(x, addr, strlen(s) + 1);
	return s;
}

static void read_mb1(u32 mbi_pa, struct mbi_extent *x)
{
	const struct mb_info *mbi = (const void *)(u64)mbi_pa;

	extent_add(x, mbi_pa, MB_INFO_SIZE);
	if (mbi->flags & MBI_CMDLINE)
		copy_cmdline(mb1_string(mbi->cmdline, x));
	if (mbi->flags & MBI_LOADER_NAME)
		mb1_string(mbi->boot_loader_name, x);
	if ((mbi->flags & MBI_MODS) && mbi->mods_count)
		x->low = false; /* modules could be anywhere: leave low memory alone */
	if (mbi->flags & MBI_MMAP) {
		read_mb1_mmap(mbi, x);
	} else if (mbi->flags & MBI_MEM) {
		gprintf("guest: no memory map; using mem_lower and mem_upper\n");
		add_ram(0, (u64)mbi->mem_lower << 10);
		add_ram(MIB, (u64)mbi->mem_upper << 10);
	}
}

static const char *mb2_tag_name(u32 type)
{
	switch (type) {
	case MB2_TAG_CMDLINE:
		return "command line";
	case MB2_TAG_MMAP:
		return "memory map";
	case MB2_TAG_ACPI_OLD:
		return "ACPI old RSDP";
	case MB2_TAG_ACPI_NEW:
		return "ACPI new RSDP";
	}
	return "other";
}

/* The string that is tag t's data, once a NUL ends it inside the tag. */
static const char *mb2_string(const struct mb2_tag *t)
{
	const char *s = (const char *)(t + 1);
	u32 i, n = t->size - (u32)sizeof(*t);

	for (i = 0; i < n; i++)
		if (!s[i])
			return s;
	crash("guest: multiboot2 tag %u (%s) has no NUL in its %u bytes\n", t->type,
	      mb2_tag_name(t->type), n);
}

static void read_mb2_mmap(const struct mb2_tag *t)
{
	const struct mb2_mmap *m = (const void *)t;
	u32 off;

	if (t->size < sizeof(*m))
		crash("guest: multiboot2 memory map tag of %u bytes is short\n", t->size);
	if (m->entry_size < sizeof(struct mb2_mmap_entry) || m->entry_size % MB2_ALIGN)
		crash("guest: multiboot2 memory map entry_size %u is not a multiple of 8 from 24\n",
		      m->entry_size);
	if ((t->size - sizeof(*m)) % m->entry_size)
		crash("guest: multiboot2 memory map tag of %u bytes is not whole entries of %u\n",
		      t->size, m->entry_size);
	for (off = sizeof(*m); off < t->size; off += m->entry_size) {
		const struct mb2_mmap_entry *e = (const void *)((const u8 *)t + off);

		if (e->type == MB_RAM)
			add_ram(e->base_addr, e->length);
	}
}

/* An ACPI tag's data: exactly len bytes, copied to dst. */
static void copy_mb2_rsdp(const struct mb2_tag *t, u8 *dst, u32 len, bool *has)
{
	if (t->size - sizeof(*t) != len)
		crash("guest: multiboot2 tag %u (%s) holds %lu bytes, not %u\n", t->type,
		      mb2_tag_name(t->type), t->size - sizeof(*t), len);
	memcpy(dst, t + 1, len);
	*has = true;
}

static void read_mb2_tag(const struct mb2_tag *t, struct mbi_extent *x)
{
	struct guest_mem *m = &guest_mem;

	switch (t->type) {
	case MB2_TAG_CMDLINE:
		copy_cmdline(mb2_string(t));
		break;
	case MB2_TAG_MODULE:
		x->low = false; /* modules could be anywhere: leave low memory alone */
		break;
	case MB2_TAG_MMAP:
		read_mb2_mmap(t);
		break;
	case MB2_TAG_ACPI_OLD:
		copy_mb2_rsdp(t, m->rsdp_v1, RSDP_V1_LEN, &m->has_rsdp_v1);
		break;
	case MB2_TAG_ACPI_NEW:
		copy_mb2_rsdp(t, m->rsdp_v2, RSDP_V2_LEN, &m->has_rsdp_v2);
		break;
	default:
		break; /* the boot loader name, basic memory information, tags yet unknown */
	}
}

/*
 * Every tag up to the end tag, in whatever order they come; the MBI2's
 * strings and memory map are inside it, so its extent is total_size.
 */
static void read_mb2(u32 mbi_pa, struct mbi_extent *x)
{
	const struct mb2_info *mbi = (const void *)(u64)mbi_pa;
	u32 total = mbi->total_size, off = sizeof(*mbi), seen = 0, missing;

	if (mbi_pa % MB2_ALIGN)
		crash("guest: multiboot2 information at 0x%x is not 8-byte aligned\n", mbi_pa);
	if (total < sizeof(*mbi) + sizeof(struct mb2_tag) || total > MB2_MAX_SIZE)
		crash("guest: multiboot2 information total_size %u is out of range\n", total);
	extent_add(x, mbi_pa, total);
	for (;;) {
		const struct mb2_tag *t = (const void *)((const u8 *)mbi + off);

		if (off > total || total - off < sizeof(*t))
			crash("guest: multiboot2 information has no end tag in its %u bytes\n",
			      total);
		if (t->size < sizeof(*t) || t->size > total - off)
			crash("guest: multiboot2 tag %u at +%u: size %u past total_size %u\n",
			      t->type, off, t->size, total);
		if (t->type == MB2_TAG_END) {
			if (t->size != sizeof(*t))
				crash("guest: multiboot2 end tag of size %u, not 8\n", t->size);
			break;
		}
		if (t->type < 32 && (MB2_READ & seen & MB2_TAG_BIT(t->type)))
			crash("guest: multiboot2 tag %u (%s) twice\n", t->type,
			      mb2_tag_name(t->type));
		if (t->type < 32)
			seen |= MB2_TAG_BIT(t->type);
		read_mb2_tag(t, x);
		off += (u32)ROUND_UP(t->size, MB2_ALIGN);
	}
	missing = MB2_REQUIRED & ~seen;
	if (missing)
		crash("guest: multiboot2 information has no tag %u (%s), which the header asks "
		      "for\n",
		      __builtin_ctz(missing), mb2_tag_name((u32)__builtin_ctz(missing)));
}

void mem_init(u32 magic, u32 mbi_pa)
{
	struct mbi_extent x = {0, true};
	struct guest_mem *m = &guest_mem;

	m->cmdline = "";
	m->mb2 = magic == MB2_LOADER_MAGIC;
	if (m->mb2)
		read_mb2(mbi_pa, &x);
	else
		read_mb1(mbi_pa, &x);
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
