/*
 * Loading a multiboot ELF guest image, Multiboot2 or multiboot v1: check
 * the image, copy its segments into guest RAM and build the multiboot
 * information the guest finds in %ebx, as a multiboot loader such as GRUB
 * (multiboot2 or multiboot) or QEMU's -kernel would. Pure: guest memory is reached only through the
 * caller's write callback, nothing is printed and nothing is kept, so the hosted tests run it over
 * a fake guest memory.
 *
 * The image is guest input: every offset, size and address is checked
 * against the file and the guest's RAM before the first byte is written,
 * and a refusal says why in one line.
 */
#ifndef HV_GUEST_IMAGE_H
#define HV_GUEST_IMAGE_H

#include <hv/types.h>

/*
 * Where the multiboot information goes in the guest: the fixed 8 KiB at
 * [0x8000, 0xa000), low memory below 640 KiB that a multiboot kernel
 * seldom loads into. A Multiboot2 guest gets its tags there one after the
 * other (see guest_image_load()); a v1 guest gets, at these offsets:
 *   0x000  the information structure (Multiboot 0.6.96, section 3.3)
 *   0x080  the boot loader name, "Proxima"
 *   0x100  the command line, up to GUEST_CMDLINE_MAX bytes with its NUL
 *   0x200  the memory map, up to GUEST_MMAP_MAX entries of 24 bytes
 * The guest's RAM must hold the whole window and no segment may overlap it.
 */
#define GUEST_MBI_ADDR 0x8000
#define GUEST_MBI_SIZE 0x2000
#define GUEST_MBI_LOADER_OFF 0x80
#define GUEST_MBI_CMDLINE_OFF 0x100
#define GUEST_MBI_MMAP_OFF 0x200
#define GUEST_CMDLINE_MAX 256
#define GUEST_MMAP_MAX ((GUEST_MBI_SIZE - GUEST_MBI_MMAP_OFF) / 24)

/* What the guest finds in %eax (Multiboot 0.6.96, 3.2; Multiboot2 1.0, 3.3). */
#define GUEST_MB1_LOADER_MAGIC 0x2BADB002
#define GUEST_MB2_LOADER_MAGIC 0x36d76289

/* An ACPI RSDP of revision 2 (ACPI 6.2, 5.2.5.3): what the ACPI tags copy. */
#define GUEST_RSDP_LEN 36

/* A guest-physical RAM range [start, end). */
struct guest_ram_range {
	u64 start, end;
};

/* The guest's memory as the loader sees it. */
struct guest_mem {
	/* Sorted by address, disjoint, none empty. */
	const struct guest_ram_range *ram;
	unsigned int nr_ram;
	/*
	 * Copy len bytes into guest RAM at gpa; [gpa, gpa + len) lies inside
	 * one RAM range (the loader checks before calling). 0 or -errno.
	 */
	int (*write)(void *ctx, u64 gpa, const void *src, u64 len);
	void *ctx;
	/* The guest's RSDP (GUEST_RSDP_LEN bytes) for the Multiboot2 ACPI tags, or NULL. */
	const u8 *rsdp;
};

/* Where and how the guest starts: 32-bit protected mode, paging off. */
struct guest_entry {
	u32 eip;		    /* the entry point, a physical address */
	u32 eax;		    /* GUEST_MB1_LOADER_MAGIC or GUEST_MB2_LOADER_MAGIC */
	u32 ebx;		    /* GUEST_MBI_ADDR */
	unsigned int protocol;	    /* 1: multiboot v1, 2: Multiboot2 */
	u64 image_start, image_end; /* [lowest, highest) address of the loaded segments */
};

/*
 * Load the multiboot ELF image of len bytes at image into the guest
 * described by gm, with cmdline (NULL: empty) as its command line, and fill
 * *entry.
 *
 * Multiboot2 (1.0) first: a header (magic 0xE85250D6, architecture 0,
 * header_length, checksum) 8-byte aligned within the first 32 KiB, with
 * tags each inside the header and an end tag. Refused unless Proxima can
 * do what it asks: an information request tag (not optional) may name
 * only the tags given (1 command line, 2 boot loader name, 4 basic memory
 * information, 6 memory map, and with gm->rsdp 14 and 15, the ACPI RSDP
 * copies); an address tag (a.out kludge), a framebuffer tag or a console
 * flags tag that requires a console must be optional; an entry address
 * tag replaces e_entry; module alignment, EFI and relocatable tags are
 * accepted (no modules, not EFI, loaded at its link address); an unknown
 * tag must be optional. The guest starts with %eax GUEST_MB2_LOADER_MAGIC
 * and finds at GUEST_MBI_ADDR: total_size, 0, then 8-byte aligned tags in
 * this order: command line, "Proxima", mem_lower/mem_upper (KiB), the
 * memory map (entry_size 24, version 0; the entries as for v1 below),
 * ACPI old RSDP (its first 20 bytes) and new RSDP (all 36), end.
 *
 * Otherwise a multiboot v1 header (magic 0x1BADB002, checksum) 4-byte
 * aligned within the first 8 KiB, asking for nothing beyond page-aligned
 * modules (bit 0; we pass none) and memory information (bit 1): bits 2-15
 * are refused, bit 16 (a.out kludge) is ignored in favour of the ELF
 * headers. Its %eax is GUEST_MB1_LOADER_MAGIC.
 *
 * Either way the image is a little-endian ET_EXEC ELF, 32-bit for EM_386
 * or 64-bit for EM_X86_64, with at least one PT_LOAD segment; each segment
 * is loaded at its p_paddr and must lie inside one RAM range, clear of the
 * multiboot information window. The entry point is used as a physical
 * address: it must lie inside a loaded segment, below 4 GiB.
 *
 * Precondition: guest RAM is zero-filled. Only the file bytes of each
 * segment are written; the rest of p_memsz (bss) is left as it is.
 *
 * A v1 guest's multiboot information has flags MEM, CMDLINE, MMAP and
 * LOADER_NAME: mem_lower and mem_upper in KiB (RAM contiguous from 0 up to
 * 640 KiB, and from 1 MiB), a memory map with every RAM range (type 1) and
 * the legacy hole [0xa0000, 0x100000) (type 2) unless RAM covers part of
 * it, the command line and the boot loader name "Proxima".
 *
 * Returns 0; -EINVAL for a malformed image or one the guest cannot run,
 * -ERANGE when a segment, the entry point or the information window does
 * not fit the guest's RAM, -E2BIG for a command line of GUEST_CMDLINE_MAX
 * bytes or more or more RAM ranges than the information holds: then
 * nothing was written, and err (errlen bytes, may be 0) holds a one-line
 * reason without a newline. An error from gm->write is returned as it is,
 * with guest memory partly written.
 */
int guest_image_load(const void *image, size_t len, const char *cmdline, const struct guest_mem *gm,
		     struct guest_entry *entry, char *err, size_t errlen);

#endif /* HV_GUEST_IMAGE_H */
