/*
 * Hosted tests for hypervisor/acpi/numa.c's MADT and SRAT parsers on
 * tables from the fixture in support_acpi.c, in x86, SAPIC and SN2 PROM
 * mode. Success paths are checked field by field; every subtable and
 * capacity rule is checked with its exact console line and with the
 * table's part of the description left empty (never half filled). The
 * SLIT, whole machines and the boot CPU are in test_acpi_numa_describe.c.
 */
#include "acpi_numa_fixture.h"

/* ---- MADT ------------------------------------------------------------------ */

static void test_madt_x86(void **state)
{
	static const u32 want[] = {0, 2, 0x100};
	const struct acpi_table_header *t;

	acpi_fx_begin(&fx, 2, ACPI_FX_BOTH);
	acpi_fx_madt_begin(&fx);
	acpi_fx_madt_lapic(&fx, 0, FX_MADT_ENABLED);
	acpi_fx_sub(&fx, 1, 12); /* I/O APIC: skipped */
	acpi_fx_madt_lapic(&fx, 2, FX_MADT_ENABLED);
	acpi_fx_madt_lapic(&fx, 4, 0); /* absent: silently skipped */
	acpi_fx_madt_lapic(&fx, 6, FX_MADT_ONLINE_CAPABLE);
	acpi_fx_madt_lsapic(&fx, 9, 9, FX_MADT_ENABLED); /* not x86 */
	acpi_fx_madt_x2apic(&fx, 0x100, FX_MADT_ENABLED);
	acpi_fx_madt_x2apic(&fx, 0x101, FX_MADT_ONLINE_CAPABLE);
	acpi_fx_sub(&fx, 0x7f, 2); /* unknown: skipped */
	t = close_table();

	assert_int_equal(acpi_parse_madt(t, &desc, &x86), 0);
	check_hwids(want, ARRAY_SIZE(want));
	assert_int_equal(desc.cpus_dropped, 0);
	assert_console_has("ACPI MADT: 3 CPUs present\n");
	assert_console_has("ACPI MADT: 2 online-capable CPUs are disabled; not used\n");
	assert_int_equal(console_count("\n"), 2);
}

/* An ia64 CPU id is SAPIC id << 8 | EID (Intel DIG; ACPI 6.0 5.2.12.10). */
static void test_madt_sapic(void **state)
{
	static const u32 want[] = {0x0000, 0x0001, 0x0100, 0xfeff};
	const struct acpi_table_header *t;

	acpi_fx_begin(&fx, 2, ACPI_FX_BOTH);
	acpi_fx_madt_begin(&fx);
	acpi_fx_madt_lsapic(&fx, 0, 0, FX_MADT_ENABLED);
	acpi_fx_madt_lapic(&fx, 7, FX_MADT_ENABLED); /* not ia64 */
	acpi_fx_madt_lsapic(&fx, 0, 1, FX_MADT_ENABLED);
	acpi_fx_madt_x2apic(&fx, 0x300, FX_MADT_ENABLED); /* not ia64 */
	acpi_fx_madt_lsapic(&fx, 1, 0, FX_MADT_ENABLED);
	acpi_fx_madt_lsapic(&fx, 2, 0, 0);
	acpi_fx_madt_lsapic_acpi2(&fx, 0xfe, 0xff, FX_MADT_ENABLED);
	t = close_table();

	assert_int_equal(acpi_parse_madt(t, &desc, &sapic), 0);
	check_hwids(want, ARRAY_SIZE(want));
	assert_console_has("ACPI MADT: 4 CPUs present\n");
}

/*
 * Local SAPIC entries of every length a firmware may write: 12 (ACPI 2.0,
 * ends after Flags), 16 (UID value, no string), 17 (empty string) and 24
 * (UID string "CPU7"), plus 255. Only bytes 0..11 are read.
 */
static void test_madt_lsapic_lengths(void **state)
{
	static const u8 lens[] = {12, 16, 17, 24, 255};
	static const u32 want[] = {0x0102, 0x0304, 0x0506, 0x0708, 0x090a};
	const struct acpi_table_header *t;
	unsigned int i;

	acpi_fx_begin(&fx, 2, ACPI_FX_BOTH);
	acpi_fx_madt_begin(&fx);
	for (i = 0; i < ARRAY_SIZE(lens); i++) {
		u8 *e = acpi_fx_sub(&fx, FX_MADT_LSAPIC, lens[i]);

		acpi_fx_w8(e, FX_LSAPIC_PROCESSOR_ID, (u8)i);
		acpi_fx_w8(e, FX_LSAPIC_ID, (u8)(2 * i + 1));
		acpi_fx_w8(e, FX_LSAPIC_EID, (u8)(2 * i + 2));
		acpi_fx_w32(e, FX_LSAPIC_FLAGS, FX_MADT_ENABLED);
		if (lens[i] >= 16)
			acpi_fx_w32(e, FX_LSAPIC_UID, 7);
		if (lens[i] == 24)
			memcpy(e + FX_LSAPIC_UID_STRING, "CPU7", 5);
	}
	t = close_table();

	assert_int_equal(acpi_parse_madt(t, &desc, &sapic), 0);
	check_hwids(want, ARRAY_SIZE(want));
	assert_console_has("ACPI MADT: 5 CPUs present\n");
	assert_int_equal(console_count("\n"), 1);
}

static void test_madt_duplicates(void **state)
{
	static const u32 want[] = {1, 2};
	const struct acpi_table_header *t;

	acpi_fx_begin(&fx, 2, ACPI_FX_BOTH);
	acpi_fx_madt_begin(&fx);
	acpi_fx_madt_lapic(&fx, 1, FX_MADT_ENABLED);
	acpi_fx_madt_lapic(&fx, 1, FX_MADT_ENABLED);
	acpi_fx_madt_lapic(&fx, 2, FX_MADT_ENABLED);
	acpi_fx_madt_x2apic(&fx, 1, FX_MADT_ENABLED);
	acpi_fx_madt_lapic(&fx, 2, 0); /* disabled: not a duplicate */
	t = close_table();

	assert_int_equal(acpi_parse_madt(t, &desc, &x86), 0);
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
		acpi_fx_madt_x2apic(&fx, 1000 + i, FX_MADT_ENABLED);
	/* Beyond the limit, disabled and duplicate ones are not "dropped". */
	acpi_fx_madt_x2apic(&fx, 5000, FX_MADT_ONLINE_CAPABLE);
	acpi_fx_madt_x2apic(&fx, 1000, FX_MADT_ENABLED);
	t = close_table();

	prefill_desc();
	assert_int_equal(acpi_parse_madt(t, &desc, &x86), 0);
	assert_int_equal(desc.nr_cpus, CONFIG_NR_CPUS);
	assert_int_equal(desc.cpus_dropped, 44);
	for (i = 0; i < CONFIG_NR_CPUS; i++)
		assert_int_equal(desc.cpu_hwid[i], 1000 + i);
	console_assert_printed("ACPI MADT: 44 CPUs beyond NR_CPUS=%d are not used\n",
			       CONFIG_NR_CPUS);
	assert_console_has("ACPI MADT: 1 duplicate CPU entries (first: id 0x3e8 at offset ");
	assert_console_has("ACPI MADT: 1 online-capable CPUs are disabled; not used\n");
}

/* Each case: a MADT with two good LAPICs and then something bad. */
static void test_madt_subtable_rules(void **state)
{
	static const struct {
		u8 type, room; /* the bad subtable and the bytes it takes */
		u8 len;	       /* what its length byte says */
		const char *line;
	} cases[] = {
	    {0, 8, 0, "subtable at offset 60 has length 0; "},
	    {0, 8, 1, "subtable at offset 60 has length 1; "},
	    {0, 8, 9, "subtable at offset 60 (length 9) runs past the end at 68; "},
	    {0, 8, 200, "subtable at offset 60 (length 200) runs past the end at 68; "},
	    {0, 10, 10, "type 0 subtable at offset 60 has length 10, not 8; "},
	    {0, 7, 7, "type 0 subtable at offset 60 has length 7, not 8; "},
	    {9, 12, 12, "type 9 subtable at offset 60 has length 12, not 16; "},
	    {9, 20, 20, "type 9 subtable at offset 60 has length 20, not 16; "},
	    {7, 11, 11, "type 7 subtable at offset 60 has length 11, not at least 12; "},
	    {7, 2, 2, "type 7 subtable at offset 60 has length 2, not at least 12; "},
	};
	unsigned int i;
	char line[256];

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		const struct acpi_table_header *t;
		u8 *h;

		console_clear();
		acpi_fx_begin(&fx, 2, ACPI_FX_BOTH);
		acpi_fx_madt_begin(&fx);
		acpi_fx_madt_lapic(&fx, 0, FX_MADT_ENABLED);
		acpi_fx_madt_lapic(&fx, 1, FX_MADT_ENABLED);
		h = acpi_fx_sub(&fx, cases[i].type, cases[i].room);
		acpi_fx_w8(h, FX_SUB_LENGTH, cases[i].len);
		t = close_table();

		prefill_desc();
		/* Both modes: structure is checked whatever the mode reads. */
		assert_int_equal(acpi_parse_madt(t, &desc, i % 2 ? &sapic : &x86), -EINVAL);
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
	acpi_fx_madt_lapic(&fx, 0, FX_MADT_ENABLED);
	acpi_fx_append(&fx, 1);
	t = close_table();

	prefill_desc();
	assert_int_equal(acpi_parse_madt(t, &desc, &x86), -EINVAL);
	assert_console_has(
	    "ACPI MADT: subtable header at offset 52 runs past the end at 53; " MADT_FALLBACK);
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
	assert_int_equal(acpi_parse_madt(t, &desc, &x86), -EINVAL);
	assert_console_has("ACPI MADT: length 40 shorter than 44; " MADT_FALLBACK);
	assert_int_equal(desc.nr_cpus, 0);
}

static void test_madt_empty(void **state)
{
	acpi_fx_begin(&fx, 2, ACPI_FX_BOTH);
	acpi_fx_madt_begin(&fx);
	prefill_desc();
	assert_int_equal(acpi_parse_madt(close_table(), &desc, &x86), 0);
	assert_int_equal(desc.nr_cpus, 0);
	assert_int_equal(desc.cpus_dropped, 0);
	assert_console_has("ACPI MADT: 0 CPUs present\n");
}

/* ---- SRAT ------------------------------------------------------------------ */

static void test_srat_qemu_four_nodes(void **state)
{
	static const u64 mem[] = {GiB(1), GiB(1), GiB(1), GiB(1)};
	static const unsigned int cpus[] = {2, 2, 2, 2};
	unsigned int i;

	acpi_fx_begin(&fx, 0, ACPI_FX_RSDT);
	acpi_fx_add_qemu(&fx, mem, cpus, 4, 8, NULL);
	acpi_fx_finish(&fx);

	assert_int_equal(acpi_parse_srat(acpi_fx_find(&fx, "SRAT"), &desc, &x86), 0);
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
	acpi_fx_srat_mem(&fx, 0, 0, GiB(2), FX_SRAT_MEM_ENABLED);
	acpi_fx_srat_mem(&fx, 1, GiB(4), GiB(4), FX_SRAT_MEM_ENABLED | FX_SRAT_MEM_HOTPLUGGABLE);
	acpi_fx_srat_mem(&fx, 1, GiB(8), GiB(1), FX_SRAT_MEM_ENABLED | FX_SRAT_MEM_NONVOLATILE);
	acpi_fx_srat_mem(&fx, 2, GiB(9), GiB(1),
			 FX_SRAT_CPU_ENABLED | FX_SRAT_MEM_HOTPLUGGABLE | FX_SRAT_MEM_NONVOLATILE);
	/* Disabled entries and other types are skipped. */
	acpi_fx_srat_mem(&fx, 3, GiB(16), GiB(1), FX_SRAT_MEM_HOTPLUGGABLE);
	acpi_fx_srat_cpu(&fx, 0, 0x12, 0x34, FX_SRAT_CPU_ENABLED); /* x86: EID unused */
	acpi_fx_srat_cpu(&fx, 1, 1, 0, 0);
	acpi_fx_srat_x2apic(&fx, 1, 0x200, FX_SRAT_CPU_ENABLED);
	acpi_fx_srat_x2apic(&fx, 1, 0x201, 0);
	acpi_fx_sub(&fx, FX_SRAT_GICC, FX_SRAT_GICC_SIZE);
	acpi_fx_sub(&fx, 0xee, 2);
	t = close_table();

	assert_int_equal(acpi_parse_srat(t, &desc, &x86), 0);
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
	acpi_fx_srat_mem(&fx, 7, 0xfffffffffffff000ULL, 0x2000, FX_SRAT_MEM_ENABLED);
	acpi_fx_srat_mem(&fx, 8, 0x123456789000ULL, 0, FX_SRAT_MEM_ENABLED);
	acpi_fx_srat_mem(&fx, 9, 0x80000000ULL, 0xffffffff00000000ULL, FX_SRAT_MEM_ENABLED);

	assert_int_equal(acpi_parse_srat(close_table(), &desc, &x86), 0);
	assert_int_equal(desc.nr_mem, 3);
	check_mem(0, 0xfffffffffffff000ULL, 0x2000, 7, 0);
	check_mem(1, 0x123456789000ULL, 0, 8, 0);
	check_mem(2, 0x80000000ULL, 0xffffffff00000000ULL, 9, 0);
}

/*
 * Proximity domain widths by SRAT revision (ACPI 6.0 5.2.16.1-2: 32 bits
 * since ACPI 3.0, SRAT revision 2; before, one byte and reserved bytes),
 * and the SGI SN2 PROM's revision 1 SRAT: processor entries use bits 0-15
 * (Proximity Domain [7:0] and the first byte of [31:8]), memory entries
 * all 32 bits, as Linux reads it on sn2. x2APIC affinity (ACPI 4.0) only
 * ever had a 32-bit domain.
 */
static void test_srat_pxm_by_revision(void **state)
{
	static const struct {
		u8 revision;
		const struct acpi_numa_opts *opts;
		u32 cpu_pxm, mem_pxm;
		const char *line; /* the reserved bits line, or NULL */
	} cases[] = {
	    {0, &x86, 0x04, 0x08,
	     "ACPI SRAT: 2 entries set proximity domain bits that "
	     "revision 0 reserves (first: 0x1020304 at offset 48); ignoring those bits\n"},
	    {1, &x86, 0x04, 0x08,
	     "ACPI SRAT: 2 entries set proximity domain bits that "
	     "revision 1 reserves (first: 0x1020304 at offset 48); ignoring those bits\n"},
	    {1, &sapic, 0x04, 0x08,
	     "ACPI SRAT: 2 entries set proximity domain bits that "
	     "revision 1 reserves (first: 0x1020304 at offset 48); ignoring those bits\n"},
	    {1, &sn2, 0x0304, 0x05060708,
	     "ACPI SRAT: 1 entry set proximity domain bits "
	     "that revision 1 reserves (first: 0x1020304 at offset 48); ignoring those "
	     "bits\n"},
	    {2, &x86, 0x01020304, 0x05060708, NULL},
	    {2, &sn2, 0x01020304, 0x05060708, NULL},
	    {3, &x86, 0x01020304, 0x05060708, NULL},
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		console_clear();
		memset(&desc, 0, sizeof(desc));
		acpi_fx_begin(&fx, 2, ACPI_FX_BOTH);
		acpi_fx_srat_begin(&fx, cases[i].revision);
		acpi_fx_srat_cpu(&fx, 0x01020304, 3, 0, FX_SRAT_CPU_ENABLED);
		acpi_fx_srat_mem(&fx, 0x05060708, 0, GiB(1), FX_SRAT_MEM_ENABLED);
		acpi_fx_srat_x2apic(&fx, 0x0a0b0c0d, 0x400, FX_SRAT_CPU_ENABLED);

		assert_int_equal(acpi_parse_srat(close_table(), &desc, cases[i].opts), 0);
		check_aff(0, cases[i].opts->sapic ? 0x300 : 3, cases[i].cpu_pxm);
		check_mem(0, 0, GiB(1), cases[i].mem_pxm, 0);
		if (!cases[i].opts->sapic)
			check_aff(1, 0x400, 0x0a0b0c0d);
		if (cases[i].line)
			assert_console_has(cases[i].line);
		else
			assert_console_lacks("reserves");
		acpi_fx_end(&fx);
	}
}

/* Domains within what the revision defines print nothing, whatever their size. */
static void test_srat_pxm_within_revision_quiet(void **state)
{
	acpi_fx_begin(&fx, 2, ACPI_FX_BOTH);
	acpi_fx_srat_begin(&fx, 1);
	acpi_fx_srat_cpu(&fx, 0xff, 1, 0, FX_SRAT_CPU_ENABLED);
	acpi_fx_srat_mem(&fx, 0xff, 0, GiB(1), FX_SRAT_MEM_ENABLED);
	/* Disabled entries are not read, so their bits do not count. */
	acpi_fx_srat_cpu(&fx, 0x100, 2, 0, 0);
	acpi_fx_srat_mem(&fx, 0x100, GiB(1), GiB(1), 0);

	assert_int_equal(acpi_parse_srat(close_table(), &desc, &x86), 0);
	check_aff(0, 1, 0xff);
	check_mem(0, 0, GiB(1), 0xff, 0);
	assert_console_lacks("reserves");
	assert_int_equal(console_count("\n"), 1);
}

/* The SN2 PROM's SRAT: revision 1, pxm = NASID >> 1 above 255, SAPIC ids. */
static void test_srat_sn2_prom(void **state)
{
	acpi_fx_begin(&fx, 2, ACPI_FX_BOTH);
	acpi_fx_srat_begin(&fx, 1);
	/* NASID 0x3fe, slice 1: LID id/eid 0x13fe, so SAPIC id 0x13, EID 0xfe; pxm 0x1ff. */
	acpi_fx_srat_cpu(&fx, 0x1ff, 0x13, 0xfe, FX_SRAT_CPU_ENABLED);
	/* NASID 0x3fe << 38 | AS 3 (cacheable) << 36 */
	acpi_fx_srat_mem(&fx, 0x1ff, 0xffb000000000ULL, GiB(2), FX_SRAT_MEM_ENABLED);

	assert_int_equal(acpi_parse_srat(close_table(), &desc, &sn2), 0);
	check_aff(0, 0x13fe, 0x1ff);
	check_mem(0, 0xffb000000000ULL, GiB(2), 0x1ff, 0);
	assert_console_lacks("reserves");
}

/*
 * A SRAT written out byte by byte from ACPI 6.0 5.2.16 (after the 36-byte
 * header): the reserved 1 and 8 reserved bytes, one processor entry and
 * one memory entry. Revision 1 (acpi_fx_add_table()).
 */
static void test_srat_literal_bytes(void **state)
{
	static const u8 body[] = {
	    0x01, 0x00, 0x00, 0x00, /* 36: reserved, 1 */
	    0, 0, 0, 0, 0, 0, 0, 0, /* 40: reserved */
	    /* 48: 5.2.16.1 Processor Local APIC/SAPIC Affinity */
	    0x00, 16,		    /* type 0, length 16 */
	    0x07,		    /* pxm [7:0] */
	    0x21,		    /* APIC ID */
	    0x01, 0x00, 0x00, 0x00, /* flags: enabled */
	    0x05,		    /* SAPIC EID */
	    0x00, 0x00, 0x00,	    /* pxm [31:8] */
	    0x00, 0x00, 0x00, 0x00, /* clock domain */
	    /* 64: 5.2.16.2 Memory Affinity */
	    0x01, 40,		    /* type 1, length 40 */
	    0x07, 0x00, 0x00, 0x00, /* pxm */
	    0x00, 0x00,		    /* reserved */
	    0x00, 0x00, 0x10, 0x80, /* base low */
	    0x02, 0x00, 0x00, 0x00, /* base high */
	    0x00, 0x00, 0x00, 0x40, /* length low */
	    0x01, 0x00, 0x00, 0x00, /* length high */
	    0x00, 0x00, 0x00, 0x00, /* reserved */
	    0x03, 0x00, 0x00, 0x00, /* flags: enabled, hot-pluggable */
	    0, 0, 0, 0, 0, 0, 0, 0, /* reserved */
	};
	const struct acpi_table_header *t;

	acpi_fx_begin(&fx, 2, ACPI_FX_BOTH);
	t = acpi_fx_add_table(&fx, "SRAT", body, sizeof(body));
	acpi_fx_finish(&fx);

	assert_int_equal(acpi_parse_srat(t, &desc, &x86), 0);
	check_aff(0, 0x21, 7);
	check_mem(0, 0x280100000ULL, 0x140000000ULL, 7, TOPO_MEM_HOTPLUG);
	assert_int_equal(acpi_parse_srat(t, &desc, &sapic), 0);
	check_aff(0, 0x2105, 7);
}

static void test_srat_sapic(void **state)
{
	acpi_fx_begin(&fx, 2, ACPI_FX_BOTH);
	acpi_fx_srat_begin(&fx, 2);
	acpi_fx_srat_cpu(&fx, 0, 0x00, 0x00, FX_SRAT_CPU_ENABLED);
	acpi_fx_srat_cpu(&fx, 0, 0x00, 0x01, FX_SRAT_CPU_ENABLED);
	acpi_fx_srat_cpu(&fx, 0x10000, 0x12, 0x34, FX_SRAT_CPU_ENABLED);
	acpi_fx_srat_x2apic(&fx, 1, 0x500, FX_SRAT_CPU_ENABLED);
	acpi_fx_srat_x2apic(&fx, 1, 0x501, FX_SRAT_CPU_ENABLED);
	acpi_fx_srat_x2apic(&fx, 1, 0x502, 0); /* disabled: not even counted */

	assert_int_equal(acpi_parse_srat(close_table(), &desc, &sapic), 0);
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
		acpi_fx_srat_mem(&fx, i % 4, GiB(i), GiB(1), FX_SRAT_MEM_ENABLED);
	for (i = 0; i < 10; i++)
		acpi_fx_srat_mem(&fx, 0, 0, 0, 0);
	for (i = 0; i < TOPO_MAX_AFF; i++)
		acpi_fx_srat_x2apic(&fx, i % 4, i, FX_SRAT_CPU_ENABLED);
	acpi_fx_srat_cpu(&fx, 0, 0, 0, 0);

	assert_int_equal(acpi_parse_srat(close_table(), &desc, &x86), 0);
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
	acpi_fx_srat_cpu(&fx, 0, 0, 0, FX_SRAT_CPU_ENABLED);
	for (i = 0; i <= TOPO_MAX_MEM; i++)
		acpi_fx_srat_mem(&fx, 0, GiB(i), GiB(1), FX_SRAT_MEM_ENABLED);

	prefill_desc();
	assert_int_equal(acpi_parse_srat(close_table(), &desc, &x86), -EINVAL);
	expect_srat_rejected("ACPI SRAT: more than 256 memory ranges; " SRAT_FALLBACK);
}

static void test_srat_too_many_cpus(void **state)
{
	char line[256];
	unsigned int i;

	acpi_fx_begin(&fx, 2, ACPI_FX_BOTH);
	acpi_fx_srat_begin(&fx, 3);
	acpi_fx_srat_mem(&fx, 0, 0, GiB(1), FX_SRAT_MEM_ENABLED);
	for (i = 0; i < TOPO_MAX_AFF; i++)
		acpi_fx_srat_x2apic(&fx, 0, i, FX_SRAT_CPU_ENABLED);
	acpi_fx_srat_cpu(&fx, 0, 0, 0, FX_SRAT_CPU_ENABLED);

	assert_int_equal(acpi_parse_srat(close_table(), &desc, &x86), -EINVAL);
	snprintf(line, sizeof(line), "ACPI SRAT: more than %d CPU affinity entries; %s",
		 TOPO_MAX_AFF, SRAT_FALLBACK);
	expect_srat_rejected(line);
}

/* A bad subtable at the very end: nothing before it is kept. */
static void test_srat_bad_last_subtable_keeps_nothing(void **state)
{
	unsigned int i;
	u8 *h;

	acpi_fx_begin(&fx, 2, ACPI_FX_BOTH);
	acpi_fx_srat_begin(&fx, 3);
	for (i = 0; i < 3; i++)
		acpi_fx_srat_cpu(&fx, i, i, 0, FX_SRAT_CPU_ENABLED);
	for (i = 0; i < 4; i++)
		acpi_fx_srat_mem(&fx, i, GiB(i), GiB(1), FX_SRAT_MEM_ENABLED);
	h = acpi_fx_sub(&fx, FX_SRAT_MEM, FX_SRAT_MEM_SIZE);
	acpi_fx_w8(h, FX_SUB_LENGTH, 0);

	prefill_desc();
	assert_int_equal(acpi_parse_srat(close_table(), &desc, &x86), -EINVAL);
	expect_srat_rejected("ACPI SRAT: subtable at offset 256 has length 0; " SRAT_FALLBACK);
}

static void test_srat_subtable_rules(void **state)
{
	static const struct {
		u8 type, len;
		const char *line;
	} cases[] = {
	    {0, 15, "type 0 subtable at offset 72 has length 15, not 16; "},
	    {0, 17, "type 0 subtable at offset 72 has length 17, not 16; "},
	    {1, 39, "type 1 subtable at offset 72 has length 39, not 40; "},
	    {1, 48, "type 1 subtable at offset 72 has length 48, not 40; "},
	    {2, 23, "type 2 subtable at offset 72 has length 23, not 24; "},
	    {2, 0, "subtable at offset 72 has length 0; "},
	    {5, 1, "subtable at offset 72 has length 1; "},
	    {1, 255, "subtable at offset 72 (length 255) runs past the end at 132; "},
	};
	char line[256];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		u8 *h;

		console_clear();
		memset(&desc, 0, sizeof(desc));
		acpi_fx_begin(&fx, 2, ACPI_FX_BOTH);
		acpi_fx_srat_begin(&fx, 3);
		acpi_fx_srat_x2apic(&fx, 0, 0, FX_SRAT_CPU_ENABLED);
		/* 60 bytes of room: enough for every claimed length but the last. */
		h = acpi_fx_sub(&fx, cases[i].type, 60);
		acpi_fx_w8(h, FX_SUB_LENGTH, cases[i].len);

		assert_int_equal(acpi_parse_srat(close_table(), &desc, i % 2 ? &sapic : &x86),
				 -EINVAL);
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
	acpi_fx_srat_cpu(&fx, 0, 0, 0, FX_SRAT_CPU_ENABLED);
	acpi_fx_append(&fx, 1);

	assert_int_equal(acpi_parse_srat(close_table(), &desc, &x86), -EINVAL);
	expect_srat_rejected(
	    "ACPI SRAT: subtable header at offset 64 runs past the end at 65; " SRAT_FALLBACK);
}

static void test_srat_too_short(void **state)
{
	acpi_fx_begin(&fx, 2, ACPI_FX_BOTH);
	acpi_fx_table_begin(&fx, "SRAT", 3);
	acpi_fx_append(&fx, 11);

	assert_int_equal(acpi_parse_srat(close_table(), &desc, &x86), -EINVAL);
	expect_srat_rejected("ACPI SRAT: length 47 shorter than 48; " SRAT_FALLBACK);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_madt_x86),
	    T(test_madt_sapic),
	    T(test_madt_lsapic_lengths),
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
	    T(test_srat_pxm_within_revision_quiet),
	    T(test_srat_sn2_prom),
	    T(test_srat_literal_bytes),
	    T(test_srat_sapic),
	    T(test_srat_full_with_padding),
	    T(test_srat_too_many_memory_ranges),
	    T(test_srat_too_many_cpus),
	    T(test_srat_bad_last_subtable_keeps_nothing),
	    T(test_srat_subtable_rules),
	    T(test_srat_header_runs_past_end),
	    T(test_srat_too_short),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
