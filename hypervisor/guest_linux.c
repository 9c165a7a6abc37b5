/*
 * The Linux boot protocol loader of <hv/guest_linux.h>. Offsets are those
 * of the protocol's setup header and zero page (the kernel's
 * Documentation/arch/x86/boot.rst and zero-page.rst): the setup header
 * from 0x1f1 of the image (and of the zero page) to 0x202 + the byte at
 * 0x201; the protected-mode kernel after the (setup_sects + 1) sectors of
 * 512 bytes of real-mode code (setup_sects 0 means 4); the 64-bit entry
 * 0x200 bytes into the protected-mode kernel. The zero page is built in
 * a page from kmalloc before it is copied in.
 */
#include <hv/errno.h>
#include <hv/guest_linux.h>
#include <hv/lib.h>
#include <hv/slab.h>

/* The setup header (offsets in the image and in the zero page). */
#define HDR_START 0x1f1
#define HDR_SETUP_SECTS 0x1f1
#define HDR_SYSSIZE 0x1f4
#define HDR_BOOT_FLAG 0x1fe
#define HDR_JUMP_END 0x201 /* the byte after the jump: the header ends at 0x202 + it */
#define HDR_HEADER 0x202
#define HDR_VERSION 0x206
#define HDR_KERNEL_VERSION 0x20e
#define HDR_TYPE_OF_LOADER 0x210
#define HDR_LOADFLAGS 0x211
#define HDR_CODE32_START 0x214
#define HDR_RAMDISK_IMAGE 0x218
#define HDR_RAMDISK_SIZE 0x21c
#define HDR_CMD_LINE_PTR 0x228
#define HDR_INITRD_ADDR_MAX 0x22c
#define HDR_KERNEL_ALIGNMENT 0x230
#define HDR_RELOCATABLE 0x234
#define HDR_XLOADFLAGS 0x236
#define HDR_CMDLINE_SIZE 0x238
#define HDR_PREF_ADDRESS 0x258
#define HDR_INIT_SIZE 0x260
#define HDR_MIN_END 0x264 /* protocol 2.12 reaches past init_size */

/* The rest of the zero page. */
#define ZP_ACPI_RSDP_ADDR 0x070
#define ZP_EXT_RAMDISK_IMAGE 0x0c0
#define ZP_EXT_RAMDISK_SIZE 0x0c4
#define ZP_EXT_CMD_LINE_PTR 0x0c8
#define ZP_E820_ENTRIES 0x1e8
#define ZP_E820_TABLE 0x2d0

#define BOOT_FLAG 0xaa55
#define HEADER_MAGIC 0x53726448 /* "HdrS" */
#define LOADED_HIGH 0x01
#define XLF_KERNEL_64 0x0001
#define LOADER_UNDEFINED 0xff /* type_of_loader of a loader without an assigned id */
#define E820_RAM 1
#define E820_RESERVED 2
#define KERNEL_LOWEST 0x1000000ULL /* 16 MiB: where a relocated kernel may start */
#define LEGACY_HOLE_START 0xa0000ULL
#define LEGACY_HOLE_END 0x100000ULL
#define PTE_P 0x1ULL
#define PTE_W 0x2ULL
#define PTE_PS 0x80ULL

static u16 get16(const u8 *p, size_t off)
{
	return (u16)(p[off] | p[off + 1] << 8);
}

static u32 get32(const u8 *p, size_t off)
{
	return (u32)get16(p, off) | (u32)get16(p, off + 2) << 16;
}

static u64 get64(const u8 *p, size_t off)
{
	return (u64)get32(p, off) | (u64)get32(p, off + 4) << 32;
}

static void put16(u8 *p, size_t off, u16 v)
{
	p[off] = (u8)v;
	p[off + 1] = (u8)(v >> 8);
}

static void put32(u8 *p, size_t off, u32 v)
{
	put16(p, off, (u16)v);
	put16(p, off + 2, (u16)(v >> 16));
}

static void put64(u8 *p, size_t off, u64 v)
{
	put32(p, off, (u32)v);
	put32(p, off + 4, (u32)(v >> 32));
}

bool guest_linux_detect(const void *image, size_t len)
{
	const u8 *p = image;

	return len >= HDR_MIN_END && get16(p, HDR_BOOT_FLAG) == BOOT_FLAG &&
	       get32(p, HDR_HEADER) == HEADER_MAGIC;
}

/* The RAM range that holds [start, end), or NULL. */
static const struct guest_ram_range *ram_holding(const struct guest_mem *gm, u64 start, u64 end)
{
	unsigned int i;

	for (i = 0; i < gm->nr_ram; i++)
		if (start >= gm->ram[i].start && end <= gm->ram[i].end && start < end)
			return &gm->ram[i];
	return NULL;
}

/* Where the protected-mode kernel goes; 0 if nowhere. */
static u64 place_kernel(const struct guest_mem *gm, u64 pref, u64 size, u64 align, bool reloc)
{
	unsigned int i;

	if (pref >= GUEST_LINUX_LOW_END && pref + size > pref && ram_holding(gm, pref, pref + size))
		return pref;
	if (!reloc)
		return 0;
	for (i = 0; i < gm->nr_ram; i++) {
		u64 a = ALIGN_UP(MAX(gm->ram[i].start, KERNEL_LOWEST), align);

		if (a + size > a && a + size <= gm->ram[i].end)
			return a;
	}
	return 0;
}

/* The highest page-aligned place for len bytes in [lo, hi); 0 if none. */
static u64 top_fit(u64 lo, u64 hi, u64 len)
{
	u64 a;

	if (hi <= lo || hi - lo < len)
		return 0;
	a = (hi - len) & ~(u64)(PAGE_SIZE - 1);
	return a >= lo ? a : 0;
}

/* Where the initrd goes: the top of the highest RAM below limit, the kernel's range left out. */
static u64 place_initrd(const struct guest_mem *gm, u64 len, u64 limit, u64 ks, u64 ke)
{
	unsigned int i;

	for (i = gm->nr_ram; i-- > 0;) {
		u64 lo = MAX(gm->ram[i].start, (u64)GUEST_LINUX_LOW_END);
		u64 hi = MIN(gm->ram[i].end, limit), a;

		/* Above the kernel first, then below it. */
		a = top_fit(MAX(lo, ke), hi, len);
		if (!a)
			a = top_fit(lo, MIN(hi, ks), len);
		if (a)
			return a;
	}
	return 0;
}

static int e820_add(u8 *zp, unsigned int *n, u64 start, u64 end, u32 type)
{
	if (*n == GUEST_LINUX_E820_MAX)
		return -ENOMEM;
	put64(zp, ZP_E820_TABLE + 20 * *n, start);
	put64(zp, ZP_E820_TABLE + 20 * *n + 8, end - start);
	put32(zp, ZP_E820_TABLE + 20 * *n + 16, type);
	(*n)++;
	return 0;
}

/*
 * The e820 map: the RAM ranges, and the legacy hole [0xa0000, 0x100000)
 * as reserved unless RAM covers some of it (the firmware area is there).
 */
static int build_e820(const struct guest_mem *gm, u8 *zp)
{
	unsigned int n = 0, i;
	bool hole_done = false;
	int rc = 0;

	for (i = 0; i < gm->nr_ram; i++)
		hole_done |=
		    gm->ram[i].start < LEGACY_HOLE_END && gm->ram[i].end > LEGACY_HOLE_START;
	for (i = 0; i < gm->nr_ram && !rc; i++) {
		if (!hole_done && gm->ram[i].start >= LEGACY_HOLE_END) {
			rc = e820_add(zp, &n, LEGACY_HOLE_START, LEGACY_HOLE_END, E820_RESERVED);
			hole_done = true;
		}
		if (!rc)
			rc = e820_add(zp, &n, gm->ram[i].start, gm->ram[i].end, E820_RAM);
	}
	if (!rc && !hole_done)
		rc = e820_add(zp, &n, LEGACY_HOLE_START, LEGACY_HOLE_END, E820_RESERVED);
	zp[ZP_E820_ENTRIES] = (u8)n;
	return rc;
}

static int write_guest(const struct guest_mem *gm, u64 gpa, const void *src, u64 len)
{
	return len ? gm->write(gm->ctx, gpa, src, len) : 0;
}

/* The identity map of the first 4 GiB in 2 MiB pages, and the GDT; table: a page to build in. */
static int write_boot_tables(const struct guest_mem *gm, u64 *table)
{
	static const u64 gdt[4] = {0, 0, 0x00af9a000000ffffULL, 0x00cf92000000ffffULL};
	unsigned int i, j;
	int rc;

	memset(table, 0, PAGE_SIZE);
	table[0] = (GUEST_LINUX_PT_ADDR + 0x1000) | PTE_P | PTE_W;
	rc = write_guest(gm, GUEST_LINUX_PT_ADDR, table, PAGE_SIZE);
	for (i = 0; i < 4; i++)
		table[i] = (GUEST_LINUX_PT_ADDR + 0x2000 + 0x1000 * i) | PTE_P | PTE_W;
	if (!rc)
		rc = write_guest(gm, GUEST_LINUX_PT_ADDR + 0x1000, table, PAGE_SIZE);
	for (i = 0; i < 4 && !rc; i++) {
		for (j = 0; j < 512; j++)
			table[j] = ((u64)(i * 512 + j) << 21) | PTE_P | PTE_W | PTE_PS;
		rc = write_guest(gm, GUEST_LINUX_PT_ADDR + 0x2000 + 0x1000 * i, table, PAGE_SIZE);
	}
	if (!rc)
		rc = write_guest(gm, GUEST_LINUX_GDT_ADDR, gdt, sizeof(gdt));
	return rc;
}

/*
 * The checks of the header before anything else is looked at: a bzImage,
 * protocol 2.12 or later, a 64-bit entry, a header and setup code inside
 * the file. 0 with the header's end and the setup code's length, or
 * -EINVAL with the reason in err.
 */
static int check_header(const u8 *p, size_t len, size_t *hdr_end, size_t *setup_len, char *err,
			size_t errlen)
{
	u16 version;

	if (!guest_linux_detect(p, len)) {
		snprintf(err, errlen, "not a bzImage (no boot flag 0xaa55 and \"HdrS\" at 0x1fe)");
		return -EINVAL;
	}
	version = get16(p, HDR_VERSION);
	if (version < 0x20c) {
		snprintf(err, errlen, "Linux boot protocol %u.%u: 2.12 or later needed",
			 (unsigned int)version >> 8, (unsigned int)version & 0xff);
		return -EINVAL;
	}
	if (!(get16(p, HDR_XLOADFLAGS) & XLF_KERNEL_64) || !(p[HDR_LOADFLAGS] & LOADED_HIGH)) {
		snprintf(err, errlen, "the kernel has no 64-bit entry point (xloadflags 0x%x)",
			 get16(p, HDR_XLOADFLAGS));
		return -EINVAL;
	}
	*hdr_end = 0x202 + p[HDR_JUMP_END];
	*setup_len = ((size_t)(p[HDR_SETUP_SECTS] ? p[HDR_SETUP_SECTS] : 4) + 1) * 512;
	if (*hdr_end < HDR_MIN_END || *hdr_end > 0x290 || *setup_len + 0x200 >= len) {
		snprintf(err, errlen, "setup header or setup code past the file (%zu bytes)", len);
		return -EINVAL;
	}
	return 0;
}

/* The version string the header points to (inside the setup code), printable bytes only. */
static void copy_version(const u8 *p, size_t setup_len, char *out, size_t size)
{
	size_t kv = get16(p, HDR_KERNEL_VERSION), i;

	if (!kv)
		return;
	for (i = 0; i + 1 < size && kv + 0x200 + i < setup_len && p[kv + 0x200 + i] >= 0x20 &&
		    p[kv + 0x200 + i] < 0x7f;
	     i++)
		out[i] = (char)p[kv + 0x200 + i];
}

/* What the loader fills in of the zero page beside the image's header (rsdp 0: none). */
static void set_loader_fields(u8 *zp, u64 load, u64 rd, u64 rd_len, u64 rsdp)
{
	zp[HDR_TYPE_OF_LOADER] = LOADER_UNDEFINED;
	put32(zp, HDR_CODE32_START, (u32)load);
	put32(zp, HDR_CMD_LINE_PTR, GUEST_LINUX_CMDLINE_ADDR);
	put32(zp, HDR_RAMDISK_IMAGE, (u32)rd);
	put32(zp, HDR_RAMDISK_SIZE, (u32)rd_len);
	put32(zp, ZP_EXT_RAMDISK_IMAGE, (u32)(rd >> 32));
	put32(zp, ZP_EXT_RAMDISK_SIZE, (u32)(rd_len >> 32));
	put32(zp, ZP_EXT_CMD_LINE_PTR, 0);
	put64(zp, ZP_ACPI_RSDP_ADDR, rsdp);
}

/*
 * Where the boot tables (low RAM), the kernel (init_size bytes) and the
 * initrd go: 0, or -ENOMEM with the reason in err. *rd is 0 without one.
 */
static int place_all(const u8 *p, const struct guest_mem *gm, u64 init_size, size_t initrd_len,
		     u64 *load, u64 *rd, char *err, size_t errlen)
{
	u64 limit = MIN((u64)get32(p, HDR_INITRD_ADDR_MAX) + 1, GiB(4));

	if (!ram_holding(gm, 0, GUEST_LINUX_LOW_END)) {
		snprintf(err, errlen, "no RAM for the boot tables below 0x%x", GUEST_LINUX_LOW_END);
		return -ENOMEM;
	}
	*load = place_kernel(gm, get64(p, HDR_PREF_ADDRESS), init_size,
			     MAX((u64)get32(p, HDR_KERNEL_ALIGNMENT), (u64)PAGE_SIZE),
			     p[HDR_RELOCATABLE]);
	if (!*load) {
		snprintf(err, errlen, "no RAM for the kernel: %llu MiB from 0x%llx%s",
			 (init_size + MiB(1) - 1) >> 20, get64(p, HDR_PREF_ADDRESS),
			 p[HDR_RELOCATABLE] ? " or elsewhere" : " (not relocatable)");
		return -ENOMEM;
	}
	*rd = 0;
	if (initrd_len) {
		*rd = place_initrd(gm, initrd_len, limit, *load, *load + init_size);
		if (!*rd) {
			snprintf(err, errlen, "no RAM below 0x%llx for the initrd of %zu bytes",
				 limit, initrd_len);
			return -ENOMEM;
		}
	}
	return 0;
}

int guest_linux_load(const void *image, size_t len, const void *initrd, size_t initrd_len,
		     const char *cmdline, const struct guest_mem *gm, u64 rsdp_gpa,
		     struct guest_linux_entry *entry, char *err, size_t errlen)
{
	const u8 *p = image;
	u8 *zp;
	size_t hdr_end, setup_len, cmd_len = cmdline ? strlen(cmdline) : 0;
	u64 kernel_len, init_size, load, rd = 0;
	u32 cmdline_size;
	u16 version;
	int rc;

	memset(entry, 0, sizeof(*entry));
	rc = check_header(p, len, &hdr_end, &setup_len, err, errlen);
	if (rc)
		return rc;
	version = get16(p, HDR_VERSION);
	entry->version = version;
	kernel_len = len - setup_len;
	if ((u64)get32(p, HDR_SYSSIZE) * 16 > kernel_len) {
		snprintf(err, errlen, "syssize says %llu bytes of kernel, the file has %llu",
			 (u64)get32(p, HDR_SYSSIZE) * 16, kernel_len);
		return -EINVAL;
	}
	init_size = MAX((u64)get32(p, HDR_INIT_SIZE), kernel_len);
	cmdline_size = MIN(get32(p, HDR_CMDLINE_SIZE), (u32)GUEST_LINUX_CMDLINE_MAX - 1);
	if (cmd_len > cmdline_size) {
		snprintf(err, errlen, "command line of %zu bytes: the kernel takes %u", cmd_len,
			 cmdline_size);
		return -EINVAL;
	}
	rc = place_all(p, gm, init_size, initrd_len, &load, &rd, err, errlen);
	if (rc)
		return rc;
	/* The zero page: the image's setup header, then what the loader says. */
	zp = kzalloc(PAGE_SIZE);
	if (!zp) {
		snprintf(err, errlen, "no memory for the zero page");
		return -ENOMEM;
	}
	memcpy(zp + HDR_START, p + HDR_START, hdr_end - HDR_START);
	set_loader_fields(zp, load, rd, initrd_len, version >= 0x20e && gm->rsdp ? rsdp_gpa : 0);
	if (build_e820(gm, zp)) {
		kfree(zp);
		snprintf(err, errlen, "more than %d RAM ranges for the e820 map",
			 GUEST_LINUX_E820_MAX - 1);
		return -ENOMEM;
	}
	rc = write_guest(gm, load, p + setup_len, kernel_len);
	if (!rc && initrd_len)
		rc = write_guest(gm, rd, initrd, initrd_len);
	if (!rc)
		rc = write_guest(gm, GUEST_LINUX_CMDLINE_ADDR, cmdline ? cmdline : "", cmd_len);
	if (!rc)
		rc = write_guest(gm, GUEST_LINUX_CMDLINE_ADDR + cmd_len, "", 1);
	if (!rc)
		rc = write_guest(gm, GUEST_LINUX_ZERO_PAGE, zp, PAGE_SIZE);
	if (!rc)
		rc = write_boot_tables(gm, (u64 *)zp);
	kfree(zp);
	if (rc) {
		snprintf(err, errlen, "writing guest memory failed (%d)", rc);
		return rc;
	}
	entry->rip = load + 0x200;
	entry->rsi = GUEST_LINUX_ZERO_PAGE;
	entry->cr3 = GUEST_LINUX_PT_ADDR;
	entry->gdt_base = GUEST_LINUX_GDT_ADDR;
	entry->gdt_limit = 4 * 8 - 1;
	entry->kernel_start = load;
	entry->kernel_end = load + init_size;
	entry->initrd_start = rd;
	entry->initrd_end = rd + initrd_len;
	copy_version(p, setup_len, entry->kernel_version, sizeof(entry->kernel_version));
	return 0;
}
