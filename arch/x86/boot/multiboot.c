/*
 * Reading the multiboot (v1) and multiboot2 information blocks into a
 * struct boot_info. Owns nothing after boot: everything it needs is copied
 * out, so the loader's memory can be reused. The block comes from the boot
 * loader and is not trusted: every length and offset is checked against
 * the block before a byte is read, and a bad part is reported and skipped.
 * Reaches physical memory only through x86_boot_phys(), so the hosted tests
 * can run it over crafted blocks. Boot modules are recorded by range and
 * string only; their bytes are not read here.
 */
#include <asm/boot.h>
#include <asm/setup.h>
#include <hv/errno.h>
#include <hv/lib.h>
#include <hv/panic.h>
#include <hv/printk.h>

#define MB1_INFO_MEM (1U << 0)
#define MB1_INFO_CMDLINE (1U << 2)
#define MB1_INFO_MODS (1U << 3)
#define MB1_INFO_MMAP (1U << 6)
#define MB1_INFO_LOADER (1U << 9)

#define MB2_TAG_END 0
#define MB2_TAG_CMDLINE 1
#define MB2_TAG_LOADER 2
#define MB2_TAG_MODULE 3
#define MB2_TAG_MEMINFO 4
#define MB2_TAG_MMAP 6
#define MB2_TAG_ACPI_OLD 14
#define MB2_TAG_ACPI_NEW 15

/* The largest multiboot2 block we accept; real ones are a few KiB. */
#define MB2_INFO_MAX (1U << 20)

struct mb1_info {
	u32 flags;
	u32 mem_lower, mem_upper;
	u32 boot_device;
	u32 cmdline;
	u32 mods_count, mods_addr;
	u32 syms[4];
	u32 mmap_length, mmap_addr;
	u32 drives_length, drives_addr;
	u32 config_table;
	u32 boot_loader_name;
} __packed;

struct mb1_mmap_entry {
	u32 size; /* of the rest of the entry */
	u64 base, len;
	u32 type;
} __packed;

/* One entry of the v1 module table (Multiboot 0.6.96, section 3.3). */
struct mb1_module {
	u32 mod_start, mod_end; /* [mod_start, mod_end), as GRUB and QEMU fill it */
	u32 string;		/* physical address of a C string, or 0 */
	u32 reserved;
} __packed;

struct mb2_tag {
	u32 type, size;
} __packed;

struct mb2_mmap {
	u32 type, size;
	u32 entry_size, entry_version;
} __packed;

struct mb2_mmap_entry {
	u64 base, len;
	u32 type, reserved;
} __packed;

/* Multiboot2 tag 3 (section 3.6.6); the string follows inline. */
struct mb2_module {
	u32 type, size;
	u32 mod_start, mod_end;
} __packed;

struct mb2_meminfo {
	u32 type, size;
	u32 mem_lower, mem_upper;
} __packed;

_Static_assert(sizeof(struct mb1_info) == 68, "multiboot info layout");
_Static_assert(sizeof(struct mb2_mmap_entry) == 24, "multiboot2 mmap entry layout");
_Static_assert(sizeof(struct mb1_module) == 16, "multiboot module entry layout");
_Static_assert(sizeof(struct mb2_module) == 16, "multiboot2 module tag layout");

static void add_range(struct boot_info *bi, u64 base, u64 len, u32 type)
{
	u64 end = base + len;

	if (!len)
		return;
	/*
	 * Ending exactly at 2^64 (end == 0) is legal; a half-open range stops
	 * at the last page instead, without a word. Past it is a wrap.
	 */
	if (end < base) {
		if (end)
			pr_warn("multiboot: memory map entry 0x%llx+0x%llx wraps past 2^64; "
				"clipped at the top of the address space\n",
				base, len);
		end = ~(u64)0 & PAGE_MASK;
		if (end <= base)
			return;
	}
	if (bi->nr_mem == BOOT_MEMMAP_MAX) {
		bi->mem_dropped++;
		return;
	}
	bi->mem[bi->nr_mem].start = base;
	bi->mem[bi->nr_mem].end = end;
	bi->mem[bi->nr_mem].type = type;
	bi->nr_mem++;
}

/* Copy the NUL-terminated string at pa into dst; report if cut. */
static bool copy_string(paddr_t pa, char *dst, size_t size, u32 limit)
{
	size_t i;

	for (i = 0; i + 1 < size && i < limit; i++) {
		const char *p = x86_boot_phys(pa + i, 1);

		if (!p)
			break;
		if (!*p) {
			dst[i] = '\0';
			return false;
		}
		dst[i] = *p;
	}
	dst[i] = '\0';
	if (i + 1 < size || i >= limit)
		return false;
	/* dst is full: cut only if the source string goes on. */
	{
		const char *next = x86_boot_phys(pa + i, 1);

		return next && *next;
	}
}

/*
 * Whether the loader's n-th module entry, at [start, end), may be kept:
 * a backwards range, or one that overlaps the image or a module kept
 * before, is reported and left out. The fields are 32-bit in both
 * protocols, so a module running past 4 GiB shows up as end < start.
 */
static bool module_fits(const struct boot_info *bi, const char *proto, unsigned int n,
			paddr_t start, paddr_t end)
{
	paddr_t img_s, img_e;
	unsigned int i;

	if (end < start) {
		pr_warn("%s: module %u at 0x%llx-0x%llx ends before it starts; skipped\n", proto, n,
			start, end);
		return false;
	}
	x86_image_range(&img_s, &img_e);
	if (start < img_e && img_s < end) {
		pr_warn("%s: module %u at 0x%llx-0x%llx overlaps the hypervisor image at "
			"0x%llx-0x%llx; skipped\n",
			proto, n, start, end, img_s, img_e);
		return false;
	}
	for (i = 0; i < bi->nr_modules; i++) {
		const struct boot_module *m = &bi->modules[i];

		if (start < m->end && m->start < end) {
			pr_warn("%s: module %u at 0x%llx-0x%llx overlaps module %u at "
				"0x%llx-0x%llx; skipped\n",
				proto, n, start, end, i, m->start, m->end);
			return false;
		}
	}
	return true;
}

/*
 * Record the loader's n-th module entry, whose string is at most limit
 * bytes at string_pa (0: none). The callers only count the entries from
 * BOOT_MODULES_MAX on, so there is room.
 */
static void add_module(struct boot_info *bi, const char *proto, unsigned int n, paddr_t start,
		       paddr_t end, paddr_t string_pa, u32 limit)
{
	struct boot_module *m;

	ASSERT(n < BOOT_MODULES_MAX && bi->nr_modules <= n, "entries past the array are counted");
	if (!module_fits(bi, proto, n, start, end))
		return;
	m = &bi->modules[bi->nr_modules];
	m->start = start;
	m->end = end;
	m->cmdline_truncated = copy_string(string_pa, m->cmdline, sizeof(m->cmdline), limit);
	bi->nr_modules++;
}

static void mb1_modules(struct boot_info *bi, const struct mb1_info *mbi)
{
	u32 i;

	for (i = 0; i < mbi->mods_count; i++) {
		paddr_t pa = (paddr_t)mbi->mods_addr + (paddr_t)i * sizeof(struct mb1_module);
		const struct mb1_module *e;

		if (i >= BOOT_MODULES_MAX) {
			/* Not read: a huge count costs no time. */
			bi->modules_dropped += mbi->mods_count - i;
			return;
		}
		e = x86_boot_phys(pa, sizeof(*e));
		if (!e) {
			pr_warn("multiboot: module table entry %u at 0x%llx is unreadable; "
				"ignoring the rest of the table\n",
				i, pa);
			return;
		}
		add_module(bi, "multiboot", i, e->mod_start, e->mod_end, e->string, ~0U);
	}
}

static void mb1_mmap(struct boot_info *bi, const struct mb1_info *mbi)
{
	u32 off = 0;

	while (off + sizeof(struct mb1_mmap_entry) <= mbi->mmap_length) {
		const struct mb1_mmap_entry *e =
		    x86_boot_phys((paddr_t)mbi->mmap_addr + off, sizeof(*e));

		if (!e || e->size < sizeof(*e) - 4 || e->size > mbi->mmap_length - off - 4) {
			pr_warn("multiboot: memory map entry at offset %u is malformed "
				"(size %u); ignoring the rest of the map\n",
				off, e ? e->size : 0);
			return;
		}
		add_range(bi, e->base, e->len, e->type);
		off += e->size + 4;
	}
}

static void add_basic_meminfo(struct boot_info *bi, u32 lower_kib, u32 upper_kib)
{
	pr_warn("multiboot: no memory map from the boot loader; using the basic "
		"lower/upper memory sizes (%u KiB, %u KiB)\n",
		lower_kib, upper_kib);
	add_range(bi, 0, (u64)lower_kib << 10, MEM_RAM);
	add_range(bi, MiB(1), (u64)upper_kib << 10, MEM_RAM);
}

static int parse_mb1(paddr_t info, struct boot_info *bi)
{
	const struct mb1_info *mbi = x86_boot_phys(info, sizeof(*mbi));

	if (!mbi)
		return -EINVAL;
	bi->protocol = 1;
	if (mbi->flags & MB1_INFO_CMDLINE)
		bi->cmdline_truncated =
		    copy_string(mbi->cmdline, bi->cmdline, sizeof(bi->cmdline), ~0U);
	if (mbi->flags & MB1_INFO_LOADER)
		copy_string(mbi->boot_loader_name, bi->loader, sizeof(bi->loader), ~0U);
	if (mbi->flags & MB1_INFO_MMAP)
		mb1_mmap(bi, mbi);
	if (mbi->flags & MB1_INFO_MODS)
		mb1_modules(bi, mbi);
	if (!bi->nr_mem && (mbi->flags & MB1_INFO_MEM))
		add_basic_meminfo(bi, mbi->mem_lower, mbi->mem_upper);
	return 0;
}

static void mb2_mmap(struct boot_info *bi, paddr_t tag_pa, u32 size)
{
	const struct mb2_mmap *m = x86_boot_phys(tag_pa, sizeof(*m));
	u32 off;

	if (!m || size < sizeof(*m) || m->entry_size < sizeof(struct mb2_mmap_entry)) {
		pr_warn("multiboot2: memory map tag is malformed (entry size %u); ignored\n",
			m ? m->entry_size : 0);
		return;
	}
	for (off = sizeof(*m); off + sizeof(struct mb2_mmap_entry) <= size; off += m->entry_size) {
		const struct mb2_mmap_entry *e = x86_boot_phys(tag_pa + off, sizeof(*e));

		if (!e)
			return;
		add_range(bi, e->base, e->len, e->type);
	}
}

static void mb2_rsdp(struct boot_info *bi, paddr_t tag_pa, u32 size)
{
	u32 len = size - sizeof(struct mb2_tag);
	const u8 *p = x86_boot_phys(tag_pa + sizeof(struct mb2_tag), len);

	if (!p || len < 20)
		return;
	/* Prefer the ACPI 2.0+ RSDP when the loader hands over both. */
	if (bi->rsdp_len > 20 && len <= 20)
		return;
	if (len > sizeof(bi->rsdp_copy))
		len = sizeof(bi->rsdp_copy);
	memcpy(bi->rsdp_copy, p, len);
	bi->rsdp_len = len;
}

/* Tag 3: one module, the n-th module tag of the block. */
static void mb2_module(struct boot_info *bi, paddr_t tag_pa, u32 size, unsigned int n)
{
	const struct mb2_module *t = x86_boot_phys(tag_pa, sizeof(*t));

	if (n >= BOOT_MODULES_MAX) {
		bi->modules_dropped++;
		return;
	}
	if (!t || size < sizeof(*t)) {
		pr_warn("multiboot2: module %u: tag size %u is too small for its addresses; "
			"skipped\n",
			n, size);
		return;
	}
	add_module(bi, "multiboot2", n, t->mod_start, t->mod_end, tag_pa + sizeof(*t),
		   size - sizeof(*t));
}

static int parse_mb2(paddr_t info, struct boot_info *bi)
{
	const struct mb2_tag *hdr = x86_boot_phys(info, 8); /* total_size, reserved */
	u32 total, off, lower = 0, upper = 0;
	unsigned int nr_module_tags = 0;
	bool meminfo = false, end = false;

	if (!hdr)
		return -EINVAL;
	if (info & 7) {
		pr_err("multiboot2: information block at 0x%llx is not 8-byte aligned; ignored\n",
		       info);
		return -EINVAL;
	}
	total = hdr->type;
	if (total < 16 || total > MB2_INFO_MAX || !x86_boot_phys(info, total)) {
		pr_err("multiboot2: information block size %u is not credible; ignored\n", total);
		return -EINVAL;
	}
	bi->protocol = 2;
	for (off = 8; off + sizeof(struct mb2_tag) <= total; off = ALIGN_UP(off + 0U, 8)) {
		const struct mb2_tag *tag = x86_boot_phys(info + off, sizeof(*tag));
		paddr_t pa = info + off;

		if (tag->type == MB2_TAG_END) {
			end = true;
			break;
		}
		if (tag->size < sizeof(*tag) || tag->size > total - off) {
			pr_warn("multiboot2: tag %u at offset %u has bad size %u; "
				"ignoring the rest of the block\n",
				tag->type, off, tag->size);
			break;
		}
		switch (tag->type) {
		case MB2_TAG_CMDLINE:
			bi->cmdline_truncated =
			    copy_string(pa + 8, bi->cmdline, sizeof(bi->cmdline), tag->size - 8);
			break;
		case MB2_TAG_LOADER:
			copy_string(pa + 8, bi->loader, sizeof(bi->loader), tag->size - 8);
			break;
		case MB2_TAG_MODULE:
			mb2_module(bi, pa, tag->size, nr_module_tags++);
			break;
		case MB2_TAG_MEMINFO:
			if (tag->size >= sizeof(struct mb2_meminfo)) {
				const struct mb2_meminfo *mi = x86_boot_phys(pa, sizeof(*mi));

				lower = mi->mem_lower;
				upper = mi->mem_upper;
				meminfo = true;
			}
			break;
		case MB2_TAG_MMAP:
			mb2_mmap(bi, pa, tag->size);
			break;
		case MB2_TAG_ACPI_OLD:
		case MB2_TAG_ACPI_NEW:
			mb2_rsdp(bi, pa, tag->size);
			break;
		}
		off += tag->size;
	}
	if (!end)
		pr_warn("multiboot2: information block has no end tag\n");
	if (!bi->nr_mem && meminfo)
		add_basic_meminfo(bi, lower, upper);
	return 0;
}

int multiboot_parse(u32 magic, paddr_t info, struct boot_info *bi)
{
	memset(bi, 0, sizeof(*bi));
	if (magic == MB1_LOADER_MAGIC)
		return parse_mb1(info, bi);
	if (magic == MB2_LOADER_MAGIC)
		return parse_mb2(info, bi);
	pr_err("boot: unknown boot loader magic 0x%08x (not multiboot or multiboot2)\n", magic);
	return -EINVAL;
}
