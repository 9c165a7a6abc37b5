/*
 * Hosted tests of a Linux guest's creation through the real dom_create()
 * (hypervisor/domain.c with guest_linux.c) on the machine of
 * fake_domain_env.h: module 1 is a bzImage of linux_image_fixture.h
 * (init_size 4 MiB, preferred address 16 MiB), module 2 an initrd. A
 * domain of 32 MiB has RAM from 1 MiB to 32 MiB + 384 KiB (the layout of
 * include/hv/domain.h), so the kernel lands at its preferred address and
 * the initrd at the top of that RAM, page aligned; vCPU 0 starts at the
 * kernel + 0x200 with RSI the zero page (0x7000) and CR3 the boot tables
 * (0x1000), the values of include/hv/guest_linux.h; its command line gets
 * tsc_early_khz= with the guest TSC's rate unless it has one.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <hv/domain.h>
#include <hv/domain_config.h>
#include <hv/lib.h>

#include "fake_arch.h"
#include "fake_domain_env.h"
#include "fake_hvm.h"
#include "linux_image_fixture.h"
#include "support_slab.h"

#define KLEN 0x2000
static u8 kernel[5 * 512 + KLEN] __aligned(8);
static u8 initrd[0x3000] __aligned(8);

static struct domain *create(const char *value)
{
	struct domain_config cfg;
	char err[DOMCFG_ERR_MAX];

	if (domcfg_parse(value, &cfg, err, sizeof(err)))
		fail_msg("%s: %s", value, err);
	return dom_create(&cfg, false);
}

static int setup(void **state)
{
	domenv_build();
	bzimage_make(kernel, sizeof(kernel), 4, MiB(4));
	memset(initrd, 0x99, sizeof(initrd));
	domenv_set_module(1, kernel, sizeof(kernel));
	domenv_set_module(2, initrd, sizeof(initrd));
	return 0;
}

static int teardown(void **state)
{
	domenv_end_all();
	assert_int_equal(domenv_assert_owners(), 0);
	domenv_assert_only_slabs();
	return 0;
}

static void test_linux_guest_is_loaded_and_starts_at_its_64_bit_entry(void **state)
{
	struct domain *d = create("name=lx,mem=32M,image=1,initrd=2,args=\"console=ttyS0\"");
	const struct fake_vcpu_arch *a;
	u8 buf[32];
	char line[64];

	if (!d)
		fail_msg("not started:\n%s", console_text());
	assert_console_has("domain lx: Linux " BZIMAGE_VERSION ", boot protocol 2.15, kernel at "
			   "0x1000000, initrd 12 KiB at 0x205d000\n");
	a = d->vcpu[0]->arch;
	assert_true(a->long_mode);
	assert_int_equal(a->rip, 0x1000200);
	assert_int_equal(a->rdi, 0x7000); /* the fake keeps RSI there */
	assert_int_equal(a->cr3, 0x1000);
	assert_int_equal(dom_copy_from_guest(d, buf, 0x1000000, sizeof(buf)), 0);
	assert_int_equal(buf[5], bzimage_byte(5));
	/* RAM ends at 32 MiB + 384 KiB = 0x2060000: the initrd's 12 KiB below it, page aligned. */
	assert_int_equal(dom_copy_from_guest(d, buf, 0x205d000, 1), 0);
	assert_int_equal(buf[0], 0x99);
	/* Proxima adds the TSC's rate (arch_guest_tsc_khz(), 2 GHz in the fake). */
	assert_int_equal(dom_copy_from_guest(d, line, 0x20000, 36), 0);
	assert_memory_equal(line, "console=ttyS0 tsc_early_khz=2000000", 36);
	domenv_assert_owners();
}

static void test_a_tsc_rate_given_is_kept(void **state)
{
	struct domain *d = create("name=lx,mem=32M,image=1,args=tsc_early_khz=1234");
	char line[24];

	assert_non_null(d);
	assert_int_equal(dom_copy_from_guest(d, line, 0x20000, 19), 0);
	assert_memory_equal(line, "tsc_early_khz=1234", 19);
}

static void test_a_bad_kernel_fails_its_domain_with_a_line(void **state)
{
	kernel[0x236] = 0; /* no XLF_KERNEL_64 */
	assert_null(create("name=lx,mem=32M,image=1"));
	assert_console_has("domain lx: not started: the kernel has no 64-bit entry point "
			   "(xloadflags 0x0)\n");
	fake_sched_reap();
	assert_int_equal(domenv_assert_owners(), 0);
}

static void test_a_kernel_that_does_not_fit(void **state)
{
	/* 16 MiB + 4 MiB do not fit in 8 MiB of RAM, nor anywhere else. */
	assert_null(create("name=lx,mem=8M,image=1"));
	assert_console_has("domain lx: not started: no RAM for the kernel: 4 MiB from 0x1000000 or "
			   "elsewhere\n");
}

static void test_initrd_only_for_linux(void **state)
{
	assert_null(create("name=mb,mem=8M,image=0,initrd=2"));
	assert_console_has("domain mb: not started: initrd: only a Linux image takes one\n");
	assert_null(create("name=lx,mem=32M,image=1,initrd=5"));
	assert_console_has("domain lx: not started: initrd: no multiboot module 5 (3 given)\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(
		test_linux_guest_is_loaded_and_starts_at_its_64_bit_entry, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_a_tsc_rate_given_is_kept, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_a_bad_kernel_fails_its_domain_with_a_line, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_a_kernel_that_does_not_fit, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_initrd_only_for_linux, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
