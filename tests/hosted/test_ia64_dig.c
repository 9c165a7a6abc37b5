/*
 * Hosted tests for arch/ia64/dig.c: DIG machines built with the ACPI
 * fixture (MADT local SAPIC entries of ACPI 2.0 and 3.0, SRAT with EIDs
 * of revisions 1 and 2, SLIT) described into a struct topo_desc, with CPU
 * ids, proximity domains and addresses checked against literal values,
 * and the cases where nothing usable is found.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <hv/acpi.h>
#include <hv/lib.h>
#include <hv/printk.h>

#include "../../arch/ia64/dig.h"
#include "fake_arch.h"
#include "support_acpi.h"

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

/*
 * Two nodes of two CPUs each: node n's CPUs are SAPIC ids n and n + 2, EID
 * n. hwid is the id the CPU must get, written out from Intel's DIG / ACPI
 * definition (ACPI 6.0 5.2.12.10): SAPIC id << 8 | EID, the LID's id/eid.
 */
struct dig_cpu {
	u8 sapic_id, eid;
	u32 pxm;
	u32 hwid;
};

static const struct dig_cpu dig_cpus[] = {
    {0, 0, 0, 0x0000},
    {2, 0, 0, 0x0200},
    {1, 1, 1, 0x0101},
    {3, 1, 1, 0x0301},
};

/* Local SAPIC entries as ACPI 2.0 (12 bytes) or ACPI 3.0+ (17 bytes) write them. */
static void add_lsapic(bool acpi2, u8 sapic_id, u8 eid, u32 flags)
{
	if (acpi2)
		acpi_fx_madt_lsapic_acpi2(&fx, sapic_id, eid, flags);
	else
		acpi_fx_madt_lsapic(&fx, sapic_id, eid, flags);
}

/* A DIG box: node 1's memory at 256 TiB (0x1000000000000), as node bits would place it. */
static void build_dig(u8 srat_revision, u32 pxm_base, bool acpi2_madt)
{
	static const u8 slit[] = {10, 17, 17, 10};
	unsigned int i;

	acpi_fx_begin(&fx, 2, ACPI_FX_XSDT);
	acpi_fx_madt_begin(&fx);
	for (i = 0; i < ARRAY_SIZE(dig_cpus); i++)
		add_lsapic(acpi2_madt, dig_cpus[i].sapic_id, dig_cpus[i].eid, FX_MADT_ENABLED);
	add_lsapic(acpi2_madt, 4, 2, 0);	     /* an empty socket */
	acpi_fx_madt_lapic(&fx, 9, FX_MADT_ENABLED); /* meaningless on ia64 */
	acpi_fx_table_end(&fx);

	acpi_fx_srat_begin(&fx, srat_revision);
	for (i = 0; i < ARRAY_SIZE(dig_cpus); i++)
		acpi_fx_srat_cpu(&fx, pxm_base + dig_cpus[i].pxm, dig_cpus[i].sapic_id,
				 dig_cpus[i].eid, FX_SRAT_CPU_ENABLED);
	acpi_fx_srat_cpu(&fx, pxm_base, 4, 2, 0);
	acpi_fx_srat_mem(&fx, pxm_base, 0, 0x100000000ULL, FX_SRAT_MEM_ENABLED);
	acpi_fx_srat_mem(&fx, pxm_base + 1, 0x1000000000000ULL, 0x100000000ULL,
			 FX_SRAT_MEM_ENABLED);
	acpi_fx_srat_mem(&fx, pxm_base + 1, 0x1000100000000ULL, 0x100000000ULL,
			 FX_SRAT_MEM_ENABLED | FX_SRAT_MEM_HOTPLUGGABLE);
	acpi_fx_srat_x2apic(&fx, pxm_base, 0x1000, FX_SRAT_CPU_ENABLED);
	acpi_fx_table_end(&fx);
	acpi_fx_slit(&fx, 2, slit);
	acpi_fx_finish(&fx);
}

/* What build_dig() describes, pxm_seen being what pxm_base must read as. */
static void check_cpus_and_memory(u32 pxm_seen)
{
	unsigned int i;

	assert_int_equal(desc.nr_cpus, ARRAY_SIZE(dig_cpus));
	assert_int_equal(desc.nr_aff, ARRAY_SIZE(dig_cpus));
	for (i = 0; i < ARRAY_SIZE(dig_cpus); i++) {
		assert_int_equal(desc.cpu_hwid[i], dig_cpus[i].hwid);
		assert_int_equal(desc.aff[i].hwid, dig_cpus[i].hwid);
		assert_int_equal(desc.aff[i].pxm, pxm_seen + dig_cpus[i].pxm);
	}
	assert_int_equal(desc.nr_mem, 3);
	assert_int_equal(desc.mem[0].start, 0);
	assert_int_equal(desc.mem[0].len, 0x100000000ULL);
	assert_int_equal(desc.mem[0].pxm, pxm_seen);
	assert_int_equal(desc.mem[0].flags, 0);
	assert_int_equal(desc.mem[1].start, 0x1000000000000ULL);
	assert_int_equal(desc.mem[1].len, 0x100000000ULL);
	assert_int_equal(desc.mem[1].pxm, pxm_seen + 1);
	assert_int_equal(desc.mem[2].start, 0x1000100000000ULL);
	assert_int_equal(desc.mem[2].pxm, pxm_seen + 1);
	assert_int_equal(desc.mem[2].flags, TOPO_MEM_HOTPLUG);
}

static void test_dig_machine(void **state)
{
	static const u8 slit[] = {10, 17, 17, 10};

	build_dig(2, 0, false);
	ia64_dig_describe(fx.rsdp, fake_acpi_window(), &desc);

	assert_int_equal(desc.source, TOPO_SRC_ACPI);
	assert_true(desc.have_affinity);
	check_cpus_and_memory(0);
	assert_int_equal(desc.nr_localities, 2);
	assert_memory_equal(desc.dist, slit, sizeof(slit));
	assert_console_has("ACPI MADT: 4 CPUs present\n");
	assert_console_has("ACPI SRAT: 1 x2APIC affinity entries on a SAPIC system; "
			   "ignoring them\n");
}

/* An ACPI 2.0 MADT: 12-byte local SAPIC entries without a UID. */
static void test_dig_acpi2_madt(void **state)
{
	build_dig(1, 0, true);
	ia64_dig_describe(fx.rsdp, fake_acpi_window(), &desc);

	assert_int_equal(desc.source, TOPO_SRC_ACPI);
	check_cpus_and_memory(0);
	assert_console_has("ACPI MADT: 4 CPUs present\n");
	assert_console_lacks("ignoring MADT");
}

/* Revision 2: proximity domains above 255 through Proximity Domain [31:8]. */
static void test_dig_wide_pxm(void **state)
{
	build_dig(2, 0x10200, false);
	ia64_dig_describe(fx.rsdp, fake_acpi_window(), &desc);
	assert_int_equal(desc.source, TOPO_SRC_ACPI);
	check_cpus_and_memory(0x10200);
	assert_console_lacks("reserves");
}

/* Revision 1: only the low byte of each proximity domain counts (0x10200 -> 0). */
static void test_dig_revision1_pxm(void **state)
{
	build_dig(1, 0x10200, false);
	ia64_dig_describe(fx.rsdp, fake_acpi_window(), &desc);
	check_cpus_and_memory(0);
	assert_console_has("ACPI SRAT: 7 entries set proximity domain bits that revision 1 "
			   "reserves (first: 0x10200 at offset 48); ignoring those bits\n");
}

/* Local APIC entries only: no ia64 CPU is described. */
static void test_dig_lapic_only_madt(void **state)
{
	acpi_fx_begin(&fx, 2, ACPI_FX_XSDT);
	acpi_fx_madt_begin(&fx);
	acpi_fx_madt_lapic(&fx, 0, FX_MADT_ENABLED);
	acpi_fx_madt_x2apic(&fx, 1, FX_MADT_ENABLED);
	acpi_fx_table_end(&fx);
	acpi_fx_finish(&fx);

	ia64_dig_describe(fx.rsdp, fake_acpi_window(), &desc);
	assert_int_equal(desc.nr_cpus, 0);
	assert_int_equal(desc.source, TOPO_SRC_NONE);
	assert_console_has("ACPI MADT: 0 CPUs present\n");
	assert_console_has("ACPI: no SRAT; one node\n");
}

static void test_dig_without_acpi(void **state)
{
	ia64_dig_describe(NULL, fake_acpi_window(), &desc);
	assert_int_equal(desc.source, TOPO_SRC_NONE);
	assert_int_equal(desc.nr_cpus, 0);
	assert_int_equal(desc.nr_mem, 0);
	assert_console_has("ACPI: no RSDP; no ACPI tables used: one node, boot CPU only\n");
}

/* A broken RSDP: nothing is read, not even tables an earlier call found. */
static void test_dig_bad_rsdp(void **state)
{
	build_dig(2, 0, false);
	ia64_dig_describe(fx.rsdp, fake_acpi_window(), &desc);
	assert_int_equal(desc.nr_cpus, 4);

	memset(&desc, 0, sizeof(desc));
	acpi_fx_w8(fx.rsdp, FX_RSDP_CHECKSUM, acpi_fx_r8(fx.rsdp, FX_RSDP_CHECKSUM) + 1);
	ia64_dig_describe(fx.rsdp, fake_acpi_window(), &desc);
	assert_int_equal(desc.source, TOPO_SRC_NONE);
	assert_int_equal(desc.nr_cpus, 0);
	assert_int_equal(desc.nr_aff, 0);
	assert_console_has("ACPI RSDP: bad checksum; no ACPI tables used: one node, "
			   "boot CPU only\n");
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_dig_machine),       T(test_dig_acpi2_madt),	    T(test_dig_wide_pxm),
	    T(test_dig_revision1_pxm), T(test_dig_lapic_only_madt), T(test_dig_without_acpi),
	    T(test_dig_bad_rsdp),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
