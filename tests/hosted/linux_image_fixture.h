/*
 * A crafted bzImage for the hosted tests of the Linux loader
 * (test_guest_linux.c, test_domain_linux.c): the setup header at the
 * offsets of the kernel's boot protocol document
 * (Documentation/arch/x86/boot.rst), with the values Debian's 6.1 kernel
 * has: protocol 2.15, loaded high, relocatable, 2 MiB alignment, 16 MiB
 * preferred address, xloadflags 0x7f (a 64-bit entry among them),
 * command lines up to 2047 bytes, the version string
 * BZIMAGE_VERSION. The protected-mode kernel follows the setup_sects + 1
 * sectors, filled with bzimage_byte(i).
 */
#ifndef HOSTED_LINUX_IMAGE_FIXTURE_H
#define HOSTED_LINUX_IMAGE_FIXTURE_H

#include <string.h>

#include <hv/types.h>

#define BZIMAGE_VERSION "6.1.0-test (proxima) #1"

static inline u8 bzimage_byte(size_t i)
{
	return (u8)(i * 5 + 3);
}

static inline void bzimage_put(u8 *img, size_t off, u64 v, unsigned int bytes)
{
	memcpy(img + off, &v, bytes); /* little-endian host, like the format */
}

/* len bytes of image with setup_sects sectors of setup code and init_size bytes wanted. */
static inline void bzimage_make(u8 *img, size_t len, unsigned int setup_sects, u32 init_size)
{
	size_t koff = (setup_sects + 1) * 512, i;

	memset(img, 0, len);
	img[0x1f1] = (u8)setup_sects;
	bzimage_put(img, 0x1f4, (len - koff) / 16, 4); /* syssize */
	bzimage_put(img, 0x1fe, 0xaa55, 2);	       /* boot_flag */
	img[0x200] = 0xeb;			       /* jump */
	img[0x201] = 0x6a;			       /* ... to 0x26c: the header's end */
	bzimage_put(img, 0x202, 0x53726448, 4);	       /* "HdrS" */
	bzimage_put(img, 0x206, 0x020f, 2);	       /* 2.15 */
	bzimage_put(img, 0x20e, 0x300, 2);	       /* the version string at 0x300 + 0x200 */
	img[0x211] = 0x01;			       /* LOADED_HIGH */
	bzimage_put(img, 0x214, 0x100000, 4);	       /* code32_start */
	bzimage_put(img, 0x22c, 0x7fffffff, 4);	       /* initrd_addr_max */
	bzimage_put(img, 0x230, 0x200000, 4);	       /* kernel_alignment */
	img[0x234] = 1;				       /* relocatable */
	img[0x235] = 21;			       /* min_alignment */
	bzimage_put(img, 0x236, 0x7f, 2);	       /* xloadflags */
	bzimage_put(img, 0x238, 0x7ff, 4);	       /* cmdline_size */
	bzimage_put(img, 0x258, 0x1000000, 8);	       /* pref_address */
	bzimage_put(img, 0x260, init_size, 4);	       /* init_size */
	bzimage_put(img, 0x264, 0x7c8d20, 4);	       /* handover_offset */
	memcpy(img + 0x500, BZIMAGE_VERSION, sizeof(BZIMAGE_VERSION));
	for (i = koff; i < len; i++)
		img[i] = bzimage_byte(i - koff);
}

#endif /* HOSTED_LINUX_IMAGE_FIXTURE_H */
