/*
 * The multiboot ELF guest image loader (Multiboot2 or multiboot v1):
 * checks the image, copies its segments into guest RAM and builds the
 * multiboot information (include/hv/guest_image.h says what is accepted
 * and where things go).
 * Owns no state and takes no lock. The image is untrusted: fields are read
 * with memcpy (the image need not be aligned), every offset and size is
 * checked against the file and every address against the guest's RAM,
 * all before the first write, so a refused image leaves the guest as it
 * was. Guest memory is reached only through the caller's write callback.
 */
#include <hv/errno.h>
#include <hv/guest_image.h>
#include <hv/lib.h>
#include <hv/panic.h>

/* Multiboot 0.6.96, section 3.1. */
#define MB_HEADER_MAGIC 0x1BADB002
#define MB_SEARCH_END 8192     /* the header lies wholly in the first 8 KiB */
#define MB_HEADER_LEN 12       /* magic, flags, checksum */
#define MB_FLAG_MODS_ALIGN 0x1 /* page-aligned modules: we pass none */
#define MB_FLAG_MEMINFO 0x2    /* mem_* fields: always given */
#define MB_FLAG_VIDEO 0x4      /* a video mode: we have no display */
#define MB_FLAGS_REQUIRED 0xffff

/* Multiboot 0.6.96, section 3.3: the information structure's flags. */
#define MBI_MEM (1U << 0)
#define MBI_CMDLINE (1U << 2)
#define MBI_MMAP (1U << 6)
#define MBI_LOADER_NAME (1U << 9)
#define MBI_MMAP_RAM 1
#define MBI_MMAP_RESERVED 2

/* Multiboot2 1.0 (2016), section 3.1: the header and its tags. */
#define MB2_HEADER_MAGIC 0xE85250D6
#define MB2_SEARCH_END 32768 /* the header lies wholly in the first 32 KiB */
#define MB2_HEADER_LEN 16    /* magic, architecture, header_length, checksum */
#define MB2_ARCH_I386 0
#define MB2_TAG_OPTIONAL 1 /* tag flags bit 0 */
#define MB2_HT_END 0
#define MB2_HT_INFO_REQUEST 1
#define MB2_HT_ADDRESS 2
#define MB2_HT_ENTRY 3
#define MB2_HT_CONSOLE 4
#define MB2_HT_FRAMEBUFFER 5
#define MB2_HT_MODULE_ALIGN 6
#define MB2_HT_EFI_BS 7
#define MB2_HT_EFI32_ENTRY 8
#define MB2_HT_EFI64_ENTRY 9
#define MB2_HT_RELOCATABLE 10
#define MB2_CONSOLE_REQUIRED 1 /* console_flags bit 0 */

/* Multiboot2 1.0, section 3.6: the information's tags Proxima gives. */
#define MBI2_END 0
#define MBI2_CMDLINE 1
#define MBI2_LOADER_NAME 2
#define MBI2_MEMINFO 4
#define MBI2_MMAP 6
#define MBI2_ACPI_OLD 14
#define MBI2_ACPI_NEW 15
#define MBI2_ALIGN 8
#define MBI2_MMAP_ENTRY 24
#define RSDP_V1_LEN 20 /* ACPI 6.2, 5.2.5.3: the part an ACPI 1.0 RSDP has */

/* The legacy hole between low memory and 1 MiB (VGA, option ROMs, BIOS). */
#define HOLE_START 0xa0000ULL
#define HOLE_END 0x100000ULL

#define LOADER_NAME "Proxima"

/* ELF (System V ABI, generic and x86 supplements). */
#define EI_CLASS 4
#define EI_DATA 5
#define EI_VERSION 6
#define EI_NIDENT 16
#define ELFCLASS32 1
#define ELFCLASS64 2
#define ELFDATA2LSB 1
#define EV_CURRENT 1
#define ET_EXEC 2
#define EM_386 3
#define EM_X86_64 62
#define PT_LOAD 1

struct elf32_ehdr {
	u8 ident[EI_NIDENT];
	u16 type, machine;
	u32 version, entry, phoff, shoff, flags;
	u16 ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
} __packed;

struct elf64_ehdr {
	u8 ident[EI_NIDENT];
	u16 type, machine;
	u32 version;
	u64 entry, phoff, shoff;
	u32 flags;
	u16 ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
} __packed;

struct elf32_phdr {
	u32 type, offset, vaddr, paddr, filesz, memsz, flags, align;
} __packed;

struct elf64_phdr {
	u32 type, flags;
	u64 offset, vaddr, paddr, filesz, memsz, align;
} __packed;

struct mbi {
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

struct mbi_mmap_entry {
	u32 size; /* of the rest of the entry: 20 */
	u64 base, len;
	u32 type;
} __packed;

_Static_assert(sizeof(struct elf32_ehdr) == 52, "ELF32 header layout");
_Static_assert(sizeof(struct elf64_ehdr) == 64, "ELF64 header layout");
_Static_assert(sizeof(struct elf32_phdr) == 32, "ELF32 program header layout");
_Static_assert(sizeof(struct elf64_phdr) == 56, "ELF64 program header layout");
_Static_assert(sizeof(struct mbi) == 68, "multiboot information layout");
_Static_assert(offsetof(struct mbi, mmap_length) == 44, "multiboot mmap_length offset");
_Static_assert(offsetof(struct mbi, boot_loader_name) == 64, "multiboot loader name offset");
_Static_assert(sizeof(struct mbi_mmap_entry) == 24, "multiboot mmap entry layout");
_Static_assert(sizeof(struct mbi) <= GUEST_MBI_LOADER_OFF &&
		   sizeof(LOADER_NAME) <= GUEST_MBI_CMDLINE_OFF - GUEST_MBI_LOADER_OFF &&
		   GUEST_CMDLINE_MAX <= GUEST_MBI_MMAP_OFF - GUEST_MBI_CMDLINE_OFF &&
		   GUEST_MBI_ADDR + GUEST_MBI_SIZE <= HOLE_START,
	       "multiboot information window layout");

/* The ELF header fields the loader uses, whatever the class. */
struct elf_image {
	const u8 *p;
	size_t len;
	unsigned int bits; /* 32 or 64 */
	u64 entry, phoff;
	unsigned int phentsize, phnum;
};

/* One program header, widened to 64 bits. */
struct segment {
	u32 type;
	u64 offset, paddr, filesz, memsz;
};

/* What a Multiboot2 header asks of the loader. */
struct mb2_request {
	bool found;
	size_t offset;
	bool has_entry; /* an entry address tag */
	u32 entry;
};

/* The reason for a refusal, in err; returns rc. */
static int __printf(4, 5) refuse(char *err, size_t errlen, int rc, const char *fmt, ...)
{
	va_list ap;

	if (errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return rc;
}

static u32 get32(const u8 *p)
{
	u32 v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static u16 get16(const u8 *p)
{
	u16 v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static int read_elf_header(struct elf_image *elf, char *err, size_t errlen)
{
	static const u8 elf_magic[4] = {0x7f, 'E', 'L', 'F'};
	size_t need;
	u16 type, machine, want;

	if (elf->len < sizeof(elf_magic) || memcmp(elf->p, elf_magic, sizeof(elf_magic)))
		return refuse(err, errlen, -EINVAL, "not an ELF file");
	if (elf->len < EI_NIDENT)
		return refuse(err, errlen, -EINVAL,
			      "truncated: ELF identification ends at %u, file is %zu bytes",
			      EI_NIDENT, elf->len);
	if (elf->p[EI_CLASS] != ELFCLASS32 && elf->p[EI_CLASS] != ELFCLASS64)
		return refuse(err, errlen, -EINVAL, "ELF class %u is neither 32- nor 64-bit",
			      elf->p[EI_CLASS]);
	if (elf->p[EI_DATA] != ELFDATA2LSB)
		return refuse(err, errlen, -EINVAL, "ELF data encoding %u is not little-endian",
			      elf->p[EI_DATA]);
	if (elf->p[EI_VERSION] != EV_CURRENT)
		return refuse(err, errlen, -EINVAL, "ELF version %u is not %u", elf->p[EI_VERSION],
			      EV_CURRENT);
	elf->bits = elf->p[EI_CLASS] == ELFCLASS32 ? 32 : 64;
	need = elf->bits == 32 ? sizeof(struct elf32_ehdr) : sizeof(struct elf64_ehdr);
	if (elf->len < need)
		return refuse(err, errlen, -EINVAL,
			      "truncated: ELF header ends at %zu, file is %zu bytes", need,
			      elf->len);
	if (elf->bits == 32) {
		struct elf32_ehdr h;

		memcpy(&h, elf->p, sizeof(h));
		type = h.type;
		machine = h.machine;
		elf->entry = h.entry;
		elf->phoff = h.phoff;
		elf->phentsize = h.phentsize;
		elf->phnum = h.phnum;
	} else {
		struct elf64_ehdr h;

		memcpy(&h, elf->p, sizeof(h));
		type = h.type;
		machine = h.machine;
		elf->entry = h.entry;
		elf->phoff = h.phoff;
		elf->phentsize = h.phentsize;
		elf->phnum = h.phnum;
	}
	if (type != ET_EXEC)
		return refuse(err, errlen, -EINVAL, "ELF type %u is not an executable (ET_EXEC)",
			      type);
	if (machine != EM_386 && machine != EM_X86_64)
		return refuse(err, errlen, -EINVAL, "machine %u is not x86", machine);
	/* As GRUB: i386 code in ELF32 files, x86-64 code in ELF64 files. */
	want = elf->bits == 32 ? EM_386 : EM_X86_64;
	if (machine != want)
		return refuse(err, errlen, -EINVAL, "machine %u in a %u-bit ELF file; expected %u",
			      machine, elf->bits, want);
	return 0;
}

static int check_program_headers(const struct elf_image *elf, char *err, size_t errlen)
{
	unsigned int want = elf->bits == 32 ? sizeof(struct elf32_phdr) : sizeof(struct elf64_phdr);
	u64 size = (u64)elf->phnum * want; /* at most 65535 * 56 */

	if (elf->phentsize != want)
		return refuse(err, errlen, -EINVAL,
			      "program header size %u, expected %u for a %u-bit ELF file",
			      elf->phentsize, want, elf->bits);
	if (elf->phoff > ~0ULL - size)
		return refuse(err, errlen, -EINVAL,
			      "truncated: program headers at offset %llu run past 2^64",
			      elf->phoff);
	if (elf->phoff + size > elf->len)
		return refuse(err, errlen, -EINVAL,
			      "truncated: program headers end at %llu, file is %zu bytes",
			      elf->phoff + size, elf->len);
	return 0;
}

/* Program header i; the table was checked to lie inside the file. */
static void read_segment(const struct elf_image *elf, unsigned int i, struct segment *s)
{
	const u8 *p = elf->p + elf->phoff + (u64)i * elf->phentsize;

	if (elf->bits == 32) {
		struct elf32_phdr h;

		memcpy(&h, p, sizeof(h));
		s->type = h.type;
		s->offset = h.offset;
		s->paddr = h.paddr;
		s->filesz = h.filesz;
		s->memsz = h.memsz;
	} else {
		struct elf64_phdr h;

		memcpy(&h, p, sizeof(h));
		s->type = h.type;
		s->offset = h.offset;
		s->paddr = h.paddr;
		s->filesz = h.filesz;
		s->memsz = h.memsz;
	}
}

/* The multiboot header: the first 4-byte aligned one whose checksum holds. */
static int check_multiboot_header(const struct elf_image *elf, char *err, size_t errlen)
{
	size_t end = MIN(elf->len, (size_t)MB_SEARCH_END), off, bad = ~(size_t)0;
	u32 flags = 0, unsupported;

	for (off = 0; off + MB_HEADER_LEN <= end; off += 4) {
		if (get32(elf->p + off) != MB_HEADER_MAGIC)
			continue;
		flags = get32(elf->p + off + 4);
		if ((u32)(MB_HEADER_MAGIC + flags + get32(elf->p + off + 8)) == 0)
			break;
		if (bad == ~(size_t)0)
			bad = off;
	}
	if (off + MB_HEADER_LEN > end) {
		if (bad != ~(size_t)0)
			return refuse(err, errlen, -EINVAL,
				      "multiboot header checksum wrong (at offset %zu)", bad);
		return refuse(err, errlen, -EINVAL, "no multiboot header in the first 8 KiB");
	}
	unsupported = flags & MB_FLAGS_REQUIRED & ~(MB_FLAG_MODS_ALIGN | MB_FLAG_MEMINFO);
	if (unsupported & MB_FLAG_VIDEO)
		return refuse(err, errlen, -EINVAL,
			      "multiboot header asks for a video mode (flag bit 2), which we do "
			      "not set up");
	if (unsupported)
		return refuse(err, errlen, -EINVAL,
			      "multiboot header requires flag bit %u, which we do not know",
			      __builtin_ctz(unsupported));
	return 0;
}

/* Whether Proxima gives Multiboot2 information tag type t. */
static bool mbi2_gives(u32 t, bool acpi)
{
	return t == MBI2_END || t == MBI2_CMDLINE || t == MBI2_LOADER_NAME || t == MBI2_MEMINFO ||
	       t == MBI2_MMAP || (acpi && (t == MBI2_ACPI_OLD || t == MBI2_ACPI_NEW));
}

/* Check one header tag at p (size bytes, inside the header); may fill req. */
static int mb2_header_tag(const u8 *p, u16 type, u16 flags, u32 size, bool acpi,
			  struct mb2_request *req, char *err, size_t errlen)
{
	bool optional = flags & MB2_TAG_OPTIONAL;
	u32 i;

	switch (type) {
	case MB2_HT_INFO_REQUEST:
		for (i = 8; i + 4 <= size; i += 4)
			if (!mbi2_gives(get32(p + i), acpi) && !optional)
				return refuse(
				    err, errlen, -EINVAL,
				    "multiboot2 header asks for information tag %u, which "
				    "we do not give",
				    get32(p + i));
		return 0;
	case MB2_HT_ADDRESS:
		if (optional)
			return 0;
		return refuse(
		    err, errlen, -EINVAL,
		    "multiboot2 address tag (a.out kludge) is not supported: an ELF image "
		    "needs none");
	case MB2_HT_ENTRY:
		if (size < 12)
			return refuse(err, errlen, -EINVAL,
				      "multiboot2 entry address tag of %u bytes (12 needed)", size);
		req->has_entry = true;
		req->entry = get32(p + 8);
		return 0;
	case MB2_HT_CONSOLE:
		if (size < 12)
			return refuse(err, errlen, -EINVAL,
				      "multiboot2 console flags tag of %u bytes (12 needed)", size);
		if (!optional && (get32(p + 8) & MB2_CONSOLE_REQUIRED))
			return refuse(err, errlen, -EINVAL,
				      "multiboot2 header requires a console, which we do not "
				      "provide (a serial line only)");
		return 0;
	case MB2_HT_FRAMEBUFFER:
		if (optional)
			return 0;
		return refuse(err, errlen, -EINVAL,
			      "multiboot2 header asks for a framebuffer, which we do not set up");
	case MB2_HT_MODULE_ALIGN: /* we pass no modules */
	case MB2_HT_EFI_BS:	  /* EFI only: not an EFI machine */
	case MB2_HT_EFI32_ENTRY:
	case MB2_HT_EFI64_ENTRY:
	case MB2_HT_RELOCATABLE: /* loaded at its link address, which it allows */
		return 0;
	default:
		if (optional)
			return 0;
		return refuse(err, errlen, -EINVAL,
			      "multiboot2 header tag type %u is unknown and not optional", type);
	}
}

/*
 * The Multiboot2 header: the first 8-byte aligned one in the first 32 KiB
 * whose checksum holds. None: req->found false and 0 (the image may still
 * be a multiboot v1 one); *bad is the offset of the first one with a wrong
 * checksum, or ~0. A header that is there but asks for what Proxima cannot
 * do refuses the image.
 */
static int find_mb2_header(const struct elf_image *elf, bool acpi, struct mb2_request *req,
			   size_t *bad, char *err, size_t errlen)
{
	size_t end = MIN(elf->len, (size_t)MB2_SEARCH_END), off, hend, t;
	u32 arch = 0, hlen = 0;

	*bad = ~(size_t)0;
	for (off = 0; off + MB2_HEADER_LEN <= end; off += 8) {
		if (get32(elf->p + off) != MB2_HEADER_MAGIC)
			continue;
		arch = get32(elf->p + off + 4);
		hlen = get32(elf->p + off + 8);
		if ((u32)(MB2_HEADER_MAGIC + arch + hlen + get32(elf->p + off + 12)) == 0)
			break;
		if (*bad == ~(size_t)0)
			*bad = off;
	}
	if (off + MB2_HEADER_LEN > end)
		return 0;
	req->found = true;
	req->offset = off;
	if (arch != MB2_ARCH_I386)
		return refuse(err, errlen, -EINVAL,
			      "multiboot2 header architecture %u is not i386 (0)", arch);
	if (hlen < MB2_HEADER_LEN + 8 || hlen > end - off)
		return refuse(err, errlen, -EINVAL,
			      "multiboot2 header length %u at offset %zu does not fit the first %u "
			      "bytes of the file (%zu bytes) with an end tag",
			      hlen, off, MB2_SEARCH_END, elf->len);
	hend = off + hlen;
	for (t = off + MB2_HEADER_LEN;; t += ALIGN_UP((size_t)get32(elf->p + t + 4), 8)) {
		u16 type, flags;
		u32 size;
		int rc;

		if (t + 8 > hend)
			return refuse(err, errlen, -EINVAL,
				      "multiboot2 header at offset %zu has no end tag", off);
		type = get16(elf->p + t);
		flags = get16(elf->p + t + 2);
		size = get32(elf->p + t + 4);
		if (size < 8 || size > hend - t)
			return refuse(err, errlen, -EINVAL,
				      "multiboot2 header tag at offset %zu: size %u runs past the "
				      "header's %u bytes",
				      t, size, hlen);
		if (type == MB2_HT_END)
			return 0;
		rc = mb2_header_tag(elf->p + t, type, flags, size, acpi, req, err, errlen);
		if (rc)
			return rc;
	}
}

/* The RAM range that holds all of [start, end) (start < end), or NULL. */
static const struct guest_ram_range *ram_holding(const struct guest_mem *gm, u64 start, u64 end)
{
	unsigned int i;

	for (i = 0; i < gm->nr_ram; i++)
		if (gm->ram[i].start <= start && end <= gm->ram[i].end)
			return &gm->ram[i];
	return NULL;
}

static bool overlaps_mbi(u64 start, u64 end)
{
	return start < GUEST_MBI_ADDR + GUEST_MBI_SIZE && GUEST_MBI_ADDR < end;
}

/* Check PT_LOAD segment i (s) against the file and the guest's RAM. */
static int check_segment(const struct elf_image *elf, const struct guest_mem *gm, unsigned int i,
			 const struct segment *s, char *err, size_t errlen)
{
	if (s->offset > ~0ULL - s->filesz || s->offset + s->filesz > elf->len)
		return refuse(err, errlen, -EINVAL,
			      "segment %u: file bytes at offset %llu+%llu run past the end of "
			      "the file (%zu bytes)",
			      i, s->offset, s->filesz, elf->len);
	if (s->filesz > s->memsz)
		return refuse(err, errlen, -EINVAL,
			      "segment %u: file size %llu is larger than its memory size %llu", i,
			      s->filesz, s->memsz);
	if (!s->memsz)
		return 0;
	if (s->paddr > ~0ULL - s->memsz)
		return refuse(err, errlen, -EINVAL, "segment %u at 0x%llx+0x%llx wraps past 2^64",
			      i, s->paddr, s->memsz);
	if (!ram_holding(gm, s->paddr, s->paddr + s->memsz))
		return refuse(err, errlen, -ERANGE,
			      "segment %u at 0x%llx-0x%llx is outside guest RAM", i, s->paddr,
			      s->paddr + s->memsz);
	if (overlaps_mbi(s->paddr, s->paddr + s->memsz))
		return refuse(err, errlen, -ERANGE,
			      "segment %u at 0x%llx-0x%llx overlaps the multiboot information at "
			      "0x%x-0x%x",
			      i, s->paddr, s->paddr + s->memsz, GUEST_MBI_ADDR,
			      GUEST_MBI_ADDR + GUEST_MBI_SIZE);
	return 0;
}

/*
 * Check every segment and the entry point; the loaded span goes to
 * entry->image_start and image_end.
 */
static int check_segments(const struct elf_image *elf, const struct guest_mem *gm,
			  struct guest_entry *entry, char *err, size_t errlen)
{
	u64 lo = ~0ULL, hi = 0;
	bool entry_inside = false;
	unsigned int i;
	int rc;

	for (i = 0; i < elf->phnum; i++) {
		struct segment s;

		read_segment(elf, i, &s);
		if (s.type != PT_LOAD)
			continue;
		rc = check_segment(elf, gm, i, &s, err, errlen);
		if (rc)
			return rc;
		if (!s.memsz)
			continue;
		lo = MIN(lo, s.paddr);
		hi = MAX(hi, s.paddr + s.memsz);
		if (elf->entry >= s.paddr && elf->entry - s.paddr < s.memsz)
			entry_inside = true;
	}
	if (lo > hi)
		return refuse(err, errlen, -EINVAL, "no PT_LOAD segment to load");
	if (elf->entry > 0xffffffffULL)
		return refuse(err, errlen, -ERANGE, "entry point 0x%llx is above 4 GiB",
			      elf->entry);
	if (!entry_inside)
		return refuse(err, errlen, -EINVAL,
			      "entry point 0x%llx is not inside a loaded segment", elf->entry);
	entry->image_start = lo;
	entry->image_end = hi;
	return 0;
}

/* The end of the RAM that runs on without a gap from addr, or addr if none. */
static u64 contiguous_ram_end(const struct guest_mem *gm, u64 addr)
{
	u64 end = addr;
	unsigned int i;

	for (i = 0; i < gm->nr_ram; i++)
		if (gm->ram[i].start <= end && end < gm->ram[i].end)
			end = gm->ram[i].end; /* sorted: a neighbour comes next */
	return end;
}

/* Whether the memory map gets the legacy hole: only if no RAM touches it. */
static bool hole_reserved(const struct guest_mem *gm)
{
	unsigned int i;

	for (i = 0; i < gm->nr_ram; i++)
		if (gm->ram[i].start < HOLE_END && HOLE_START < gm->ram[i].end)
			return false;
	return true;
}

static u64 mbi2_size(const struct guest_mem *gm, const char *cmdline);

static int check_mbi(const struct guest_mem *gm, const char *cmdline, bool mb2, char *err,
		     size_t errlen)
{
	unsigned int hole = hole_reserved(gm);

	if (!ram_holding(gm, GUEST_MBI_ADDR, GUEST_MBI_ADDR + GUEST_MBI_SIZE))
		return refuse(err, errlen, -ERANGE,
			      "multiboot information at 0x%x-0x%x is not in guest RAM",
			      GUEST_MBI_ADDR, GUEST_MBI_ADDR + GUEST_MBI_SIZE);
	if (strnlen(cmdline, GUEST_CMDLINE_MAX) == GUEST_CMDLINE_MAX)
		return refuse(err, errlen, -E2BIG, "command line is longer than %u bytes",
			      GUEST_CMDLINE_MAX - 1);
	if (mb2 && mbi2_size(gm, cmdline) > GUEST_MBI_SIZE)
		return refuse(err, errlen, -E2BIG,
			      "%u RAM ranges do not fit the multiboot2 information (%u bytes)",
			      gm->nr_ram, GUEST_MBI_SIZE);
	if (!mb2 && gm->nr_ram > GUEST_MMAP_MAX - hole)
		return refuse(err, errlen, -E2BIG,
			      "%u RAM ranges do not fit the multiboot memory map (at most %u "
			      "entries)",
			      gm->nr_ram, GUEST_MMAP_MAX);
	return 0;
}

static int load_segments(const struct elf_image *elf, const struct guest_mem *gm, char *err,
			 size_t errlen)
{
	unsigned int i;
	int rc;

	for (i = 0; i < elf->phnum; i++) {
		struct segment s;

		read_segment(elf, i, &s);
		if (s.type != PT_LOAD || !s.filesz)
			continue;
		rc = gm->write(gm->ctx, s.paddr, elf->p + s.offset, s.filesz);
		if (rc)
			return refuse(err, errlen, rc, "writing segment %u at 0x%llx failed (%d)",
				      i, s.paddr, rc);
	}
	return 0;
}

/* Entry n of the guest's memory map: the RAM ranges in order, the hole among them. */
static bool mmap_entry(const struct guest_mem *gm, unsigned int n, u64 *base, u64 *len, u32 *type)
{
	bool hole = hole_reserved(gm);
	unsigned int i;

	for (i = 0; i < gm->nr_ram; i++) {
		if (hole && gm->ram[i].start >= HOLE_END) {
			if (n-- == 0)
				goto give_hole;
			hole = false;
		}
		if (n-- == 0) {
			*base = gm->ram[i].start;
			*len = gm->ram[i].end - gm->ram[i].start;
			*type = MBI_MMAP_RAM;
			return true;
		}
	}
	if (!hole || n != 0)
		return false;
give_hole:
	*base = HOLE_START;
	*len = HOLE_END - HOLE_START;
	*type = MBI_MMAP_RESERVED;
	return true;
}

/* The memory map in multiboot v1 form; entries written. */
static int write_mmap(const struct guest_mem *gm, unsigned int *nr)
{
	unsigned int n;
	u64 base, len;
	u32 type;
	int rc;

	for (n = 0; mmap_entry(gm, n, &base, &len, &type); n++) {
		struct mbi_mmap_entry e = {
		    .size = sizeof(e) - sizeof(e.size), .base = base, .len = len, .type = type};

		rc = gm->write(gm->ctx, GUEST_MBI_ADDR + GUEST_MBI_MMAP_OFF + n * sizeof(e), &e,
			       sizeof(e));
		if (rc)
			return rc;
	}
	*nr = n;
	return 0;
}

static int write_mbi(const struct guest_mem *gm, const char *cmdline)
{
	struct mbi mbi = {0};
	u64 upper = (contiguous_ram_end(gm, HOLE_END) - HOLE_END) >> 10;
	unsigned int nr_mmap;
	int rc;

	rc = write_mmap(gm, &nr_mmap);
	if (!rc)
		rc = gm->write(gm->ctx, GUEST_MBI_ADDR + GUEST_MBI_LOADER_OFF, LOADER_NAME,
			       sizeof(LOADER_NAME));
	if (!rc)
		rc = gm->write(gm->ctx, GUEST_MBI_ADDR + GUEST_MBI_CMDLINE_OFF, cmdline,
			       strlen(cmdline) + 1);
	if (rc)
		return rc;
	mbi.flags = MBI_MEM | MBI_CMDLINE | MBI_MMAP | MBI_LOADER_NAME;
	mbi.mem_lower = MIN(contiguous_ram_end(gm, 0), HOLE_START) >> 10;
	mbi.mem_upper = MIN(upper, 0xffffffffULL);
	mbi.cmdline = GUEST_MBI_ADDR + GUEST_MBI_CMDLINE_OFF;
	mbi.mmap_length = nr_mmap * sizeof(struct mbi_mmap_entry);
	mbi.mmap_addr = GUEST_MBI_ADDR + GUEST_MBI_MMAP_OFF;
	mbi.boot_loader_name = GUEST_MBI_ADDR + GUEST_MBI_LOADER_OFF;
	return gm->write(gm->ctx, GUEST_MBI_ADDR, &mbi, sizeof(mbi));
}

/* --- the Multiboot2 information ------------------------------------ */

/* Bytes of the Multiboot2 information for gm and cmdline. */
static u64 mbi2_size(const struct guest_mem *gm, const char *cmdline)
{
	unsigned int n = gm->nr_ram + hole_reserved(gm);
	u64 size = 8;

	size += ALIGN_UP(8 + strlen(cmdline) + 1, MBI2_ALIGN);
	size += ALIGN_UP(8 + sizeof(LOADER_NAME), MBI2_ALIGN);
	size += 16;			       /* basic memory information */
	size += 16 + (u64)n * MBI2_MMAP_ENTRY; /* memory map */
	if (gm->rsdp)			       /* both ACPI tags */
		size += ALIGN_UP(8 + RSDP_V1_LEN, MBI2_ALIGN) +
			ALIGN_UP(8 + GUEST_RSDP_LEN, MBI2_ALIGN);
	return size + 8; /* end tag */
}

/* Write a tag's type and size at *off, then its payload parts; *off moves past its padding. */
static int mbi2_tag(const struct guest_mem *gm, u64 *off, u32 type, const void *a, u32 alen,
		    const void *b, u32 blen)
{
	u32 head[2] = {type, 8 + alen + blen};
	int rc = gm->write(gm->ctx, GUEST_MBI_ADDR + *off, head, sizeof(head));

	if (!rc && alen)
		rc = gm->write(gm->ctx, GUEST_MBI_ADDR + *off + 8, a, alen);
	if (!rc && b && blen)
		rc = gm->write(gm->ctx, GUEST_MBI_ADDR + *off + 8 + alen, b, blen);
	*off += ALIGN_UP((u64)head[1], MBI2_ALIGN);
	return rc;
}

static int write_mbi2(const struct guest_mem *gm, const char *cmdline)
{
	u32 meminfo[2] = {MIN(contiguous_ram_end(gm, 0), HOLE_START) >> 10,
			  MIN((contiguous_ram_end(gm, HOLE_END) - HOLE_END) >> 10, 0xffffffffULL)};
	u32 mmap_head[2] = {MBI2_MMAP_ENTRY, 0}, total[2] = {0, 0};
	u64 off = 8, base, len, mm_off;
	unsigned int n;
	u32 type;
	int rc;

	rc = mbi2_tag(gm, &off, MBI2_CMDLINE, cmdline, strlen(cmdline) + 1, NULL, 0);
	if (!rc)
		rc =
		    mbi2_tag(gm, &off, MBI2_LOADER_NAME, LOADER_NAME, sizeof(LOADER_NAME), NULL, 0);
	if (!rc)
		rc = mbi2_tag(gm, &off, MBI2_MEMINFO, meminfo, sizeof(meminfo), NULL, 0);
	/* The memory map: its header, then the entries after it. */
	for (n = 0; mmap_entry(gm, n, &base, &len, &type); n++)
		;
	mm_off = off + 16;
	if (!rc)
		rc = mbi2_tag(gm, &off, MBI2_MMAP, mmap_head, sizeof(mmap_head), NULL,
			      n * MBI2_MMAP_ENTRY);
	for (n = 0; !rc && mmap_entry(gm, n, &base, &len, &type); n++) {
		u32 e[6] = {(u32)base, base >> 32, (u32)len, len >> 32, type, 0};

		rc =
		    gm->write(gm->ctx, GUEST_MBI_ADDR + mm_off + n * MBI2_MMAP_ENTRY, e, sizeof(e));
	}
	if (!rc && gm->rsdp)
		rc = mbi2_tag(gm, &off, MBI2_ACPI_OLD, gm->rsdp, RSDP_V1_LEN, NULL, 0);
	if (!rc && gm->rsdp)
		rc = mbi2_tag(gm, &off, MBI2_ACPI_NEW, gm->rsdp, GUEST_RSDP_LEN, NULL, 0);
	if (!rc)
		rc = mbi2_tag(gm, &off, MBI2_END, NULL, 0, NULL, 0);
	total[0] = (u32)off;
	if (!rc)
		rc = gm->write(gm->ctx, GUEST_MBI_ADDR, total, sizeof(total));
	return rc;
}

int guest_image_load(const void *image, size_t len, const char *cmdline, const struct guest_mem *gm,
		     struct guest_entry *entry, char *err, size_t errlen)
{
	struct elf_image elf = {.p = image, .len = len};
	struct mb2_request mb2 = {0};
	struct guest_entry e = {0};
	size_t bad_mb2 = ~(size_t)0;
	unsigned int i;
	int rc;

	for (i = 0; i < gm->nr_ram; i++)
		ASSERT(gm->ram[i].start < gm->ram[i].end &&
			   (!i || gm->ram[i - 1].end <= gm->ram[i].start),
		       "guest RAM ranges are sorted, disjoint and not empty");
	if (!cmdline)
		cmdline = "";
	if (errlen)
		err[0] = '\0';
	rc = read_elf_header(&elf, err, errlen);
	if (!rc)
		rc = find_mb2_header(&elf, gm->rsdp != NULL, &mb2, &bad_mb2, err, errlen);
	if (!rc && !mb2.found) {
		rc = check_multiboot_header(&elf, err, errlen);
		if (rc && bad_mb2 != ~(size_t)0)
			rc = refuse(err, errlen, rc,
				    "multiboot2 header checksum wrong (at offset %zu), and no "
				    "multiboot v1 header",
				    bad_mb2);
	}
	if (!rc && mb2.has_entry)
		elf.entry = mb2.entry;
	if (!rc)
		rc = check_program_headers(&elf, err, errlen);
	if (!rc)
		rc = check_segments(&elf, gm, &e, err, errlen);
	if (!rc)
		rc = check_mbi(gm, cmdline, mb2.found, err, errlen);
	if (rc)
		return rc;
	rc = load_segments(&elf, gm, err, errlen);
	if (rc)
		return rc;
	rc = mb2.found ? write_mbi2(gm, cmdline) : write_mbi(gm, cmdline);
	if (rc)
		return refuse(err, errlen, rc, "writing the multiboot%s information failed (%d)",
			      mb2.found ? "2" : "", rc);
	e.eip = (u32)elf.entry;
	e.eax = mb2.found ? GUEST_MB2_LOADER_MAGIC : GUEST_MB1_LOADER_MAGIC;
	e.ebx = GUEST_MBI_ADDR;
	e.protocol = mb2.found ? 2 : 1;
	*entry = e;
	return 0;
}
