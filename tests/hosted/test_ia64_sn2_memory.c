/*
 * Hosted tests for arch/ia64/sn2.c's memory description: chunks at and
 * across NASID boundaries (odd NASIDs hold no memory), chunks that touch,
 * the node field's edges, zero-length and wrapping chunks, the range and
 * chunk limits, and the node field's width, each rule with its exact line
 * and fallback. The expected numbers' sources are in sn2_fixture.h.
 */
#include "sn2_fixture.h"

/* ---- memory: NASID boundaries --------------------------------------------------- */

/* A chunk running from NASID 0 into NASID 1 (a TIO) is no SN2 memory map. */
static void test_chunk_into_odd_nasid_rejected(void **state)
{
	static const struct sn2_chunk chunk[] = {
	    CHUNK(NODE_MEM(2), GiB(1)),
	    /* The last GiB of NASID 0 and the first of NASID 1. */
	    CHUNK(NODE_SPAN - GiB(1), GiB(2)),
	};
	static const struct sn2_cpu cpu[] = {CPU(0, 0)};
	struct sn2_fw fw = {SN2_FIELD, CHUNKS(chunk), CPUS(cpu)};

	sn2_describe(&fw, &d);

	assert_console_has("SN2: memory chunk 1 has memory at 0x4000000000 on odd NASID 1, "
			   "a TIO I/O node without memory" AFF_FALLBACK);
	assert_int_equal(console_count("SN2: "), 1);
	check_no_affinity();
	assert_int_equal(d.nr_cpus, 1);
	check_cpu(0, 0x0000, NO_AFF);
}

/* Ending exactly where NASID 1 begins is fine; starting in an odd NASID is not. */
static void test_chunk_in_odd_nasid_rejected(void **state)
{
	static const struct sn2_chunk chunk[] = {
	    CHUNK(NODE_SPAN - GiB(1), GiB(1)),
	    CHUNK(NODE_MEM(3), GiB(1)),
	};
	struct sn2_fw fw = {SN2_FIELD, CHUNKS(chunk)};

	sn2_describe(&fw, &d);

	assert_console_has("SN2: memory chunk 1 has memory at 0xf000000000 on odd NASID 3, "
			   "a TIO I/O node without memory" AFF_FALLBACK);
	assert_int_equal(console_count("SN2: "), 1);
	check_no_affinity();
}

/* A chunk spanning 2^25 NASIDs stops at the first odd one instead of walking them. */
static void test_huge_chunk_rejected_quickly(void **state)
{
	static const struct sn2_chunk chunk[] = {CHUNK(0, 1ULL << 37)};
	struct sn2_fw fw = {.node_shift = 12, .node_bits = 16, CHUNKS(chunk)};

	sn2_describe(&fw, &d);

	assert_console_has("SN2: memory chunk 0 has memory at 0x1000 on odd NASID 1, a TIO I/O "
			   "node without memory" AFF_FALLBACK);
	check_no_affinity();
}

static void test_touching_chunks_merge_within_a_node(void **state)
{
	static const struct sn2_chunk chunk[] = {
	    CHUNK(NODE_MEM(0), MiB(64)),
	    CHUNK(NODE_MEM(0) + MiB(64), MiB(64)),  /* touches: merged */
	    CHUNK(NODE_MEM(0) + MiB(256), MiB(64)), /* gap: new range */
	    CHUNK(NODE_SPAN - MiB(4), MiB(4)),	    /* top of NASID 0 */
	    CHUNK(2 * NODE_SPAN, MiB(4)),	    /* bottom of NASID 2 */
	    CHUNK(2 * NODE_SPAN + MiB(4), MiB(4)),  /* merged into it */
	};
	struct sn2_fw fw = {SN2_FIELD, CHUNKS(chunk)};

	sn2_describe(&fw, &d);

	assert_console_empty();
	check_header(false);
	assert_int_equal(d.nr_mem, 4);
	check_mem(0, 0x3000000000ULL, 0x8000000, 0);
	check_mem(1, 0x3010000000ULL, 0x4000000, 0);
	check_mem(2, 0x3fffc00000ULL, 0x400000, 0);
	check_mem(3, 0x8000000000ULL, 0x800000, 1);
}

/* Many touching EFI chunks in one node take one range, not one each. */
static void test_many_touching_chunks_fit(void **state)
{
	static struct sn2_chunk chunk[1000];
	struct sn2_fw fw = {SN2_FIELD, CHUNKS(chunk)};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(chunk); i++)
		chunk[i] = (struct sn2_chunk)CHUNK(NODE_MEM(2) + i * MiB(16), MiB(16));
	sn2_describe(&fw, &d);

	assert_console_empty();
	check_header(false);
	assert_int_equal(d.nr_mem, 1);
	check_mem(0, 0xb000000000ULL, 0x3e8000000ULL, 1);
}

/* A field of 2 bits at bit 32: address bits above the field do not count. */
static void test_other_node_field(void **state)
{
	static const struct sn2_chunk chunk[] = {
	    CHUNK(0xfffff000ULL, 0x1000),  /* NASID 0 */
	    CHUNK(0x200000000ULL, 0x1000), /* NASID 2 */
	    CHUNK(0x600000000ULL, 0x1000), /* bit 34 set: NASID 2 */
	};
	static const struct sn2_cpu cpu[] = {CPU(2, 0), CPU(0, 2)};
	struct sn2_fw fw = {.node_shift = 32, .node_bits = 2, CHUNKS(chunk), CPUS(cpu)};

	sn2_describe(&fw, &d);

	assert_console_empty();
	check_header(false);
	assert_int_equal(d.nr_mem, 3);
	check_mem(0, 0xfffff000ULL, 0x1000, 0);
	check_mem(1, 0x200000000ULL, 0x1000, 1);
	check_mem(2, 0x600000000ULL, 0x1000, 1);
	check_cpu(0, 0x0002, 1);
	check_cpu(1, 0x2000, 0);
}

static void test_node_field_edges_accepted(void **state)
{
	static const struct sn2_chunk chunk[] = {
	    CHUNK(0x7ffffffffffff000ULL, 0x1000),
	    CHUNK(0xfffe000000000000ULL, 0x1000),
	};
	struct sn2_fw fw = {.node_shift = 63, .node_bits = 1, CHUNKS(chunk)};

	/* One bit at 63: NASID 0, then NASID 1 (odd). */
	fw.nr_chunks = 1;
	sn2_describe(&fw, &d);
	assert_console_empty();
	check_header(false);
	assert_int_equal(d.nr_mem, 1);
	check_mem(0, 0x7ffffffffffff000ULL, 0x1000, 0);

	/* 16 bits ending at bit 63: NASIDs 0x7fff (odd: skipped here) and 0xfffe. */
	reset(state);
	fw.node_shift = 48;
	fw.node_bits = 16;
	fw.chunk = chunk + 1;
	sn2_describe(&fw, &d);
	assert_console_empty();
	check_header(false);
	assert_int_equal(d.nr_mem, 1);
	check_mem(0, 0xfffe000000000000ULL, 0x1000, 0x7fff);
}

/* Ending exactly at 2^64 is not wrapping past it; the top NASID is odd, though. */
static void test_chunk_ending_at_top_of_address_space(void **state)
{
	static const struct sn2_chunk chunk[] = {CHUNK(0xfffffffffffff000ULL, 0x1000)};
	struct sn2_fw fw = {SN2_FIELD, CHUNKS(chunk)};

	sn2_describe(&fw, &d);

	assert_console_has("SN2: memory chunk 0 has memory at 0xfffffffffffff000 on odd NASID "
			   "2047, a TIO I/O node without memory" AFF_FALLBACK);
	assert_console_lacks("wraps");
	check_no_affinity();
}

/* ---- memory: rules ------------------------------------------------------------- */

static void test_zero_length_chunk_skipped(void **state)
{
	static const struct sn2_chunk chunk[] = {
	    CHUNK(NODE_MEM(0), GiB(1)),
	    CHUNK(NODE_MEM(2), 0),
	    CHUNK(NODE_MEM(4), GiB(1)),
	};
	static const struct sn2_cpu cpu[] = {CPU(0, 0)};
	struct sn2_fw fw = {SN2_FIELD, CHUNKS(chunk), CPUS(cpu)};

	sn2_describe(&fw, &d);

	assert_console_has("SN2: memory chunk 1 at 0xb000000000 has zero length; skipped\n");
	assert_int_equal(console_count("SN2: "), 1);
	check_header(false);
	assert_int_equal(d.nr_mem, 2);
	check_mem(0, 0x3000000000ULL, 0x40000000, 0);
	check_mem(1, 0x13000000000ULL, 0x40000000, 2);
	check_cpu(0, 0x0000, 0);
}

static void test_wrapping_chunk_skipped(void **state)
{
	static const struct sn2_chunk chunk[] = {
	    CHUNK(NODE_MEM(0), GiB(1)),
	    CHUNK(0xfffffffffffff000ULL, 0x2000),
	    CHUNK(0x10, ~0ULL),
	};
	struct sn2_fw fw = {SN2_FIELD, CHUNKS(chunk)};

	sn2_describe(&fw, &d);

	assert_console_has("SN2: memory chunk 1 at 0xfffffffffffff000 length 0x2000 wraps past "
			   "2^64; skipped\n");
	assert_console_has("SN2: memory chunk 2 at 0x10 length 0xffffffffffffffff wraps past "
			   "2^64; skipped\n");
	assert_int_equal(console_count("SN2: "), 2);
	check_header(false);
	assert_int_equal(d.nr_mem, 1);
	check_mem(0, 0x3000000000ULL, 0x40000000, 0);
}

/*
 * 4 KiB nodes: n one-page chunks on NASIDs 0, 2, 4, ... make n ranges (pxm
 * 0, 1, 2, ...). The hop table, if any, lists only the CPUs' NASIDs 0, 2.
 */
static void describe_pages(unsigned int pages, bool with_hops)
{
	static struct sn2_chunk chunk[TOPO_MAX_MEM + 1];
	static const struct sn2_cpu cpu[] = {CPU(0, 0), CPU(2, 0)};
	static const u16 hop_node[] = {0, 2};
	static const u8 hops[] = {0, 1, 1, 0};
	struct sn2_fw fw = {.node_shift = 12, .node_bits = 16, CPUS(cpu)};
	unsigned int i;

	for (i = 0; i < pages; i++)
		chunk[i] = (struct sn2_chunk)CHUNK((u64)(2 * i) << 12, 0x1000);
	fw.chunk = chunk;
	fw.nr_chunks = pages;
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
	check_mem(0, 0, 0x1000, 0);
	check_mem(1, 0x2000, 0x1000, 1);
	check_mem(255, 0x1fe000, 0x1000, 255);
	for (i = 0; i < TOPO_MAX_MEM; i++)
		assert_int_equal(d.mem[i].pxm, i);
}

static void test_too_many_ranges_rejected(void **state)
{
	/* The hop table, short of nodes, is never looked at. */
	describe_pages(TOPO_MAX_MEM + 1, true);

	assert_console_has(
	    "SN2: memory splits into more than 256 ranges at node boundaries" AFF_FALLBACK);
	assert_int_equal(console_count("SN2: "), 1);
	check_no_affinity();
	/* The CPU list stays: it says which CPUs exist, not where. */
	assert_int_equal(d.nr_cpus, 2);
	check_cpu(0, 0x0000, NO_AFF);
	check_cpu(1, 0x0002, NO_AFF);
	assert_int_equal(d.cpus_dropped, 0);
}

/* Many chunks, each in its own node, overflow the same way. */
static void test_too_many_chunks_rejected(void **state)
{
	static struct sn2_chunk chunk[TOPO_MAX_MEM + 1];
	static const struct sn2_cpu cpu[] = {CPU(0, 0)};
	struct sn2_fw fw = {SN2_FIELD, CHUNKS(chunk), CPUS(cpu)};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(chunk); i++)
		chunk[i] = (struct sn2_chunk)CHUNK(NODE_MEM(2 * i), GiB(1));
	sn2_describe(&fw, &d);

	assert_console_has(
	    "SN2: memory splits into more than 256 ranges at node boundaries" AFF_FALLBACK);
	assert_int_equal(console_count("SN2: "), 1);
	check_no_affinity();
	assert_int_equal(d.nr_cpus, 1);
	check_cpu(0, 0x0000, NO_AFF);
}

/* ---- the node field -------------------------------------------------------------- */

static void describe_field(unsigned int shift, unsigned int bits)
{
	static const struct sn2_chunk chunk[] = {
	    CHUNK(NODE_MEM(0), 0),
	    CHUNK(NODE_MEM(2), GiB(1)),
	};
	static const struct sn2_cpu cpu[] = {CPU(0, 0), CPU(2, 3)};
	static const u16 hop_node[] = {0, 2};
	static const u8 hops[] = {0, 1, 1, 0};
	struct sn2_fw fw = {
	    .node_shift = (u8)shift,
	    .node_bits = (u8)bits,
	    CHUNKS(chunk),
	    CPUS(cpu),
	    HOPS(hop_node, hops),
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
	check_cpu(0, 0x0000, NO_AFF);
	check_cpu(1, 0x3002, NO_AFF);
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

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_chunk_into_odd_nasid_rejected), T(test_chunk_in_odd_nasid_rejected),
	    T(test_huge_chunk_rejected_quickly),   T(test_touching_chunks_merge_within_a_node),
	    T(test_many_touching_chunks_fit),	   T(test_other_node_field),
	    T(test_node_field_edges_accepted),	   T(test_chunk_ending_at_top_of_address_space),
	    T(test_zero_length_chunk_skipped),	   T(test_wrapping_chunk_skipped),
	    T(test_exactly_max_ranges_accepted),   T(test_too_many_ranges_rejected),
	    T(test_too_many_chunks_rejected),	   T(test_node_field_width_zero),
	    T(test_node_field_past_bit_63),	   T(test_node_field_too_wide),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
