/*
 * The fixture shared by the multiboot tests (test_multiboot1.c for v1,
 * test_multiboot2.c for multiboot2 and the loader magic): 64 KiB of fake
 * physical memory at 1 MiB, mapped through fake_arch.c, the boot_info that
 * multiboot_parse() fills, and helpers that write little-endian fields and
 * strings into that memory and check the parsed map and modules. Each test binary
 * includes it once and gets its own copy of the statics.
 */
#ifndef HOSTED_MULTIBOOT_FIXTURE_H
#define HOSTED_MULTIBOOT_FIXTURE_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <asm/boot.h>
#include <asm/setup.h>
#include <hv/boot.h>
#include <hv/errno.h>
#include <hv/lib.h>
#include <hv/printk.h>

#include "fake_arch.h"

/* The fake physical memory: 64 KiB at 1 MiB. */
#define PHYS_BASE 0x100000ULL
#define PHYS_SIZE 0x10000
static u8 phys[PHYS_SIZE] __aligned(8);

static struct boot_info bi;

static inline paddr_t pa(unsigned int off)
{
	return PHYS_BASE + off;
}

static inline void put32(unsigned int off, u32 v)
{
	assert_true(off + 4 <= PHYS_SIZE);
	memcpy(phys + off, &v, 4);
}

static inline void put64(unsigned int off, u64 v)
{
	assert_true(off + 8 <= PHYS_SIZE);
	memcpy(phys + off, &v, 8);
}

static inline void put_str(unsigned int off, const char *s)
{
	assert_true(off + strlen(s) + 1 <= PHYS_SIZE);
	memcpy(phys + off, s, strlen(s) + 1);
}

static inline int reset(void **state)
{
	memset(phys, 0xa5, sizeof(phys));
	memset(&bi, 0x5a, sizeof(bi));
	fake_phys_reset();
	fake_phys_map(PHYS_BASE, phys, sizeof(phys));
	console_set_loglevel(LOG_DEBUG);
	console_clear();
	return 0;
}

static inline void check_range(unsigned int i, u64 start, u64 end, u32 type)
{
	assert_true(i < bi.nr_mem);
	if (bi.mem[i].start != start || bi.mem[i].end != end || bi.mem[i].type != type)
		fail_msg("mem[%u] is %#llx-%#llx type %u, expected %#llx-%#llx type %u", i,
			 bi.mem[i].start, bi.mem[i].end, bi.mem[i].type, start, end, type);
}

static inline void check_module(unsigned int i, u64 start, u64 end, const char *cmdline)
{
	assert_true(i < bi.nr_modules);
	if (bi.modules[i].start != start || bi.modules[i].end != end)
		fail_msg("modules[%u] is %#llx-%#llx, expected %#llx-%#llx", i, bi.modules[i].start,
			 bi.modules[i].end, start, end);
	assert_string_equal(bi.modules[i].cmdline, cmdline);
	assert_false(bi.modules[i].cmdline_truncated);
}

/*
 * Where the hosted hypervisor image lies (tests/hosted/fake_image.c):
 * modules must keep off [IMAGE_START, IMAGE_END).
 */
#define IMAGE_START 0x200000
#define IMAGE_END 0x280000

/* Where a test builds the v1 information structure or the v2 block. */
#define INFO 0x0

/* A test case with the fixture reset before it. */
#define T(fn) cmocka_unit_test_setup(fn, reset)

#endif /* HOSTED_MULTIBOOT_FIXTURE_H */
