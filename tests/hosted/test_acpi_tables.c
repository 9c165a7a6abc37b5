/*
 * Hosted tests for hypervisor/acpi/tables.c: the RSDP checks (signature,
 * both checksums, revision and length), the choice between XSDT and RSDT,
 * every rule a root table or a listed table can break with its exact
 * console line, the ACPI_MAX_TABLES limit, acpi_find_table(), and random
 * corruption of a whole machine's tables run through the NUMA parsers too.
 * Tables come from the fixture in support_acpi.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <hv/acpi.h>
#include <hv/errno.h>
#include <hv/lib.h>
#include <hv/printk.h>

#include "fake_arch.h"
#include "support_acpi.h"

#define NO_ACPI "no ACPI tables used: one node, boot CPU only"

static struct acpi_fixture fx;

static int setup(void **state)
{
	console_set_loglevel(LOG_DEBUG);
	console_clear();
	return 0;
}

static int teardown(void **state)
{
	acpi_fx_end(&fx);
	return 0;
}

/* Add 1 to the byte at off of p. */
static void bump(void *p, size_t off)
{
	acpi_fx_w8(p, off, acpi_fx_r8(p, off) + 1);
}

static unsigned long long pa_of(const void *p)
{
	return (unsigned long long)acpi_fx_pa(&fx, p);
}

/* ---- checksums and the RSDP ------------------------------------------------- */

static void test_checksum_ok(void **state)
{
	static const u8 good[] = {0x10, 0x20, 0xd0};
	static const u8 bad[] = {0x10, 0x20, 0xd1};

	assert_true(acpi_checksum_ok(good, sizeof(good)));
	assert_false(acpi_checksum_ok(bad, sizeof(bad)));
	assert_true(acpi_checksum_ok(bad, 0));
	assert_false(acpi_checksum_ok(bad, 1));
}

static void test_no_rsdp(void **state)
{
	assert_int_equal(acpi_tables_init(NULL, fake_acpi_window()), -ENOENT);
	assert_console_has("ACPI: no RSDP; " NO_ACPI "\n");
	assert_null(acpi_find_table("APIC"));
}

static void test_rsdp_bad_signature(void **state)
{
	acpi_fx_begin(&fx, 2, ACPI_FX_BOTH);
	acpi_fx_add_table(&fx, "FACP", NULL, 8);
	acpi_fx_finish(&fx);
	memcpy((u8 *)fx.rsdp + FX_RSDP_SIGNATURE, "RSD PTR!", 8);
	acpi_fx_fix_rsdp(&fx);
	assert_int_equal(acpi_tables_init(fx.rsdp, fake_acpi_window()), -ENOENT);
	assert_console_has("ACPI RSDP: bad signature; " NO_ACPI "\n");
	assert_null(acpi_find_table("FACP"));
}

static void test_rsdp_bad_checksum(void **state)
{
	acpi_fx_begin(&fx, 0, ACPI_FX_RSDT);
	acpi_fx_add_table(&fx, "FACP", NULL, 8);
	acpi_fx_finish(&fx);
	bump(fx.rsdp, FX_RSDP_CHECKSUM);
	assert_int_equal(acpi_tables_init(fx.rsdp, fake_acpi_window()), -ENOENT);
	assert_console_has("ACPI RSDP: bad checksum; " NO_ACPI "\n");
	assert_null(acpi_find_table("FACP"));
}

/* QEMU's pc machine: revision 0 RSDP, RSDT only, four nodes. */
static void test_rsdt_only_revision0(void **state)
{
	static const u64 mem[] = {GiB(1), GiB(1), GiB(1), GiB(1)};
	static const unsigned int cpus[] = {2, 2, 2, 2};
	static const u8 slit[] = {10, 20, 20, 20, 20, 10, 20, 20, 20, 20, 10, 20, 20, 20, 20, 10};
	const char *sig[] = {"FACP", "APIC", "SRAT", "SLIT"};
	unsigned int i;

	acpi_fx_begin(&fx, 0, ACPI_FX_RSDT);
	acpi_fx_add_qemu(&fx, mem, cpus, 4, 8, slit);
	acpi_fx_finish(&fx);
	/* Past the 20 bytes of a revision 0 RSDP: must not be read. */
	acpi_fx_w32(fx.rsdp, FX_RSDP_LENGTH, 0xffffffff);
	acpi_fx_w64(fx.rsdp, FX_RSDP_XSDT, 0xdeadbeefULL);
	acpi_fx_w8(fx.rsdp, FX_RSDP_EXT_CHECKSUM, 0x5a);

	assert_int_equal(acpi_tables_init(fx.rsdp, fake_acpi_window()), 4);
	console_assert_printed("ACPI: using the RSDT at 0x%llx, 4 entries\n", pa_of(fx.rsdt));
	for (i = 0; i < 4; i++) {
		const void *t = acpi_fx_find(&fx, sig[i]);

		assert_ptr_equal(acpi_find_table(sig[i]), t);
		console_assert_printed("ACPI: %s at 0x%llx, %u bytes, OEM PROXFX\n", sig[i],
				       pa_of(t), acpi_fx_table_length(t));
	}
	assert_int_equal(acpi_fx_table_length(acpi_find_table("FACP")), 244);
	assert_null(acpi_find_table("XSDT"));
	assert_int_equal(console_count("\n"), 5);
}

static void test_xsdt_preferred(void **state)
{
	void *a, *b;

	acpi_fx_begin(&fx, 2, ACPI_FX_BOTH);
	a = acpi_fx_add_table(&fx, "AAAA", NULL, 4);
	b = acpi_fx_add_table(&fx, "BBBB", NULL, 4);
	acpi_fx_list_in(&fx, a, ACPI_FX_XSDT);
	acpi_fx_list_in(&fx, b, ACPI_FX_RSDT);
	acpi_fx_finish(&fx);

	assert_int_equal(acpi_tables_init(fx.rsdp, fake_acpi_window()), 1);
	assert_ptr_equal(acpi_find_table("AAAA"), a);
	assert_null(acpi_find_table("BBBB"));
	console_assert_printed("ACPI: using the XSDT at 0x%llx, 1 entry\n", pa_of(fx.xsdt));
	assert_console_lacks("RSDT");
}

/* A revision 2 RSDP whose XSDT address is 0 goes through the RSDT, silently. */
static void test_revision2_without_xsdt(void **state)
{
	acpi_fx_begin(&fx, 2, ACPI_FX_RSDT);
	acpi_fx_add_table(&fx, "FACP", NULL, 8);
	acpi_fx_finish(&fx);
	assert_int_equal(acpi_fx_r64(fx.rsdp, FX_RSDP_XSDT), 0);

	assert_int_equal(acpi_tables_init(fx.rsdp, fake_acpi_window()), 1);
	console_assert_printed("ACPI: using the RSDT at 0x%llx, 1 entry\n", pa_of(fx.rsdt));
	assert_console_lacks("ACPI RSDP");
}

/* Revision 1 never existed; it reads as 1.0 (20 bytes, RSDT). */
static void test_revision1_is_acpi1(void **state)
{
	acpi_fx_begin(&fx, 2, ACPI_FX_BOTH);
	acpi_fx_add_table(&fx, "FACP", NULL, 8);
	acpi_fx_finish(&fx);
	acpi_fx_w8(fx.rsdp, FX_RSDP_REVISION, 1);
	bump(fx.rsdp, FX_RSDP_EXT_CHECKSUM);
	acpi_fx_fix_rsdp(&fx);

	assert_int_equal(acpi_tables_init(fx.rsdp, fake_acpi_window()), 1);
	console_assert_printed("ACPI: using the RSDT at 0x%llx, 1 entry\n", pa_of(fx.rsdt));
}

/* ---- falling back from the XSDT to the RSDT ------------------------------------ */

/*
 * A revision 2 machine with table "XONL" only in the XSDT and "RONL" only in
 * the RSDT, so the tables found show which root table was walked.
 */
static void build_two_roots(void)
{
	acpi_fx_begin(&fx, 2, ACPI_FX_BOTH);
	acpi_fx_list_in(&fx, acpi_fx_add_table(&fx, "XONL", NULL, 4), ACPI_FX_XSDT);
	acpi_fx_list_in(&fx, acpi_fx_add_table(&fx, "RONL", NULL, 4), ACPI_FX_RSDT);
	acpi_fx_finish(&fx);
}

static void expect_rsdt_used(const char *line)
{
	assert_int_equal(acpi_tables_init(fx.rsdp, fake_acpi_window()), 1);
	assert_console_has(line);
	assert_non_null(acpi_find_table("RONL"));
	assert_null(acpi_find_table("XONL"));
	console_assert_printed("ACPI: using the RSDT at 0x%llx, 1 entry\n", pa_of(fx.rsdt));
}

static void test_rsdp_bad_extended_checksum(void **state)
{
	build_two_roots();
	bump(fx.rsdp, FX_RSDP_EXT_CHECKSUM);
	expect_rsdt_used("ACPI RSDP: bad extended checksum; using the RSDT\n");
}

static void test_rsdp_length_too_short(void **state)
{
	build_two_roots();
	acpi_fx_w32(fx.rsdp, FX_RSDP_LENGTH, 20);
	acpi_fx_fix_rsdp(&fx);
	expect_rsdt_used("ACPI RSDP: length 20 shorter than 36; using the RSDT\n");
}

static void test_rsdp_length_too_long(void **state)
{
	build_two_roots();
	acpi_fx_w32(fx.rsdp, FX_RSDP_LENGTH, 40);
	acpi_fx_fix_rsdp(&fx);
	expect_rsdt_used("ACPI RSDP: length 40 longer than the 36 bytes handed over; "
			 "using the RSDT\n");
}

static void test_xsdt_bad_checksum(void **state)
{
	build_two_roots();
	bump(fx.xsdt, FX_HDR_CHECKSUM);
	expect_rsdt_used("ACPI XSDT: bad checksum; using the RSDT\n");
}

static void test_xsdt_bad_signature(void **state)
{
	build_two_roots();
	memcpy((u8 *)fx.xsdt + FX_HDR_SIGNATURE, "XS\nT", 4);
	acpi_fx_fix_checksum(&fx, fx.xsdt);
	assert_int_equal(acpi_tables_init(fx.rsdp, fake_acpi_window()), 1);
	console_assert_printed("ACPI XSDT: bad signature \"XS?T\" at 0x%llx; using the RSDT\n",
			       pa_of(fx.xsdt));
	assert_non_null(acpi_find_table("RONL"));
}

static void test_xsdt_not_mapped(void **state)
{
	build_two_roots();
	acpi_fx_w64(fx.rsdp, FX_RSDP_XSDT, 0x1000000000ULL);
	acpi_fx_fix_rsdp(&fx);
	expect_rsdt_used("ACPI XSDT: header at 0x1000000000 is not mapped; using the RSDT\n");
}

static void test_xsdt_shorter_than_header(void **state)
{
	build_two_roots();
	acpi_fx_w32(fx.xsdt, FX_HDR_LENGTH, 35);
	acpi_fx_fix_checksum(&fx, fx.xsdt);
	expect_rsdt_used("ACPI XSDT: length 35 shorter than the header; using the RSDT\n");
}

static void test_xsdt_runs_past_mapped_memory(void **state)
{
	build_two_roots();
	/* The XSDT is the last thing laid out: one more byte is unmapped. */
	acpi_fx_w32(fx.xsdt, FX_HDR_LENGTH, acpi_fx_table_length(fx.xsdt) + 1);
	expect_rsdt_used("ACPI XSDT: length 45 runs past mapped memory; using the RSDT\n");
}

static void test_both_roots_bad(void **state)
{
	build_two_roots();
	bump(fx.xsdt, FX_HDR_CHECKSUM);
	memcpy((u8 *)fx.rsdt + FX_HDR_SIGNATURE, "RSDP", 4);
	acpi_fx_fix_checksum(&fx, fx.rsdt);
	assert_int_equal(acpi_tables_init(fx.rsdp, fake_acpi_window()), -ENOENT);
	assert_console_has("ACPI XSDT: bad checksum; using the RSDT\n");
	console_assert_printed("ACPI RSDT: bad signature \"RSDP\" at 0x%llx; " NO_ACPI "\n",
			       pa_of(fx.rsdt));
	assert_null(acpi_find_table("RONL"));
	assert_null(acpi_find_table("XONL"));
}

static void test_rsdt_bad_checksum(void **state)
{
	acpi_fx_begin(&fx, 0, ACPI_FX_RSDT);
	acpi_fx_add_table(&fx, "FACP", NULL, 8);
	acpi_fx_finish(&fx);
	acpi_fx_w8(fx.rsdt, FX_HDR_CHECKSUM, acpi_fx_r8(fx.rsdt, FX_HDR_CHECKSUM) ^ 0x80);
	assert_int_equal(acpi_tables_init(fx.rsdp, fake_acpi_window()), -ENOENT);
	assert_console_has("ACPI RSDT: bad checksum; " NO_ACPI "\n");
}

static void test_rsdt_address_zero(void **state)
{
	acpi_fx_begin(&fx, 0, ACPI_FX_RSDT);
	acpi_fx_finish(&fx);
	acpi_fx_w32(fx.rsdp, FX_RSDP_RSDT, 0);
	acpi_fx_fix_rsdp(&fx);
	assert_int_equal(acpi_tables_init(fx.rsdp, fake_acpi_window()), -ENOENT);
	assert_console_has("ACPI RSDT: header at 0x0 is not mapped; " NO_ACPI "\n");
}

static void test_root_length_not_whole_entries(void **state)
{
	acpi_fx_begin(&fx, 0, ACPI_FX_BOTH);
	acpi_fx_add_table(&fx, "FACP", NULL, 8);
	acpi_fx_finish(&fx);
	/* The XSDT follows the RSDT, so the 3 bytes more are mapped. */
	acpi_fx_w32(fx.rsdt, FX_HDR_LENGTH, acpi_fx_table_length(fx.rsdt) + 3);
	acpi_fx_fix_checksum(&fx, fx.rsdt);
	assert_int_equal(acpi_tables_init(fx.rsdp, fake_acpi_window()), 1);
	assert_console_has("ACPI RSDT: length 43 leaves 3 bytes after the last entry; "
			   "ignoring them\n");
	console_assert_printed("ACPI: using the RSDT at 0x%llx, 1 entry\n", pa_of(fx.rsdt));
}

/* ---- tables listed in the root table -------------------------------------------- */

static void test_bad_checksum_fallback_per_table(void **state)
{
	static const struct {
		const char *sig;
		const char *line;
	} cases[] = {
	    {"SRAT", "ACPI SRAT: bad checksum; ignoring SRAT: one node with all memory and CPUs\n"},
	    {"SLIT", "ACPI SLIT: bad checksum; ignoring SLIT: distances 10 local, 20 remote\n"},
	    {"APIC", "ACPI MADT: bad checksum; ignoring MADT: boot CPU only\n"},
	    {"FACP", "ACPI FACP: bad checksum; ignoring the table\n"},
	    {"\x01QZ\x7f", "ACPI ?QZ?: bad checksum; ignoring the table\n"},
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		void *t;

		console_clear();
		acpi_fx_begin(&fx, 2, ACPI_FX_BOTH);
		acpi_fx_add_table(&fx, "DSDT", NULL, 16);
		t = acpi_fx_add_table(&fx, cases[i].sig, NULL, 16);
		acpi_fx_add_table(&fx, "HPET", NULL, 16);
		acpi_fx_finish(&fx);
		bump(t, FX_HDR_SIZE + 4); /* a body byte */

		assert_int_equal(acpi_tables_init(fx.rsdp, fake_acpi_window()), 2);
		assert_console_has(cases[i].line);
		assert_int_equal(console_count("bad checksum"), 1);
		assert_null(acpi_find_table(cases[i].sig));
		assert_non_null(acpi_find_table("DSDT"));
		assert_non_null(acpi_find_table("HPET"));
		acpi_fx_end(&fx);
	}
}

static void test_table_shorter_than_header(void **state)
{
	void *t;

	acpi_fx_begin(&fx, 2, ACPI_FX_BOTH);
	t = acpi_fx_add_table(&fx, "SRAT", NULL, 12);
	acpi_fx_add_table(&fx, "SLIT", NULL, 12);
	acpi_fx_finish(&fx);
	acpi_fx_w32(t, FX_HDR_LENGTH, 20);
	acpi_fx_fix_checksum(&fx, t);

	assert_int_equal(acpi_tables_init(fx.rsdp, fake_acpi_window()), 1);
	assert_console_has("ACPI SRAT: length 20 shorter than the header; "
			   "ignoring SRAT: one node with all memory and CPUs\n");
	assert_null(acpi_find_table("SRAT"));
	assert_non_null(acpi_find_table("SLIT"));
}

static void test_table_runs_past_mapped_memory(void **state)
{
	void *t;

	acpi_fx_begin(&fx, 2, ACPI_FX_BOTH);
	t = acpi_fx_add_table(&fx, "SLIT", NULL, 12);
	acpi_fx_finish(&fx);
	acpi_fx_w32(t, FX_HDR_LENGTH, 0x100000);

	assert_int_equal(acpi_tables_init(fx.rsdp, fake_acpi_window()), 0);
	assert_console_has("ACPI SLIT: length 1048576 runs past mapped memory; "
			   "ignoring SLIT: distances 10 local, 20 remote\n");
	assert_null(acpi_find_table("SLIT"));
}

static void test_entries_not_mapped(void **state)
{
	acpi_fx_begin(&fx, 2, ACPI_FX_XSDT);
	acpi_fx_add_entry(&fx, 0, ACPI_FX_XSDT);
	acpi_fx_add_entry(&fx, 0x1000, ACPI_FX_XSDT);
	acpi_fx_add_table(&fx, "FACP", NULL, 8);
	/* All 64 bits of an XSDT entry count. */
	acpi_fx_add_entry(&fx, 0x100000000ULL + ACPI_FX_BASE, ACPI_FX_XSDT);
	/* The header would straddle the end of the window. */
	acpi_fx_add_entry(&fx, ACPI_FX_BASE + ACPI_FX_SIZE - 8, ACPI_FX_XSDT);
	acpi_fx_add_entry(&fx, ~0ULL - 4, ACPI_FX_XSDT);
	acpi_fx_finish(&fx);

	assert_int_equal(acpi_tables_init(fx.rsdp, fake_acpi_window()), 1);
	assert_non_null(acpi_find_table("FACP"));
	assert_console_has("ACPI: table at 0x0 is not mapped; ignoring the table\n");
	assert_console_has("ACPI: table at 0x1000 is not mapped; ignoring the table\n");
	console_assert_printed("ACPI: table at 0x%llx is not mapped; ignoring the table\n",
			       0x100000000ULL + ACPI_FX_BASE);
	console_assert_printed("ACPI: table at 0x%llx is not mapped; ignoring the table\n",
			       ACPI_FX_BASE + ACPI_FX_SIZE - 8);
	assert_console_has("ACPI: table at 0xfffffffffffffffb is not mapped; ignoring the table\n");
	console_assert_printed("ACPI: using the XSDT at 0x%llx, 6 entries\n", pa_of(fx.xsdt));
}

static void test_more_than_max_tables(void **state)
{
	unsigned int i;
	char sig[8];

	acpi_fx_begin(&fx, 2, ACPI_FX_XSDT);
	for (i = 0; i < ACPI_MAX_TABLES + 6; i++) {
		void *t;

		snprintf(sig, sizeof(sig), "T%03u", i);
		t = acpi_fx_add_table(&fx, sig, NULL, 0);
		/* Invalid ones do not take a place. */
		if (i == 3)
			bump(t, FX_HDR_CHECKSUM);
	}
	acpi_fx_finish(&fx);

	assert_int_equal(acpi_tables_init(fx.rsdp, fake_acpi_window()), ACPI_MAX_TABLES);
	assert_int_equal(console_count("ACPI: more than 64 valid tables; ignoring the rest\n"), 1);
	assert_null(acpi_find_table("T003"));
	assert_non_null(acpi_find_table("T064"));
	assert_null(acpi_find_table("T065"));
	assert_null(acpi_find_table("T069"));
}

static void test_init_replaces_earlier_tables(void **state)
{
	acpi_fx_begin(&fx, 2, ACPI_FX_BOTH);
	acpi_fx_add_table(&fx, "SRAT", NULL, 12);
	acpi_fx_finish(&fx);
	assert_int_equal(acpi_tables_init(fx.rsdp, fake_acpi_window()), 1);
	assert_non_null(acpi_find_table("SRAT"));
	acpi_fx_end(&fx);

	acpi_fx_begin(&fx, 0, ACPI_FX_RSDT);
	acpi_fx_add_table(&fx, "SLIT", NULL, 12);
	acpi_fx_finish(&fx);
	assert_int_equal(acpi_tables_init(fx.rsdp, fake_acpi_window()), 1);
	assert_null(acpi_find_table("SRAT"));
	assert_non_null(acpi_find_table("SLIT"));

	assert_int_equal(acpi_tables_init(NULL, fake_acpi_window()), -ENOENT);
	assert_null(acpi_find_table("SLIT"));
}

static void test_find_table(void **state)
{
	void *first;

	acpi_fx_begin(&fx, 2, ACPI_FX_BOTH);
	first = acpi_fx_add_table(&fx, "SSDT", NULL, 4);
	acpi_fx_add_table(&fx, "SSDT", NULL, 8);
	acpi_fx_add_table(&fx, "SR\0\0", NULL, 8);
	acpi_fx_finish(&fx);
	assert_int_equal(acpi_tables_init(fx.rsdp, fake_acpi_window()), 3);

	assert_ptr_equal(acpi_find_table("SSDT"), first);
	assert_null(acpi_find_table("SSD"));
	assert_null(acpi_find_table("SSDTX"));
	assert_null(acpi_find_table("SR"));
	assert_null(acpi_find_table(""));
	assert_null(acpi_find_table(NULL));
	assert_console_has("ACPI: SR?? at ");
}

/* ---- random corruption ---------------------------------------------------------- */

/* A revision 2 machine with everything the parsers read, pristine copy in saved. */
static void build_rich_machine(void)
{
	static const u64 mem[] = {GiB(2), GiB(1), GiB(3)};
	static const unsigned int cpus[] = {3, 2, 2};
	static const u8 slit[] = {10, 21, 31, 21, 10, 21, 31, 21, 10};

	acpi_fx_begin(&fx, 2, ACPI_FX_BOTH);
	acpi_fx_add_qemu(&fx, mem, cpus, 3, 3, slit);
	acpi_fx_srat_begin(&fx, 3);
	acpi_fx_srat_x2apic(&fx, 1, 0x200, FX_SRAT_CPU_ENABLED);
	acpi_fx_srat_mem(&fx, 2, 0x300000000ULL, GiB(1),
			 FX_SRAT_MEM_ENABLED | FX_SRAT_MEM_HOTPLUGGABLE);
	acpi_fx_table_end(&fx);
	acpi_fx_finish(&fx);
}

static void check_desc_invariants(const struct topo_desc *d)
{
	assert_true(d->nr_cpus <= CONFIG_NR_CPUS);
	assert_true(d->nr_mem <= TOPO_MAX_MEM);
	assert_true(d->nr_aff <= TOPO_MAX_AFF);
	assert_true(d->nr_localities <= TOPO_MAX_LOCALITIES);
	if (d->affinity_rejected)
		assert_true(d->nr_mem == 0 && d->nr_aff == 0 && !d->have_affinity);
	if (d->distances_rejected)
		assert_int_equal(d->nr_localities, 0);
	assert_true(d->source == TOPO_SRC_NONE || d->source == TOPO_SRC_ACPI);
	assert_int_equal(d->source == TOPO_SRC_ACPI, d->have_affinity);
}

/* Make every table in the window sum to 0 again, roots and RSDP included. */
static void fix_all_checksums(void)
{
	unsigned int i;

	for (i = 0; i < fx.nr_entries; i++) {
		u8 *t = acpi_fx_ptr(&fx, fx.entry[i].pa);

		if (acpi_fx_table_length(t) <= fx.used - (size_t)(t - fx.mem))
			acpi_fx_fix_checksum(&fx, t);
	}
	acpi_fx_fix_checksum(&fx, fx.rsdt);
	acpi_fx_fix_checksum(&fx, fx.xsdt);
	acpi_fx_fix_rsdp(&fx);
}

static void test_random_corruption(void **state)
{
	static struct topo_desc desc;
	static u8 saved[ACPI_FX_SIZE];
	unsigned int round;

	build_rich_machine();
	memcpy(saved, fx.mem, fx.used);
	test_rng_seed(0x5eed0acb1ULL);
	for (round = 0; round < 3000; round++) {
		unsigned int flips = 1 + test_rng() % 4, i;

		memcpy(fx.mem, saved, fx.used);
		for (i = 0; i < flips; i++)
			fx.mem[test_rng() % fx.used] ^= (u8)(1 + test_rng() % 255);
		if (test_rng() % 4)
			fix_all_checksums();
		memset(&desc, 0, sizeof(desc));
		console_clear();
		if (acpi_tables_init(fx.rsdp, fake_acpi_window()) >= 0)
			acpi_numa_describe(&desc, test_rng() % 2);
		check_desc_invariants(&desc);
	}
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_checksum_ok),
	    T(test_no_rsdp),
	    T(test_rsdp_bad_signature),
	    T(test_rsdp_bad_checksum),
	    T(test_rsdt_only_revision0),
	    T(test_xsdt_preferred),
	    T(test_revision2_without_xsdt),
	    T(test_revision1_is_acpi1),
	    T(test_rsdp_bad_extended_checksum),
	    T(test_rsdp_length_too_short),
	    T(test_rsdp_length_too_long),
	    T(test_xsdt_bad_checksum),
	    T(test_xsdt_bad_signature),
	    T(test_xsdt_not_mapped),
	    T(test_xsdt_shorter_than_header),
	    T(test_xsdt_runs_past_mapped_memory),
	    T(test_both_roots_bad),
	    T(test_rsdt_bad_checksum),
	    T(test_rsdt_address_zero),
	    T(test_root_length_not_whole_entries),
	    T(test_bad_checksum_fallback_per_table),
	    T(test_table_shorter_than_header),
	    T(test_table_runs_past_mapped_memory),
	    T(test_entries_not_mapped),
	    T(test_more_than_max_tables),
	    T(test_init_replaces_earlier_tables),
	    T(test_find_table),
	    T(test_random_corruption),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
