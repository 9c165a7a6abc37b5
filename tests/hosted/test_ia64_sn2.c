/*
 * Hosted tests for arch/ia64/sn2.c: sn2_describe() on Altix-like machines
 * (2 and 8 nodes with router hop tables, sparse NASIDs, memory-only and
 * CPU-only nodes, no hop table) checked field by field, one machine
 * described both from node bits and from its PROM's ACPI tables
 * (sn2_describe_acpi()), which must agree, and the rules for CPUs and the
 * router hop table with their exact lines. Memory chunks and the node
 * field are in test_ia64_sn2_memory.c; sn2_fixture.h says where the
 * expected numbers come from.
 */
#include "sn2_fixture.h"

/* ---- whole machines -------------------------------------------------------------- */

static void test_two_node_altix(void **state)
{
	/* EFI splits NASID 0 around the PROM's runtime area; NASID 2 is one chunk. */
	static const struct sn2_chunk chunk[] = {
	    CHUNK(NODE_MEM(0), 0x3000000),
	    CHUNK(NODE_MEM(0) + 0x4000000, GiB(4) - 0x4000000),
	    CHUNK(NODE_MEM(2), GiB(4)),
	};
	static const struct sn2_cpu cpu[] = {CPU(0, 0), CPU(0, 1), CPU(2, 0), CPU(2, 1)};
	static const u16 hop_node[] = {0, 2};
	static const u8 hops[] = {0, 1, 1, 0};
	static const u8 want_dist[] = {10, 20, 20, 10};
	struct sn2_fw fw = {SN2_FIELD, CHUNKS(chunk), CPUS(cpu), HOPS(hop_node, hops)};

	sn2_describe(&fw, &d);

	assert_console_empty();
	check_header(false);
	assert_int_equal(d.nr_mem, 3);
	check_mem(0, 0x3000000000ULL, 0x3000000, 0);
	check_mem(1, 0x3004000000ULL, 0xfc000000, 0);
	check_mem(2, 0xb000000000ULL, 0x100000000ULL, 1);
	assert_int_equal(d.nr_cpus, 4);
	assert_int_equal(d.nr_aff, 4);
	assert_int_equal(d.cpus_dropped, 0);
	check_cpu(0, 0x0000, 0);
	check_cpu(1, 0x1000, 0);
	check_cpu(2, 0x0002, 1);
	check_cpu(3, 0x1002, 1);
	assert_false(d.distances_rejected);
	assert_int_equal(d.nr_localities, 2);
	assert_memory_equal(d.dist, want_dist, sizeof(want_dist));
	assert_memory_equal(d.dist + 4, zeros, sizeof(d.dist) - 4);
}

/* Eight nodes: pairs share a router, pairs of pairs a meta-router. */
static unsigned int eight_node_hops(unsigned int i, unsigned int j)
{
	if (i == j)
		return 0;
	if (i / 2 == j / 2)
		return 1;
	return i / 4 == j / 4 ? 2 : 3;
}

static void test_eight_node_altix(void **state)
{
	/* NASIDs 0, 2, ..., 14: memory at NASID << 38 | 3 << 36, pxm NASID >> 1. */
	static const u64 want_start[] = {
	    0x3000000000ULL,  0xb000000000ULL,	0x13000000000ULL, 0x1b000000000ULL,
	    0x23000000000ULL, 0x2b000000000ULL, 0x33000000000ULL, 0x3b000000000ULL,
	};
	/* Four slices per NASID: slice << 12 | NASID. */
	static const u32 want_hwid[] = {
	    0x0000, 0x1000, 0x2000, 0x3000, 0x0002, 0x1002, 0x2002, 0x3002, 0x0004, 0x1004, 0x2004,
	    0x3004, 0x0006, 0x1006, 0x2006, 0x3006, 0x0008, 0x1008, 0x2008, 0x3008, 0x000a, 0x100a,
	    0x200a, 0x300a, 0x000c, 0x100c, 0x200c, 0x300c, 0x000e, 0x100e, 0x200e, 0x300e,
	};
	struct sn2_chunk chunk[8];
	struct sn2_cpu cpu[32];
	u16 hop_node[8];
	u8 hops[64];
	struct sn2_fw fw = {SN2_FIELD, CHUNKS(chunk), CPUS(cpu), HOPS(hop_node, hops)};
	unsigned int i, j;

	for (i = 0; i < 8; i++) {
		chunk[i] = (struct sn2_chunk)CHUNK(NODE_MEM(2 * i), GiB(8));
		hop_node[i] = (u16)(2 * i);
		for (j = 0; j < 8; j++)
			hops[i * 8 + j] = (u8)eight_node_hops(i, j);
	}
	for (i = 0; i < 32; i++)
		cpu[i] = (struct sn2_cpu)CPU(2 * (i / 4), i % 4);
	sn2_describe(&fw, &d);

	assert_console_empty();
	check_header(false);
	assert_int_equal(d.nr_mem, 8);
	for (i = 0; i < 8; i++)
		check_mem(i, want_start[i], 0x200000000ULL, i);
	assert_int_equal(d.nr_cpus, 32);
	assert_int_equal(d.nr_aff, 32);
	for (i = 0; i < 32; i++)
		check_cpu(i, want_hwid[i], i / 4);
	assert_false(d.distances_rejected);
	assert_int_equal(d.nr_localities, 8);
	for (i = 0; i < 8; i++) {
		for (j = 0; j < 8; j++) {
			static const u8 by_hops[] = {10, 20, 25, 30};

			assert_int_equal(dist(i, j), by_hops[eight_node_hops(i, j)]);
		}
	}
	assert_int_equal(dist(0, 7), 30);
	assert_int_equal(dist(2, 3), 20);
	assert_int_equal(dist(2, 1), 25);
}

/* Sparse NASIDs 0, 4, 8, 12 (pxms 0, 2, 4, 6), hop table rows in an order of their own. */
static void test_sparse_nasids(void **state)
{
	static const struct sn2_chunk chunk[] = {
	    CHUNK(NODE_MEM(0), GiB(2)),
	    CHUNK(NODE_MEM(4), GiB(2)),
	    CHUNK(NODE_MEM(8), GiB(2)),
	    CHUNK(NODE_MEM(12), GiB(2)),
	};
	static const struct sn2_cpu cpu[] = {CPU(8, 2), CPU(0, 0), CPU(12, 3), CPU(4, 1)};
	static const u16 hop_node[] = {12, 0, 8, 4};
	/* From 12: 0 -> 3 hops, 8 -> 1, 4 -> 2; from 0: 8 -> 2, 4 -> 1; 8-4: 1. */
	static const u8 hops[] = {
	    0, 3, 1, 2, 3, 0, 2, 1, 1, 2, 0, 1, 2, 1, 1, 0,
	};
	struct sn2_fw fw = {SN2_FIELD, CHUNKS(chunk), CPUS(cpu), HOPS(hop_node, hops)};
	unsigned int i;

	sn2_describe(&fw, &d);

	assert_console_empty();
	check_header(false);
	assert_int_equal(d.nr_mem, 4);
	check_mem(0, 0x3000000000ULL, 0x80000000, 0);
	check_mem(1, 0x13000000000ULL, 0x80000000, 2);
	check_mem(2, 0x23000000000ULL, 0x80000000, 4);
	check_mem(3, 0x33000000000ULL, 0x80000000, 6);
	/* Firmware order, boot CPU (NASID 8 slice 2) first. */
	assert_int_equal(d.nr_cpus, 4);
	check_cpu(0, 0x2008, 4);
	check_cpu(1, 0x0000, 0);
	check_cpu(2, 0x300c, 6);
	check_cpu(3, 0x1004, 2);
	assert_int_equal(d.nr_localities, 7);
	assert_int_equal(dist(6, 0), 30);
	assert_int_equal(dist(0, 6), 30);
	assert_int_equal(dist(6, 4), 20);
	assert_int_equal(dist(6, 2), 25);
	assert_int_equal(dist(0, 4), 25);
	assert_int_equal(dist(0, 2), 20);
	assert_int_equal(dist(4, 2), 20);
	for (i = 0; i < 7; i += 2)
		assert_int_equal(dist(i, i), 10);
	/* pxms 1, 3, 5 (NASIDs 2, 6, 10) are in no table: unreachable. */
	for (i = 1; i < 7; i += 2) {
		assert_int_equal(dist(i, i), 10);
		assert_int_equal(dist(i, 0), 255);
		assert_int_equal(dist(6, i), 255);
	}
}

static void test_memory_only_node(void **state)
{
	static const struct sn2_chunk chunk[] = {
	    CHUNK(NODE_MEM(0), GiB(1)),
	    CHUNK(NODE_MEM(2), GiB(16)),
	};
	static const struct sn2_cpu cpu[] = {CPU(0, 0), CPU(0, 1)};
	static const u16 hop_node[] = {0, 2};
	static const u8 hops[] = {0, 2, 2, 0};
	struct sn2_fw fw = {SN2_FIELD, CHUNKS(chunk), CPUS(cpu), HOPS(hop_node, hops)};

	sn2_describe(&fw, &d);

	assert_console_empty();
	check_header(false);
	assert_int_equal(d.nr_mem, 2);
	check_mem(0, 0x3000000000ULL, 0x40000000, 0);
	check_mem(1, 0xb000000000ULL, 0x400000000ULL, 1);
	assert_int_equal(d.nr_cpus, 2);
	assert_int_equal(d.nr_aff, 2);
	check_cpu(0, 0x0000, 0);
	check_cpu(1, 0x1000, 0);
	assert_int_equal(d.nr_localities, 2);
	assert_int_equal(dist(0, 1), 25);
	assert_int_equal(dist(1, 0), 25);
}

static void test_cpu_only_node(void **state)
{
	static const struct sn2_chunk chunk[] = {CHUNK(NODE_MEM(0), GiB(4))};
	static const struct sn2_cpu cpu[] = {CPU(0, 0), CPU(4, 0), CPU(4, 1)};
	static const u16 hop_node[] = {0, 4};
	static const u8 hops[] = {0, 1, 1, 0};
	struct sn2_fw fw = {SN2_FIELD, CHUNKS(chunk), CPUS(cpu), HOPS(hop_node, hops)};

	sn2_describe(&fw, &d);

	assert_console_empty();
	check_header(false);
	assert_int_equal(d.nr_mem, 1);
	check_mem(0, 0x3000000000ULL, 0x100000000ULL, 0);
	assert_int_equal(d.nr_cpus, 3);
	assert_int_equal(d.nr_aff, 3);
	check_cpu(0, 0x0000, 0);
	check_cpu(1, 0x0004, 2);
	check_cpu(2, 0x1004, 2);
	/* The CPU-only node (pxm 2) sets the size of the matrix. */
	assert_int_equal(d.nr_localities, 3);
	assert_int_equal(dist(0, 2), 20);
	assert_int_equal(dist(2, 2), 10);
	assert_int_equal(dist(1, 2), 255);
}

static void test_no_hop_table(void **state)
{
	static const struct sn2_chunk chunk[] = {
	    CHUNK(NODE_MEM(0), GiB(4)),
	    CHUNK(NODE_MEM(2), GiB(4)),
	};
	static const struct sn2_cpu cpu[] = {CPU(0, 0), CPU(2, 0)};
	static const u16 hop_node[] = {0, 2};
	struct sn2_fw fw = {SN2_FIELD, CHUNKS(chunk), CPUS(cpu)};

	sn2_describe(&fw, &d);

	assert_console_empty();
	check_header(false);
	assert_int_equal(d.nr_mem, 2);
	check_mem(0, 0x3000000000ULL, 0x100000000ULL, 0);
	check_mem(1, 0xb000000000ULL, 0x100000000ULL, 1);
	assert_int_equal(d.nr_cpus, 2);
	check_cpu(0, 0x0000, 0);
	check_cpu(1, 0x0002, 1);
	check_no_distances(false);

	/* Rows without a matrix are no table either. */
	reset(state);
	fw.hop_node = hop_node;
	fw.nr_hop_nodes = ARRAY_SIZE(hop_node);
	sn2_describe(&fw, &d);
	assert_console_empty();
	check_header(false);
	assert_int_equal(d.nr_mem, 2);
	check_no_distances(false);
}

static void test_empty_firmware(void **state)
{
	struct sn2_fw fw = {SN2_FIELD};

	/* Counts without arrays are taken as empty. */
	fw.nr_chunks = 5;
	fw.nr_cpus = 3;
	fw.nr_hop_nodes = 2;
	sn2_describe(&fw, &d);

	assert_console_empty();
	check_header(false);
	assert_int_equal(d.nr_mem, 0);
	assert_int_equal(d.nr_cpus, 0);
	assert_int_equal(d.nr_aff, 0);
	assert_int_equal(d.cpus_dropped, 0);
	check_no_distances(false);
}

/* The LID layout (slice << 12 | NASID) and the PROM's pxm (NASID >> 1). */
static void test_cpu_hwid_and_pxm_encoding(void **state)
{
	assert_int_equal(SN2_CPU_HWID(0, 0), 0);
	assert_int_equal(SN2_CPU_HWID(2, 1), 0x1002);
	assert_int_equal(SN2_CPU_HWID(0x7fe, 3), 0x37fe);
	assert_int_equal(SN2_CPU_HWID(0xfff, 3), 0x3fff);
	assert_int_equal(SN2_NASID_TO_PXM(0), 0);
	assert_int_equal(SN2_NASID_TO_PXM(2), 1);
	assert_int_equal(SN2_NASID_TO_PXM(0x7fe), 0x3ff);
}

/* ---- one machine, two descriptions --------------------------------------------- */

/*
 * NASIDs 0 and 0x220 (pxms 0 and 0x110: above 255, as on a large Altix),
 * two CPUs each. Through node bits, and through the PROM's ACPI tables:
 * an ACPI 2.0 MADT (12-byte local SAPIC entries, SAPIC id = id >> 8 and
 * EID = id & 0xff of the LID's id/eid) and a revision 1 SRAT whose
 * proximity domains are NASID >> 1.
 */
static const u32 sn2_hwid[] = {0x0000, 0x1000, 0x0220, 0x3220};
static const u32 sn2_pxm[] = {0, 0, 0x110, 0x110};

static void build_sn2_prom_tables(void)
{
	unsigned int i;

	acpi_fx_begin(&fx, 2, ACPI_FX_XSDT);
	acpi_fx_madt_begin(&fx);
	for (i = 0; i < ARRAY_SIZE(sn2_hwid); i++)
		acpi_fx_madt_lsapic_acpi2(&fx, (u8)(sn2_hwid[i] >> 8), (u8)sn2_hwid[i],
					  FX_MADT_ENABLED);
	acpi_fx_table_end(&fx);
	acpi_fx_srat_begin(&fx, 1);
	for (i = 0; i < ARRAY_SIZE(sn2_hwid); i++)
		acpi_fx_srat_cpu(&fx, sn2_pxm[i], (u8)(sn2_hwid[i] >> 8), (u8)sn2_hwid[i],
				 FX_SRAT_CPU_ENABLED);
	acpi_fx_srat_mem(&fx, 0, 0x3000000000ULL, 0x100000000ULL, FX_SRAT_MEM_ENABLED);
	acpi_fx_srat_mem(&fx, 0x110, 0x883000000000ULL, 0x100000000ULL, FX_SRAT_MEM_ENABLED);
	acpi_fx_table_end(&fx);
	acpi_fx_finish(&fx);
}

static void check_sn2_machine(void)
{
	/* CPU 3, NASID 0x220 slice 3, reads LID = 0x32200000: id/eid (LID >> 16) 0x3220. */
	const u64 boot_lid = 0x32200000;
	unsigned int i;

	assert_int_equal(d.nr_cpus, 4);
	assert_int_equal(d.nr_aff, 4);
	for (i = 0; i < 4; i++) {
		assert_int_equal(d.cpu_hwid[i], sn2_hwid[i]);
		assert_int_equal(d.aff[i].hwid, sn2_hwid[i]);
		assert_int_equal(d.aff[i].pxm, sn2_pxm[i]);
	}
	assert_int_equal(d.cpu_hwid[3], (boot_lid >> 16) & 0xffff);
	assert_int_equal(d.nr_mem, 2);
	assert_int_equal(d.mem[0].start, 0x3000000000ULL);
	assert_int_equal(d.mem[0].len, 0x100000000ULL);
	assert_int_equal(d.mem[0].pxm, 0);
	assert_int_equal(d.mem[1].start, 0x883000000000ULL);
	assert_int_equal(d.mem[1].len, 0x100000000ULL);
	assert_int_equal(d.mem[1].pxm, 0x110);
}

static void test_srat_and_node_bits_agree(void **state)
{
	static const struct sn2_chunk chunk[] = {
	    CHUNK(NODE_MEM(0), GiB(4)),
	    CHUNK(NODE_MEM(0x220), GiB(4)),
	};
	static const struct sn2_cpu cpu[] = {
	    CPU(0, 0),
	    CPU(0, 1),
	    CPU(0x220, 0),
	    CPU(0x220, 3),
	};
	struct sn2_fw fw = {SN2_FIELD, CHUNKS(chunk), CPUS(cpu)};

	sn2_describe(&fw, &d);
	assert_console_empty();
	check_header(false);
	check_sn2_machine();

	memset(&d, 0, sizeof(d));
	build_sn2_prom_tables();
	sn2_describe_acpi(fx.rsdp, fake_acpi_window(), &d);
	assert_int_equal(d.source, TOPO_SRC_ACPI);
	assert_true(d.have_affinity);
	check_sn2_machine();
	assert_console_has("ACPI MADT: 4 CPUs present\n");
	assert_console_lacks("reserves");
}

/* Read as a DIG machine's, the same SRAT loses the high pxm bits, and says so. */
static void test_prom_srat_needs_the_sn2_quirk(void **state)
{
	build_sn2_prom_tables();
	memset(&d, 0, sizeof(d));
	ia64_dig_describe(fx.rsdp, fake_acpi_window(), &d);

	assert_int_equal(d.aff[2].pxm, 0x10);
	assert_int_equal(d.mem[1].pxm, 0x10);
	assert_console_has("ACPI SRAT: 3 entries set proximity domain bits that revision 1 "
			   "reserves (first: 0x110 at offset 80); ignoring those bits\n");
}

/* ---- CPUs ------------------------------------------------------------------------ */

/* n CPUs, four slices on each of NASIDs 0, 2, 4, ... */
static void describe_cpus(unsigned int n)
{
	static struct sn2_cpu cpu[CONFIG_NR_CPUS + 3];
	struct sn2_fw fw = {SN2_FIELD};
	unsigned int i;

	for (i = 0; i < n; i++)
		cpu[i] = (struct sn2_cpu)CPU(2 * (i / 4), i % 4);
	fw.cpu = cpu;
	fw.nr_cpus = n;
	sn2_describe(&fw, &d);
}

/* CPU i of describe_cpus(): slice i % 4 in bits 12..13, NASID 2 * (i / 4) below. */
static void check_described_cpus(void)
{
	unsigned int i;

	for (i = 0; i < CONFIG_NR_CPUS; i++)
		check_cpu(i, (i % 4) << 12 | 2 * (i / 4), i / 4);
	check_cpu(5, 0x1002, 1);
	check_cpu(CONFIG_NR_CPUS - 1, 0x3000 | (CONFIG_NR_CPUS / 4 - 1) * 2,
		  CONFIG_NR_CPUS / 4 - 1);
}

static void test_nr_cpus_exactly_fits(void **state)
{
	describe_cpus(CONFIG_NR_CPUS);
	assert_console_empty();
	assert_int_equal(d.nr_cpus, CONFIG_NR_CPUS);
	assert_int_equal(d.nr_aff, CONFIG_NR_CPUS);
	assert_int_equal(d.cpus_dropped, 0);
	check_described_cpus();
}

static void test_too_many_cpus_dropped(void **state)
{
	char line[128];

	describe_cpus(CONFIG_NR_CPUS + 3);
	snprintf(line, sizeof(line),
		 "SN2: %u CPUs present, room for NR_CPUS=%u; the last 3 "
		 "ignored\n",
		 CONFIG_NR_CPUS + 3, CONFIG_NR_CPUS);
	assert_console_has(line);
	assert_int_equal(console_count("SN2: "), 1);
	check_header(false);
	assert_int_equal(d.nr_cpus, CONFIG_NR_CPUS);
	assert_int_equal(d.nr_aff, CONFIG_NR_CPUS);
	assert_int_equal(d.cpus_dropped, 3);
	check_described_cpus();
}

/* A NASID above 4095 or a slice above 3 fits in no LID: such a CPU is skipped. */
static void test_cpu_id_out_of_range_skipped(void **state)
{
	static const struct sn2_chunk chunk[] = {CHUNK(NODE_MEM(0), GiB(1))};
	static const struct sn2_cpu cpu[] = {
	    CPU(0, 0), CPU(0x1000, 0), CPU(0xffe, 3), CPU(2, 4), CPU(0, 1),
	};
	struct sn2_fw fw = {SN2_FIELD, CHUNKS(chunk), CPUS(cpu)};

	sn2_describe(&fw, &d);

	assert_console_has("SN2: 2 CPUs have a NASID above 4095 or a slice above 3, which no "
			   "SN2 LID holds (first: CPU 1, NASID 4096, slice 0); skipped\n");
	assert_int_equal(console_count("SN2: "), 1);
	check_header(false);
	assert_int_equal(d.nr_cpus, 3);
	assert_int_equal(d.nr_aff, 3);
	assert_int_equal(d.cpus_dropped, 0);
	check_cpu(0, 0x0000, 0);
	check_cpu(1, 0x3ffe, 0x7ff);
	check_cpu(2, 0x1000, 0);
}

/* A CPU on an odd NASID (a TIO) is listed but placed nowhere. */
static void test_cpu_on_odd_nasid_has_no_affinity(void **state)
{
	static const struct sn2_chunk chunk[] = {CHUNK(NODE_MEM(0), GiB(1))};
	static const struct sn2_cpu cpu[] = {CPU(0, 0), CPU(3, 1), CPU(5, 0), CPU(0, 1)};
	struct sn2_fw fw = {SN2_FIELD, CHUNKS(chunk), CPUS(cpu)};

	sn2_describe(&fw, &d);

	assert_console_has("SN2: 2 CPUs are on odd NASIDs, TIO I/O nodes without CPUs (first: "
			   "CPU 1, NASID 3); no affinity recorded for them\n");
	assert_int_equal(console_count("SN2: "), 1);
	check_header(false);
	assert_int_equal(d.nr_cpus, 4);
	assert_int_equal(d.cpu_hwid[1], 0x1003);
	assert_int_equal(d.cpu_hwid[2], 0x0005);
	assert_int_equal(d.nr_aff, 2);
	assert_int_equal(d.aff[0].hwid, 0x0000);
	assert_int_equal(d.aff[0].pxm, 0);
	assert_int_equal(d.aff[1].hwid, 0x1000);
	assert_int_equal(d.aff[1].pxm, 0);
}

/* ---- the router hop table -------------------------------------------------------- */

/* NASIDs 0, 2 and 4 (memory on 0 and 2, CPUs on 0 and 4) with the given table. */
static void describe_hops(const u16 *hop_node, const u8 *hops, unsigned int n)
{
	static const struct sn2_chunk chunk[] = {
	    CHUNK(NODE_MEM(0), GiB(1)),
	    CHUNK(NODE_MEM(2), GiB(1)),
	};
	static const struct sn2_cpu cpu[] = {CPU(0, 0), CPU(4, 1)};
	struct sn2_fw fw = {SN2_FIELD, CHUNKS(chunk), CPUS(cpu)};

	fw.hop_node = hop_node;
	fw.hops = hops;
	fw.nr_hop_nodes = n;
	sn2_describe(&fw, &d);
}

/* The one line, distances rejected, everything else as if it were fine. */
static void check_hops_rejected(const char *line)
{
	assert_console_has(line);
	assert_int_equal(console_count("SN2: "), 1);
	check_header(false);
	assert_int_equal(d.nr_mem, 2);
	check_mem(0, 0x3000000000ULL, 0x40000000, 0);
	check_mem(1, 0xb000000000ULL, 0x40000000, 1);
	assert_int_equal(d.nr_cpus, 2);
	check_cpu(0, 0x0000, 0);
	check_cpu(1, 0x1004, 2);
	check_no_distances(true);
}

static void test_hop_table_valid_baseline(void **state)
{
	static const u16 hop_node[] = {0, 2, 4};
	static const u8 hops[] = {0, 1, 2, 1, 0, 1, 2, 1, 0};

	describe_hops(hop_node, hops, 3);
	assert_console_empty();
	assert_false(d.distances_rejected);
	assert_int_equal(d.nr_localities, 3);
	assert_int_equal(dist(0, 2), 25);
	assert_int_equal(dist(1, 2), 20);
}

static void test_hop_table_nonzero_diagonal(void **state)
{
	static const u16 hop_node[] = {0, 2, 4};
	static const u8 hops[] = {0, 1, 2, 1, 1, 1, 2, 1, 0};

	describe_hops(hop_node, hops, 3);
	check_hops_rejected(
	    "SN2: router hop table entry from NASID 2 to itself is 1, not 0" DIST_FALLBACK);
}

static void test_hop_table_zero_off_diagonal(void **state)
{
	static const u16 hop_node[] = {0, 2, 4};
	static const u8 hops[] = {0, 1, 2, 1, 0, 1, 0, 1, 0};

	describe_hops(hop_node, hops, 3);
	check_hops_rejected("SN2: router hop table entry from NASID 4 to NASID 0 is 0, not at "
			    "least 1" DIST_FALLBACK);
}

static void test_hop_table_lacks_memory_node(void **state)
{
	static const u16 hop_node[] = {0, 4};
	static const u8 hops[] = {0, 1, 1, 0};

	describe_hops(hop_node, hops, 2);
	check_hops_rejected(
	    "SN2: NASID 2 has memory but no row in the router hop table" DIST_FALLBACK);
}

static void test_hop_table_lacks_cpu_node(void **state)
{
	static const u16 hop_node[] = {0, 2};
	static const u8 hops[] = {0, 1, 1, 0};

	describe_hops(hop_node, hops, 2);
	check_hops_rejected(
	    "SN2: NASID 4 has CPUs but no row in the router hop table" DIST_FALLBACK);
}

/* Four nodes, one hop apart. */
static const u8 one_hop_4[] = {
    0, 1, 1, 1, 1, 0, 1, 1, 1, 1, 0, 1, 1, 1, 1, 0,
};

static void test_hop_table_node_beyond_matrix(void **state)
{
	static const u16 hop_node[] = {0, 2, 4, 512};

	describe_hops(hop_node, one_hop_4, 4);
	check_hops_rejected("SN2: router hop table row 3 is NASID 512 (pxm 256), beyond the 256 "
			    "proximity domains the distance matrix holds" DIST_FALLBACK);
}

static void test_hop_table_node_twice(void **state)
{
	static const u16 hop_node[] = {0, 2, 4, 2};

	describe_hops(hop_node, one_hop_4, 4);
	check_hops_rejected("SN2: router hop table lists NASID 2 twice" DIST_FALLBACK);
}

/* A node with memory beyond the matrix can never be in a valid table. */
static void test_memory_node_beyond_matrix(void **state)
{
	static const struct sn2_chunk chunk[] = {
	    CHUNK(NODE_MEM(0), GiB(1)),
	    CHUNK(NODE_MEM(600), GiB(1)),
	};
	static const u16 hop_node[] = {0};
	static const u8 hops[] = {0};
	struct sn2_fw fw = {SN2_FIELD, CHUNKS(chunk), HOPS(hop_node, hops)};

	sn2_describe(&fw, &d);

	assert_console_has(
	    "SN2: NASID 600 has memory but no row in the router hop table" DIST_FALLBACK);
	assert_int_equal(console_count("SN2: "), 1);
	check_header(false);
	assert_int_equal(d.nr_mem, 2);
	check_mem(1, 0x963000000000ULL, 0x40000000, 300);
	check_no_distances(true);
}

/*
 * Nodes without memory or CPUs are not part of the matrix: an even NASID
 * (8) gets an unused row, odd ones (TIOs, even beyond the matrix: 513)
 * none; their hops are still checked.
 */
static void test_hop_table_extra_nodes_ignored(void **state)
{
	static const u16 hop_node[] = {8, 0, 2, 4, 513};
	static const u8 hops[] = {
	    0, 1, 1, 1, 4, 1, 0, 1, 2, 4, 1, 1, 0, 3, 4, 1, 2, 3, 0, 4, 4, 4, 4, 4, 0,
	};

	describe_hops(hop_node, hops, 5);
	assert_console_empty();
	assert_false(d.distances_rejected);
	assert_int_equal(d.nr_localities, 3);
	assert_int_equal(dist(0, 1), 20);
	assert_int_equal(dist(0, 2), 25);
	assert_int_equal(dist(1, 2), 30);
	assert_int_equal(dist(2, 1), 30);
	assert_int_equal(dist(2, 2), 10);
}

/* 20 for one hop, +5 per further router, never 255; asymmetry kept. */
static void test_distance_formula(void **state)
{
	static const u8 far[] = {1, 2, 3, 10, 47, 48, 49, 255};
	static const u8 want[] = {20, 25, 30, 65, 250, 254, 254, 254};
	static struct sn2_cpu cpu[ARRAY_SIZE(far) + 1];
	static u16 hop_node[ARRAY_SIZE(far) + 1];
	static u8 hops[(ARRAY_SIZE(far) + 1) * (ARRAY_SIZE(far) + 1)];
	const unsigned int n = ARRAY_SIZE(far) + 1;
	struct sn2_fw fw = {SN2_FIELD, CPUS(cpu), HOPS(hop_node, hops)};
	unsigned int i, j;

	/* NASIDs 0, 2, ..., 16: pxms 0..8. */
	for (i = 0; i < n; i++) {
		cpu[i] = (struct sn2_cpu)CPU(2 * i, 0);
		hop_node[i] = (u16)(2 * i);
		for (j = 0; j < n; j++)
			hops[i * n + j] = i == j ? 0 : 1;
	}
	for (i = 1; i < n; i++)
		hops[i] = far[i - 1]; /* row 0: from NASID 0 */
	sn2_describe(&fw, &d);

	assert_console_empty();
	assert_int_equal(d.nr_localities, n);
	for (i = 1; i < n; i++) {
		assert_int_equal(dist(0, i), want[i - 1]);
		assert_int_equal(dist(i, 0), 20);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_two_node_altix),
	    T(test_eight_node_altix),
	    T(test_sparse_nasids),
	    T(test_memory_only_node),
	    T(test_cpu_only_node),
	    T(test_no_hop_table),
	    T(test_empty_firmware),
	    T(test_cpu_hwid_and_pxm_encoding),
	    T(test_srat_and_node_bits_agree),
	    T(test_prom_srat_needs_the_sn2_quirk),
	    T(test_nr_cpus_exactly_fits),
	    T(test_too_many_cpus_dropped),
	    T(test_cpu_id_out_of_range_skipped),
	    T(test_cpu_on_odd_nasid_has_no_affinity),
	    T(test_hop_table_valid_baseline),
	    T(test_hop_table_nonzero_diagonal),
	    T(test_hop_table_zero_off_diagonal),
	    T(test_hop_table_lacks_memory_node),
	    T(test_hop_table_lacks_cpu_node),
	    T(test_hop_table_node_beyond_matrix),
	    T(test_hop_table_node_twice),
	    T(test_memory_node_beyond_matrix),
	    T(test_hop_table_extra_nodes_ignored),
	    T(test_distance_formula),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
