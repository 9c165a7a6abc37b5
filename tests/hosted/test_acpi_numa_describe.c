/*
 * Hosted tests for hypervisor/acpi/numa.c beyond the MADT and SRAT: the
 * SLIT parser (copied row-major, values left to the core, count and
 * length rules with their exact lines), acpi_numa_describe() on whole
 * machines (QEMU-like, missing, SRAT without SLIT, rejected tables) and
 * acpi_boot_cpu_first().
 */
#include "acpi_numa_fixture.h"

/* ---- SLIT ------------------------------------------------------------------ */

static void test_slit_copied_row_major(void **state)
{
	static const u8 m[] = {10, 16, 22, 28, 15, 10, 17, 23, 21, 18, 10, 19, 27, 24, 20, 10};

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
	static const u8 m[] = {0, 255, 1, 0};

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
	expect_slit_rejected(acpi_fx_find(&fx, "SLIT"), "ACPI SLIT: no localities; " SLIT_FALLBACK);
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
	u8 *s;

	acpi_fx_begin(&fx, 2, ACPI_FX_BOTH);
	s = acpi_fx_table_begin(&fx, "SLIT", 1);
	acpi_fx_append(&fx, 8 + 16);
	acpi_fx_w64(s, FX_SLIT_COUNT, 1ULL << 32);
	expect_slit_rejected(close_table(),
			     "ACPI SLIT: more than 256 localities (4294967296); " SLIT_FALLBACK);
}

static void test_slit_length_mismatch(void **state)
{
	u8 *s;

	acpi_fx_begin(&fx, 2, ACPI_FX_BOTH);
	s = acpi_fx_table_begin(&fx, "SLIT", 1);
	acpi_fx_append(&fx, 8 + 10);
	acpi_fx_w64(s, FX_SLIT_COUNT, 3);
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
	static const u64 mem[] = {GiB(2), GiB(2), GiB(2), GiB(2)};
	static const unsigned int cpus[] = {1, 2, 1, 2};
	static const u8 slit[] = {10, 20, 30, 40, 20, 10, 20, 30, 30, 20, 10, 20, 40, 30, 20, 10};
	static const u32 hwids[] = {0, 1, 2, 3, 4, 5};
	static const u32 pxms[] = {0, 1, 1, 2, 3, 3};
	unsigned int i;

	acpi_fx_begin(&fx, 0, ACPI_FX_RSDT);
	acpi_fx_add_qemu(&fx, mem, cpus, 4, 6, slit);
	acpi_fx_finish(&fx);
	assert_int_equal(acpi_tables_init(fx.rsdp, fake_acpi_window()), 4);

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
	assert_int_equal(acpi_tables_init(fx.rsdp, fake_acpi_window()), 1);

	acpi_numa_describe(&desc, false);
	assert_int_equal(desc.source, TOPO_SRC_NONE);
	assert_int_equal(desc.nr_cpus, 0);
	assert_false(desc.have_affinity);
	assert_false(desc.affinity_rejected);
	assert_int_equal(desc.nr_localities, 0);
	assert_console_has("ACPI: no MADT; boot CPU only\n");
	assert_console_has("ACPI: no SRAT; one node\n");
}

/* An SRAT without a SLIT: one line says which distances are assumed. */
static void test_describe_srat_without_slit(void **state)
{
	static const u64 mem[] = {GiB(2), GiB(2)};
	static const unsigned int cpus[] = {1, 1};

	acpi_fx_begin(&fx, 0, ACPI_FX_RSDT);
	acpi_fx_add_qemu(&fx, mem, cpus, 2, 0, NULL);
	acpi_fx_finish(&fx);
	assert_int_equal(acpi_tables_init(fx.rsdp, fake_acpi_window()), 3);

	acpi_numa_describe(&desc, false);
	assert_int_equal(desc.source, TOPO_SRC_ACPI);
	assert_int_equal(desc.nr_localities, 0);
	assert_console_has("ACPI: no SLIT; distances 10 local, 20 remote\n");
}

/* A rejected SRAT leaves the source alone; the other tables are still read. */
static void test_describe_srat_rejected(void **state)
{
	static const u8 slit[] = {10, 20, 20, 10};

	acpi_fx_begin(&fx, 2, ACPI_FX_XSDT);
	acpi_fx_madt_begin(&fx);
	acpi_fx_madt_lapic(&fx, 0, FX_MADT_ENABLED);
	acpi_fx_madt_lapic(&fx, 1, FX_MADT_ENABLED);
	acpi_fx_table_end(&fx);
	acpi_fx_srat_begin(&fx, 3);
	acpi_fx_srat_cpu(&fx, 0, 0, 0, FX_SRAT_CPU_ENABLED);
	acpi_fx_sub(&fx, FX_SRAT_MEM, 24);
	acpi_fx_table_end(&fx);
	acpi_fx_slit(&fx, 2, slit);
	acpi_fx_finish(&fx);
	assert_int_equal(acpi_tables_init(fx.rsdp, fake_acpi_window()), 3);

	acpi_numa_describe(&desc, false);
	assert_int_equal(desc.source, TOPO_SRC_NONE);
	assert_true(desc.affinity_rejected);
	assert_int_equal(desc.nr_aff, 0);
	assert_int_equal(desc.nr_cpus, 2);
	assert_int_equal(desc.nr_localities, 2);
	assert_console_has(
	    "ACPI SRAT: type 1 subtable at offset 64 has length 24, not 40; " SRAT_FALLBACK);
}

/* ---- acpi_boot_cpu_first --------------------------------------------------- */

static void test_boot_cpu_moves_to_the_front(void **state)
{
	static const u32 want[] = {5, 1, 3, 7};

	desc.nr_cpus = 4;
	desc.cpu_hwid[0] = 1;
	desc.cpu_hwid[1] = 3;
	desc.cpu_hwid[2] = 5;
	desc.cpu_hwid[3] = 7;
	acpi_boot_cpu_first(&desc, 5);
	assert_int_equal(desc.nr_cpus, 4);
	assert_memory_equal(desc.cpu_hwid, want, sizeof(want));
	assert_console_empty();
}

static void test_boot_cpu_missing_is_added(void **state)
{
	static const u32 want[] = {9, 1, 3};

	desc.nr_cpus = 2;
	desc.cpu_hwid[0] = 1;
	desc.cpu_hwid[1] = 3;
	acpi_boot_cpu_first(&desc, 9);
	assert_int_equal(desc.nr_cpus, 3);
	assert_memory_equal(desc.cpu_hwid, want, sizeof(want));
	assert_console_has("ACPI MADT: the boot CPU (APIC id 9) is not listed; adding it\n");
}

/* No CPU list at all (no MADT): the boot CPU alone, quietly. */
static void test_boot_cpu_alone(void **state)
{
	acpi_boot_cpu_first(&desc, 4);
	assert_int_equal(desc.nr_cpus, 1);
	assert_int_equal(desc.cpu_hwid[0], 4);
	assert_console_empty();
}

/* A full list makes room: its last CPU is dropped and counted. */
static void test_boot_cpu_full_list(void **state)
{
	unsigned int i;

	desc.nr_cpus = CONFIG_NR_CPUS;
	for (i = 0; i < CONFIG_NR_CPUS; i++)
		desc.cpu_hwid[i] = 100 + i;
	acpi_boot_cpu_first(&desc, 7);
	assert_int_equal(desc.nr_cpus, CONFIG_NR_CPUS);
	assert_int_equal(desc.cpus_dropped, 1);
	assert_int_equal(desc.cpu_hwid[0], 7);
	assert_int_equal(desc.cpu_hwid[1], 100);
	assert_int_equal(desc.cpu_hwid[CONFIG_NR_CPUS - 1], 100 + CONFIG_NR_CPUS - 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
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
	    T(test_describe_srat_without_slit),
	    T(test_describe_srat_rejected),
	    T(test_boot_cpu_moves_to_the_front),
	    T(test_boot_cpu_missing_is_added),
	    T(test_boot_cpu_alone),
	    T(test_boot_cpu_full_list),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
