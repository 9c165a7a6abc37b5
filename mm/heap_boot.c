/*
 * Bringing the page allocator up at boot and looking at it: frame tables
 * and per-CPU caches from each node's own memory, the boot allocator's
 * free memory handed over, the 'H' and 'm' debug keys, the idle-time work
 * (scrubbing, draining a long-idle CPU's cache) and the boot self-test.
 */
#include <hv/arch.h>
#include <hv/bootmem.h>
#include <hv/keyhandler.h>
#include <hv/lib.h>
#include <hv/numa.h>
#include <hv/printk.h>
#include <hv/smp.h>

#include "heap_internal.h"

#define IDLE_DRAIN_TICKS 100 /* a second idle empties a CPU's cache */

static bool heap_ready;

static void *boot_meta(u64 bytes, nodeid_t node)
{
	paddr_t pa = numa_boot_alloc(ALIGN_UP(bytes, PAGE_SIZE), node, NULL);
	void *p;

	if (!pa)
		return NULL;
	p = arch_maddr_to_virt(pa);
	memset(p, 0, ALIGN_UP(bytes, PAGE_SIZE));
	return p;
}

static void key_heap(unsigned char key)
{
	static struct node_heap snap; /* the idle loop runs one key at a time */
	unsigned int n, z, o;
	u64 taken, unreachable;

	pcp_takeovers(&taken, &unreachable);
	printk(LOG_EMERG, "heap pcp: taken over %llu unreachable %llu\n", taken, unreachable);
	for (n = 0; n < topo->nr_nodes; n++) {
		struct node_heap *h = &snap;
		char orders[16 * (MAX_ORDER + 1)];
		struct node_stats st;
		unsigned long flags;
		int len;

		/* A consistent picture of the node: copy it under its lock. */
		flags = spin_lock_irqsave(&heap[n].lock);
		memcpy(&snap, &heap[n], sizeof(snap));
		spin_unlock_irqrestore(&heap[n].lock, flags);
		for (z = 0; z < NR_ZONES; z++) {
			len = 0;
			for (o = 0; o <= MAX_ORDER; o++)
				len += snprintf(orders + len, sizeof(orders) - len, " %llu",
						h->zone[z].nr_blocks[o]);
			printk(LOG_EMERG, "heap node %u zone %s: free %llu orders%s\n", n,
			       zone_names[z], h->zone[z].free_pages, orders);
		}
		st = heap_stats((nodeid_t)n);
		printk(LOG_EMERG,
		       "heap node %u: free %llu pcp %llu dirty %llu hit %llu miss %llu "
		       "foreign %llu local %llu other %llu\n",
		       n, h->free_pages, heap_cached((nodeid_t)n), heap_dirty((nodeid_t)n), st.hit,
		       st.miss, st.foreign, st.local, st.other);
	}
}

static void key_mem(unsigned char key)
{
	unsigned int n;

	for (n = 0; n < topo->nr_nodes; n++) {
		struct node_heap *h = &heap[n];

		printk(LOG_EMERG, "mem node %u: total %llu MiB free %llu MiB pcp %llu MiB\n", n,
		       (h->managed >> (20 - PAGE_SHIFT)), (h->free_pages >> (20 - PAGE_SHIFT)),
		       (heap_cached((nodeid_t)n) >> (20 - PAGE_SHIFT)));
	}
}

static const struct mem_range *boot_free;
static unsigned int boot_nr_free;
static struct nodemask node_done;

/* The CPU that builds node n's heap: its first online CPU, else none. */
static int builder_of(nodeid_t n)
{
	unsigned int c;

	for (c = 0; c < topo->nr_cpus; c++)
		if (cpu_to_node(c) == n && cpumask_test(&cpu_online_mask, c))
			return (int)c;
	return -1;
}

static void build_node(nodeid_t n)
{
	heap_init_node_frames(n);
	heap_add_free_node(boot_free, boot_nr_free, n);
	nodemask_set_atomic(&node_done, n); /* CPUs build their nodes at once */
	if (heap[n].nr_spans)
		pr_debug("heap: node %u built by CPU%u (node %u)\n", n, arch_cpu_id(),
			 cpu_to_node(arch_cpu_id()));
}

/* Run on every CPU at once: each node's builder writes its node's frames. */
static void build_my_nodes(void)
{
	unsigned int n;

	for (n = 0; n < topo->nr_nodes; n++)
		if (builder_of((nodeid_t)n) == (int)arch_cpu_id())
			build_node((nodeid_t)n);
}

void heap_boot(void)
{
	unsigned int n;
	u64 total = 0;

	heap_alloc_frames(boot_meta);
	if (pcp_init(boot_meta))
		pr_warn(
		    "heap: no memory for every per-CPU cache; those CPUs use the heap directly\n");
	boot_nr_free = bootmem_free_ranges(&boot_free);
	/* Node-local memory bandwidth: each node's own CPU initialises it. */
	smp_run_on_all(build_my_nodes);
	for (n = 0; n < MAX_NODES; n++)
		if (!nodemask_test(&node_done, n))
			build_node((nodeid_t)n); /* CPU-less nodes, and beyond */
	bootmem_init(NULL, 0);			 /* everything it had is the heap's now */
	for (n = 0; n < topo->nr_nodes; n++) {
		total += heap[n].managed;
		if (heap[n].lost)
			pr_warn("heap: node %u: %llu MiB in %u range%s, %llu KiB left out\n", n,
				heap[n].managed >> (20 - PAGE_SHIFT), heap[n].nr_spans,
				PLURAL_S(heap[n].nr_spans), heap[n].lost << (PAGE_SHIFT - 10));
		else
			pr_info("heap: node %u: %llu MiB in %u range%s\n", n,
				heap[n].managed >> (20 - PAGE_SHIFT), heap[n].nr_spans,
				PLURAL_S(heap[n].nr_spans));
	}
	pr_info("heap: %llu MiB managed, orders 0..%d, per-CPU caches %s\n",
		total >> (20 - PAGE_SHIFT), MAX_ORDER, IS_ENABLED(CONFIG_PCP) ? "on" : "off");
	heap_ready = true;
	keyhandler_register('H', key_heap,
			    "page allocator: free blocks per zone and order, "
			    "statistics per node",
			    true);
	keyhandler_register('m', key_mem, "memory per node: total, free, per-CPU cached", true);
}

bool heap_node_free(nodeid_t n, u64 *bytes)
{
	if (!heap_ready || n >= MAX_NODES)
		return false;
	*bytes = (heap[n].free_pages + heap_cached(n)) << PAGE_SHIFT;
	return true;
}

u64 heap_node_lost(nodeid_t n)
{
	return heap_ready && n < MAX_NODES ? heap[n].lost << PAGE_SHIFT : 0;
}

void heap_idle(unsigned int idle_ticks)
{
	if (!heap_ready)
		return;
	if (scrub_step(cpu_to_node(arch_cpu_id())))
		return;
	if (idle_ticks == IDLE_DRAIN_TICKS)
		pcp_drain_cpu(arch_cpu_id());
}
