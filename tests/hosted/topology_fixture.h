/*
 * The fixture of the topology tests (test_topology.c for descriptions and
 * rules, test_topology_options.c for numa= options, the lookup and the 'u'
 * format): a description, a memory map and options that a test fills with
 * the helpers below, and the topology topo_build() makes of them. Each
 * test binary includes it once and gets its own copy of the statics.
 */
#ifndef HOSTED_TOPOLOGY_FIXTURE_H
#define HOSTED_TOPOLOGY_FIXTURE_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <hv/lib.h>
#include <hv/printk.h>
#include <hv/topology.h>

#include "fake_arch.h"

static struct topo_desc d;
static struct topology t;
static struct topo_opts opts;
static struct mem_range map[BOOT_MEMMAP_MAX];
static unsigned int nr_map;

static inline int reset(void **state)
{
	memset(&d, 0, sizeof(d));
	memset(&opts, 0, sizeof(opts));
	nr_map = 0;
	console_set_loglevel(LOG_DEBUG);
	console_clear();
	return 0;
}

static inline void ram(paddr_t s, paddr_t e)
{
	map[nr_map].start = s;
	map[nr_map].end = e;
	map[nr_map].type = MEM_RAM;
	nr_map++;
}

static inline void cpu(u32 hwid, u32 pxm)
{
	d.cpu_hwid[d.nr_cpus++] = hwid;
	d.aff[d.nr_aff].hwid = hwid;
	d.aff[d.nr_aff].pxm = pxm;
	d.nr_aff++;
}

static inline void mem(paddr_t s, u64 len, u32 pxm, u32 flags)
{
	d.mem[d.nr_mem].start = s;
	d.mem[d.nr_mem].len = len;
	d.mem[d.nr_mem].pxm = pxm;
	d.mem[d.nr_mem].flags = flags;
	d.nr_mem++;
	d.have_affinity = true;
	d.source = TOPO_SRC_ACPI;
}

static inline void slit(unsigned int count, const u8 *m)
{
	d.nr_localities = count;
	memcpy(d.dist, m, (size_t)count * count);
}

static inline void build(void)
{
	topo_build(&d, map, nr_map, &opts, &t);
}

static inline void check_fallback(unsigned int n, unsigned int cnt, ...)
{
	va_list ap;
	unsigned int i;

	va_start(ap, cnt);
	if (t.node[n].nr_fallback != cnt)
		fail_msg("node %u: %u fallback nodes, expected %u", n, t.node[n].nr_fallback, cnt);
	for (i = 0; i < cnt; i++) {
		unsigned int want = va_arg(ap, unsigned int);

		if (t.node[n].fallback[i] != want)
			fail_msg("node %u: fallback[%u] is %u, expected %u", n, i,
				 t.node[n].fallback[i], want);
	}
	va_end(ap);
}

/* Every address of every range maps to its node; holes to a valid node. */
static inline void check_lookup(void)
{
	unsigned int i;

	for (i = 0; i < t.nr_ranges; i++) {
		const struct topo_range *r = &t.range[i];

		assert_int_equal(topo_paddr_to_node(&t, r->start), r->node);
		assert_int_equal(topo_paddr_to_node(&t, r->end - 1), r->node);
		assert_int_equal(topo_paddr_to_node(&t, r->start + (r->end - r->start) / 2),
				 r->node);
		if (i)
			assert_true(t.range[i - 1].end <= r->start);
	}
}

/* Four nodes on a ring, as `make run` boots: 10 / 21 / 31. */
static const u8 ring4[16] = {
    10, 21, 31, 21, 21, 10, 21, 31, 31, 21, 10, 21, 21, 31, 21, 10,
};

static inline void qemu_like_4node(void)
{
	unsigned int n;

	ram(0, 0x9f000);
	ram(0x100000, 0x7ffdf000);
	ram(0x100000000ULL, 0x180000000ULL);
	for (n = 0; n < 4; n++) {
		cpu(2 * n, n);
		cpu(2 * n + 1, n);
	}
	mem(0, 0xa0000, 0, 0);
	mem(0x100000, 0x3ff00000, 0, 0);
	mem(0x40000000, 0x40000000, 1, 0);
	mem(0x80000000, 0, 0, 0); /* a zero-length enabled entry */
	mem(0x100000000ULL, 0x40000000, 2, 0);
	mem(0x140000000ULL, 0x40000000, 3, 0);
	slit(4, ring4);
}

#endif /* HOSTED_TOPOLOGY_FIXTURE_H */
