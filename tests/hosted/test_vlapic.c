/*
 * Hosted tests of the x2APIC model (hypervisor/vlapic.c). Expected values
 * are the architecture's (Intel SDM vol. 3, chapter "Advanced
 * Programmable Interrupt Controller": the x2APIC MSR map 0x800-0x8ff,
 * values after INIT with every LVT masked (0x10000) and SVR 0xff, the
 * x2APIC logical id (cluster << 16 | 1 << (id & 15)), the divide
 * configuration (0b0000 divides by 2, 0b1011 by 1), timer modes in LVT
 * timer bits 17-18 (one-shot 0, periodic 1, TSC-deadline 2), PPR from TPR
 * and the highest in-service class, #GP for a write to a read-only
 * register, a read of EOI, or a non-zero EOI; the mode transitions of
 * IA32_APIC_BASE, x2APIC to xAPIC only through disabled; in xAPIC mode
 * the registers at their page offsets, ID in bits 24-31, LDR and DFR
 * written by software, ICR as two words with an 8-bit destination).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <hv/vlapic.h>

static struct vlapic l;

static int setup(void **state)
{
	vlapic_init(&l, 3, true);
	return 0;
}

static u64 rd(u32 msr)
{
	u64 v = 0xdeadbeef;

	assert_int_equal(vlapic_rdmsr(&l, msr, 0, &v), 0);
	return v;
}

static void wr(u32 msr, u64 v, u64 now)
{
	assert_int_equal(vlapic_wrmsr(&l, msr, v, now), 0);
}

static void test_values_after_init(void **state)
{
	assert_int_equal(rd(0x1b), 0xfee00000 | (1 << 11) | (1 << 10) | (1 << 8));
	assert_int_equal(rd(0x802), 3);	      /* x2APIC id */
	assert_int_equal(rd(0x803), 0x50014); /* version 0x14, max LVT 5 */
	assert_int_equal(rd(0x80d), 1 << 3);  /* logical id: cluster 0, bit 3 */
	assert_int_equal(rd(0x80f), 0xff);    /* SVR: software disabled */
	assert_int_equal(rd(0x832), 0x10000); /* every LVT masked */
	assert_int_equal(rd(0x837), 0x10000);
	assert_int_equal(rd(0x808), 0);
	assert_int_equal(rd(0x839), 0);
	vlapic_init(&l, 0x25, false);
	assert_int_equal(rd(0x1b), 0xfee00000 | (1 << 11) | (1 << 10));
	assert_int_equal(rd(0x80d), (2 << 16) | (1 << 5));
}

static void test_gp_cases(void **state)
{
	u64 v;

	assert_int_equal(vlapic_rdmsr(&l, 0x80b, 0, &v), -1);	 /* EOI is write-only */
	assert_int_equal(vlapic_rdmsr(&l, 0x83f, 0, &v), -1);	 /* SELF IPI too */
	assert_int_equal(vlapic_rdmsr(&l, 0x804, 0, &v), -1);	 /* reserved */
	assert_int_equal(vlapic_wrmsr(&l, 0x802, 7, 0), -1);	 /* id: read-only */
	assert_int_equal(vlapic_wrmsr(&l, 0x803, 0, 0), -1);	 /* version */
	assert_int_equal(vlapic_wrmsr(&l, 0x839, 0, 0), -1);	 /* current count */
	assert_int_equal(vlapic_wrmsr(&l, 0x80b, 1, 0), -1);	 /* EOI of a non-zero value */
	assert_int_equal(vlapic_wrmsr(&l, 0x808, 0x100, 0), -1); /* TPR reserved bits */
	assert_int_equal(vlapic_wrmsr(&l, 0x83e, 0x10, 0), -1);	 /* divide reserved bits */
	/* APIC_BASE: only the state it is in (x2APIC, enabled). */
	assert_int_equal(vlapic_wrmsr(&l, 0x1b, rd(0x1b), 0), 0);
	assert_int_equal(vlapic_wrmsr(&l, 0x1b, rd(0x1b) & ~(1ULL << 10), 0), -1);
	assert_true(vlapic_is_msr(0x1b) && vlapic_is_msr(0x6e0) && vlapic_is_msr(0x800) &&
		    vlapic_is_msr(0x8ff));
	assert_false(vlapic_is_msr(0x7ff) || vlapic_is_msr(0x900) || vlapic_is_msr(0x10));
}

static void test_software_disabled_apic_keeps_lvts_masked(void **state)
{
	wr(0x832, 0x20, 0);
	assert_int_equal(rd(0x832), 0x10020);
	wr(0x80f, 0x1ff, 0); /* enable, spurious vector 0xff */
	wr(0x832, 0x20, 0);
	assert_int_equal(rd(0x832), 0x20);
	wr(0x80f, 0xff, 0); /* disabling masks them all */
	assert_int_equal(rd(0x832), 0x10020);
}

static void test_tsc_deadline_timer(void **state)
{
	wr(0x80f, 0x1ff, 0);
	wr(0x832, (2 << 17) | 0xec, 0); /* TSC-deadline, vector 0xec */
	assert_int_equal(vlapic_next_event(&l), VLAPIC_NO_TIMER);
	wr(0x6e0, 1000, 0);
	assert_int_equal(rd(0x6e0), 1000);
	assert_int_equal(vlapic_next_event(&l), 1000);
	vlapic_tick(&l, 999);
	assert_int_equal(vlapic_pending(&l), -1);
	vlapic_tick(&l, 1000);
	assert_int_equal(vlapic_pending(&l), 0xec);
	assert_int_equal(rd(0x6e0), 0); /* fired: disarmed */
	assert_int_equal(vlapic_next_event(&l), VLAPIC_NO_TIMER);
	assert_int_equal(rd(0x827), 1U << (0xec - 0xe0)); /* IRR bits 224-255 */
	vlapic_accept(&l, 0xec);
	assert_int_equal(rd(0x827), 0);
	assert_int_equal(rd(0x817), 1U << (0xec - 0xe0)); /* ISR */
	wr(0x80b, 0, 0);				  /* EOI */
	assert_int_equal(rd(0x817), 0);
	/* The initial count means nothing in TSC-deadline mode. */
	wr(0x838, 5, 0);
	assert_int_equal(vlapic_next_event(&l), VLAPIC_NO_TIMER);
}

static void test_one_shot_and_periodic(void **state)
{
	wr(0x80f, 0x1ff, 0);
	wr(0x83e, 0x3, 0);    /* divide by 16 */
	wr(0x832, 0x30, 0);   /* one-shot, vector 0x30 */
	wr(0x838, 100, 5000); /* fires at 5000 + 1600 */
	assert_int_equal(vlapic_next_event(&l), 6600);
	assert_int_equal(vlapic_rdmsr(&l, 0x839, 5160, &(u64){0}), 0);
	{
		u64 v;

		vlapic_rdmsr(&l, 0x839, 5160, &v);
		assert_int_equal(v, 90); /* 160 TSC ticks = 10 counts gone */
	}
	vlapic_tick(&l, 6600);
	assert_int_equal(vlapic_pending(&l), 0x30);
	assert_int_equal(vlapic_next_event(&l), VLAPIC_NO_TIMER);
	vlapic_accept(&l, 0x30);
	wr(0x80b, 0, 6600);
	/* Periodic, divide by 1 (0b1011): every 50 ticks; periods missed are delivered once. */
	wr(0x83e, 0xb, 7000);
	wr(0x832, (1 << 17) | 0x31, 7000);
	wr(0x838, 50, 7000);
	vlapic_tick(&l, 7125);
	assert_int_equal(vlapic_pending(&l), 0x31);
	assert_int_equal(vlapic_next_event(&l), 7150);
	assert_int_equal(l.timer_fired, 2);
	/* Masked: counts but delivers nothing. */
	vlapic_accept(&l, 0x31);
	wr(0x80b, 0, 7125);
	wr(0x832, (1 << 17) | 0x10031, 7125);
	vlapic_tick(&l, 7200);
	assert_int_equal(vlapic_pending(&l), -1);
	assert_int_equal(l.timer_fired, 3);
}

static void test_priorities(void **state)
{
	wr(0x80f, 0x1ff, 0);
	vlapic_raise(&l, 0x41);
	vlapic_raise(&l, 0x62);
	assert_int_equal(vlapic_pending(&l), 0x62);
	vlapic_accept(&l, 0x62);
	assert_int_equal(rd(0x80a), 0x60);	  /* PPR: the in-service class */
	assert_int_equal(vlapic_pending(&l), -1); /* 0x41 is below it */
	vlapic_raise(&l, 0x63);
	assert_int_equal(vlapic_pending(&l), -1); /* same class: waits */
	vlapic_raise(&l, 0x70);
	assert_int_equal(vlapic_pending(&l), 0x70);
	wr(0x80b, 0, 0);    /* EOI ends 0x62 */
	wr(0x808, 0x70, 0); /* TPR class 7 */
	assert_int_equal(vlapic_pending(&l), -1);
	wr(0x808, 0x50, 0);
	assert_int_equal(vlapic_pending(&l), 0x70);
	/* A software-disabled APIC delivers nothing. */
	wr(0x80f, 0xff, 0);
	assert_int_equal(vlapic_pending(&l), -1);
}

static void test_self_ipi_and_icr(void **state)
{
	struct vlapic_ipi ipi;
	u64 v;

	wr(0x80f, 0x1ff, 0);
	wr(0x83f, 0x55, 0);
	assert_int_equal(vlapic_pending(&l), 0x55);
	vlapic_accept(&l, 0x55);
	wr(0x80b, 0, 0);
	/* An ICR write goes out as an IPI for the caller to route, even to itself. */
	assert_false(vlapic_take_ipi(&l, &ipi));
	wr(0x830, (3ULL << 32) | 0x66, 0); /* fixed, to id 3: itself */
	assert_int_equal(vlapic_pending(&l), -1);
	assert_true(vlapic_take_ipi(&l, &ipi));
	assert_int_equal(ipi.vector, 0x66);
	assert_int_equal(ipi.delivery, 0);
	assert_int_equal(ipi.dest, 3);
	assert_false(ipi.logical);
	assert_int_equal(ipi.shorthand, 0);
	assert_true(ipi.x2apic);
	assert_false(vlapic_take_ipi(&l, &ipi)); /* once */
	assert_int_equal(rd(0x830), (3ULL << 32) | 0x66);
	/* INIT, level assert, all excluding self: bits 8-10 = 5, 14, 18-19 = 3. */
	wr(0x830, 0xc4500, 0);
	assert_true(vlapic_take_ipi(&l, &ipi));
	assert_int_equal(ipi.delivery, 5);
	assert_true(ipi.assert);
	assert_false(ipi.level);
	assert_int_equal(ipi.shorthand, 3);
	assert_int_equal(vlapic_wrmsr(&l, 0x830, 1ULL << 13, 0), -1); /* reserved bit */
	wr(0x828, 0, 0);
	vlapic_raise(&l, 5); /* a vector below 16 is illegal */
	vlapic_rdmsr(&l, 0x828, 0, &v);
	assert_int_equal(v, 1 << 6);
}

/*
 * Who an IPI reaches (SDM vol. 3, "Determining IPI Destination"):
 * shorthands first; physical: the APIC id, or all ones (0xff xAPIC,
 * 0xffffffff x2APIC) for everyone; logical x2APIC: cluster (bits 16-31)
 * equal and the member bit in bits 0-15; logical xAPIC: flat DFR (model
 * 0xf) a mask of the 8 LDR bits, cluster DFR (model 0) a 4-bit cluster
 * and a 4-bit mask.
 */
static void test_ipi_destinations(void **state)
{
	struct vlapic t;
	struct vlapic_ipi ipi = {.vector = 0x30, .x2apic = true};

	vlapic_init(&t, 0x13, false); /* x2APIC LDR: cluster 1, bit 3: 0x10008 */
	ipi.dest = 0x13;
	assert_true(vlapic_ipi_match(&t, &ipi, false));
	ipi.dest = 0x12;
	assert_false(vlapic_ipi_match(&t, &ipi, false));
	ipi.dest = 0xffffffff;
	assert_true(vlapic_ipi_match(&t, &ipi, false));
	ipi.dest = 0xff; /* not a broadcast in x2APIC mode */
	assert_false(vlapic_ipi_match(&t, &ipi, false));
	ipi.logical = true;
	ipi.dest = 0x10008;
	assert_true(vlapic_ipi_match(&t, &ipi, false));
	ipi.dest = 0x1fff7; /* every member of cluster 1 but bit 3 */
	assert_false(vlapic_ipi_match(&t, &ipi, false));
	ipi.dest = 0x20008; /* bit 3 of cluster 2 */
	assert_false(vlapic_ipi_match(&t, &ipi, false));
	/* Shorthands: self, all including self, all excluding self. */
	ipi.dest = 0;
	ipi.shorthand = 1;
	assert_true(vlapic_ipi_match(&t, &ipi, true));
	assert_false(vlapic_ipi_match(&t, &ipi, false));
	ipi.shorthand = 2;
	assert_true(vlapic_ipi_match(&t, &ipi, true) && vlapic_ipi_match(&t, &ipi, false));
	ipi.shorthand = 3;
	assert_false(vlapic_ipi_match(&t, &ipi, true));
	assert_true(vlapic_ipi_match(&t, &ipi, false));

	/* xAPIC: 8-bit broadcast; flat and cluster logical models. */
	ipi = (struct vlapic_ipi){.vector = 0x30, .dest = 0xff};
	assert_true(vlapic_ipi_match(&t, &ipi, false));
	t.xapic_ldr = 0x04000000; /* flat: bit 2 */
	t.xapic_dfr = 0xffffffff;
	ipi.logical = true;
	ipi.dest = 0x05;
	assert_true(vlapic_ipi_match(&t, &ipi, false));
	ipi.dest = 0x0b;
	assert_false(vlapic_ipi_match(&t, &ipi, false));
	t.xapic_dfr = 0x0fffffff; /* cluster model */
	t.xapic_ldr = 0x32000000; /* cluster 3, member bit 1 */
	ipi.dest = 0x36;
	assert_true(vlapic_ipi_match(&t, &ipi, false));
	ipi.dest = 0x26;
	assert_false(vlapic_ipi_match(&t, &ipi, false));
	ipi.dest = 0x35;
	assert_false(vlapic_ipi_match(&t, &ipi, false));
}

static void test_mode_changes(void **state)
{
	u64 base = rd(0x1b), v;

	/* x2APIC to xAPIC only through disabled (SDM: "x2APIC State Transitions"). */
	assert_int_equal(vlapic_wrmsr(&l, 0x1b, base & ~(1ULL << 10), 0), -1);
	assert_int_equal(vlapic_wrmsr(&l, 0x1b, base & ~(3ULL << 10) & ~0ULL, 0), 0);
	assert_false(vlapic_x2apic_mode(&l) || vlapic_xapic_mode(&l));
	assert_int_equal(vlapic_wrmsr(&l, 0x1b, (base & ~(3ULL << 10)) | (1ULL << 10), 0), -1);
	assert_int_equal(vlapic_wrmsr(&l, 0x1b, (base & ~(3ULL << 10)) | (1ULL << 11), 0), 0);
	assert_true(vlapic_xapic_mode(&l));
	assert_int_equal(vlapic_rdmsr(&l, 0x802, 0, &v), -1); /* no x2APIC MSRs in xAPIC mode */
	assert_int_equal(vlapic_wrmsr(&l, 0x80b, 0, 0), -1);
	/* Moving the page or dropping BSP is not taken. */
	assert_int_equal(
	    vlapic_wrmsr(&l, 0x1b,
			 (base & ~(3ULL << 10) & ~0xfffff000ULL) | 0xfec00000 | (1ULL << 11), 0),
	    -1);
	assert_int_equal(
	    vlapic_wrmsr(&l, 0x1b, (base & ~(3ULL << 10) & ~(1ULL << 8)) | (1ULL << 11), 0), -1);
	/* And back up to x2APIC. */
	assert_int_equal(vlapic_wrmsr(&l, 0x1b, base, 0), 0);
	assert_true(vlapic_x2apic_mode(&l));
}

static void to_xapic(void)
{
	u64 base = rd(0x1b) & ~(3ULL << 10);

	wr(0x1b, base, 0);
	wr(0x1b, base | (1ULL << 11), 0);
}

static void test_xapic_registers(void **state)
{
	to_xapic();
	assert_int_equal(vlapic_mmio_read(&l, 0x020, 0), 3U << 24); /* ID in bits 24-31 */
	assert_int_equal(vlapic_mmio_read(&l, 0x030, 0), 0x50014);
	assert_int_equal(vlapic_mmio_read(&l, 0x0f0, 0), 0xff);	      /* SVR */
	assert_int_equal(vlapic_mmio_read(&l, 0x320, 0), 0x10000);    /* LVT timer masked */
	assert_int_equal(vlapic_mmio_read(&l, 0x0e0, 0), 0xffffffff); /* DFR: flat */
	vlapic_mmio_write(&l, 0x020, 0x7000000, 0);		      /* ID: kept */
	assert_int_equal(vlapic_mmio_read(&l, 0x020, 0), 3U << 24);
	vlapic_mmio_write(&l, 0x0d0, 0x01000000, 0); /* LDR: the kernel sets it */
	assert_int_equal(vlapic_mmio_read(&l, 0x0d0, 0), 0x01000000);
	vlapic_mmio_write(&l, 0x0e0, 0x0fffffff, 0);
	assert_int_equal(vlapic_mmio_read(&l, 0x0e0, 0), 0x0fffffff);
	vlapic_mmio_write(&l, 0x030, 0, 0); /* version: read-only, ignored */
	assert_int_equal(vlapic_mmio_read(&l, 0x030, 0), 0x50014);
	assert_int_equal(vlapic_mmio_read(&l, 0x0b0, 0), 0); /* EOI: write-only */
	assert_int_equal(vlapic_mmio_read(&l, 0x024, 0), 0); /* unaligned */
	assert_int_equal(vlapic_mmio_read(&l, 0x400, 0), 0); /* past the registers */
}

static void test_xapic_ipi_timer_and_eoi(void **state)
{
	struct vlapic_ipi ipi;

	to_xapic();
	vlapic_mmio_write(&l, 0x0f0, 0x1ff, 0);
	/* A fixed IPI to id 3 (itself): ICR high first, then the low word sends. */
	vlapic_mmio_write(&l, 0x310, 3U << 24, 0);
	assert_false(vlapic_take_ipi(&l, &ipi));
	vlapic_mmio_write(&l, 0x300, 0x41, 0);
	assert_int_equal(vlapic_mmio_read(&l, 0x310, 0), 3U << 24);
	assert_true(vlapic_take_ipi(&l, &ipi));
	assert_int_equal(ipi.dest, 3);
	assert_int_equal(ipi.vector, 0x41);
	assert_false(ipi.x2apic);
	assert_true(vlapic_ipi_match(&l, &ipi, true));
	vlapic_raise(&l, ipi.vector); /* as the router does */
	assert_int_equal(vlapic_pending(&l), 0x41);
	vlapic_accept(&l, 0x41);
	vlapic_mmio_write(&l, 0x0b0, 0x1234, 0);		    /* EOI of any value */
	assert_int_equal(vlapic_mmio_read(&l, 0x100 + 0x20, 0), 0); /* ISR bits 32-63 */
	/* Logical, flat model: LDR bit 1 (0x02000000) is in destination 0x06. */
	vlapic_mmio_write(&l, 0x0d0, 0x02000000, 0);
	vlapic_mmio_write(&l, 0x310, 0x06U << 24, 0);
	vlapic_mmio_write(&l, 0x300, 0x800 | 0x42, 0);
	assert_true(vlapic_take_ipi(&l, &ipi));
	assert_true(ipi.logical);
	assert_true(vlapic_ipi_match(&l, &ipi, false));
	assert_false(vlapic_pending(&l) >= 0); /* nothing raised by the model itself */
	/* The one-shot timer through the page: divide by 1, 10 counts. */
	vlapic_mmio_write(&l, 0x3e0, 0xb, 100);
	vlapic_mmio_write(&l, 0x320, 0x50, 100);
	vlapic_mmio_write(&l, 0x380, 10, 100);
	assert_int_equal(vlapic_mmio_read(&l, 0x390, 104), 6);
	vlapic_tick(&l, 110);
	assert_int_equal(vlapic_pending(&l), 0x50);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_values_after_init, setup),
	    cmocka_unit_test_setup(test_gp_cases, setup),
	    cmocka_unit_test_setup(test_software_disabled_apic_keeps_lvts_masked, setup),
	    cmocka_unit_test_setup(test_tsc_deadline_timer, setup),
	    cmocka_unit_test_setup(test_one_shot_and_periodic, setup),
	    cmocka_unit_test_setup(test_priorities, setup),
	    cmocka_unit_test_setup(test_self_ipi_and_icr, setup),
	    cmocka_unit_test_setup(test_ipi_destinations, setup),
	    cmocka_unit_test_setup(test_mode_changes, setup),
	    cmocka_unit_test_setup(test_xapic_registers, setup),
	    cmocka_unit_test_setup(test_xapic_ipi_timer_and_eoi, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
