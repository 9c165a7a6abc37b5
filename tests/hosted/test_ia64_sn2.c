/*
 * Hosted tests for arch/ia64/sn2.c: sn2_describe() on Altix-like machines
 * (2 and 8 nodes with router hop tables, sparse even NASIDs, memory-only
 * and CPU-only nodes, chunks crossing node boundaries, no hop table) checked
 * field by field, and every firmware rule with its exact console line and
 * its fallback. The description is filled with garbage before each test so
 * that anything sn2_describe() forgets to write shows up.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include <hv/lib.h>
#include <hv/printk.h>
#include <hv/topology.h>

#include "../../arch/ia64/sn2.h"
#include "fake_arch.h"

#define DIST_FALLBACK "; distances 10 local, 20 remote\n"
#define AFF_FALLBACK "; affinity ignored: one node with all memory and CPUs\n"

/* The cacheable memory space (AS = 3) of SN2 node n, as real PROMs lay it out. */
#define NODE_MEM(n) (((u64)(n) << 38) | (3ULL << 36))
#define NODE_SPAN (1ULL << 38)

#define CHUNK(s, l) { .start = (s), .len = (l) }
#define CPU(n, s) { .nasid = (n), .slice = (s) }

static struct topo_desc d;
static const u8 zeros[sizeof(d.dist)];

static int reset(void **state)
{
	console_set_loglevel(LOG_DEBUG);
	console_clear();
	memset(&d, 0xa5, sizeof(d));
	return 0;
}

/* Designated initialisers for struct sn2_fw from arrays in scope. */
#define SN2_FIELD .node_shift = SN2_NODE_SHIFT, .node_bits = SN2_NODE_BITS
#define CHUNKS(c) .chunk = (c), .nr_chunks = ARRAY_SIZE(c)
#define CPUS(c) .cpu = (c), .nr_cpus = ARRAY_SIZE(c)
#define HOPS(n, h) .hop_node = (n), .hops = (h), .nr_hop_nodes = ARRAY_SIZE(n)

static void check_header(bool rejected)
{
	assert_int_equal(d.source, TOPO_SRC_SN2);
	assert_true(d.have_affinity);
	assert_int_equal(d.affinity_rejected, rejected);
}

static void check_mem(unsigned int i, paddr_t start, u64 len, u32 pxm)
{
	assert_in_range(i, 0, d.nr_mem - 1);
	assert_int_equal(d.mem[i].start, start);
	assert_int_equal(d.mem[i].len, len);
	assert_int_equal(d.mem[i].pxm, pxm);
	assert_int_equal(d.mem[i].flags, 0);
}

/* CPU i is (nasid, slice) in the CPU list and, if aff, in the affinity entries. */
static void check_cpu(unsigned int i, u16 nasid, u8 slice, bool aff)
{
	u32 hwid = ((u32)nasid << 8) | slice;

	assert_in_range(i, 0, d.nr_cpus - 1);
	assert_int_equal(d.cpu_hwid[i], hwid);
	if (!aff)
		return;
	assert_in_range(i, 0, d.nr_aff - 1);
	assert_int_equal(d.aff[i].hwid, hwid);
	assert_int_equal(d.aff[i].pxm, nasid);
}

static u8 dist(u32 a, u32 b)
{
	assert_in_range(a, 0, d.nr_localities - 1);
	assert_in_range(b, 0, d.nr_localities - 1);
	return d.dist[a * d.nr_localities + b];
}

static void check_no_distances(bool rejected)
{
	assert_int_equal(d.distances_rejected, rejected);
	assert_int_equal(d.nr_localities, 0);
	assert_memory_equal(d.dist, zeros, sizeof(d.dist));
}

static void check_no_affinity(void)
{
	static const struct topo_mem no_mem[TOPO_MAX_MEM];
	static const struct topo_cpu_aff no_aff[TOPO_MAX_AFF];

	check_header(true);
	assert_int_equal(d.nr_mem, 0);
	assert_int_equal(d.nr_aff, 0);
	assert_memory_equal(d.mem, no_mem, sizeof(no_mem));
	assert_memory_equal(d.aff, no_aff, sizeof(no_aff));
	check_no_distances(false);
}

/* ---- whole machines -------------------------------------------------------------- */

static void test_two_node_altix(void **state)
{
	/* EFI splits node 0 around the PROM's runtime area; node 2 is one chunk. */
	static const struct sn2_chunk chunk[] = {
		CHUNK(NODE_MEM(0), 0x3000000),
		CHUNK(NODE_MEM(0) + 0x4000000, GiB(4) - 0x4000000),
		CHUNK(NODE_MEM(2), GiB(4)),
	};
	static const struct sn2_cpu cpu[] = { CPU(0, 0), CPU(0, 1), CPU(2, 0), CPU(2, 1) };
	static const u16 hop_node[] = { 0, 2 };
	static const u8 hops[] = { 0, 1, 1, 0 };
	struct sn2_fw fw = { SN2_FIELD, CHUNKS(chunk), CPUS(cpu), HOPS(hop_node, hops) };

	sn2_describe(&fw, &d);

	assert_console_empty();
	check_header(false);
	assert_int_equal(d.nr_mem, 3);
	check_mem(0, 0x3000000000ULL, 0x3000000, 0);
	check_mem(1, 0x3004000000ULL, GiB(4) - 0x4000000, 0);
	check_mem(2, 0xb000000000ULL, GiB(4), 2);
	assert_int_equal(d.nr_cpus, 4);
	assert_int_equal(d.nr_aff, 4);
	assert_int_equal(d.cpus_dropped, 0);
	check_cpu(0, 0, 0, true);
	check_cpu(1, 0, 1, true);
	check_cpu(2, 2, 0, true);
	check_cpu(3, 2, 1, true);
	assert_false(d.distances_rejected);
	assert_int_equal(d.nr_localities, 3);
	assert_int_equal(dist(0, 0), 10);
	assert_int_equal(dist(0, 2), 20);
	assert_int_equal(dist(2, 0), 20);
	assert_int_equal(dist(2, 2), 10);
	/* NASID 1 is not a node: unreachable, local to itself. */
	assert_int_equal(dist(1, 1), 10);
	assert_int_equal(dist(0, 1), 255);
	assert_int_equal(dist(1, 2), 255);
	assert_memory_equal(d.dist + 9, zeros, sizeof(d.dist) - 9);
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
	struct sn2_chunk chunk[8];
	struct sn2_cpu cpu[32];
	u16 hop_node[8];
	u8 hops[64];
	struct sn2_fw fw = { SN2_FIELD, CHUNKS(chunk), CPUS(cpu), HOPS(hop_node, hops) };
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
		check_mem(i, NODE_MEM(2 * i), GiB(8), 2 * i);
	assert_int_equal(d.nr_cpus, 32);
	assert_int_equal(d.nr_aff, 32);
	for (i = 0; i < 32; i++)
		check_cpu(i, (u16)(2 * (i / 4)), (u8)(i % 4), true);
	assert_false(d.distances_rejected);
	assert_int_equal(d.nr_localities, 15);
	for (i = 0; i < 15; i++) {
		for (j = 0; j < 15; j++) {
			static const u8 by_hops[] = { 10, 20, 25, 30 };
			u8 want = i == j ? 10 : 255;

			if (i != j && i % 2 == 0 && j % 2 == 0)
				want = by_hops[eight_node_hops(i / 2, j / 2)];
			assert_int_equal(dist(i, j), want);
		}
	}
	assert_int_equal(dist(0, 14), 30);
	assert_int_equal(dist(4, 6), 20);
	assert_int_equal(dist(4, 2), 25);
}

/* Sparse NASIDs, hop table rows in an order of their own. */
static void test_sparse_nasids(void **state)
{
	static const struct sn2_chunk chunk[] = {
		CHUNK(NODE_MEM(0), GiB(2)), CHUNK(NODE_MEM(2), GiB(2)),
		CHUNK(NODE_MEM(4), GiB(2)), CHUNK(NODE_MEM(6), GiB(2)),
	};
	static const struct sn2_cpu cpu[] = { CPU(4, 2), CPU(0, 0), CPU(6, 3), CPU(2, 1) };
	static const u16 hop_node[] = { 6, 0, 4, 2 };
	/* Distances from 6: 0 -> 3 hops, 4 -> 1, 2 -> 2; from 0: 4 -> 2, 2 -> 1; 4-2: 1. */
	static const u8 hops[] = {
		0, 3, 1, 2,
		3, 0, 2, 1,
		1, 2, 0, 1,
		2, 1, 1, 0,
	};
	struct sn2_fw fw = { SN2_FIELD, CHUNKS(chunk), CPUS(cpu), HOPS(hop_node, hops) };
	unsigned int i;

	sn2_describe(&fw, &d);

	assert_console_empty();
	check_header(false);
	assert_int_equal(d.nr_mem, 4);
	for (i = 0; i < 4; i++)
		check_mem(i, NODE_MEM(2 * i), GiB(2), 2 * i);
	/* Firmware order, boot CPU (NASID 4 slice 2) first. */
	assert_int_equal(d.nr_cpus, 4);
	check_cpu(0, 4, 2, true);
	check_cpu(1, 0, 0, true);
	check_cpu(2, 6, 3, true);
	check_cpu(3, 2, 1, true);
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
	for (i = 1; i < 7; i += 2) {
		assert_int_equal(dist(i, i), 10);
		assert_int_equal(dist(i, 0), 255);
		assert_int_equal(dist(6, i), 255);
	}
}

static void test_memory_only_node(void **state)
{
	static const struct sn2_chunk chunk[] = {
		CHUNK(NODE_MEM(0), GiB(1)), CHUNK(NODE_MEM(2), GiB(16)),
	};
	static const struct sn2_cpu cpu[] = { CPU(0, 0), CPU(0, 1) };
	static const u16 hop_node[] = { 0, 2 };
	static const u8 hops[] = { 0, 2, 2, 0 };
	struct sn2_fw fw = { SN2_FIELD, CHUNKS(chunk), CPUS(cpu), HOPS(hop_node, hops) };

	sn2_describe(&fw, &d);

	assert_console_empty();
	check_header(false);
	assert_int_equal(d.nr_mem, 2);
	check_mem(0, NODE_MEM(0), GiB(1), 0);
	check_mem(1, NODE_MEM(2), GiB(16), 2);
	assert_int_equal(d.nr_cpus, 2);
	assert_int_equal(d.nr_aff, 2);
	check_cpu(0, 0, 0, true);
	check_cpu(1, 0, 1, true);
	assert_int_equal(d.nr_localities, 3);
	assert_int_equal(dist(0, 2), 25);
	assert_int_equal(dist(2, 0), 25);
}

static void test_cpu_only_node(void **state)
{
	static const struct sn2_chunk chunk[] = { CHUNK(NODE_MEM(0), GiB(4)) };
	static const struct sn2_cpu cpu[] = { CPU(0, 0), CPU(4, 0), CPU(4, 1) };
	static const u16 hop_node[] = { 0, 4 };
	static const u8 hops[] = { 0, 1, 1, 0 };
	struct sn2_fw fw = { SN2_FIELD, CHUNKS(chunk), CPUS(cpu), HOPS(hop_node, hops) };

	sn2_describe(&fw, &d);

	assert_console_empty();
	check_header(false);
	assert_int_equal(d.nr_mem, 1);
	check_mem(0, NODE_MEM(0), GiB(4), 0);
	assert_int_equal(d.nr_cpus, 3);
	assert_int_equal(d.nr_aff, 3);
	check_cpu(0, 0, 0, true);
	check_cpu(1, 4, 0, true);
	check_cpu(2, 4, 1, true);
	/* The CPU-only node sets the size of the matrix. */
	assert_int_equal(d.nr_localities, 5);
	assert_int_equal(dist(0, 4), 20);
	assert_int_equal(dist(4, 4), 10);
	assert_int_equal(dist(2, 4), 255);
}

static void test_no_hop_table(void **state)
{
	static const struct sn2_chunk chunk[] = {
		CHUNK(NODE_MEM(0), GiB(4)), CHUNK(NODE_MEM(2), GiB(4)),
	};
	static const struct sn2_cpu cpu[] = { CPU(0, 0), CPU(2, 0) };
	static const u16 hop_node[] = { 0, 2 };
	struct sn2_fw fw = { SN2_FIELD, CHUNKS(chunk), CPUS(cpu) };

	sn2_describe(&fw, &d);

	assert_console_empty();
	check_header(false);
	assert_int_equal(d.nr_mem, 2);
	check_mem(0, NODE_MEM(0), GiB(4), 0);
	check_mem(1, NODE_MEM(2), GiB(4), 2);
	assert_int_equal(d.nr_cpus, 2);
	check_cpu(0, 0, 0, true);
	check_cpu(1, 2, 0, true);
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
	struct sn2_fw fw = { SN2_FIELD };

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

static void test_cpu_hwid_encoding(void **state)
{
	assert_int_equal(SN2_CPU_HWID(0, 0), 0);
	assert_int_equal(SN2_CPU_HWID(2, 1), 0x201);
	assert_int_equal(SN2_CPU_HWID(0x7fe, 3), 0x7fe03);
	assert_int_equal(SN2_CPU_HWID(0xffff, 0xff), 0xffffff);
}

/* ---- memory: node boundaries ----------------------------------------------------- */

static void test_chunk_crossing_node_boundary(void **state)
{
	static const struct sn2_chunk chunk[] = {
		/* The last GiB of node 0 and the first of node 1. */
		CHUNK(NODE_SPAN - GiB(1), GiB(2)),
		/* From the top GiB of node 4 through all of 5 and 6 into 7. */
		CHUNK(5 * NODE_SPAN - GiB(1), 2 * NODE_SPAN + GiB(2)),
	};
	struct sn2_fw fw = { SN2_FIELD, CHUNKS(chunk) };

	sn2_describe(&fw, &d);

	assert_console_empty();
	check_header(false);
	assert_int_equal(d.nr_mem, 6);
	check_mem(0, NODE_SPAN - GiB(1), GiB(1), 0);
	check_mem(1, NODE_SPAN, GiB(1), 1);
	check_mem(2, 5 * NODE_SPAN - GiB(1), GiB(1), 4);
	check_mem(3, 5 * NODE_SPAN, NODE_SPAN, 5);
	check_mem(4, 6 * NODE_SPAN, NODE_SPAN, 6);
	check_mem(5, 7 * NODE_SPAN, GiB(1), 7);
}

static void test_touching_chunks_merge_within_a_node(void **state)
{
	static const struct sn2_chunk chunk[] = {
		CHUNK(NODE_MEM(0), MiB(64)),
		CHUNK(NODE_MEM(0) + MiB(64), MiB(64)),		/* touches: merged */
		CHUNK(NODE_MEM(0) + MiB(256), MiB(64)),		/* gap: new range */
		CHUNK(NODE_SPAN - MiB(4), MiB(4)),		/* top of node 0 */
		CHUNK(NODE_SPAN, MiB(4)),			/* touches, but node 1 */
		CHUNK(NODE_SPAN + MiB(4), MiB(4)),		/* merged into node 1 */
	};
	struct sn2_fw fw = { SN2_FIELD, CHUNKS(chunk) };

	sn2_describe(&fw, &d);

	assert_console_empty();
	check_header(false);
	assert_int_equal(d.nr_mem, 4);
	check_mem(0, NODE_MEM(0), MiB(128), 0);
	check_mem(1, NODE_MEM(0) + MiB(256), MiB(64), 0);
	check_mem(2, NODE_SPAN - MiB(4), MiB(4), 0);
	check_mem(3, NODE_SPAN, MiB(8), 1);
}

/* Many touching EFI chunks in one node take one range, not one each. */
static void test_many_touching_chunks_fit(void **state)
{
	static struct sn2_chunk chunk[1000];
	struct sn2_fw fw = { SN2_FIELD, CHUNKS(chunk) };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(chunk); i++)
		chunk[i] = (struct sn2_chunk)CHUNK(NODE_MEM(2) + i * MiB(16), MiB(16));
	sn2_describe(&fw, &d);

	assert_console_empty();
	check_header(false);
	assert_int_equal(d.nr_mem, 1);
	check_mem(0, NODE_MEM(2), 1000 * MiB(16), 2);
}

/* A field of 2 bits at bit 32: address bits above the field do not count. */
static void test_other_node_field(void **state)
{
	static const struct sn2_chunk chunk[] = {
		CHUNK(0x100000000ULL - 0x1000, 0x2000),		/* node 0 into node 1 */
		CHUNK(0x500000000ULL, 0x1000),			/* bit 34 set: node 1 */
		CHUNK(0x3fffff000ULL, 0x2000),			/* node 3 into 4 = node 0 */
	};
	static const struct sn2_cpu cpu[] = { CPU(1, 0), CPU(3, 2) };
	struct sn2_fw fw = { .node_shift = 32, .node_bits = 2, CHUNKS(chunk), CPUS(cpu) };

	sn2_describe(&fw, &d);

	assert_console_empty();
	check_header(false);
	assert_int_equal(d.nr_mem, 5);
	check_mem(0, 0xfffff000ULL, 0x1000, 0);
	check_mem(1, 0x100000000ULL, 0x1000, 1);
	check_mem(2, 0x500000000ULL, 0x1000, 1);
	check_mem(3, 0x3fffff000ULL, 0x1000, 3);
	check_mem(4, 0x400000000ULL, 0x1000, 0);
	check_cpu(0, 1, 0, true);
	check_cpu(1, 3, 2, true);
}

static void test_node_field_edges_accepted(void **state)
{
	static const struct sn2_chunk chunk[] = { CHUNK(0x7ffffffffffff000ULL, 0x2000) };
	struct sn2_fw fw = { .node_shift = 63, .node_bits = 1, CHUNKS(chunk) };

	sn2_describe(&fw, &d);
	assert_console_empty();
	check_header(false);
	assert_int_equal(d.nr_mem, 2);
	check_mem(0, 0x7ffffffffffff000ULL, 0x1000, 0);
	check_mem(1, 0x8000000000000000ULL, 0x1000, 1);

	/* 16 bits ending at bit 63. */
	reset(state);
	fw.node_shift = 48;
	fw.node_bits = 16;
	sn2_describe(&fw, &d);
	assert_console_empty();
	check_header(false);
	check_mem(0, 0x7ffffffffffff000ULL, 0x1000, 0x7fff);
	check_mem(1, 0x8000000000000000ULL, 0x1000, 0x8000);
}

/* Ending exactly at 2^64 is not wrapping past it. */
static void test_chunk_ending_at_top_of_address_space(void **state)
{
	static const struct sn2_chunk chunk[] = { CHUNK(0xfffffffffffff000ULL, 0x1000) };
	struct sn2_fw fw = { SN2_FIELD, CHUNKS(chunk) };

	sn2_describe(&fw, &d);

	assert_console_empty();
	check_header(false);
	assert_int_equal(d.nr_mem, 1);
	check_mem(0, 0xfffffffffffff000ULL, 0x1000, 0x7ff);
}

/* A range ending at 2^64 and a chunk at 0 never merge: their nodes differ. */
static void test_top_and_bottom_chunks_stay_apart(void **state)
{
	static const struct sn2_chunk chunk[] = {
		CHUNK(0xffffffffffffe000ULL, 0x2000), CHUNK(0, 0x1000),
	};
	struct sn2_fw fw = { SN2_FIELD, CHUNKS(chunk) };

	sn2_describe(&fw, &d);

	assert_console_empty();
	assert_int_equal(d.nr_mem, 2);
	check_mem(0, 0xffffffffffffe000ULL, 0x2000, 0x7ff);
	check_mem(1, 0, 0x1000, 0);
}

/* ---- memory: rules ------------------------------------------------------------- */

static void test_zero_length_chunk_skipped(void **state)
{
	static const struct sn2_chunk chunk[] = {
		CHUNK(NODE_MEM(0), GiB(1)), CHUNK(NODE_MEM(2), 0), CHUNK(NODE_MEM(4), GiB(1)),
	};
	static const struct sn2_cpu cpu[] = { CPU(0, 0) };
	struct sn2_fw fw = { SN2_FIELD, CHUNKS(chunk), CPUS(cpu) };

	sn2_describe(&fw, &d);

	assert_console_has("SN2: memory chunk 1 at 0xb000000000 has zero length; skipped\n");
	assert_int_equal(console_count("SN2: "), 1);
	check_header(false);
	assert_int_equal(d.nr_mem, 2);
	check_mem(0, NODE_MEM(0), GiB(1), 0);
	check_mem(1, NODE_MEM(4), GiB(1), 4);
	check_cpu(0, 0, 0, true);
}

static void test_wrapping_chunk_skipped(void **state)
{
	static const struct sn2_chunk chunk[] = {
		CHUNK(NODE_MEM(0), GiB(1)),
		CHUNK(0xfffffffffffff000ULL, 0x2000),
		CHUNK(0x10, ~0ULL),
	};
	struct sn2_fw fw = { SN2_FIELD, CHUNKS(chunk) };

	sn2_describe(&fw, &d);

	assert_console_has("SN2: memory chunk 1 at 0xfffffffffffff000 length 0x2000 wraps past "
			   "2^64; skipped\n");
	assert_console_has("SN2: memory chunk 2 at 0x10 length 0xffffffffffffffff wraps past "
			   "2^64; skipped\n");
	assert_int_equal(console_count("SN2: "), 2);
	check_header(false);
	assert_int_equal(d.nr_mem, 1);
	check_mem(0, NODE_MEM(0), GiB(1), 0);
}

/*
 * 4 KiB nodes: a chunk of n pages makes n ranges. The hop table, if any,
 * lists only the CPUs' nodes 0 and 1.
 */
static void describe_pages(unsigned int pages, bool with_hops)
{
	static const struct sn2_cpu cpu[] = { CPU(0, 0), CPU(1, 0) };
	static const u16 hop_node[] = { 0, 1 };
	static const u8 hops[] = { 0, 1, 1, 0 };
	struct sn2_chunk chunk[] = { CHUNK(0, (u64)pages << 12) };
	struct sn2_fw fw = { .node_shift = 12, .node_bits = 16, CHUNKS(chunk), CPUS(cpu) };

	if (with_hops) {
		fw.hop_node = hop_node;
		fw.hops = hops;
		fw.nr_hop_nodes = ARRAY_SIZE(hop_node);
	}
	sn2_describe(&fw, &d);
}

static void test_exactly_max_ranges_accepted(void **state)
{
	unsigned int i;

	describe_pages(TOPO_MAX_MEM, false);
	assert_console_empty();
	check_header(false);
	assert_int_equal(d.nr_mem, TOPO_MAX_MEM);
	for (i = 0; i < TOPO_MAX_MEM; i++)
		check_mem(i, (u64)i << 12, 0x1000, i);
}

static void test_too_many_ranges_rejected(void **state)
{
	/* The hop table, short of nodes, is never looked at. */
	describe_pages(TOPO_MAX_MEM + 1, true);

	assert_console_has("SN2: memory splits into more than 256 ranges at node boundaries"
			   AFF_FALLBACK);
	assert_int_equal(console_count("SN2: "), 1);
	check_no_affinity();
	/* The CPU list stays: it says which CPUs exist, not where. */
	assert_int_equal(d.nr_cpus, 2);
	check_cpu(0, 0, 0, false);
	check_cpu(1, 1, 0, false);
	assert_int_equal(d.cpus_dropped, 0);
}

/* A chunk spanning 2^25 nodes stops at the limit instead of walking them. */
static void test_huge_chunk_rejected_quickly(void **state)
{
	static const struct sn2_chunk chunk[] = { CHUNK(0, 1ULL << 37) };
	struct sn2_fw fw = { .node_shift = 12, .node_bits = 16, CHUNKS(chunk) };

	sn2_describe(&fw, &d);

	assert_console_has("SN2: memory splits into more than 256 ranges at node boundaries"
			   AFF_FALLBACK);
	check_no_affinity();
}

/* Many chunks, each in its own node, overflow the same way. */
static void test_too_many_chunks_rejected(void **state)
{
	static struct sn2_chunk chunk[TOPO_MAX_MEM + 1];
	static const struct sn2_cpu cpu[] = { CPU(0, 0) };
	struct sn2_fw fw = { SN2_FIELD, CHUNKS(chunk), CPUS(cpu) };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(chunk); i++)
		chunk[i] = (struct sn2_chunk)CHUNK(NODE_MEM(2 * i), GiB(1));
	sn2_describe(&fw, &d);

	assert_console_has("SN2: memory splits into more than 256 ranges at node boundaries"
			   AFF_FALLBACK);
	assert_int_equal(console_count("SN2: "), 1);
	check_no_affinity();
	assert_int_equal(d.nr_cpus, 1);
	check_cpu(0, 0, 0, false);
}

/* ---- the node field -------------------------------------------------------------- */

static void describe_field(unsigned int shift, unsigned int bits)
{
	static const struct sn2_chunk chunk[] = {
		CHUNK(NODE_MEM(0), 0), CHUNK(NODE_MEM(2), GiB(1)),
	};
	static const struct sn2_cpu cpu[] = { CPU(0, 0), CPU(2, 3) };
	static const u16 hop_node[] = { 0, 2 };
	static const u8 hops[] = { 0, 1, 1, 0 };
	struct sn2_fw fw = {
		.node_shift = (u8)shift, .node_bits = (u8)bits,
		CHUNKS(chunk), CPUS(cpu), HOPS(hop_node, hops),
	};

	sn2_describe(&fw, &d);
}

/* Nothing but the one line: no chunk lines, no distances; the CPU list stays. */
static void check_field_rejected(const char *line)
{
	assert_console_has(line);
	assert_int_equal(console_count("SN2: "), 1);
	check_no_affinity();
	assert_int_equal(d.nr_cpus, 2);
	check_cpu(0, 0, 0, false);
	check_cpu(1, 2, 3, false);
}

static void test_node_field_width_zero(void **state)
{
	describe_field(38, 0);
	check_field_rejected("SN2: node field at bit 38, width 0: must be 1..16 bits ending at "
			     "or below bit 63" AFF_FALLBACK);
}

static void test_node_field_past_bit_63(void **state)
{
	describe_field(60, 5);
	check_field_rejected("SN2: node field at bit 60, width 5: must be 1..16 bits ending at "
			     "or below bit 63" AFF_FALLBACK);
	reset(state);
	describe_field(255, 1);
	check_field_rejected("SN2: node field at bit 255, width 1: must be 1..16 bits ending at "
			     "or below bit 63" AFF_FALLBACK);
}

static void test_node_field_too_wide(void **state)
{
	describe_field(38, 17);
	check_field_rejected("SN2: node field at bit 38, width 17: must be 1..16 bits ending at "
			     "or below bit 63" AFF_FALLBACK);
}

/* ---- CPUs ------------------------------------------------------------------------ */

static void describe_cpus(unsigned int n)
{
	static struct sn2_cpu cpu[CONFIG_NR_CPUS + 3];
	struct sn2_fw fw = { SN2_FIELD };
	unsigned int i;

	for (i = 0; i < n; i++)
		cpu[i] = (struct sn2_cpu)CPU(2 * (i / 4), i % 4);
	fw.cpu = cpu;
	fw.nr_cpus = n;
	sn2_describe(&fw, &d);
}

static void test_nr_cpus_exactly_fits(void **state)
{
	unsigned int i;

	describe_cpus(CONFIG_NR_CPUS);
	assert_console_empty();
	assert_int_equal(d.nr_cpus, CONFIG_NR_CPUS);
	assert_int_equal(d.nr_aff, CONFIG_NR_CPUS);
	assert_int_equal(d.cpus_dropped, 0);
	for (i = 0; i < CONFIG_NR_CPUS; i++)
		check_cpu(i, (u16)(2 * (i / 4)), (u8)(i % 4), true);
}

static void test_too_many_cpus_dropped(void **state)
{
	char line[128];
	unsigned int i;

	describe_cpus(CONFIG_NR_CPUS + 3);
	snprintf(line, sizeof(line), "SN2: %u CPUs present, room for NR_CPUS=%u; the last 3 "
		 "ignored\n", CONFIG_NR_CPUS + 3, CONFIG_NR_CPUS);
	assert_console_has(line);
	assert_int_equal(console_count("SN2: "), 1);
	check_header(false);
	assert_int_equal(d.nr_cpus, CONFIG_NR_CPUS);
	assert_int_equal(d.nr_aff, CONFIG_NR_CPUS);
	assert_int_equal(d.cpus_dropped, 3);
	for (i = 0; i < CONFIG_NR_CPUS; i++)
		check_cpu(i, (u16)(2 * (i / 4)), (u8)(i % 4), true);
}

/* ---- the router hop table -------------------------------------------------------- */

/* Nodes 0, 2 and 4 (memory on 0 and 2, CPUs on 0 and 4) with the given table. */
static void describe_hops(const u16 *hop_node, const u8 *hops, unsigned int n)
{
	static const struct sn2_chunk chunk[] = {
		CHUNK(NODE_MEM(0), GiB(1)), CHUNK(NODE_MEM(2), GiB(1)),
	};
	static const struct sn2_cpu cpu[] = { CPU(0, 0), CPU(4, 1) };
	struct sn2_fw fw = { SN2_FIELD, CHUNKS(chunk), CPUS(cpu) };

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
	check_mem(0, NODE_MEM(0), GiB(1), 0);
	check_mem(1, NODE_MEM(2), GiB(1), 2);
	assert_int_equal(d.nr_cpus, 2);
	check_cpu(0, 0, 0, true);
	check_cpu(1, 4, 1, true);
	check_no_distances(true);
}

static void test_hop_table_valid_baseline(void **state)
{
	static const u16 hop_node[] = { 0, 2, 4 };
	static const u8 hops[] = { 0, 1, 2, 1, 0, 1, 2, 1, 0 };

	describe_hops(hop_node, hops, 3);
	assert_console_empty();
	assert_false(d.distances_rejected);
	assert_int_equal(d.nr_localities, 5);
	assert_int_equal(dist(0, 4), 25);
	assert_int_equal(dist(2, 4), 20);
}

static void test_hop_table_nonzero_diagonal(void **state)
{
	static const u16 hop_node[] = { 0, 2, 4 };
	static const u8 hops[] = { 0, 1, 2, 1, 1, 1, 2, 1, 0 };

	describe_hops(hop_node, hops, 3);
	check_hops_rejected("SN2: router hop table entry from node 2 to itself is 1, not 0"
			    DIST_FALLBACK);
}

static void test_hop_table_zero_off_diagonal(void **state)
{
	static const u16 hop_node[] = { 0, 2, 4 };
	static const u8 hops[] = { 0, 1, 2, 1, 0, 1, 0, 1, 0 };

	describe_hops(hop_node, hops, 3);
	check_hops_rejected("SN2: router hop table entry from node 4 to node 0 is 0, not at "
			    "least 1" DIST_FALLBACK);
}

static void test_hop_table_lacks_memory_node(void **state)
{
	static const u16 hop_node[] = { 0, 4 };
	static const u8 hops[] = { 0, 1, 1, 0 };

	describe_hops(hop_node, hops, 2);
	check_hops_rejected("SN2: node 2 has memory but no row in the router hop table"
			    DIST_FALLBACK);
}

static void test_hop_table_lacks_cpu_node(void **state)
{
	static const u16 hop_node[] = { 0, 2 };
	static const u8 hops[] = { 0, 1, 1, 0 };

	describe_hops(hop_node, hops, 2);
	check_hops_rejected("SN2: node 4 has CPUs but no row in the router hop table"
			    DIST_FALLBACK);
}

/* Four nodes, one hop apart. */
static const u8 one_hop_4[] = {
	0, 1, 1, 1,
	1, 0, 1, 1,
	1, 1, 0, 1,
	1, 1, 1, 0,
};

static void test_hop_table_node_beyond_matrix(void **state)
{
	static const u16 hop_node[] = { 0, 2, 4, 256 };

	describe_hops(hop_node, one_hop_4, 4);
	check_hops_rejected("SN2: router hop table row 3 is node 256, beyond the 256 nodes the "
			    "distance matrix holds" DIST_FALLBACK);
}

static void test_hop_table_node_twice(void **state)
{
	static const u16 hop_node[] = { 0, 2, 4, 2 };

	describe_hops(hop_node, one_hop_4, 4);
	check_hops_rejected("SN2: router hop table lists node 2 twice" DIST_FALLBACK);
}

/* A node with memory beyond the matrix can never be in a valid table. */
static void test_memory_node_beyond_matrix(void **state)
{
	static const struct sn2_chunk chunk[] = {
		CHUNK(NODE_MEM(0), GiB(1)), CHUNK(NODE_MEM(300), GiB(1)),
	};
	static const u16 hop_node[] = { 0 };
	static const u8 hops[] = { 0 };
	struct sn2_fw fw = { SN2_FIELD, CHUNKS(chunk), HOPS(hop_node, hops) };

	sn2_describe(&fw, &d);

	assert_console_has("SN2: node 300 has memory but no row in the router hop table"
			   DIST_FALLBACK);
	assert_int_equal(console_count("SN2: "), 1);
	check_header(false);
	assert_int_equal(d.nr_mem, 2);
	check_mem(1, NODE_MEM(300), GiB(1), 300);
	check_no_distances(true);
}

/* I/O nodes in the table (no memory, no CPUs) are not part of the matrix. */
static void test_hop_table_extra_nodes_ignored(void **state)
{
	static const u16 hop_node[] = { 8, 0, 2, 4, 255 };
	static const u8 hops[] = {
		0, 1, 1, 1, 4,
		1, 0, 1, 2, 4,
		1, 1, 0, 3, 4,
		1, 2, 3, 0, 4,
		4, 4, 4, 4, 0,
	};

	describe_hops(hop_node, hops, 5);
	assert_console_empty();
	assert_false(d.distances_rejected);
	assert_int_equal(d.nr_localities, 5);
	assert_int_equal(dist(0, 2), 20);
	assert_int_equal(dist(0, 4), 25);
	assert_int_equal(dist(2, 4), 30);
	assert_int_equal(dist(4, 2), 30);
	assert_int_equal(dist(3, 3), 10);
	assert_int_equal(dist(3, 4), 255);
}

/* 20 for one hop, +5 per further router, never 255; asymmetry kept. */
static void test_distance_formula(void **state)
{
	static const u8 far[] = { 1, 2, 3, 10, 47, 48, 49, 255 };
	static const u8 want[] = { 20, 25, 30, 65, 250, 254, 254, 254 };
	static struct sn2_cpu cpu[ARRAY_SIZE(far) + 1];
	static u16 hop_node[ARRAY_SIZE(far) + 1];
	static u8 hops[(ARRAY_SIZE(far) + 1) * (ARRAY_SIZE(far) + 1)];
	const unsigned int n = ARRAY_SIZE(far) + 1;
	struct sn2_fw fw = { SN2_FIELD, CPUS(cpu), HOPS(hop_node, hops) };
	unsigned int i, j;

	for (i = 0; i < n; i++) {
		cpu[i] = (struct sn2_cpu)CPU(i, 0);
		hop_node[i] = (u16)i;
		for (j = 0; j < n; j++)
			hops[i * n + j] = i == j ? 0 : 1;
	}
	for (i = 1; i < n; i++)
		hops[i] = far[i - 1];	/* row 0: from node 0 */
	sn2_describe(&fw, &d);

	assert_console_empty();
	assert_int_equal(d.nr_localities, n);
	for (i = 1; i < n; i++) {
		assert_int_equal(dist(0, i), want[i - 1]);
		assert_int_equal(dist(i, 0), 20);
	}
}

#define T(fn) cmocka_unit_test_setup(fn, reset)

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
		T(test_cpu_hwid_encoding),
		T(test_chunk_crossing_node_boundary),
		T(test_touching_chunks_merge_within_a_node),
		T(test_many_touching_chunks_fit),
		T(test_other_node_field),
		T(test_node_field_edges_accepted),
		T(test_chunk_ending_at_top_of_address_space),
		T(test_top_and_bottom_chunks_stay_apart),
		T(test_zero_length_chunk_skipped),
		T(test_wrapping_chunk_skipped),
		T(test_exactly_max_ranges_accepted),
		T(test_too_many_ranges_rejected),
		T(test_huge_chunk_rejected_quickly),
		T(test_too_many_chunks_rejected),
		T(test_node_field_width_zero),
		T(test_node_field_past_bit_63),
		T(test_node_field_too_wide),
		T(test_nr_cpus_exactly_fits),
		T(test_too_many_cpus_dropped),
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
