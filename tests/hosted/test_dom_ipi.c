/*
 * Hosted tests of IPI delivery between a domain's vCPUs
 * (hypervisor/dom_ipi.c) on a fake guest of four vCPUs (fake_hvm.h),
 * APIC ids 0-3, vCPU 0 running and the others down. Expected behaviour
 * is the architecture's (Intel SDM vol. 3, "MP Initialization" and
 * "Issuing Interprocessor Interrupts"; AMD APM vol. 2, 16.5): a fixed
 * interrupt lands in its destinations' IRR; INIT puts a processor that
 * waits into wait-for-SIPI and the INIT level de-assert does nothing; a
 * start-up IPI starts a processor in wait-for-SIPI at vector << 12, once;
 * a processor in wait-for-SIPI takes no interrupts; a lowest-priority
 * interrupt goes to one destination only.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <hv/domain.h>
#include <hv/lib.h>
#include <hv/vlapic.h>

#include "fake_arch.h"
#include "fake_hvm.h"

static struct fake_guest g;

static int setup(void **state)
{
	unsigned int i;

	fake_guest_init(&g, 5, MiB(2), 4, false);
	for (i = 0; i < 4; i++) {
		vlapic_init(&g.vcpus[i].lapic, i, i == 0);
		g.vcpus[i].lapic.svr = 0x1ff; /* software-enabled */
	}
	console_clear();
	return 0;
}

static int teardown(void **state)
{
	fake_guest_free(&g);
	return 0;
}

static bool in_irr(unsigned int cpu, unsigned int vector)
{
	return g.vcpus[cpu].lapic.irr[vector / 32] & (1U << (vector % 32));
}

/* vCPU 0 writes ICR in x2APIC mode: (dest << 32) | low. */
static void send(u64 icr)
{
	struct vlapic_ipi ipi;

	assert_int_equal(vlapic_wrmsr(&g.vcpus[0].lapic, 0x830, icr, 0), 0);
	assert_true(vlapic_take_ipi(&g.vcpus[0].lapic, &ipi));
	dom_send_ipi(&g.vcpus[0], &ipi);
}

#define INIT_ASSERT 0x4500ULL	/* delivery 5, level assert (bit 14) */
#define INIT_DEASSERT 0x8500ULL /* delivery 5, trigger level (bit 15), level 0 */
#define STARTUP(v) (0x4600ULL | (v))

static void test_fixed_ipi_reaches_a_running_vcpu_and_kicks_it(void **state)
{
	g.vcpus[1].state = VCPU_RUNNABLE;
	send((1ULL << 32) | 0xfb);
	assert_true(in_irr(1, 0xfb));
	assert_false(in_irr(0, 0xfb));
	assert_int_equal(fake_sched_kicks(), 1);
	assert_ptr_equal(fake_sched_kick_last(), &g.vcpus[1]);
	assert_int_equal(vlapic_pending(&g.vcpus[1].lapic), 0xfb);
	/* To itself by id: its own IRR. */
	send((0ULL << 32) | 0xfc);
	assert_true(in_irr(0, 0xfc));
}

static void test_vcpu_not_started_takes_no_interrupts(void **state)
{
	send((2ULL << 32) | 0xfb);
	assert_false(in_irr(2, 0xfb));
	assert_int_equal(fake_sched_kicks(), 0);
}

static void test_init_then_startup_starts_once(void **state)
{
	struct fake_vcpu_arch *a = g.vcpus[2].arch;

	g.vcpus[2].lapic.tpr = 0x40;
	send((2ULL << 32) | INIT_ASSERT);
	assert_true(g.vcpus[2].wait_sipi);
	assert_int_equal(g.vcpus[2].lapic.tpr, 0);		     /* INIT resets the APIC ... */
	assert_int_equal(g.vcpus[2].lapic.apic_base, 0xfee00c00ULL); /* ... but its base */
	send((2ULL << 32) | INIT_DEASSERT);
	assert_int_equal(g.vcpus[2].state, VCPU_DOWN);
	send((2ULL << 32) | STARTUP(0x9a));
	assert_int_equal(fake_vcpu_sipi_calls(), 1);
	assert_true(a->started);
	assert_int_equal(a->sipi_vector, 0x9a);
	assert_int_equal(g.vcpus[2].state, VCPU_RUNNABLE);
	assert_false(g.vcpus[2].wait_sipi);
	assert_ptr_equal(fake_sched_kick_last(), &g.vcpus[2]);
	/* The second start-up IPI of the sequence finds it running: ignored. */
	send((2ULL << 32) | STARTUP(0x9a));
	assert_int_equal(fake_vcpu_sipi_calls(), 1);
	assert_int_equal(g.vcpus[3].state, VCPU_DOWN);
}

static void test_startup_without_init_and_deassert_alone_do_nothing(void **state)
{
	send((3ULL << 32) | STARTUP(0x10));
	send((3ULL << 32) | INIT_DEASSERT);
	assert_false(g.vcpus[3].wait_sipi);
	send((3ULL << 32) | STARTUP(0x10));
	assert_int_equal(fake_vcpu_sipi_calls(), 0);
	assert_int_equal(g.vcpus[3].state, VCPU_DOWN);
}

static void test_init_to_a_running_vcpu_is_ignored_and_logged_once(void **state)
{
	g.vcpus[1].state = VCPU_RUNNABLE;
	g.vcpus[1].lapic.tpr = 0x20;
	send((1ULL << 32) | INIT_ASSERT);
	send((1ULL << 32) | INIT_ASSERT);
	assert_int_equal(g.vcpus[1].lapic.tpr, 0x20);
	assert_false(g.vcpus[1].wait_sipi);
	assert_int_equal(console_count("domain 5: vCPU 0: INIT to running vCPU 1 ignored"), 1);
}

static void test_broadcast_init_and_startup_start_every_other_vcpu(void **state)
{
	/* All excluding self (shorthand 3, bits 18-19): what an OS sends to start its APs. */
	send((3ULL << 18) | INIT_ASSERT);
	send((3ULL << 18) | STARTUP(0x08));
	assert_int_equal(fake_vcpu_sipi_calls(), 3);
	assert_int_equal(g.vcpus[1].state, VCPU_RUNNABLE);
	assert_int_equal(g.vcpus[3].state, VCPU_RUNNABLE);
	assert_int_equal(((struct fake_vcpu_arch *)g.vcpus[3].arch)->sipi_vector, 0x08);
	assert_int_equal(console_count("INIT to running vCPU"), 0); /* not to itself */
	/* A broadcast fixed interrupt, all including self. */
	send((2ULL << 18) | 0xf0);
	assert_true(in_irr(0, 0xf0) && in_irr(1, 0xf0) && in_irr(2, 0xf0) && in_irr(3, 0xf0));
}

static void test_lowest_priority_reaches_one_destination(void **state)
{
	unsigned int i, got = 0;

	for (i = 1; i < 4; i++)
		g.vcpus[i].state = VCPU_RUNNABLE;
	/* Physical broadcast (all ones) with delivery mode 1. */
	send((0xffffffffULL << 32) | 0x100 | 0x61);
	for (i = 0; i < 4; i++)
		got += in_irr(i, 0x61);
	assert_int_equal(got, 1);
}

static void test_nmi_is_not_delivered_and_logged_once(void **state)
{
	g.vcpus[1].state = VCPU_RUNNABLE;
	send((1ULL << 32) | 0x400);
	send((1ULL << 32) | 0x400);
	assert_int_equal(console_count("domain 5: vCPU 0: IPI of delivery mode 4 not delivered"),
			 1);
	assert_int_equal(fake_sched_kicks(), 0);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_fixed_ipi_reaches_a_running_vcpu_and_kicks_it),
	    T(test_vcpu_not_started_takes_no_interrupts),
	    T(test_init_then_startup_starts_once),
	    T(test_startup_without_init_and_deassert_alone_do_nothing),
	    T(test_init_to_a_running_vcpu_is_ignored_and_logged_once),
	    T(test_broadcast_init_and_startup_start_every_other_vcpu),
	    T(test_lowest_priority_reaches_one_destination),
	    T(test_nmi_is_not_delivered_and_logged_once),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
