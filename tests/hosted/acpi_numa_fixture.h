/*
 * The fixture of the ACPI NUMA parser tests (test_acpi_numa.c: the MADT
 * and SRAT parsers; test_acpi_numa_describe.c: the SLIT parser, whole
 * machines and the boot CPU): an ACPI table fixture (support_acpi.c), the
 * description the parsers fill, the x86, SAPIC and SN2 PROM options, and
 * checkers. Each test binary includes it once and gets its own copy of
 * the statics.
 */
#ifndef HOSTED_ACPI_NUMA_FIXTURE_H
#define HOSTED_ACPI_NUMA_FIXTURE_H

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

#define MADT_FALLBACK "ignoring MADT: boot CPU only\n"
#define SRAT_FALLBACK "ignoring SRAT: one node with all memory and CPUs\n"
#define SLIT_FALLBACK "ignoring SLIT: distances 10 local, 20 remote\n"

static struct acpi_fixture fx;
static struct topo_desc desc;

/* The platforms the parsers are told about. */
static const struct acpi_numa_opts x86 = {.sapic = false};
static const struct acpi_numa_opts sapic = {.sapic = true};
static const struct acpi_numa_opts sn2 = {.sapic = true, .sn2_prom_srat = true};

static inline int setup(void **state)
{
	console_set_loglevel(LOG_DEBUG);
	console_clear();
	memset(&desc, 0, sizeof(desc));
	return 0;
}

static inline int teardown(void **state)
{
	acpi_fx_end(&fx);
	return 0;
}

/* Close the open table and the window (so reads past it are caught). */
static inline const struct acpi_table_header *close_table(void)
{
	const struct acpi_table_header *t = acpi_fx_table_end(&fx);

	acpi_fx_finish(&fx);
	return t;
}

/* Pretend an earlier parse filled everything, to see a rejection empty it. */
static inline void prefill_desc(void)
{
	desc.nr_cpus = 5;
	desc.cpus_dropped = 1;
	desc.nr_mem = 5;
	desc.nr_aff = 5;
	desc.have_affinity = true;
	desc.nr_localities = 5;
}

static inline void check_hwids(const u32 *want, unsigned int n)
{
	unsigned int i;

	assert_int_equal(desc.nr_cpus, n);
	for (i = 0; i < n; i++)
		assert_int_equal(desc.cpu_hwid[i], want[i]);
}

static inline void check_mem(unsigned int i, paddr_t start, u64 len, u32 pxm, u32 flags)
{
	assert_true(i < desc.nr_mem);
	assert_int_equal(desc.mem[i].start, start);
	assert_int_equal(desc.mem[i].len, len);
	assert_int_equal(desc.mem[i].pxm, pxm);
	assert_int_equal(desc.mem[i].flags, flags);
}

static inline void check_aff(unsigned int i, u32 hwid, u32 pxm)
{
	assert_true(i < desc.nr_aff);
	assert_int_equal(desc.aff[i].hwid, hwid);
	assert_int_equal(desc.aff[i].pxm, pxm);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

#endif /* HOSTED_ACPI_NUMA_FIXTURE_H */
