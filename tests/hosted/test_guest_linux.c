/*
 * Hosted tests of the Linux boot protocol loader (hypervisor/guest_linux.c)
 * over a fake guest memory of 64 MiB. The images are those of
 * linux_image_fixture.h (a setup header at the offsets of the kernel's
 * boot protocol document: boot_flag 0xAA55 at 0x1fe, "HdrS" at 0x202,
 * version at 0x206, loadflags 0x211, xloadflags 0x236, pref_address
 * 0x258, init_size 0x260, ..., with the values of Debian's 6.1 kernel),
 * changed field by field for the refusals; the zero page is
 * read back at the offsets of zero-page.rst (acpi_rsdp_addr 0x070,
 * ext_ramdisk_image 0x0c0, e820_entries 0x1e8, e820_table 0x2d0 of 20-byte
 * entries, type 1 RAM and 2 reserved). Page-table entries are checked
 * against the AMD64 long-mode format (P bit 0, R/W bit 1, PS bit 7) and
 * the GDT against the descriptor format (64-bit code: L bit 53).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <hv/errno.h>
#include <hv/guest_linux.h>
#include <hv/lib.h>

#include "linux_image_fixture.h"
#include "support_slab.h"

#define MEM MiB(64)
#define SETUP_SECTS 4
#define KOFF ((SETUP_SECTS + 1) * 512) /* the protected-mode kernel in the file */
#define KLEN 0x3000		       /* its length in img */

static u8 *mem;
static unsigned int writes;
static struct guest_ram_range ram[160];
static struct guest_mem gm;
static struct guest_linux_entry entry;
static u8 img[KOFF + KLEN];
static char err[160];

static int fake_write(void *ctx, u64 gpa, const void *src, u64 len)
{
	unsigned int i;
	bool inside = false;

	for (i = 0; i < gm.nr_ram; i++)
		inside |= gpa >= ram[i].start && gpa + len <= ram[i].end;
	if (!inside || gpa + len > MEM)
		fail_msg("write of %llu bytes at 0x%llx is outside guest RAM", len, gpa);
	writes++;
	memcpy(mem + gpa, src, len);
	return 0;
}

static void pc_ram(u64 top)
{
	ram[0] = (struct guest_ram_range){0, 0xa0000};
	ram[1] = (struct guest_ram_range){0x100000, top};
	gm.nr_ram = 2;
}

static void w16(size_t off, u16 v)
{
	bzimage_put(img, off, v, 2);
}

static void w32(size_t off, u32 v)
{
	bzimage_put(img, off, v, 4);
}

static u32 r32(u64 gpa)
{
	u32 v;

	memcpy(&v, mem + gpa, 4);
	return v;
}

static u64 r64(u64 gpa)
{
	u64 v;

	memcpy(&v, mem + gpa, 8);
	return v;
}

static void make_image(u32 init_size)
{
	bzimage_make(img, sizeof(img), SETUP_SECTS, init_size);
}

static int setup(void **state)
{
	slabfx_build_nodes(1, MiB(16), 1, NULL); /* kmalloc for the zero page's draft */
	mem = calloc(1, MEM);
	assert_non_null(mem);
	writes = 0;
	gm.ram = ram;
	gm.write = fake_write;
	gm.ctx = NULL;
	gm.rsdp = (const u8 *)"RSD PTR ";
	pc_ram(MEM);
	make_image(0x400000);
	memset(err, 'x', sizeof(err));
	return 0;
}

static int teardown(void **state)
{
	free(mem);
	return 0;
}

static int load(const void *rd, size_t rd_len, const char *cmdline)
{
	return guest_linux_load(img, sizeof(img), rd, rd_len, cmdline, &gm, 0xe0000, &entry, err,
				sizeof(err));
}

static void test_loads_at_the_preferred_address(void **state)
{
	static const u8 rd[0x3000] = {1, 2, 3};

	assert_int_equal(load(rd, sizeof(rd), "console=ttyS0 quiet"), 0);
	assert_memory_equal(mem + 0x1000000, img + KOFF, KLEN);
	assert_int_equal(mem[0x1000000 + 7], bzimage_byte(7));
	assert_int_equal(entry.rip, 0x1000200);
	assert_int_equal(entry.rsi, 0x7000);
	assert_int_equal(entry.cr3, 0x1000);
	assert_int_equal(entry.gdt_base, 0x8000);
	assert_int_equal(entry.gdt_limit, 31);
	assert_int_equal(entry.version, 0x20f);
	assert_int_equal(entry.kernel_start, 0x1000000);
	assert_int_equal(entry.kernel_end, 0x1400000);
	assert_string_equal(entry.kernel_version, BZIMAGE_VERSION);
	/* The initrd at the top of RAM, page aligned. */
	assert_int_equal(entry.initrd_start, MEM - 0x3000);
	assert_memory_equal(mem + MEM - 0x3000, rd, sizeof(rd));
	assert_string_equal((char *)mem + 0x20000, "console=ttyS0 quiet");
}

static void test_zero_page(void **state)
{
	static const u8 rd[0x2800] = {7};
	const u8 *zp;

	assert_int_equal(load(rd, sizeof(rd), "x"), 0);
	zp = mem + 0x7000;
	/* The setup header, as in the image but for what the loader fills in. */
	assert_int_equal(zp[0x1f1], SETUP_SECTS);
	assert_memory_equal(zp + 0x202, "HdrS", 4);
	assert_int_equal(zp[0x210], 0xff);		     /* type_of_loader: undefined */
	assert_int_equal(r32(0x7000 + 0x214), 0x1000000);    /* code32_start */
	assert_int_equal(r32(0x7000 + 0x218), MEM - 0x3000); /* ramdisk_image */
	assert_int_equal(r32(0x7000 + 0x21c), 0x2800);	     /* ramdisk_size */
	assert_int_equal(r32(0x7000 + 0x228), 0x20000);	     /* cmd_line_ptr */
	assert_int_equal(r32(0x7000 + 0x260), 0x400000);     /* init_size, as given */
	assert_int_equal(zp[0x26c], 0);			     /* nothing past the header */
	assert_int_equal(r64(0x7000 + 0x070), 0xe0000);	     /* acpi_rsdp_addr */
	assert_int_equal(r32(0x7000 + 0x0c0), 0);	     /* ext_ramdisk_image */
	assert_int_equal(zp[0x1ef], 0);			     /* sentinel */
	/* e820: low RAM, the legacy hole reserved, RAM from 1 MiB. */
	assert_int_equal(zp[0x1e8], 3);
	assert_int_equal(r64(0x7000 + 0x2d0), 0);
	assert_int_equal(r64(0x7000 + 0x2d8), 0xa0000);
	assert_int_equal(r32(0x7000 + 0x2e0), 1);
	assert_int_equal(r64(0x7000 + 0x2e4), 0xa0000);
	assert_int_equal(r64(0x7000 + 0x2ec), 0x60000);
	assert_int_equal(r32(0x7000 + 0x2f4), 2);
	assert_int_equal(r64(0x7000 + 0x2f8), 0x100000);
	assert_int_equal(r64(0x7000 + 0x300), MEM - 0x100000);
	assert_int_equal(r32(0x7000 + 0x308), 1);
}

static void test_boot_page_tables_and_gdt(void **state)
{
	unsigned int i;

	assert_int_equal(load(NULL, 0, NULL), 0);
	assert_int_equal(r64(0x1000), 0x2003); /* PML4[0]: the PDPT, present, writable */
	assert_int_equal(r64(0x1008), 0);
	for (i = 0; i < 4; i++)
		assert_int_equal(r64(0x2000 + 8 * i), 0x3003 + 0x1000 * i);
	assert_int_equal(r64(0x2020), 0);
	assert_int_equal(r64(0x3000), 0x83);		      /* 2 MiB page at 0 */
	assert_int_equal(r64(0x3008), 0x200083);	      /* at 2 MiB */
	assert_int_equal(r64(0x6ff8), 0xffe00083);	      /* the last, below 4 GiB */
	assert_int_equal(r64(0x8010), 0x00af9a000000ffffULL); /* __BOOT_CS: 64-bit code */
	assert_int_equal(r64(0x8018), 0x00cf92000000ffffULL); /* __BOOT_DS */
	assert_int_equal(entry.initrd_start, 0);
	assert_int_equal(entry.initrd_end, 0);
	assert_string_equal((char *)mem + 0x20000, "");
}

static void test_relocated_where_the_preferred_address_does_not_fit(void **state)
{
	/* RAM to 18 MiB, then 32 to 64 MiB: 4 MiB from 16 MiB do not fit, from 32 MiB do. */
	pc_ram(0x1200000);
	ram[2] = (struct guest_ram_range){0x2000000, MEM};
	gm.nr_ram = 3;
	assert_int_equal(load(NULL, 0, NULL), 0);
	assert_int_equal(entry.kernel_start, 0x2000000);
	assert_int_equal(entry.rip, 0x2000200);
	assert_memory_equal(mem + 0x2000000, img + KOFF, KLEN);
	assert_int_equal(mem[0x7000 + 0x1e8], 4); /* low, hole, two RAM ranges */
}

static void test_initrd_below_the_kernel_when_above_is_short(void **state)
{
	/* Kernel at 16 MiB with 40 MiB of room: 8 MiB above it, 15 below. */
	static u8 rd[MiB(12)];

	make_image(MiB(40));
	rd[0] = 0x42;
	assert_int_equal(load(rd, sizeof(rd), NULL), 0);
	assert_int_equal(entry.initrd_start, MiB(4));
	assert_int_equal(entry.initrd_end, MiB(16));
	assert_int_equal(mem[MiB(4)], 0x42);
}

static void assert_refused(int rc, int want, const char *reason)
{
	assert_int_equal(rc, want);
	assert_string_equal(err, reason);
	assert_int_equal(writes, 0);
}

static void test_refusals(void **state)
{
	char long_line[2100];

	w16(0x1fe, 0);
	assert_refused(load(NULL, 0, NULL), -EINVAL,
		       "not a bzImage (no boot flag 0xaa55 and \"HdrS\" at 0x1fe)");
	make_image(0x400000);
	w16(0x206, 0x020b);
	assert_refused(load(NULL, 0, NULL), -EINVAL,
		       "Linux boot protocol 2.11: 2.12 or later needed");
	make_image(0x400000);
	w16(0x236, 0x7e);
	assert_refused(load(NULL, 0, NULL), -EINVAL,
		       "the kernel has no 64-bit entry point (xloadflags 0x7e)");
	make_image(0x400000);
	img[0x1f1] = 40; /* 41 sectors of setup: past the file */
	assert_refused(load(NULL, 0, NULL), -EINVAL,
		       "setup header or setup code past the file (14848 bytes)");
	make_image(0x400000);
	w32(0x1f4, KLEN / 16 + 1);
	assert_refused(load(NULL, 0, NULL), -EINVAL,
		       "syssize says 12304 bytes of kernel, the file has 12288");
	make_image(0x400000);
	w32(0x238, 10);
	assert_refused(load(NULL, 0, "console=ttyS0"), -EINVAL,
		       "command line of 13 bytes: the kernel takes 10");
	make_image(0x400000);
	memset(long_line, 'a', sizeof(long_line) - 1);
	long_line[sizeof(long_line) - 1] = '\0';
	assert_refused(load(NULL, 0, long_line), -EINVAL,
		       "command line of 2099 bytes: the kernel takes 2047");
	pc_ram(MiB(8));
	assert_refused(load(NULL, 0, NULL), -ENOMEM,
		       "no RAM for the kernel: 4 MiB from 0x1000000 or elsewhere");
	img[0x234] = 0;
	assert_refused(load(NULL, 0, NULL), -ENOMEM,
		       "no RAM for the kernel: 4 MiB from 0x1000000 (not relocatable)");
	pc_ram(MEM);
	make_image(0x400000);
	{
		static u8 big[MiB(48)];

		assert_refused(load(big, sizeof(big), NULL), -ENOMEM,
			       "no RAM below 0x80000000 for the initrd of 50331648 bytes");
	}
	ram[0] = (struct guest_ram_range){0x1000, 0xa0000};
	assert_refused(load(NULL, 0, NULL), -ENOMEM, "no RAM for the boot tables below 0x22000");
}

static void test_too_many_ram_ranges(void **state)
{
	unsigned int i;

	/* 128 RAM ranges and the hole make 129 entries: one too many. */
	pc_ram(MEM);
	for (i = 2; i < 128; i++)
		ram[i] =
		    (struct guest_ram_range){GiB(4) + MiB(2) * i, GiB(4) + MiB(2) * i + MiB(1)};
	gm.nr_ram = 128;
	assert_refused(load(NULL, 0, NULL), -ENOMEM, "more than 127 RAM ranges for the e820 map");
	gm.nr_ram = 127;
	assert_int_equal(load(NULL, 0, NULL), 0);
	assert_int_equal(mem[0x7000 + 0x1e8], 128);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_loads_at_the_preferred_address, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_zero_page, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_boot_page_tables_and_gdt, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_relocated_where_the_preferred_address_does_not_fit,
					    setup, teardown),
	    cmocka_unit_test_setup_teardown(test_initrd_below_the_kernel_when_above_is_short, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_refusals, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_too_many_ram_ranges, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
