/*
 * The fixture of the SGI SN2 tests (test_ia64_sn2.c: whole machines, one
 * machine described twice, CPUs, the router hop table;
 * test_ia64_sn2_memory.c: memory chunks and the node field): the
 * description sn2_describe() fills (garbage before each test), an ACPI
 * fixture for the PROM's tables, and checkers. Each test binary includes
 * it once and gets its own copy of the statics.
 *
 * Expected values are written out as numbers from SGI's definitions, not
 * computed with the code's macros:
 * - physical address: NASID in bits 38..48, address space in bits 36..37
 *   (3: cacheable memory), so NASID n's memory starts at n << 38 | 3 << 36
 *   (NASID 0: 0x3000000000, 2: 0xb000000000, 4: 0x13000000000);
 * - CPU id: the LID's id/eid bits (LID >> 16), NASID in bits 0..11 and
 *   slice in bits 12..13 (NASID 2 slice 1: 0x1002);
 * - proximity domain: the PROM's, NASID >> 1 (NASID 2: pxm 1); odd NASIDs
 *   are TIO I/O chiplets, with no memory and no CPUs.
 */
#ifndef HOSTED_SN2_FIXTURE_H
#define HOSTED_SN2_FIXTURE_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <hv/lib.h>
#include <hv/printk.h>
#include <hv/topology.h>

#include "../../arch/ia64/dig.h"
#include "../../arch/ia64/sn2.h"
#include "fake_arch.h"
#include "support_acpi.h"

#define DIST_FALLBACK "; distances 10 local, 20 remote\n"
#define AFF_FALLBACK "; affinity ignored: one node with all memory and CPUs\n"

/* Input builders only; expectations are literal. */
#define NODE_MEM(n) (((u64)(n) << 38) | (3ULL << 36))
#define NODE_SPAN (1ULL << 38)

#define CHUNK(s, l)                      \
	{                                \
		.start = (s), .len = (l) \
	}
#define CPU(n, s)                          \
	{                                  \
		.nasid = (n), .slice = (s) \
	}

static struct topo_desc d;
static const u8 zeros[sizeof(d.dist)];
static struct acpi_fixture fx;

static inline int reset(void **state)
{
	console_set_loglevel(LOG_DEBUG);
	console_clear();
	memset(&d, 0xa5, sizeof(d));
	return 0;
}

static inline int teardown(void **state)
{
	acpi_fx_end(&fx);
	return 0;
}

/* Designated initialisers for struct sn2_fw from arrays in scope. */
#define SN2_FIELD .node_shift = SN2_NODE_SHIFT, .node_bits = SN2_NODE_BITS
#define CHUNKS(c) .chunk = (c), .nr_chunks = ARRAY_SIZE(c)
#define CPUS(c) .cpu = (c), .nr_cpus = ARRAY_SIZE(c)
#define HOPS(n, h) .hop_node = (n), .hops = (h), .nr_hop_nodes = ARRAY_SIZE(n)

static inline void check_header(bool rejected)
{
	assert_int_equal(d.source, TOPO_SRC_SN2);
	assert_true(d.have_affinity);
	assert_int_equal(d.affinity_rejected, rejected);
}

static inline void check_mem(unsigned int i, paddr_t start, u64 len, u32 pxm)
{
	assert_in_range(i, 0, d.nr_mem - 1);
	assert_int_equal(d.mem[i].start, start);
	assert_int_equal(d.mem[i].len, len);
	assert_int_equal(d.mem[i].pxm, pxm);
	assert_int_equal(d.mem[i].flags, 0);
}

/* CPU i has this id in the CPU list and, unless pxm is NO_AFF, this affinity entry. */
#define NO_AFF 0xffffffffU
static inline void check_cpu(unsigned int i, u32 hwid, u32 pxm)
{
	assert_in_range(i, 0, d.nr_cpus - 1);
	assert_int_equal(d.cpu_hwid[i], hwid);
	if (pxm == NO_AFF)
		return;
	assert_in_range(i, 0, d.nr_aff - 1);
	assert_int_equal(d.aff[i].hwid, hwid);
	assert_int_equal(d.aff[i].pxm, pxm);
}

static inline u8 dist(u32 a, u32 b)
{
	assert_in_range(a, 0, d.nr_localities - 1);
	assert_in_range(b, 0, d.nr_localities - 1);
	return d.dist[a * d.nr_localities + b];
}

static inline void check_no_distances(bool rejected)
{
	assert_int_equal(d.distances_rejected, rejected);
	assert_int_equal(d.nr_localities, 0);
	assert_memory_equal(d.dist, zeros, sizeof(d.dist));
}

static inline void check_no_affinity(void)
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

#define T(fn) cmocka_unit_test_setup_teardown(fn, reset, teardown)

#endif /* HOSTED_SN2_FIXTURE_H */
