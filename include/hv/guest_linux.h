/*
 * Loading a Linux kernel (a bzImage) as a guest by the Linux x86 boot
 * protocol, version 2.12 or later, through its 64-bit entry point
 * (hypervisor/guest_linux.c). Like guest_image.h, pure: guest memory is
 * written through the caller's callback, nothing is printed or kept (a
 * page from kmalloc holds the zero page's draft while it runs), and every
 * field of the image is checked before the first byte is written; a
 * refusal says why in one line.
 *
 * What the guest gets, in its low RAM (which must hold [0, 0x22000)):
 *   0x1000  the page tables of the entry: PML4, PDPT, and four page
 *           directories mapping the first 4 GiB one to one in 2 MiB pages
 *   0x7000  the zero page (struct boot_params): the image's setup header,
 *           the e820 map of the guest's RAM, the command line, the initrd
 *           and the RSDP's address filled in
 *   0x8000  a GDT: null, null, 64-bit code at 0x10 (__BOOT_CS), data at
 *           0x18 (__BOOT_DS)
 *   0x20000 the command line, at most GUEST_LINUX_CMDLINE_MAX bytes with
 *           its NUL (and at most the kernel's cmdline_size)
 * The protected-mode kernel goes to its preferred address if the RAM range
 * there holds its init_size, else (a relocatable kernel) to the lowest
 * address aligned to its kernel_alignment, from 16 MiB, whose RAM range
 * holds it; the initrd goes to the top of the highest RAM below 4 GiB
 * (and below initrd_addr_max) that it fits in without touching the
 * kernel's init_size or the pages above.
 */
#ifndef HV_GUEST_LINUX_H
#define HV_GUEST_LINUX_H

#include <hv/guest_image.h>
#include <hv/types.h>

#define GUEST_LINUX_PT_ADDR 0x1000   /* PML4; PDPT at +0x1000, PDs at +0x2000.. */
#define GUEST_LINUX_ZERO_PAGE 0x7000 /* struct boot_params */
#define GUEST_LINUX_GDT_ADDR 0x8000
#define GUEST_LINUX_CMDLINE_ADDR 0x20000
#define GUEST_LINUX_CMDLINE_MAX 2048
#define GUEST_LINUX_LOW_END 0x22000 /* everything above lies below this */
#define GUEST_LINUX_BOOT_CS 0x10
#define GUEST_LINUX_BOOT_DS 0x18
#define GUEST_LINUX_E820_MAX 128 /* entries the zero page holds */

/* Where and how the guest starts: 64-bit mode, paging on, interrupts off. */
struct guest_linux_entry {
	u64 rip; /* the protected-mode kernel's address + 0x200 */
	u64 rsi; /* GUEST_LINUX_ZERO_PAGE */
	u64 cr3; /* GUEST_LINUX_PT_ADDR */
	u64 gdt_base;
	u16 gdt_limit;
	u16 version;		      /* the boot protocol version of the image (0x20f: 2.15) */
	u64 kernel_start, kernel_end; /* [load address, + init_size) */
	u64 initrd_start, initrd_end; /* empty when there is none */
	char kernel_version[64];      /* the image's version string, cut to fit */
};

/* Whether image looks like a bzImage: boot flag 0xAA55 and "HdrS" where the protocol puts them. */
bool guest_linux_detect(const void *image, size_t len);

/*
 * Load the bzImage of len bytes at image, with the initrd of initrd_len
 * bytes at initrd (NULL, 0: none) and cmdline (NULL: empty), into the
 * guest described by gm, and fill *entry. gm->rsdp, if set, is the
 * guest's RSDP: its guest-physical address rsdp_gpa goes into the zero
 * page (acpi_rsdp_addr, protocol 2.14 and later; the kernel finds it in
 * the BIOS area otherwise). Refused, with the reason in err: not a
 * bzImage, a protocol older than 2.12, no 64-bit entry (XLF_KERNEL_64),
 * a setup or kernel past the end of the file, a command line longer than
 * the kernel takes, a kernel that fits nowhere, an initrd that fits
 * nowhere, too many RAM ranges for the e820 map. 0, or -EINVAL (the
 * image) / -ENOMEM (the guest's RAM, or no page for the draft) / the
 * write callback's error.
 */
int guest_linux_load(const void *image, size_t len, const void *initrd, size_t initrd_len,
		     const char *cmdline, const struct guest_mem *gm, u64 rsdp_gpa,
		     struct guest_linux_entry *entry, char *err, size_t errlen);

#endif /* HV_GUEST_LINUX_H */
