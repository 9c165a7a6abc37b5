/*
 * The memory-management half of the fake machine: the global `topo` that
 * mm/numa.c owns in the real image (not linked here), and a direct map for
 * arch_maddr_to_virt() made of host buffers, one per fixture RAM range, so
 * the page allocator really zeroes and poisons the pages it hands out.
 * Fake physical addresses may lie anywhere (above 4 GiB too); only the
 * ranges mapped here are backed. Mapping and unmapping happen between
 * tests on one thread; lookups may come from any thread and only read.
 * An address outside every range is a bug in the code under test: it is
 * printed and the process aborts (a worker thread cannot fail a test).
 * Also the allocation failure injection of support_heap.h.
 */
#include <stdio.h>
#include <stdlib.h>

#include <hv/arch.h>
#include <hv/mm.h>
#include <hv/topology.h>

#include "support_heap.h"

/* What the image starts with too: one node, the boot CPU. */
static struct topology default_topology = {.nr_nodes = 1, .nr_cpus = 1};

struct topology *topo = &default_topology;

struct ram_region {
	paddr_t base, end;
	char *buf;
};

static struct ram_region ram[FAKE_RAM_REGIONS];
static unsigned int nr_ram;

void fake_ram_map(paddr_t base, void *buf, u64 len)
{
	unsigned int i;

	if (nr_ram == FAKE_RAM_REGIONS || !len || base + len < base) {
		fprintf(stderr, "fake_ram_map(0x%llx, %llu): bad range or no room\n", base, len);
		abort();
	}
	/* Keep the table sorted so lookups can bisect. */
	for (i = nr_ram; i > 0 && ram[i - 1].base > base; i--)
		ram[i] = ram[i - 1];
	ram[i].base = base;
	ram[i].end = base + len;
	ram[i].buf = buf;
	nr_ram++;
}

void fake_ram_reset(void)
{
	nr_ram = 0;
}

void fake_topo_reset(void)
{
	topo = &default_topology;
}

static unsigned long alloc_calls, alloc_fail_k;
static bool alloc_fail_on;

bool alloc_fault(void)
{
	unsigned long k = __atomic_load_n(&alloc_fail_k, __ATOMIC_RELAXED);
	unsigned long n = __atomic_add_fetch(&alloc_calls, 1, __ATOMIC_RELAXED);

	return k && (n == k || (n > k && __atomic_load_n(&alloc_fail_on, __ATOMIC_RELAXED)));
}

void fake_alloc_fail_at(unsigned long k)
{
	__atomic_store_n(&alloc_calls, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&alloc_fail_on, false, __ATOMIC_RELAXED);
	__atomic_store_n(&alloc_fail_k, k, __ATOMIC_RELAXED);
}

void fake_alloc_fail_from(unsigned long k)
{
	fake_alloc_fail_at(k);
	__atomic_store_n(&alloc_fail_on, true, __ATOMIC_RELAXED);
}

unsigned long fake_alloc_calls(void)
{
	return __atomic_load_n(&alloc_calls, __ATOMIC_RELAXED);
}

void *arch_maddr_to_virt(paddr_t pa)
{
	unsigned int lo = 0, hi = nr_ram;

	while (lo < hi) {
		unsigned int mid = lo + (hi - lo) / 2;

		if (pa < ram[mid].base)
			hi = mid;
		else if (pa >= ram[mid].end)
			lo = mid + 1;
		else
			return ram[mid].buf + (pa - ram[mid].base);
	}
	fprintf(stderr, "arch_maddr_to_virt(0x%llx): not fixture RAM\n", pa);
	abort();
}

/* arch_virt_to_maddr(), which <asm/arch-inline.h> sends here. */
paddr_t hosted_virt_to_maddr(const void *va)
{
	const char *p = va;
	unsigned int i;

	/* Buffers are not sorted by host address, and there are few. */
	for (i = 0; i < nr_ram; i++)
		if (p >= ram[i].buf && p < ram[i].buf + (ram[i].end - ram[i].base))
			return ram[i].base + (paddr_t)(p - ram[i].buf);
	return INVALID_PADDR;
}
