/*
 * Slab-allocator fixtures behind support_slab.h: a heap fixture with
 * slab_init() run on it, node lookups through the fake direct map, and
 * the 's' dump parsed back into numbers. Called from the test's main
 * thread only.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include <hv/arch.h>
#include <hv/lib.h>
#include <hv/printk.h>

#include "fake_arch.h"
#include "support_slab.h"

static void bring_up(void)
{
	hosted_cpu_id = 0;
	slab_init();
	console_clear();
}

void slabfx_build_spec(const struct heapfx_spec *s)
{
	heapfx_build_spec(s);
	bring_up();
}

void slabfx_build_nodes(unsigned int nr_nodes, u64 bytes_each, unsigned int cpus_each,
			const u8 *dist)
{
	heapfx_build_nodes(nr_nodes, MiB(16), bytes_each, cpus_each, dist);
	bring_up();
}

unsigned int slabfx_node_of(const void *p)
{
	paddr_t pa = arch_virt_to_maddr(p);

	if (pa == INVALID_PADDR)
		fail_msg("%p is not fixture RAM", p);
	return topo_paddr_to_node(topo, pa);
}

u64 slabfx_allocated(void)
{
	u64 sum = 0;
	unsigned int n;

	for (n = 0; n < topo->nr_nodes; n++)
		sum += heap_allocated((nodeid_t)n);
	return sum;
}

void slabfx_assert_pages_are_slabs(void)
{
	unsigned int n;

	for (n = 0; n < topo->nr_nodes; n++)
		if (heap_allocated((nodeid_t)n) != slab_node_pages((nodeid_t)n))
			fail_msg("node %u: %llu pages allocated, the slab allocator holds %llu", n,
				 heap_allocated((nodeid_t)n), slab_node_pages((nodeid_t)n));
}

void slabfx_assert_check(void)
{
	unsigned int bad = slab_check();

	if (bad)
		fail_msg("slab_check: %u violations; console:\n%s", bad, console_text());
}

struct slab_info slabfx_info(const struct slab_cache *c)
{
	struct slab_info info;

	slab_cache_info(c, &info);
	return info;
}

struct slab_node_info slabfx_node_info(const struct slab_cache *c, unsigned int node)
{
	struct slab_node_info info;

	slab_node_info(c, (nodeid_t)node, &info);
	return info;
}

/* One line of the dump into out (when it is name's); false if it matches no format. */
static bool parse_line(const char *line, const char *name, struct slabfx_dump_cache *out,
		       bool *found, u64 *lp, u64 *la)
{
	char who[64];
	unsigned long long a, b, c, d, e;
	unsigned int n;
	int used = 0;

	if (sscanf(line, "slab kmalloc-large: pages %llu allocs %llu%n", &a, &b, &used) == 2 &&
	    line[used] == '\n') {
		if (lp)
			*lp = a;
		if (la)
			*la = b;
		return true;
	}
	if (sscanf(line, "slab %63[^:]: size %llu objs %llu/%llu slabs %llu pcpu %llu%n", who, &a,
		   &b, &c, &d, &e, &used) == 6 &&
	    line[used] == '\n') {
		if (!strcmp(who, name)) {
			*found = true;
			out->size = a;
			out->inuse = b;
			out->total = c;
			out->slabs = d;
			out->pcpu = e;
		}
		return true;
	}
	if (sscanf(line, "slab %63[^:]: node %u slabs %llu partial %llu objs %llu%n", who, &n, &a,
		   &b, &c, &used) == 5 &&
	    line[used] == '\n' && n < MAX_NODES) {
		if (!strcmp(who, name)) {
			out->node_seen[n] = true;
			out->node_slabs[n] = a;
			out->node_partial[n] = b;
			out->node_out[n] = c;
		}
		return true;
	}
	return false;
}

bool slabfx_parse_dump(const char *name, struct slabfx_dump_cache *out, u64 *large_pages,
		       u64 *large_allocs)
{
	const char *p = console_text();
	bool found = false;

	memset(out, 0, sizeof(*out));
	while (*p) {
		const char *nl = strchr(p, '\n');
		char line[256];
		size_t len = nl ? (size_t)(nl - p + 1) : strlen(p);

		if (len >= sizeof(line))
			fail_msg("dump line too long: %.80s", p);
		memcpy(line, p, len);
		line[len] = '\0';
		if (!strncmp(line, "slab ", 5) &&
		    !parse_line(line, name, out, &found, large_pages, large_allocs))
			fail_msg("dump line in no known format: %s", line);
		p += len;
	}
	return found;
}

int slabfx_setup(void **state)
{
	return heapfx_setup(state);
}

int slabfx_teardown(void **state)
{
	heap_set_reclaim(NULL);
	heapfx_teardown();
	return 0;
}

/* Fail unless the console holds the formatted line exactly once (then clear it). */
void slabfx_expect_once(const char *fmt, ...)
{
	char want[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(want, sizeof(want), fmt, ap);
	va_end(ap);
	if (console_count(want) != 1)
		fail_msg("expected \"%s\" once; the console holds:\n%s", want, console_text());
	console_clear();
}
