/*
 * Hosted tests for arch/ia64/dig.c: DIG machines built with the ACPI
 * fixture (MADT local SAPIC entries, SRAT with EIDs, SLIT) described into
 * a struct topo_desc, with CPU ids (SAPIC id << 8 | EID) and proximity
 * domains checked one by one, and the cases where nothing usable is found.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

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

/* Two nodes of two CPUs each: node n's CPUs are SAPIC ids n and n + 2, EID n. */
struct dig_cpu {
	u8 sapic_id, eid;
	u32 pxm;
};

static const struct dig_cpu dig_cpus[] = {
	{ 0, 0, 0 },
	{ 2, 0, 0 },
	{ 1, 1, 1 },
	{ 3, 1, 1 },
};

/* A DIG box: memory in each node's 256 TiB window, as node bits would place it. */
static void build_dig(u8 srat_revision, u32 pxm_base)
{
	static const u8 slit[] = { 10, 17, 17, 10 };
	unsigned int i;

	acpi_fx_begin(&fx, 2, ACPI_FX_XSDT);
	acpi_fx_madt_begin(&fx);
	for (i = 0; i < ARRAY_SIZE(dig_cpus); i++)
		acpi_fx_madt_lsapic(&fx, dig_cpus[i].sapic_id, dig_cpus[i].eid,
				    ACPI_MADT_ENABLED);
	acpi_fx_madt_lsapic(&fx, 4, 2, 0);		/* an empty socket */
	acpi_fx_madt_lapic(&fx, 9, ACPI_MADT_ENABLED);	/* meaningless on ia64 */
	acpi_fx_table_end(&fx);

	acpi_fx_srat_begin(&fx, srat_revision);
	for (i = 0; i < ARRAY_SIZE(dig_cpus); i++)
		acpi_fx_srat_cpu(&fx, pxm_base + dig_cpus[i].pxm, dig_cpus[i].sapic_id,
				 dig_cpus[i].eid, ACPI_SRAT_ENABLED);
	acpi_fx_srat_cpu(&fx, pxm_base, 4, 2, 0);
	acpi_fx_srat_mem(&fx, pxm_base, 0, GiB(4), ACPI_SRAT_ENABLED);
	acpi_fx_srat_mem(&fx, pxm_base + 1, 1ULL << 48, GiB(4), ACPI_SRAT_ENABLED);
	acpi_fx_srat_mem(&fx, pxm_base + 1, (1ULL << 48) + GiB(4), GiB(4),
			 ACPI_SRAT_ENABLED | ACPI_SRAT_HOTPLUGGABLE);
	acpi_fx_srat_x2apic(&fx, pxm_base, 0x1000, ACPI_SRAT_ENABLED);
	acpi_fx_table_end(&fx);
	acpi_fx_slit(&fx, 2, slit);
	acpi_fx_finish(&fx);
}

static void check_cpus_and_memory(u32 pxm_base)
{
	unsigned int i;

	assert_int_equal(desc.nr_cpus, ARRAY_SIZE(dig_cpus));
	assert_int_equal(desc.nr_aff, ARRAY_SIZE(dig_cpus));
	for (i = 0; i < ARRAY_SIZE(dig_cpus); i++) {
		u32 hwid = (u32)dig_cpus[i].sapic_id << 8 | dig_cpus[i].eid;

		assert_int_equal(desc.cpu_hwid[i], hwid);
		assert_int_equal(desc.aff[i].hwid, hwid);
		assert_int_equal(desc.aff[i].pxm, pxm_base + dig_cpus[i].pxm);
	}
	assert_int_equal(desc.nr_mem, 3);
	assert_int_equal(desc.mem[0].start, 0);
	assert_int_equal(desc.mem[0].len, GiB(4));
	assert_int_equal(desc.mem[0].pxm, pxm_base);
	assert_int_equal(desc.mem[0].flags, 0);
	assert_int_equal(desc.mem[1].start, 1ULL << 48);
	assert_int_equal(desc.mem[1].pxm, pxm_base + 1);
	assert_int_equal(desc.mem[2].start, (1ULL << 48) + GiB(4));
	assert_int_equal(desc.mem[2].pxm, pxm_base + 1);
	assert_int_equal(desc.mem[2].flags, TOPO_MEM_HOTPLUG);
}

static void test_dig_machine(void **state)
{
	static const u8 slit[] = { 10, 17, 17, 10 };

	build_dig(2, 0);
	ia64_dig_describe(fx.rsdp, &desc);

	assert_int_equal(desc.source, TOPO_SRC_ACPI);
	assert_true(desc.have_affinity);
	check_cpus_and_memory(0);
	assert_int_equal(desc.cpu_hwid[2], 0x0101);
	assert_int_equal(desc.nr_localities, 2);
	assert_memory_equal(desc.dist, slit, sizeof(slit));
	assert_console_has("ACPI MADT: 4 CPUs present\n");
	assert_console_has("ACPI SRAT: 1 x2APIC affinity entries on a SAPIC system; "
			   "ignoring them\n");
}

/* Revision 2: proximity domains above 255 through pxm_hi. */
static void test_dig_wide_pxm(void **state)
{
	build_dig(2, 0x10200);
	ia64_dig_describe(fx.rsdp, &desc);
	assert_int_equal(desc.source, TOPO_SRC_ACPI);
	check_cpus_and_memory(0x10200);
}

/* Revision 1: only the low byte of each proximity domain counts. */
static void test_dig_revision1_pxm(void **state)
{
	build_dig(1, 0x10200);
	ia64_dig_describe(fx.rsdp, &desc);
	check_cpus_and_memory(0);
}

/* Local APIC entries only: no ia64 CPU is described. */
static void test_dig_lapic_only_madt(void **state)
{
	acpi_fx_begin(&fx, 2, ACPI_FX_XSDT);
	acpi_fx_madt_begin(&fx);
	acpi_fx_madt_lapic(&fx, 0, ACPI_MADT_ENABLED);
	acpi_fx_madt_x2apic(&fx, 1, ACPI_MADT_ENABLED);
	acpi_fx_table_end(&fx);
	acpi_fx_finish(&fx);

	ia64_dig_describe(fx.rsdp, &desc);
	assert_int_equal(desc.nr_cpus, 0);
	assert_int_equal(desc.source, TOPO_SRC_NONE);
	assert_console_has("ACPI MADT: 0 CPUs present\n");
	assert_console_has("ACPI: no SRAT; one node\n");
}

static void test_dig_without_acpi(void **state)
{
	ia64_dig_describe(NULL, &desc);
	assert_int_equal(desc.source, TOPO_SRC_NONE);
	assert_int_equal(desc.nr_cpus, 0);
	assert_int_equal(desc.nr_mem, 0);
	assert_console_has("ACPI: no RSDP; no ACPI tables used: one node, boot CPU only\n");
}

/* A broken RSDP: nothing is read, not even tables an earlier call found. */
static void test_dig_bad_rsdp(void **state)
{
	build_dig(2, 0);
	ia64_dig_describe(fx.rsdp, &desc);
	assert_int_equal(desc.nr_cpus, 4);

	memset(&desc, 0, sizeof(desc));
	fx.rsdp->checksum++;
	ia64_dig_describe(fx.rsdp, &desc);
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
		T(test_dig_machine),
		T(test_dig_wide_pxm),
		T(test_dig_revision1_pxm),
		T(test_dig_lapic_only_madt),
		T(test_dig_without_acpi),
		T(test_dig_bad_rsdp),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
