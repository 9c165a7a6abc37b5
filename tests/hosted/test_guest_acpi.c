/*
 * Hosted tests for hypervisor/guest_acpi.c, the builder of a guest's ACPI
 * tables. The builder is not trusted: every expected value is a literal
 * from the ACPI specification or the fixture, every field is read back
 * at the specification's byte offsets (the FX_* constants of
 * support_acpi.h, never the builder's structs), checksums are summed here,
 * and the tables are then parsed by Proxima's own ACPI code
 * (hypervisor/acpi/) through a fake window at the guest address. Every
 * rejected description must leave the buffer exactly as it was.
 *
 * With PROXIMA_ACPI_DUMP_DIR set, the two-node fixture's tables are also
 * written to <dir>/rsdp.dat, xsdt.dat, apic.dat, srat.dat, slit.dat,
 * facp.dat and dsdt.dat (raw bytes, one table each) for tests/make/test_guest_acpi_iasl.py to
 * decode with iasl -d.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <hv/acpi.h>
#include <hv/errno.h>
#include <hv/guest_acpi.h>
#include <hv/lib.h>
#include <hv/printk.h>
#include <hv/topology.h>

#include "fake_arch.h"
#include "support_acpi.h"

#define BASE 0xe0000ULL /* where the guest will see the tables */
#define BUF_SIZE 16384
#define FILL 0xa5

static u8 buf[BUF_SIZE];
static struct guest_vnuma vn;
static struct topo_desc desc;

/* Where each table must be, and how long: literal numbers worked out from the spec's sizes. */
struct expect {
	size_t used;
	size_t madt, madt_len;
	size_t srat, srat_len;
	size_t slit, slit_len;
	size_t fadt, dsdt; /* 276 and 96 bytes long */
};

static int setup(void **state)
{
	memset(&vn, 0, sizeof(vn));
	memset(&desc, 0, sizeof(desc));
	memset(buf, FILL, sizeof(buf));
	console_set_loglevel(LOG_DEBUG);
	console_clear();
	return 0;
}

static int teardown(void **state)
{
	fake_acpi_unmap();
	return 0;
}

/* ---- fixtures ------------------------------------------------------------- */

static void set_distances(unsigned int n, const u8 *m)
{
	unsigned int i, j;

	for (i = 0; i < n; i++)
		for (j = 0; j < n; j++)
			vn.distance[i][j] = m[i * n + j];
}

static void add_range(u64 start, u64 end, u8 vnode)
{
	vn.range[vn.nr_ranges++] = (struct guest_acpi_range){start, end, vnode, false};
}

/* A PC guest: one node, one vCPU, 640 KiB and 1 MiB .. 0x4060000. */
static void fixture_pc(void)
{
	vn.nr_vnodes = 1;
	vn.nr_vcpus = 1;
	vn.vcpu_vnode[0] = 0;
	add_range(0, 0xa0000, 0);
	add_range(0x100000, 0x4060000, 0);
	vn.distance[0][0] = 10;
}

static const struct expect expect_pc = {
    .used = 736,    /* the DSDT's end */
    .madt = 112,    /* after the XSDT: 40 + 36 + 4 * 8, to 8 bytes */
    .madt_len = 52, /* 44 + 1 * 8 */
    .srat = 168,
    .srat_len = 144, /* 48 + 1 * 16 + 2 * 40 */
    .slit = 312,
    .slit_len = 45, /* 44 + 1 */
    .fadt = 360,    /* 357 to 8 bytes */
    .dsdt = 640,    /* 360 + 276 to 8 bytes */
};

/* Two nodes, vCPUs 0-1 on node 0 and 2-3 on node 1, distances 10/21. */
static const u8 dist_2node[] = {10, 21, 21, 10};

static void fixture_2node(void)
{
	vn.nr_vnodes = 2;
	vn.nr_vcpus = 4;
	vn.vcpu_vnode[0] = 0;
	vn.vcpu_vnode[1] = 0;
	vn.vcpu_vnode[2] = 1;
	vn.vcpu_vnode[3] = 1;
	add_range(0, 0xa0000, 0);
	add_range(0x100000, 0x40000000, 0);
	add_range(0x40000000, 0x80000000, 1);
	set_distances(2, dist_2node);
}

static const struct expect expect_2node = {
    .used = 848,
    .madt = 112,
    .madt_len = 76, /* 44 + 4 * 8 */
    .srat = 192,
    .srat_len = 232, /* 48 + 4 * 16 + 3 * 40 */
    .slit = 424,
    .slit_len = 48, /* 44 + 4 */
    .fadt = 472,
    .dsdt = 752,
};

/* Four nodes, one vCPU each (in reverse), 255 marking unreachable pairs. */
static const u8 dist_4node[] = {
    10, 20, 255, 30, 20, 10, 30, 255, 255, 30, 10, 20, 30, 255, 20, 10,
};

static void fixture_4node(void)
{
	vn.nr_vnodes = 4;
	vn.nr_vcpus = 4;
	vn.vcpu_vnode[0] = 3;
	vn.vcpu_vnode[1] = 2;
	vn.vcpu_vnode[2] = 1;
	vn.vcpu_vnode[3] = 0;
	add_range(0x100000, 0x10000000, 0);
	add_range(0x10000000, 0x20000000, 1);
	add_range(0x20000000, 0x30000000, 2);
	add_range(0x100000000ULL, 0x110000000ULL, 3);
	set_distances(4, dist_4node);
}

static const struct expect expect_4node = {
    .used = 904,
    .madt = 112,
    .madt_len = 76, /* 44 + 4 * 8 */
    .srat = 192,
    .srat_len = 272, /* 48 + 4 * 16 + 4 * 40 */
    .slit = 464,
    .slit_len = 60, /* 44 + 16 */
    .fadt = 528,
    .dsdt = 808,
};

/* ---- checks at the specification's offsets --------------------------------- */

static unsigned int byte_sum(const u8 *p, size_t len)
{
	unsigned int s = 0;

	while (len--)
		s += *p++;
	return s & 0xff;
}

static void check_header(const u8 *t, const char *sig, u32 len, u8 rev)
{
	assert_memory_equal(t + FX_HDR_SIGNATURE, sig, 4);
	assert_int_equal(acpi_fx_r32(t, FX_HDR_LENGTH), len);
	assert_int_equal(acpi_fx_r8(t, FX_HDR_REVISION), rev);
	assert_memory_equal(t + FX_HDR_OEM_ID, "PRXIMA", 6);
	assert_memory_equal(t + FX_HDR_OEM_TABLE_ID, "PROXIMA ", 8);
	assert_int_equal(acpi_fx_r32(t, FX_HDR_OEM_REVISION), 1);
	assert_memory_equal(t + FX_HDR_CREATOR_ID, "PRXM", 4);
	assert_int_equal(acpi_fx_r32(t, FX_HDR_CREATOR_REVISION), 1);
	assert_int_equal(byte_sum(t, len), 0);
}

/*
 * A Generic Address Structure (ACPI 6.2 §5.2.3.2) at offset off: system
 * I/O (space 1), 8 bits at bit 0, byte access (1), the port.
 */
static void check_gas_port(const u8 *t, size_t off, u64 port)
{
	assert_int_equal(acpi_fx_r8(t, off), 1);
	assert_int_equal(acpi_fx_r8(t, off + 1), 8);
	assert_int_equal(acpi_fx_r8(t, off + 2), 0);
	assert_int_equal(acpi_fx_r8(t, off + 3), 1);
	assert_int_equal(acpi_fx_r64(t, off + 4), port);
}

/*
 * The FADT (ACPI 6.2 §5.2.9, table 5-34: revision 6, 276 bytes) of a
 * hardware-reduced platform: Flags (offset 112) HW_REDUCED_ACPI (bit 20),
 * PWR_BUTTON (4) and SLP_BUTTON (5); IAPC_BOOT_ARCH (109) VGA Not Present
 * (bit 2) and CMOS RTC Not Present (bit 5); minor version (131) 2; the
 * DSDT by X_DSDT (140) alone; the sleep control (244) and status (256)
 * registers at I/O ports 0x600 and 0x601; every fixed-hardware block,
 * SCI and SMI command 0. The DSDT (§5.2.11.1, revision 2, 96 bytes) holds
 * the AML (§20.2) of Name (_S5, Package (2) { 5, 5 }) and, in Scope
 * (\_SB), Device (COM1) with _HID EisaId ("PNP0501") (the EISA id
 * compressed, §6.1.5: 0x0105d041), _UID 1 and a _CRS of one I/O port
 * descriptor (§6.4.2.5: 0x47, decode 16, 0x3f8 to 0x3f8, alignment 1,
 * length 8) and the end tag (0x79 0x00): no interrupt.
 */
static void check_fadt_dsdt(const struct expect *e)
{
	static const u8 aml[] = {
	    0x08, 0x5f, 0x53, 0x35, 0x5f, 0x12, 0x06, 0x02, 0x0a, 0x05, 0x0a, 0x05, /* _S5 */
	    0x10, 0x2f, 0x5f, 0x53, 0x42, 0x5f,					    /* Scope */
	    0x5b, 0x82, 0x28, 0x43, 0x4f, 0x4d, 0x31,				    /* COM1 */
	    0x08, 0x5f, 0x48, 0x49, 0x44, 0x0c, 0x41, 0xd0, 0x05, 0x01,		    /* _HID */
	    0x08, 0x5f, 0x55, 0x49, 0x44, 0x01,					    /* _UID */
	    0x08, 0x5f, 0x43, 0x52, 0x53, 0x11, 0x0d, 0x0a, 0x0a,		    /* _CRS */
	    0x47, 0x01, 0xf8, 0x03, 0xf8, 0x03, 0x01, 0x08, 0x79, 0x00};
	const u8 *f = buf + e->fadt, *d = buf + e->dsdt;
	size_t off;

	check_header(f, "FACP", 276, 6);
	assert_int_equal(acpi_fx_r32(f, 112), (1U << 20) | (1U << 4) | (1U << 5));
	assert_int_equal(acpi_fx_r8(f, 109) | acpi_fx_r8(f, 110) << 8, (1U << 2) | (1U << 5));
	assert_int_equal(acpi_fx_r8(f, 131), 2);
	assert_int_equal(acpi_fx_r32(f, 40), 0);
	assert_int_equal(acpi_fx_r64(f, 140), BASE + e->dsdt);
	check_gas_port(f, 244, 0x600);
	check_gas_port(f, 256, 0x601);
	/* FIRMWARE_CTRL to GPE1_BASE (36-94), RESET_REG to X_FIRMWARE_CTRL, X_PM1a.. X_GPE1 */
	for (off = 36; off < 40; off++)
		assert_int_equal(f[off], 0);
	for (off = 44; off < 109; off++)
		assert_int_equal(f[off], 0);
	for (off = 116; off < 131; off++)
		assert_int_equal(f[off], 0);
	for (off = 148; off < 244; off++)
		assert_int_equal(f[off], 0);

	check_header(d, "DSDT", 96, 2);
	assert_memory_equal(d + 36, aml, sizeof(aml));
}

static void check_root(const struct expect *e)
{
	const u8 *x = buf + 40;

	/* RSDP, revision 2 */
	assert_memory_equal(buf + FX_RSDP_SIGNATURE, "RSD PTR ", 8);
	assert_int_equal(byte_sum(buf, FX_RSDP_V1_SIZE), 0);
	assert_memory_equal(buf + FX_RSDP_OEM_ID, "PRXIMA", 6);
	assert_int_equal(acpi_fx_r8(buf, FX_RSDP_REVISION), 2);
	assert_int_equal(acpi_fx_r32(buf, FX_RSDP_RSDT), 0);
	assert_int_equal(acpi_fx_r32(buf, FX_RSDP_LENGTH), 36);
	assert_int_equal(acpi_fx_r64(buf, FX_RSDP_XSDT), 0xe0028); /* BASE + 40 */
	assert_int_equal(byte_sum(buf, FX_RSDP_V2_SIZE), 0);
	assert_int_equal(acpi_fx_r8(buf, 33) | acpi_fx_r8(buf, 34) | acpi_fx_r8(buf, 35), 0);

	/* XSDT at 40: header and four 8-byte pointers */
	check_header(x, "XSDT", 68, 1);
	assert_int_equal(acpi_fx_r64(x, 36), BASE + e->madt);
	assert_int_equal(acpi_fx_r64(x, 44), BASE + e->srat);
	assert_int_equal(acpi_fx_r64(x, 52), BASE + e->slit);
	assert_int_equal(acpi_fx_r64(x, 60), BASE + e->fadt);
	check_fadt_dsdt(e);
}

/* The MADT: vCPU i is processor UID i, APIC id i, enabled. */
static void check_madt(const struct expect *e, unsigned int nr_vcpus)
{
	const u8 *t = buf + e->madt;
	unsigned int i;

	check_header(t, "APIC", e->madt_len, 4);
	assert_int_equal(acpi_fx_r32(t, FX_MADT_LAPIC_ADDRESS), 0xfee00000);
	assert_int_equal(acpi_fx_r32(t, FX_MADT_FLAGS), 0);
	for (i = 0; i < nr_vcpus; i++) {
		const u8 *s = t + FX_MADT_SIZE + i * 8;

		assert_int_equal(acpi_fx_r8(s, FX_SUB_TYPE), 0);
		assert_int_equal(acpi_fx_r8(s, FX_SUB_LENGTH), 8);
		assert_int_equal(acpi_fx_r8(s, FX_LAPIC_UID), i);
		assert_int_equal(acpi_fx_r8(s, FX_LAPIC_ID), i);
		assert_int_equal(acpi_fx_r32(s, FX_LAPIC_FLAGS), 1);
	}
}

/* An SRAT processor entry at index i. */
static void check_srat_cpu(const struct expect *e, unsigned int i, u8 apic, u32 pxm)
{
	const u8 *s = buf + e->srat + FX_SRAT_SIZE + i * 16;

	assert_int_equal(acpi_fx_r8(s, FX_SUB_TYPE), 0);
	assert_int_equal(acpi_fx_r8(s, FX_SUB_LENGTH), 16);
	assert_int_equal(acpi_fx_r8(s, FX_SRAT_CPU_PXM_LO), pxm & 0xff);
	assert_int_equal(acpi_fx_r8(s, FX_SRAT_CPU_APIC_ID), apic);
	assert_int_equal(acpi_fx_r32(s, FX_SRAT_CPU_FLAGS), 1);
	assert_int_equal(acpi_fx_r8(s, FX_SRAT_CPU_EID), 0);
	assert_int_equal(acpi_fx_r8(s, FX_SRAT_CPU_PXM_HI), (pxm >> 8) & 0xff);
	assert_int_equal(acpi_fx_r8(s, FX_SRAT_CPU_PXM_HI + 1), (pxm >> 16) & 0xff);
	assert_int_equal(acpi_fx_r8(s, FX_SRAT_CPU_PXM_HI + 2), pxm >> 24);
	assert_int_equal(acpi_fx_r32(s, FX_SRAT_CPU_CLOCK), 0);
}

/* An SRAT memory entry at index i, after nr_cpus processor entries, with its flags. */
static void check_srat_mem_flags(const struct expect *e, unsigned int nr_cpus, unsigned int i,
				 u64 base, u64 len, u32 pxm, u32 flags)
{
	const u8 *s = buf + e->srat + FX_SRAT_SIZE + nr_cpus * 16 + i * 40;

	assert_int_equal(acpi_fx_r8(s, FX_SUB_TYPE), 1);
	assert_int_equal(acpi_fx_r8(s, FX_SUB_LENGTH), 40);
	assert_int_equal(acpi_fx_r32(s, FX_SRAT_MEM_PXM), pxm);
	assert_int_equal(acpi_fx_r32(s, FX_SRAT_MEM_BASE_LO), (u32)base);
	assert_int_equal(acpi_fx_r32(s, FX_SRAT_MEM_BASE_HI), base >> 32);
	assert_int_equal(acpi_fx_r32(s, FX_SRAT_MEM_LENGTH_LO), (u32)len);
	assert_int_equal(acpi_fx_r32(s, FX_SRAT_MEM_LENGTH_HI), len >> 32);
	assert_int_equal(acpi_fx_r32(s, FX_SRAT_MEM_FLAGS), flags);
	assert_int_equal(acpi_fx_r32(s, 6) | acpi_fx_r32(s, 24), 0);
	assert_int_equal(acpi_fx_r64(s, 32), 0);
}

/* The same, enabled (flags bit 0, ACPI 6.2 table 5-76) and not hot-pluggable. */
static void check_srat_mem(const struct expect *e, unsigned int nr_cpus, unsigned int i, u64 base,
			   u64 len, u32 pxm)
{
	check_srat_mem_flags(e, nr_cpus, i, base, len, pxm, 1);
}

static void check_srat_head(const struct expect *e)
{
	const u8 *t = buf + e->srat;

	check_header(t, "SRAT", e->srat_len, 3);
	assert_int_equal(acpi_fx_r32(t, FX_SRAT_RESERVED1), 1);
	assert_int_equal(acpi_fx_r64(t, 40), 0);
}

static void check_slit(const struct expect *e, u64 count, const u8 *matrix)
{
	const u8 *t = buf + e->slit;

	check_header(t, "SLIT", e->slit_len, 1);
	assert_int_equal(acpi_fx_r64(t, FX_SLIT_COUNT), count);
	assert_memory_equal(t + FX_SLIT_SIZE, matrix, count * count);
}

static void build_ok(const struct expect *e)
{
	char err[128] = "";
	size_t used = 0;

	assert_int_equal(guest_acpi_build(&vn, BASE, buf, sizeof(buf), &used, err, sizeof(err)), 0);
	assert_int_equal(used, e->used);
	assert_string_equal(err, "");
	/* Nothing written past the tables. */
	assert_int_equal(buf[used], FILL);
	assert_int_equal(buf[sizeof(buf) - 1], FILL);
	check_root(e);
}

/* ---- through Proxima's own parser ------------------------------------------- */

static void parse_back(void)
{
	fake_acpi_map_window(BASE, buf, BUF_SIZE);
	/* The XSDT's four tables: MADT, SRAT, SLIT, FADT. */
	assert_int_equal(acpi_tables_init((const struct acpi_rsdp *)buf, fake_acpi_window()), 4);
	acpi_numa_describe(&desc, false);
	assert_int_equal(desc.source, TOPO_SRC_ACPI);
	assert_false(desc.affinity_rejected);
	assert_false(desc.distances_rejected);
}

static void check_desc_cpu(unsigned int i, u32 hwid, u32 pxm)
{
	assert_int_equal(desc.cpu_hwid[i], hwid);
	assert_int_equal(desc.aff[i].hwid, hwid);
	assert_int_equal(desc.aff[i].pxm, pxm);
}

static void check_desc_mem(unsigned int i, u64 start, u64 len, u32 pxm)
{
	assert_int_equal(desc.mem[i].start, start);
	assert_int_equal(desc.mem[i].len, len);
	assert_int_equal(desc.mem[i].pxm, pxm);
	assert_int_equal(desc.mem[i].flags, 0);
}

/* ---- the fixtures, built ---------------------------------------------------- */

static void test_pc_guest(void **state)
{
	static const u8 slit[] = {10};

	fixture_pc();
	build_ok(&expect_pc);
	check_madt(&expect_pc, 1);
	check_srat_head(&expect_pc);
	check_srat_cpu(&expect_pc, 0, 0, 0);
	check_srat_mem(&expect_pc, 1, 0, 0, 0xa0000, 0);
	check_srat_mem(&expect_pc, 1, 1, 0x100000, 0x3f60000, 0);
	check_slit(&expect_pc, 1, slit);

	parse_back();
	assert_int_equal(desc.nr_cpus, 1);
	assert_int_equal(desc.nr_aff, 1);
	check_desc_cpu(0, 0, 0);
	assert_int_equal(desc.nr_mem, 2);
	check_desc_mem(0, 0, 0xa0000, 0);
	check_desc_mem(1, 0x100000, 0x3f60000, 0);
	assert_int_equal(desc.nr_localities, 1);
	assert_int_equal(desc.dist[0], 10);
}

/* Each table of the built fixture to <dir>/<name>.dat, for the iasl test. */
static void dump_tables(const char *dir, const struct expect *e)
{
	static const char *const name[] = {"rsdp", "xsdt", "apic", "srat", "slit", "facp", "dsdt"};
	const size_t off[] = {0, 40, e->madt, e->srat, e->slit, e->fadt, e->dsdt};
	const size_t len[] = {36, 68, e->madt_len, e->srat_len, e->slit_len, 276, 96};
	char path[4096];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(name); i++) {
		FILE *f;

		assert_true(snprintf(path, sizeof(path), "%s/%s.dat", dir, name[i]) <
			    (int)sizeof(path));
		f = fopen(path, "wb");
		assert_non_null(f);
		assert_int_equal(fwrite(buf + off[i], 1, len[i], f), len[i]);
		assert_int_equal(fclose(f), 0);
	}
}

static void test_two_nodes(void **state)
{
	const char *dir = getenv("PROXIMA_ACPI_DUMP_DIR");

	fixture_2node();
	build_ok(&expect_2node);
	/* Before the checks, so the iasl test judges the tables on its own. */
	if (dir && *dir)
		dump_tables(dir, &expect_2node);
	check_madt(&expect_2node, 4);
	check_srat_head(&expect_2node);
	check_srat_cpu(&expect_2node, 0, 0, 0);
	check_srat_cpu(&expect_2node, 1, 1, 0);
	check_srat_cpu(&expect_2node, 2, 2, 1);
	check_srat_cpu(&expect_2node, 3, 3, 1);
	check_srat_mem(&expect_2node, 4, 0, 0, 0xa0000, 0);
	check_srat_mem(&expect_2node, 4, 1, 0x100000, 0x3ff00000, 0);
	check_srat_mem(&expect_2node, 4, 2, 0x40000000, 0x40000000, 1);
	check_slit(&expect_2node, 2, dist_2node);

	parse_back();
	assert_int_equal(desc.nr_cpus, 4);
	assert_int_equal(desc.nr_aff, 4);
	check_desc_cpu(0, 0, 0);
	check_desc_cpu(1, 1, 0);
	check_desc_cpu(2, 2, 1);
	check_desc_cpu(3, 3, 1);
	assert_int_equal(desc.nr_mem, 3);
	check_desc_mem(0, 0, 0xa0000, 0);
	check_desc_mem(1, 0x100000, 0x3ff00000, 0);
	check_desc_mem(2, 0x40000000, 0x40000000, 1);
	assert_int_equal(desc.nr_localities, 2);
	assert_memory_equal(desc.dist, dist_2node, 4);
}

/*
 * The two-node guest with room to grow: a hot-plug range for node 1 at
 * 4 GiB. Its SRAT entry has flags Enabled | Hot Pluggable (bits 0 and 1,
 * ACPI 6.2 table 5-76) = 3; one more 40-byte entry moves the SLIT down.
 */
static const struct expect expect_hotplug = {
    .used = 888,
    .madt = 112,
    .madt_len = 76,
    .srat = 192,
    .srat_len = 272, /* 48 + 4 * 16 + 4 * 40 */
    .slit = 464,
    .slit_len = 48,
    .fadt = 512,
    .dsdt = 792,
};

static void test_hotplug_range(void **state)
{
	fixture_2node();
	vn.range[vn.nr_ranges++] = (struct guest_acpi_range){0x100000000, 0x140000000, 1, true};
	build_ok(&expect_hotplug);
	check_srat_head(&expect_hotplug);
	check_srat_mem(&expect_hotplug, 4, 2, 0x40000000, 0x40000000, 1);
	check_srat_mem_flags(&expect_hotplug, 4, 3, 0x100000000, 0x40000000, 1, 3);
	check_slit(&expect_hotplug, 2, dist_2node);

	parse_back();
	assert_int_equal(desc.nr_mem, 4);
	check_desc_mem(2, 0x40000000, 0x40000000, 1);
	assert_int_equal(desc.mem[3].start, 0x100000000);
	assert_int_equal(desc.mem[3].len, 0x40000000);
	assert_int_equal(desc.mem[3].pxm, 1);
	assert_int_equal(desc.mem[3].flags, TOPO_MEM_HOTPLUG);
}

static void test_four_nodes_unreachable(void **state)
{
	fixture_4node();
	build_ok(&expect_4node);
	check_madt(&expect_4node, 4);
	check_srat_head(&expect_4node);
	check_srat_cpu(&expect_4node, 0, 0, 3);
	check_srat_cpu(&expect_4node, 1, 1, 2);
	check_srat_cpu(&expect_4node, 2, 2, 1);
	check_srat_cpu(&expect_4node, 3, 3, 0);
	check_srat_mem(&expect_4node, 4, 0, 0x100000, 0xff00000, 0);
	check_srat_mem(&expect_4node, 4, 1, 0x10000000, 0x10000000, 1);
	check_srat_mem(&expect_4node, 4, 2, 0x20000000, 0x10000000, 2);
	check_srat_mem(&expect_4node, 4, 3, 0x100000000ULL, 0x10000000, 3);
	check_slit(&expect_4node, 4, dist_4node);

	parse_back();
	assert_int_equal(desc.nr_cpus, 4);
	check_desc_cpu(0, 0, 3);
	check_desc_cpu(1, 1, 2);
	check_desc_cpu(2, 2, 1);
	check_desc_cpu(3, 3, 0);
	assert_int_equal(desc.nr_mem, 4);
	check_desc_mem(3, 0x100000000ULL, 0x10000000, 3);
	assert_int_equal(desc.nr_localities, 4);
	assert_memory_equal(desc.dist, dist_4node, 16);
}

/* Every maximum at once: 64 vCPUs on 64 nodes, 128 ranges, 4096 SLIT bytes. */
static void test_maxima(void **state)
{
	static const struct expect e = {
	    .used = 11384,
	    .madt = 112,
	    .madt_len = 556, /* 44 + 64 * 8 */
	    .srat = 672,
	    .srat_len = 6192, /* 48 + 64 * 16 + 128 * 40 */
	    .slit = 6864,
	    .slit_len = 4140, /* 44 + 64 * 64 */
	    .fadt = 11008,
	    .dsdt = 11288,
	};
	static u8 matrix[64 * 64];
	unsigned int i;

	vn.nr_vnodes = 64;
	vn.nr_vcpus = 64;
	for (i = 0; i < 64 * 64; i++)
		matrix[i] = i / 64 == i % 64 ? 10 : 11 + (i % 200);
	set_distances(64, matrix);
	for (i = 0; i < 64; i++)
		vn.vcpu_vnode[i] = 63 - i;
	for (i = 0; i < 128; i++)
		add_range(0x100000ULL * (i + 1), 0x100000ULL * (i + 1) + 0x80000, i / 2);
	build_ok(&e);
	check_madt(&e, 64);
	check_srat_head(&e);
	check_srat_cpu(&e, 63, 63, 0);
	check_srat_mem(&e, 64, 127, 0x8000000, 0x80000, 63);
	check_slit(&e, 64, matrix);

	parse_back();
	assert_int_equal(desc.nr_cpus, 64);
	assert_int_equal(desc.nr_aff, 64);
	check_desc_cpu(10, 10, 53);
	assert_int_equal(desc.nr_mem, 128);
	check_desc_mem(5, 0x600000, 0x80000, 2);
	assert_int_equal(desc.nr_localities, 64);
	assert_memory_equal(desc.dist, matrix, sizeof(matrix));
}

/* ---- rejections: nothing written ----------------------------------------------- */

static void expect_rejected(u64 base, size_t size, int rc, const char *reason)
{
	static u8 before[BUF_SIZE];
	char err[128];
	size_t used = 12345;

	memset(err, 0, sizeof(err));
	memcpy(before, buf, sizeof(buf));
	assert_int_equal(guest_acpi_build(&vn, base, buf, size, &used, err, sizeof(err)), rc);
	assert_int_equal(used, 12345);
	assert_memory_equal(buf, before, sizeof(buf));
	assert_non_null(strstr(err, reason));
	assert_null(strchr(err, '\n'));
}

static void test_bad_counts(void **state)
{
	fixture_2node();
	vn.nr_vnodes = 0;
	expect_rejected(BASE, BUF_SIZE, -EINVAL, "nr_vnodes 0");
	vn.nr_vnodes = 65;
	expect_rejected(BASE, BUF_SIZE, -EINVAL, "nr_vnodes 65");
	vn.nr_vnodes = 2;
	vn.nr_vcpus = 0;
	expect_rejected(BASE, BUF_SIZE, -EINVAL, "nr_vcpus 0");
	vn.nr_vcpus = 65;
	expect_rejected(BASE, BUF_SIZE, -EINVAL, "nr_vcpus 65");
	vn.nr_vcpus = 4;
	vn.nr_ranges = 0;
	expect_rejected(BASE, BUF_SIZE, -EINVAL, "nr_ranges 0");
	vn.nr_ranges = 129;
	expect_rejected(BASE, BUF_SIZE, -EINVAL, "nr_ranges 129");
}

static void test_bad_vnodes(void **state)
{
	fixture_2node();
	vn.vcpu_vnode[3] = 2;
	expect_rejected(BASE, BUF_SIZE, -EINVAL, "vcpu 3: vnode 2");
	vn.vcpu_vnode[3] = 1;
	vn.range[2].vnode = 2;
	expect_rejected(BASE, BUF_SIZE, -EINVAL, "range 2: vnode 2");
}

static void test_bad_ranges(void **state)
{
	fixture_2node();
	vn.range[1].end = vn.range[1].start;
	expect_rejected(BASE, BUF_SIZE, -EINVAL, "range 1: empty");
	vn.range[1].end = vn.range[1].start - 1;
	expect_rejected(BASE, BUF_SIZE, -EINVAL, "range 1: empty");
	vn.range[1].end = 0x40000001;
	expect_rejected(BASE, BUF_SIZE, -EINVAL, "range 2 overlaps range 1");
	vn.range[1].end = 0x40000000;
	vn.range[2].start = 0x50000;
	expect_rejected(BASE, BUF_SIZE, -EINVAL, "range 2 overlaps range 0");
}

static void test_bad_distances(void **state)
{
	fixture_2node();
	vn.distance[1][1] = 11;
	expect_rejected(BASE, BUF_SIZE, -EINVAL, "distance[1][1] = 11");
	vn.distance[1][1] = 10;
	vn.distance[0][1] = 10;
	expect_rejected(BASE, BUF_SIZE, -EINVAL, "distance[0][1] = 10");
	vn.distance[0][1] = 0;
	expect_rejected(BASE, BUF_SIZE, -EINVAL, "distance[0][1] = 0");
	vn.distance[0][1] = 9;
	expect_rejected(BASE, BUF_SIZE, -EINVAL, "distance[0][1] = 9");
	/* 11 and 255 are allowed off the diagonal; entries beyond nr_vnodes are not read. */
	vn.distance[0][1] = 11;
	vn.distance[1][0] = 255;
	vn.distance[5][5] = 0;
	build_ok(&expect_2node);
}

static void test_bad_base(void **state)
{
	fixture_2node();
	expect_rejected(BASE + 8, BUF_SIZE, -EINVAL, "not 16-byte aligned");
	expect_rejected(BASE + 1, BUF_SIZE, -EINVAL, "not 16-byte aligned");
	/* 848 bytes at 0xfffffcb0 end exactly at 4 GiB; 16 higher do not fit. */
	expect_rejected(0xfffffcc0ULL, BUF_SIZE, -EINVAL, "past 4 GiB");
	expect_rejected(0x100000000ULL, BUF_SIZE, -EINVAL, "past 4 GiB");
	setup(state);
	fixture_2node();
	{
		size_t used = 0;

		assert_int_equal(
		    guest_acpi_build(&vn, 0xfffffcb0ULL, buf, BUF_SIZE, &used, NULL, 0), 0);
		assert_int_equal(used, 848);
		assert_int_equal(acpi_fx_r64(buf, FX_RSDP_XSDT), 0xfffffcd8ULL);
	}
}

static void test_buffer_too_small(void **state)
{
	fixture_2node();
	expect_rejected(BASE, 847, -ENOSPC, "need 848 bytes, buffer has 847");
	expect_rejected(BASE, 0, -ENOSPC, "need 848 bytes");
	/* No room for a reason: still refused, nothing written. */
	{
		static u8 before[BUF_SIZE];
		size_t used = 7;

		memcpy(before, buf, sizeof(buf));
		assert_int_equal(guest_acpi_build(&vn, BASE, buf, 36, &used, NULL, 0), -ENOSPC);
		assert_int_equal(used, 7);
		assert_memory_equal(buf, before, sizeof(buf));
	}
	build_ok(&expect_2node); /* exactly 848 is enough: see build_ok's fill check */
}

static void test_exact_size(void **state)
{
	size_t used = 0;

	fixture_pc();
	assert_int_equal(guest_acpi_build(&vn, BASE, buf, 736, &used, NULL, 0), 0);
	assert_int_equal(used, 736);
	assert_int_equal(buf[736], FILL);
	check_root(&expect_pc);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_pc_guest),	      T(test_two_nodes),
	    T(test_hotplug_range),    T(test_four_nodes_unreachable),
	    T(test_maxima),	      T(test_bad_counts),
	    T(test_bad_vnodes),	      T(test_bad_ranges),
	    T(test_bad_distances),    T(test_bad_base),
	    T(test_buffer_too_small), T(test_exact_size),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
