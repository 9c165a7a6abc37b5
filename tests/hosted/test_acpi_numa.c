/*
 * Hosted tests for hypervisor/acpi/numa.c: the MADT, SRAT and SLIT
 * parsers on tables from the fixture in support_acpi.c, in x86 and SAPIC
 * mode. Success paths are checked field by field; every subtable and
 * capacity rule is checked with its exact console line and with the
 * table's part of the description left empty (never half filled), and
 * acpi_numa_describe() on whole machines (QEMU-like, missing or rejected
 * tables).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include <hv/acpi.h>
#include <hv/errno.h>
#include <hv/lib.h>
#include <hv/printk.h>

#include "fake_arch.h"
#include "support_acpi.h"

#define MADT_FALLBACK "ignoring MADT: boot CPU only\n"
#define SRAT_FALLBACK "ignoring SRAT: one node with all memory and CPUs\n"
#define SLIT_FALLBACK "ignoring SLIT: distances 10 local, 20 remote\n"

static struct acpi_fixture fx;
static struct topo_desc desc;

static int setup(void **state)
{
	console_set_loglevel(LOG_DEBUG);
	console_clear();
	memset(&desc, 0, sizeof(desc));
	return 0;
}

static int teardown(void **state)
{
	acpi_fx_end(&fx);
	return 0;
}


/* Close the open table and the window (so reads past it are caught). */
static const struct acpi_table_header *close_table(void)
{
	const struct acpi_table_header *t = acpi_fx_table_end(&fx);

	acpi_fx_finish(&fx);
	return t;
}

/* Pretend an earlier parse filled everything, to see a rejection empty it. */
static void prefill_desc(void)
{
	desc.nr_cpus = 5;
	desc.cpus_dropped = 1;
	desc.nr_mem = 5;
	desc.nr_aff = 5;
	desc.have_affinity = true;
	desc.nr_localities = 5;
}

static void check_hwids(const u32 *want, unsigned int n)
{
	unsigned int i;

	assert_int_equal(desc.nr_cpus, n);
	for (i = 0; i < n; i++)
		assert_int_equal(desc.cpu_hwid[i], want[i]);
}

static void check_mem(unsigned int i, paddr_t start, u64 len, u32 pxm, u32 flags)
{
	assert_true(i < desc.nr_mem);
	assert_int_equal(desc.mem[i].start, start);
	assert_int_equal(desc.mem[i].len, len);
	assert_int_equal(desc.mem[i].pxm, pxm);
	assert_int_equal(desc.mem[i].flags, flags);
}

static void check_aff(unsigned int i, u32 hwid, u32 pxm)
{
	assert_true(i < desc.nr_aff);
	assert_int_equal(desc.aff[i].hwid, hwid);
	assert_int_equal(desc.aff[i].pxm, pxm);
}

/* ---- MADT ------------------------------------------------------------------ */

static void test_madt_x86(void **state)
{
	static const u32 want[] = { 0, 2, 0x100 };
	const struct acpi_table_header *t;

	acpi_fx_begin(&fx, 2, ACPI_FX_BOTH);
	acpi_fx_madt_begin(&fx);
	acpi_fx_madt_lapic(&fx, 0, ACPI_MADT_ENABLED);
	acpi_fx_sub(&fx, 1, 12);		/* I/O APIC: skipped */
	acpi_fx_madt_lapic(&fx, 2, ACPI_MADT_ENABLED);
	acpi_fx_madt_lapic(&fx, 4, 0);		/* absent: silently skipped */
	acpi_fx_madt_lapic(&fx, 6, ACPI_MADT_ONLINE_CAPABLE);
	acpi_fx_madt_lsapic(&fx, 9, 9, ACPI_MADT_ENABLED);	/* not x86 */
	acpi_fx_madt_x2apic(&fx, 0x100, ACPI_MADT_ENABLED);
	acpi_fx_madt_x2apic(&fx, 0x101, ACPI_MADT_ONLINE_CAPABLE);
	acpi_fx_sub(&fx, 0x7f, 2);		/* unknown: skipped */
	t = close_table();

	assert_int_equal(acpi_parse_madt(t, &desc, false), 0);
	check_hwids(want, ARRAY_SIZE(want));
	assert_int_equal(desc.cpus_dropped, 0);
	assert_console_has("ACPI MADT: 3 CPUs present\n");
	assert_console_has("ACPI MADT: 2 online-capable CPUs are disabled; not used\n");
	assert_int_equal(console_count("\n"), 2);
}

static void test_madt_sapic(void **state)
{
	static const u32 want[] = { 0x0000, 0x0001, 0x0100, 0xfeff };
	const struct acpi_table_header *t;
	struct acpi_madt_lsapic *e;

	acpi_fx_begin(&fx, 2, ACPI_FX_BOTH);
	acpi_fx_madt_begin(&fx);
	acpi_fx_madt_lsapic(&fx, 0, 0, ACPI_MADT_ENABLED);
	acpi_fx_madt_lapic(&fx, 7, ACPI_MADT_ENABLED);		/* not ia64 */
	acpi_fx_madt_lsapic(&fx, 0, 1, ACPI_MADT_ENABLED);
	acpi_fx_madt_x2apic(&fx, 0x300, ACPI_MADT_ENABLED);	/* not ia64 */
	acpi_fx_madt_lsapic(&fx, 1, 0, ACPI_MADT_ENABLED);
	acpi_fx_madt_lsapic(&fx, 2, 0, 0);
	/* Exactly 16 bytes (no UID string) is accepted too. */
	e = acpi_fx_sub(&fx, ACPI_MADT_LSAPIC, 16);
	e->sapic_id = 0xfe;
	e->sapic_eid = 0xff;
	e->flags = ACPI_MADT_ENABLED;
	t = close_table();

	assert_int_equal(acpi_parse_madt(t, &desc, true), 0);
	check_hwids(want, ARRAY_SIZE(want));
	assert_console_has("ACPI MADT: 4 CPUs present\n");
}

static void test_madt_duplicates(void **state)
{
	static const u32 want[] = { 1, 2 };
	const struct acpi_table_header *t;

	acpi_fx_begin(&fx, 2, ACPI_FX_BOTH);
	acpi_fx_madt_begin(&fx);
	acpi_fx_madt_lapic(&fx, 1, ACPI_MADT_ENABLED);
	acpi_fx_madt_lapic(&fx, 1, ACPI_MADT_ENABLED);
	acpi_fx_madt_lapic(&fx, 2, ACPI_MADT_ENABLED);
	acpi_fx_madt_x2apic(&fx, 1, ACPI_MADT_ENABLED);
	acpi_fx_madt_lapic(&fx, 2, 0);		/* disabled: not a duplicate */
	t = close_table();

	assert_int_equal(acpi_parse_madt(t, &desc, false), 0);
	check_hwids(want, ARRAY_SIZE(want));
	assert_console_has("ACPI MADT: 2 duplicate CPU entries (first: id 0x1 at offset 52); "
			   "ignoring them\n");
	assert_console_has("ACPI MADT: 2 CPUs present\n");
}

static void test_madt_more_than_nr_cpus(void **state)
{
	const struct acpi_table_header *t;
	unsigned int i;

	acpi_fx_begin(&fx, 2, ACPI_FX_BOTH);
	acpi_fx_madt_begin(&fx);
	for (i = 0; i < CONFIG_NR_CPUS + 44; i++)
		acpi_fx_madt_x2apic(&fx, 1000 + i, ACPI_MADT_ENABLED);
	/* Beyond the limit, disabled and duplicate ones are not "dropped". */
	acpi_fx_madt_x2apic(&fx, 5000, ACPI_MADT_ONLINE_CAPABLE);
	acpi_fx_madt_x2apic(&fx, 1000, ACPI_MADT_ENABLED);
	t = close_table();

	prefill_desc();
	assert_int_equal(acpi_parse_madt(t, &desc, false), 0);
	assert_int_equal(desc.nr_cpus, CONFIG_NR_CPUS);
	assert_int_equal(desc.cpus_dropped, 44);
	for (i = 0; i < CONFIG_NR_CPUS; i++)
		assert_int_equal(desc.cpu_hwid[i], 1000 + i);
	console_assert_printed("ACPI MADT: 44 CPUs beyond NR_CPUS=%d are not used\n", CONFIG_NR_CPUS);
	assert_console_has("ACPI MADT: 1 duplicate CPU entries (first: id 0x3e8 at offset ");
	assert_console_has("ACPI MADT: 1 online-capable CPUs are disabled; not used\n");
}

/* Each case: a MADT with two good LAPICs and then something bad. */
static void test_madt_subtable_rules(void **state)
{
	static const struct {
		u8 type, room;		/* the bad subtable and the bytes it takes */
		u8 len;			/* what its length byte says */
		const char *line;
	} cases[] = {
		{ 0, 8, 0, "subtable at offset 60 has length 0; " },
		{ 0, 8, 1, "subtable at offset 60 has length 1; " },
		{ 0, 8, 9, "subtable at offset 60 (length 9) runs past the end at 68; " },
		{ 0, 8, 200, "subtable at offset 60 (length 200) runs past the end at 68; " },
		{ 0, 10, 10, "type 0 subtable at offset 60 has length 10, not 8; " },
		{ 0, 7, 7, "type 0 subtable at offset 60 has length 7, not 8; " },
		{ 9, 12, 12, "type 9 subtable at offset 60 has length 12, not 16; " },
		{ 9, 20, 20, "type 9 subtable at offset 60 has length 20, not 16; " },
		{ 7, 15, 15, "type 7 subtable at offset 60 has length 15, not at least 16; " },
	};
	unsigned int i;
	char line[256];

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		const struct acpi_table_header *t;
		struct acpi_subtable_header *h;

		console_clear();
		acpi_fx_begin(&fx, 2, ACPI_FX_BOTH);
		acpi_fx_madt_begin(&fx);
		acpi_fx_madt_lapic(&fx, 0, ACPI_MADT_ENABLED);
		acpi_fx_madt_lapic(&fx, 1, ACPI_MADT_ENABLED);
		h = acpi_fx_sub(&fx, cases[i].type, cases[i].room);
		h->length = cases[i].len;
		t = close_table();

		prefill_desc();
		/* Both modes: structure is checked whatever the mode reads. */
		assert_int_equal(acpi_parse_madt(t, &desc, i % 2), -EINVAL);
		snprintf(line, sizeof(line), "ACPI MADT: %s" MADT_FALLBACK, cases[i].line);
		assert_console_has(line);
		assert_int_equal(console_count("\n"), 1);
		assert_int_equal(desc.nr_cpus, 0);
		assert_int_equal(desc.cpus_dropped, 0);
		acpi_fx_end(&fx);
	}
}

static void test_madt_header_runs_past_end(void **state)
{
	const struct acpi_table_header *t;

	acpi_fx_begin(&fx, 2, ACPI_FX_BOTH);
	acpi_fx_madt_begin(&fx);
	acpi_fx_madt_lapic(&fx, 0, ACPI_MADT_ENABLED);
	acpi_fx_append(&fx, 1);
	t = close_table();

	prefill_desc();
	assert_int_equal(acpi_parse_madt(t, &desc, false), -EINVAL);
	assert_console_has("ACPI MADT: subtable header at offset 52 runs past the end at 53; "
			   MADT_FALLBACK);
	assert_int_equal(desc.nr_cpus, 0);
}

static void test_madt_too_short(void **state)
{
	const struct acpi_table_header *t;

	acpi_fx_begin(&fx, 2, ACPI_FX_BOTH);
	acpi_fx_table_begin(&fx, "APIC", 4);
	acpi_fx_append(&fx, 4);
	t = close_table();

	prefill_desc();
	assert_int_equal(acpi_parse_madt(t, &desc, false), -EINVAL);
	assert_console_has("ACPI MADT: length 40 shorter than 44; " MADT_FALLBACK);
	assert_int_equal(desc.nr_cpus, 0);
}

static void test_madt_empty(void **state)
{
	acpi_fx_begin(&fx, 2, ACPI_FX_BOTH);
	acpi_fx_madt_begin(&fx);
	prefill_desc();
	assert_int_equal(acpi_parse_madt(close_table(), &desc, false), 0);
	assert_int_equal(desc.nr_cpus, 0);
	assert_int_equal(desc.cpus_dropped, 0);
	assert_console_has("ACPI MADT: 0 CPUs present\n");
}

/* ---- SRAT ------------------------------------------------------------------ */

static void test_srat_qemu_four_nodes(void **state)
{
	static const u64 mem[] = { GiB(1), GiB(1), GiB(1), GiB(1) };
	static const unsigned int cpus[] = { 2, 2, 2, 2 };
	unsigned int i;

	acpi_fx_begin(&fx, 0, ACPI_FX_RSDT);
	acpi_fx_add_qemu(&fx, mem, cpus, 4, 8, NULL);
	acpi_fx_finish(&fx);

	assert_int_equal(acpi_parse_srat(acpi_fx_find(&fx, "SRAT"), &desc, false), 0);
	assert_true(desc.have_affinity);
	assert_false(desc.affinity_rejected);
	assert_int_equal(desc.nr_aff, 8);
	for (i = 0; i < 8; i++)
		check_aff(i, i, i / 2);
	assert_int_equal(desc.nr_mem, 5);
	check_mem(0, 0, 0xa0000, 0, 0);
	check_mem(1, 0x100000, GiB(1) - 0x100000, 0, 0);
	check_mem(2, GiB(1), GiB(1), 1, 0);
	check_mem(3, GiB(4), GiB(1), 2, 0);
	check_mem(4, GiB(5), GiB(1), 3, 0);
	assert_console_has("ACPI SRAT: 8 CPU and 5 memory affinity entries\n");
	assert_int_equal(console_count("\n"), 1);
}

static void test_srat_flags_and_disabled(void **state)
{
	const struct acpi_table_header *t;

	acpi_fx_begin(&fx, 2, ACPI_FX_BOTH);
	acpi_fx_srat_begin(&fx, 3);
	acpi_fx_srat_mem(&fx, 0, 0, GiB(2), ACPI_SRAT_ENABLED);
	acpi_fx_srat_mem(&fx, 1, GiB(4), GiB(4), ACPI_SRAT_ENABLED | ACPI_SRAT_HOTPLUGGABLE);
	acpi_fx_srat_mem(&fx, 1, GiB(8), GiB(1), ACPI_SRAT_ENABLED | ACPI_SRAT_NONVOLATILE);
	acpi_fx_srat_mem(&fx, 2, GiB(9), GiB(1),
			 ACPI_SRAT_ENABLED | ACPI_SRAT_HOTPLUGGABLE | ACPI_SRAT_NONVOLATILE);
	/* Disabled entries and other types are skipped. */
	acpi_fx_srat_mem(&fx, 3, GiB(16), GiB(1), ACPI_SRAT_HOTPLUGGABLE);
	acpi_fx_srat_cpu(&fx, 0, 0x12, 0x34, ACPI_SRAT_ENABLED);	/* x86: EID unused */
	acpi_fx_srat_cpu(&fx, 1, 1, 0, 0);
	acpi_fx_srat_x2apic(&fx, 1, 0x200, ACPI_SRAT_ENABLED);
	acpi_fx_srat_x2apic(&fx, 1, 0x201, 0);
	acpi_fx_sub(&fx, 3, 18);	/* GICC affinity */
	acpi_fx_sub(&fx, 0xee, 2);
	t = close_table();

	assert_int_equal(acpi_parse_srat(t, &desc, false), 0);
	assert_int_equal(desc.nr_mem, 4);
	check_mem(0, 0, GiB(2), 0, 0);
	check_mem(1, GiB(4), GiB(4), 1, TOPO_MEM_HOTPLUG);
	check_mem(2, GiB(8), GiB(1), 1, TOPO_MEM_NONVOLATILE);
	check_mem(3, GiB(9), GiB(1), 2, TOPO_MEM_HOTPLUG | TOPO_MEM_NONVOLATILE);
	assert_int_equal(desc.nr_aff, 2);
	check_aff(0, 0x12, 0);
	check_aff(1, 0x200, 1);
}

/* Start and length exactly as given: wraps and empty ranges are the core's to judge. */
static void test_srat_mem_values_as_given(void **state)
{
	acpi_fx_begin(&fx, 2, ACPI_FX_BOTH);
	acpi_fx_srat_begin(&fx, 3);
	acpi_fx_srat_mem(&fx, 7, 0xfffffffffffff000ULL, 0x2000, ACPI_SRAT_ENABLED);
	acpi_fx_srat_mem(&fx, 8, 0x123456789000ULL, 0, ACPI_SRAT_ENABLED);
	acpi_fx_srat_mem(&fx, 9, 0x80000000ULL, 0xffffffff00000000ULL, ACPI_SRAT_ENABLED);

	assert_int_equal(acpi_parse_srat(close_table(), &desc, false), 0);
	assert_int_equal(desc.nr_mem, 3);
	check_mem(0, 0xfffffffffffff000ULL, 0x2000, 7, 0);
	check_mem(1, 0x123456789000ULL, 0, 8, 0);
	check_mem(2, 0x80000000ULL, 0xffffffff00000000ULL, 9, 0);
}

/* Revision 1 SRATs have 8-bit proximity domains; the other bytes were reserved. */
static void test_srat_pxm_by_revision(void **state)
{
	static const struct {
		u8 revision;
		u32 cpu_pxm, mem_pxm;
	} cases[] = {
		{ 0, 0x04, 0x08 },
		{ 1, 0x04, 0x08 },
		{ 2, 0x01020304, 0x05060708 },
		{ 3, 0x01020304, 0x05060708 },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		memset(&desc, 0, sizeof(desc));
		acpi_fx_begin(&fx, 2, ACPI_FX_BOTH);
		acpi_fx_srat_begin(&fx, cases[i].revision);
		acpi_fx_srat_cpu(&fx, 0x01020304, 3, 0, ACPI_SRAT_ENABLED);
		acpi_fx_srat_mem(&fx, 0x05060708, 0, GiB(1), ACPI_SRAT_ENABLED);
		acpi_fx_srat_x2apic(&fx, 0x0a0b0c0d, 0x400, ACPI_SRAT_ENABLED);

		assert_int_equal(acpi_parse_srat(close_table(), &desc, false), 0);
		check_aff(0, 3, cases[i].cpu_pxm);
		check_mem(0, 0, GiB(1), cases[i].mem_pxm, 0);
		/* x2APIC affinity (ACPI 4.0) only ever had a 32-bit domain. */
		check_aff(1, 0x400, 0x0a0b0c0d);
		acpi_fx_end(&fx);
	}
}

static void test_srat_sapic(void **state)
{
	acpi_fx_begin(&fx, 2, ACPI_FX_BOTH);
	acpi_fx_srat_begin(&fx, 2);
	acpi_fx_srat_cpu(&fx, 0, 0x00, 0x00, ACPI_SRAT_ENABLED);
	acpi_fx_srat_cpu(&fx, 0, 0x00, 0x01, ACPI_SRAT_ENABLED);
	acpi_fx_srat_cpu(&fx, 0x10000, 0x12, 0x34, ACPI_SRAT_ENABLED);
	acpi_fx_srat_x2apic(&fx, 1, 0x500, ACPI_SRAT_ENABLED);
	acpi_fx_srat_x2apic(&fx, 1, 0x501, ACPI_SRAT_ENABLED);
	acpi_fx_srat_x2apic(&fx, 1, 0x502, 0);	/* disabled: not even counted */

	assert_int_equal(acpi_parse_srat(close_table(), &desc, true), 0);
	assert_int_equal(desc.nr_aff, 3);
	check_aff(0, 0x0000, 0);
	check_aff(1, 0x0001, 0);
	check_aff(2, 0x1234, 0x10000);
	assert_console_has("ACPI SRAT: 2 x2APIC affinity entries on a SAPIC system; "
			   "ignoring them\n");
	assert_console_has("ACPI SRAT: 3 CPU and 0 memory affinity entries\n");
}

/* QEMU pads with disabled entries: they do not count against the limit. */
static void test_srat_full_with_padding(void **state)
{
	unsigned int i;

	acpi_fx_begin(&fx, 2, ACPI_FX_BOTH);
	acpi_fx_srat_begin(&fx, 3);
	for (i = 0; i < TOPO_MAX_MEM; i++)
		acpi_fx_srat_mem(&fx, i % 4, GiB(i), GiB(1), ACPI_SRAT_ENABLED);
	for (i = 0; i < 10; i++)
		acpi_fx_srat_mem(&fx, 0, 0, 0, 0);
	for (i = 0; i < TOPO_MAX_AFF; i++)
		acpi_fx_srat_x2apic(&fx, i % 4, i, ACPI_SRAT_ENABLED);
	acpi_fx_srat_cpu(&fx, 0, 0, 0, 0);

	assert_int_equal(acpi_parse_srat(close_table(), &desc, false), 0);
	assert_int_equal(desc.nr_mem, TOPO_MAX_MEM);
	assert_int_equal(desc.nr_aff, TOPO_MAX_AFF);
	check_mem(TOPO_MAX_MEM - 1, GiB(TOPO_MAX_MEM - 1), GiB(1), 3, 0);
	check_aff(TOPO_MAX_AFF - 1, TOPO_MAX_AFF - 1, (TOPO_MAX_AFF - 1) % 4);
}

static void expect_srat_rejected(const char *line)
{
	assert_console_has(line);
	assert_int_equal(desc.nr_mem, 0);
	assert_int_equal(desc.nr_aff, 0);
	assert_false(desc.have_affinity);
	assert_true(desc.affinity_rejected);
	assert_console_lacks("affinity entries\n");
}

static void test_srat_too_many_memory_ranges(void **state)
{
	unsigned int i;

	acpi_fx_begin(&fx, 2, ACPI_FX_BOTH);
	acpi_fx_srat_begin(&fx, 3);
	acpi_fx_srat_cpu(&fx, 0, 0, 0, ACPI_SRAT_ENABLED);
	for (i = 0; i <= TOPO_MAX_MEM; i++)
		acpi_fx_srat_mem(&fx, 0, GiB(i), GiB(1), ACPI_SRAT_ENABLED);

	prefill_desc();
	assert_int_equal(acpi_parse_srat(close_table(), &desc, false), -EINVAL);
	expect_srat_rejected("ACPI SRAT: more than 256 memory ranges; " SRAT_FALLBACK);
}

static void test_srat_too_many_cpus(void **state)
{
	char line[256];
	unsigned int i;

	acpi_fx_begin(&fx, 2, ACPI_FX_BOTH);
	acpi_fx_srat_begin(&fx, 3);
	acpi_fx_srat_mem(&fx, 0, 0, GiB(1), ACPI_SRAT_ENABLED);
	for (i = 0; i < TOPO_MAX_AFF; i++)
		acpi_fx_srat_x2apic(&fx, 0, i, ACPI_SRAT_ENABLED);
	acpi_fx_srat_cpu(&fx, 0, 0, 0, ACPI_SRAT_ENABLED);

	assert_int_equal(acpi_parse_srat(close_table(), &desc, false), -EINVAL);
	snprintf(line, sizeof(line), "ACPI SRAT: more than %d CPU affinity entries; %s",
		 TOPO_MAX_AFF, SRAT_FALLBACK);
	expect_srat_rejected(line);
}

/* A bad subtable at the very end: nothing before it is kept. */
static void test_srat_bad_last_subtable_keeps_nothing(void **state)
{
	struct acpi_subtable_header *h;
	unsigned int i;

	acpi_fx_begin(&fx, 2, ACPI_FX_BOTH);
	acpi_fx_srat_begin(&fx, 3);
	for (i = 0; i < 3; i++)
		acpi_fx_srat_cpu(&fx, i, i, 0, ACPI_SRAT_ENABLED);
	for (i = 0; i < 4; i++)
		acpi_fx_srat_mem(&fx, i, GiB(i), GiB(1), ACPI_SRAT_ENABLED);
	h = acpi_fx_sub(&fx, ACPI_SRAT_MEM_AFFINITY, 40);
	h->length = 0;

	prefill_desc();
	assert_int_equal(acpi_parse_srat(close_table(), &desc, false), -EINVAL);
	expect_srat_rejected("ACPI SRAT: subtable at offset 256 has length 0; " SRAT_FALLBACK);
}

static void test_srat_subtable_rules(void **state)
{
	static const struct {
		u8 type, len;
		const char *line;
	} cases[] = {
		{ 0, 15, "type 0 subtable at offset 72 has length 15, not 16; " },
		{ 0, 17, "type 0 subtable at offset 72 has length 17, not 16; " },
		{ 1, 39, "type 1 subtable at offset 72 has length 39, not 40; " },
		{ 1, 48, "type 1 subtable at offset 72 has length 48, not 40; " },
		{ 2, 23, "type 2 subtable at offset 72 has length 23, not 24; " },
		{ 2, 0, "subtable at offset 72 has length 0; " },
		{ 5, 1, "subtable at offset 72 has length 1; " },
		{ 1, 255, "subtable at offset 72 (length 255) runs past the end at 132; " },
	};
	char line[256];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		struct acpi_subtable_header *h;

		console_clear();
		memset(&desc, 0, sizeof(desc));
		acpi_fx_begin(&fx, 2, ACPI_FX_BOTH);
		acpi_fx_srat_begin(&fx, 3);
		acpi_fx_srat_x2apic(&fx, 0, 0, ACPI_SRAT_ENABLED);
		/* 60 bytes of room: enough for every claimed length but the last. */
		h = acpi_fx_sub(&fx, cases[i].type, 60);
		h->length = cases[i].len;

		assert_int_equal(acpi_parse_srat(close_table(), &desc, i % 2), -EINVAL);
		snprintf(line, sizeof(line), "ACPI SRAT: %s" SRAT_FALLBACK, cases[i].line);
		expect_srat_rejected(line);
		assert_int_equal(console_count("\n"), 1);
		acpi_fx_end(&fx);
	}
}

static void test_srat_header_runs_past_end(void **state)
{
	acpi_fx_begin(&fx, 2, ACPI_FX_BOTH);
	acpi_fx_srat_begin(&fx, 3);
	acpi_fx_srat_cpu(&fx, 0, 0, 0, ACPI_SRAT_ENABLED);
	acpi_fx_append(&fx, 1);

	assert_int_equal(acpi_parse_srat(close_table(), &desc, false), -EINVAL);
	expect_srat_rejected("ACPI SRAT: subtable header at offset 64 runs past the end at 65; "
			     SRAT_FALLBACK);
}

static void test_srat_too_short(void **state)
{
	acpi_fx_begin(&fx, 2, ACPI_FX_BOTH);
	acpi_fx_table_begin(&fx, "SRAT", 3);
	acpi_fx_append(&fx, 11);

	assert_int_equal(acpi_parse_srat(close_table(), &desc, false), -EINVAL);
	expect_srat_rejected("ACPI SRAT: length 47 shorter than 48; " SRAT_FALLBACK);
}

/* ---- SLIT ------------------------------------------------------------------ */

static void test_slit_copied_row_major(void **state)
{
	static const u8 m[] = { 10, 16, 22, 28, 15, 10, 17, 23,
				21, 18, 10, 19, 27, 24, 20, 10 };

	acpi_fx_begin(&fx, 2, ACPI_FX_BOTH);
	acpi_fx_slit(&fx, 4, m);
	acpi_fx_finish(&fx);

	assert_int_equal(acpi_parse_slit(acpi_fx_find(&fx, "SLIT"), &desc), 0);
	assert_int_equal(desc.nr_localities, 4);
	assert_false(desc.distances_rejected);
	assert_memory_equal(desc.dist, m, sizeof(m));
	assert_console_has("ACPI SLIT: 4 localities\n");
}

/* Values are the core's to judge: a zero diagonal or 255 passes here. */
static void test_slit_values_not_judged(void **state)
{
	static const u8 m[] = { 0, 255, 1, 0 };

	acpi_fx_begin(&fx, 2, ACPI_FX_BOTH);
	acpi_fx_slit(&fx, 2, m);
	acpi_fx_finish(&fx);

	assert_int_equal(acpi_parse_slit(acpi_fx_find(&fx, "SLIT"), &desc), 0);
	assert_int_equal(desc.nr_localities, 2);
	assert_memory_equal(desc.dist, m, sizeof(m));
}

static void test_slit_largest(void **state)
{
	static u8 m[TOPO_MAX_LOCALITIES * TOPO_MAX_LOCALITIES];
	unsigned int i;

	for (i = 0; i < sizeof(m); i++)
		m[i] = (u8)(i * 7 + 3);
	acpi_fx_begin(&fx, 2, ACPI_FX_BOTH);
	acpi_fx_slit(&fx, TOPO_MAX_LOCALITIES, m);
	acpi_fx_finish(&fx);

	assert_int_equal(acpi_parse_slit(acpi_fx_find(&fx, "SLIT"), &desc), 0);
	assert_int_equal(desc.nr_localities, TOPO_MAX_LOCALITIES);
	assert_memory_equal(desc.dist, m, sizeof(m));
}

static void expect_slit_rejected(const struct acpi_table_header *t, const char *line)
{
	desc.nr_localities = 3;
	assert_int_equal(acpi_parse_slit(t, &desc), -EINVAL);
	assert_console_has(line);
	assert_int_equal(console_count("\n"), 1);
	assert_int_equal(desc.nr_localities, 0);
	assert_true(desc.distances_rejected);
}

static void test_slit_no_localities(void **state)
{
	acpi_fx_begin(&fx, 2, ACPI_FX_BOTH);
	acpi_fx_slit(&fx, 0, NULL);
	acpi_fx_finish(&fx);
	expect_slit_rejected(acpi_fx_find(&fx, "SLIT"),
			     "ACPI SLIT: no localities; " SLIT_FALLBACK);
}

static void test_slit_too_many_localities(void **state)
{
	acpi_fx_begin(&fx, 2, ACPI_FX_BOTH);
	acpi_fx_slit(&fx, TOPO_MAX_LOCALITIES + 1, NULL);
	acpi_fx_finish(&fx);
	expect_slit_rejected(acpi_fx_find(&fx, "SLIT"),
			     "ACPI SLIT: more than 256 localities (257); " SLIT_FALLBACK);
}

/* A huge count must not be squared into a small number. */
static void test_slit_huge_count(void **state)
{
	struct acpi_slit *s;

	acpi_fx_begin(&fx, 2, ACPI_FX_BOTH);
	s = (void *)acpi_fx_table_begin(&fx, "SLIT", 1);
	acpi_fx_append(&fx, 8 + 16);
	s->locality_count = 1ULL << 32;
	expect_slit_rejected(close_table(),
			     "ACPI SLIT: more than 256 localities (4294967296); " SLIT_FALLBACK);
}

static void test_slit_length_mismatch(void **state)
{
	struct acpi_slit *s;

	acpi_fx_begin(&fx, 2, ACPI_FX_BOTH);
	s = (void *)acpi_fx_table_begin(&fx, "SLIT", 1);
	acpi_fx_append(&fx, 8 + 10);
	s->locality_count = 3;
	expect_slit_rejected(close_table(), "ACPI SLIT: length 54 does not match "
					    "44 + count^2 = 53; " SLIT_FALLBACK);
}

static void test_slit_too_short(void **state)
{
	acpi_fx_begin(&fx, 2, ACPI_FX_BOTH);
	acpi_fx_table_begin(&fx, "SLIT", 1);
	acpi_fx_append(&fx, 4);
	expect_slit_rejected(close_table(), "ACPI SLIT: length 40 shorter than 44; " SLIT_FALLBACK);
}

/* ---- acpi_numa_describe ----------------------------------------------------- */

static void test_describe_qemu_machine(void **state)
{
	static const u64 mem[] = { GiB(2), GiB(2), GiB(2), GiB(2) };
	static const unsigned int cpus[] = { 1, 2, 1, 2 };
	static const u8 slit[] = { 10, 20, 30, 40, 20, 10, 20, 30,
				   30, 20, 10, 20, 40, 30, 20, 10 };
	static const u32 hwids[] = { 0, 1, 2, 3, 4, 5 };
	static const u32 pxms[] = { 0, 1, 1, 2, 3, 3 };
	unsigned int i;

	acpi_fx_begin(&fx, 0, ACPI_FX_RSDT);
	acpi_fx_add_qemu(&fx, mem, cpus, 4, 6, slit);
	acpi_fx_finish(&fx);
	assert_int_equal(acpi_tables_init(fx.rsdp), 4);

	acpi_numa_describe(&desc, false);
	assert_int_equal(desc.source, TOPO_SRC_ACPI);
	check_hwids(hwids, ARRAY_SIZE(hwids));
	assert_int_equal(desc.nr_aff, 6);
	for (i = 0; i < 6; i++)
		check_aff(i, hwids[i], pxms[i]);
	assert_int_equal(desc.nr_mem, 5);
	check_mem(0, 0, 0xa0000, 0, 0);
	check_mem(1, 0x100000, GiB(2) - 0x100000, 0, 0);
	check_mem(2, GiB(4), GiB(2), 1, 0);
	check_mem(3, GiB(6), GiB(2), 2, 0);
	check_mem(4, GiB(8), GiB(2), 3, 0);
	assert_int_equal(desc.nr_localities, 4);
	assert_memory_equal(desc.dist, slit, sizeof(slit));
	assert_false(desc.affinity_rejected);
	assert_false(desc.distances_rejected);
	assert_console_lacks("ignoring");
}

static void test_describe_without_numa_tables(void **state)
{
	acpi_fx_begin(&fx, 2, ACPI_FX_BOTH);
	acpi_fx_add_table(&fx, "FACP", NULL, 8);
	acpi_fx_finish(&fx);
	assert_int_equal(acpi_tables_init(fx.rsdp), 1);

	acpi_numa_describe(&desc, false);
	assert_int_equal(desc.source, TOPO_SRC_NONE);
	assert_int_equal(desc.nr_cpus, 0);
	assert_false(desc.have_affinity);
	assert_false(desc.affinity_rejected);
	assert_int_equal(desc.nr_localities, 0);
	assert_console_has("ACPI: no MADT; boot CPU only\n");
	assert_console_has("ACPI: no SRAT; one node\n");
}

/* A rejected SRAT leaves the source alone; the other tables are still read. */
static void test_describe_srat_rejected(void **state)
{
	static const u8 slit[] = { 10, 20, 20, 10 };

	acpi_fx_begin(&fx, 2, ACPI_FX_XSDT);
	acpi_fx_madt_begin(&fx);
	acpi_fx_madt_lapic(&fx, 0, ACPI_MADT_ENABLED);
	acpi_fx_madt_lapic(&fx, 1, ACPI_MADT_ENABLED);
	acpi_fx_table_end(&fx);
	acpi_fx_srat_begin(&fx, 3);
	acpi_fx_srat_cpu(&fx, 0, 0, 0, ACPI_SRAT_ENABLED);
	acpi_fx_sub(&fx, ACPI_SRAT_MEM_AFFINITY, 24);
	acpi_fx_table_end(&fx);
	acpi_fx_slit(&fx, 2, slit);
	acpi_fx_finish(&fx);
	assert_int_equal(acpi_tables_init(fx.rsdp), 3);

	acpi_numa_describe(&desc, false);
	assert_int_equal(desc.source, TOPO_SRC_NONE);
	assert_true(desc.affinity_rejected);
	assert_int_equal(desc.nr_aff, 0);
	assert_int_equal(desc.nr_cpus, 2);
	assert_int_equal(desc.nr_localities, 2);
	assert_console_has("ACPI SRAT: type 1 subtable at offset 64 has length 24, not 40; "
			   SRAT_FALLBACK);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_madt_x86),
		T(test_madt_sapic),
		T(test_madt_duplicates),
		T(test_madt_more_than_nr_cpus),
		T(test_madt_subtable_rules),
		T(test_madt_header_runs_past_end),
		T(test_madt_too_short),
		T(test_madt_empty),
		T(test_srat_qemu_four_nodes),
		T(test_srat_flags_and_disabled),
		T(test_srat_mem_values_as_given),
		T(test_srat_pxm_by_revision),
		T(test_srat_sapic),
		T(test_srat_full_with_padding),
		T(test_srat_too_many_memory_ranges),
		T(test_srat_too_many_cpus),
		T(test_srat_bad_last_subtable_keeps_nothing),
		T(test_srat_subtable_rules),
		T(test_srat_header_runs_past_end),
		T(test_srat_too_short),
		T(test_slit_copied_row_major),
		T(test_slit_values_not_judged),
		T(test_slit_largest),
		T(test_slit_no_localities),
		T(test_slit_too_many_localities),
		T(test_slit_huge_count),
		T(test_slit_length_mismatch),
		T(test_slit_too_short),
		T(test_describe_qemu_machine),
		T(test_describe_without_numa_tables),
		T(test_describe_srat_rejected),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
