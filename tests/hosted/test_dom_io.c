/*
 * Hosted tests of a domain's I/O ports (hypervisor/dom_io.c) on a fake
 * guest (fake_hvm.h): the debug port 0xe9 feeds the vCPU's console line,
 * COM1 (0x3f8-0x3ff) is the domain's 16550A whose lines reach the console
 * with the domain's prefix, a wide access covers the next ports, and any
 * other port reads as all ones, drops writes and is logged once, for the
 * first 16 such ports (DOM_IO_LOGGED); the ACPI sleep registers power the
 * domain off; unknown MSRs are logged once each, for the first 16.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include <hv/domain.h>
#include <hv/lib.h>

#include "fake_arch.h"
#include "fake_hvm.h"

static struct fake_guest g;

static int setup(void **state)
{
	fake_guest_init(&g, 7, MiB(2), 2, false);
	dom_io_init(&g.d);
	console_clear();
	return 0;
}

static int teardown(void **state)
{
	fake_guest_free(&g);
	return 0;
}

static void out(u16 port, unsigned int size, u32 val)
{
	dom_ioport(&g.vcpus[0], port, size, false, &val);
}

static u32 in(u16 port, unsigned int size)
{
	u32 val = 0x5a5a5a5a;

	dom_ioport(&g.vcpus[0], port, size, true, &val);
	return val;
}

static void test_debug_port_is_the_vcpu_console(void **state)
{
	const char *s = "hi\n";

	while (*s)
		out(0xe9, 1, (u8)*s++);
	assert_string_equal(console_text(), "(d7) hi\n");
}

static void test_com1_lines_reach_the_console(void **state)
{
	const char *s = "Linux version 6.1.0\r\n";

	assert_int_equal(in(0x3fd, 1), 0x60); /* LSR: THRE, TEMT */
	while (*s)
		out(0x3f8, 1, (u8)*s++);
	assert_string_equal(console_text(), "(d7) Linux version 6.1.0\n");
	console_clear();
	out(0x3f8, 1, 'x');
	assert_console_empty();
	dom_io_end(&g.d); /* the rest of a line goes out when the domain ends */
	assert_string_equal(console_text(), "(d7) x\n");
}

static void test_wide_access_covers_the_next_ports(void **state)
{
	/* LCR 0x80 (DLAB) at 0x3fb, then DLL and DLM in one 16-bit write at 0x3f8. */
	out(0x3fb, 1, 0x80);
	out(0x3f8, 2, 0x0201);
	assert_int_equal(in(0x3f8, 1), 0x01);
	assert_int_equal(in(0x3f9, 1), 0x02);
	/* LSR and MSR in one read: 0x60, 0xb0. */
	assert_int_equal(in(0x3fd, 2), 0xb060);
	/* 0x3fe-0x401: MSR, SCR (0), then two ports that are nothing. */
	assert_int_equal(in(0x3fe, 4), 0xffff00b0);
	assert_console_empty(); /* it started on a UART port: nothing logged */
}

static void test_unknown_ports_log_once(void **state)
{
	char line[96];
	unsigned int i;

	assert_int_equal(in(0x61, 1), 0xff);
	assert_int_equal(in(0x61, 2), 0xffff);
	assert_int_equal(in(0xcfc, 4), 0xffffffff);
	out(0x61, 1, 0);
	out(0x80, 1, 0x12);
	assert_string_equal(console_text(),
			    "domain 7: read of port 0x61: nothing there (reads all ones)\n"
			    "domain 7: read of port 0xcfc: nothing there (reads all ones)\n"
			    "domain 7: write to port 0x80: nothing there (reads all ones)\n");
	console_clear();
	for (i = 0; i < 20; i++)
		in((u16)(0x100 + i), 1);
	/* Three logged before, so 13 more; the last says so. */
	snprintf(line, sizeof(line),
		 "domain 7: read of port 0x10c: nothing there (reads all ones); further ports "
		 "are not logged\n");
	assert_int_equal(console_count("nothing there"), 13);
	assert_console_has(line);
	console_clear();
	in(0x200, 1);
	assert_console_empty();
}

/*
 * The FADT's sleep registers, bytes at 0x600 (control) and 0x601 (status)
 * (ACPI 6.2 §4.8.3.7-8: SLP_TYPx bits 2-4, SLP_EN bit 5; WAK_STS bit 7):
 * SLP_EN with type 5, the DSDT's \_S5, powers the domain off.
 */
static void test_acpi_sleep_registers_power_off(void **state)
{
	assert_int_equal(in(0x600, 1), 0);
	assert_int_equal(in(0x601, 1), 0);
	out(0x601, 1, 0x80); /* clear WAK_STS, as Linux does first */
	out(0x600, 1, 0x14); /* type 5 without SLP_EN */
	assert_int_equal(fake_shutdown_calls(), 0);
	out(0x600, 1, 0x2c); /* SLP_EN, type 3: not offered */
	assert_int_equal(fake_shutdown_calls(), 0);
	assert_string_equal(console_text(),
			    "domain 7: vCPU 0: sleep type 3 asked for: not offered, ignored\n");
	out(0x600, 1, 0x34); /* SLP_EN, type 5 */
	assert_int_equal(fake_shutdown_calls(), 1);
	assert_ptr_equal(fake_shutdown_last()->d, &g.d);
	assert_int_equal(fake_shutdown_last()->why, DOM_SHUTDOWN_POWEROFF);
	assert_ptr_equal(fake_shutdown_last()->v, &g.vcpus[0]);
}

/* MSRs outside the policy: each logged once, for the first 16 (DOM_MSR_LOGGED). */
static void test_unknown_msrs_log_once(void **state)
{
	unsigned int i;

	dom_unknown_msr(&g.vcpus[1], 0xc0010015, false, 0);
	dom_unknown_msr(&g.vcpus[0], 0xc0010015, true, 0x1234);
	dom_unknown_msr(&g.vcpus[0], 0x179, true, 0x1234);
	assert_string_equal(console_text(),
			    "domain 7: vCPU 1: rdmsr 0xc0010015: not available (#GP)\n"
			    "domain 7: vCPU 0: wrmsr 0x179, 0x1234: not available (#GP)\n");
	console_clear();
	for (i = 0; i < 20; i++)
		dom_unknown_msr(&g.vcpus[0], 0x1000 + i, false, 0);
	assert_int_equal(console_count("not available"), 14);
	assert_console_has("domain 7: vCPU 0: rdmsr 0x100d: not available (#GP); further MSRs "
			   "are not logged\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_debug_port_is_the_vcpu_console, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_com1_lines_reach_the_console, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_wide_access_covers_the_next_ports, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_unknown_ports_log_once, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_acpi_sleep_registers_power_off, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_unknown_msrs_log_once, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
