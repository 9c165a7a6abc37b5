/*
 * libFuzzer target for sequences of allocator operations: the real page
 * allocator (mm/page_alloc.c, per-CPU caches, scrubbing) and slab
 * allocator (mm/slab.c, kmalloc, caches of the input's own) on a fixture
 * of two nodes of 16 MiB with two CPUs each and real memory behind them
 * (tests/hosted/support_slab.h), the invariant checkers on. Each input is
 * a list of operations (fz_op()): allocate pages, kmalloc, slab objects
 * of up to four caches of its own, free any of them (pages clean or
 * dirty), switch CPU, shrink, the idle work of the slab allocator, and
 * the heap's zeroing of dirty pages (scrub_step()). What must hold, from include/hv/mm.h
 * and include/hv/slab.h:
 *
 *   - an allocation gives memory no other live allocation has: each is
 *     filled with its own tag, and the tag is intact when it is freed;
 *   - page blocks are aligned to their size and, with MEMF_EXACT, on the
 *     node asked for; kmalloc gives ksize() >= the size asked;
 *   - the allocators report nothing: no slab misuse report, and (under
 *     SCRUB_DEBUG, as in make check's replay) no free page written while
 *     free. Half the page frees are dirty, so the scrubbing paths run;
 *     whether a page comes back zeroed is not checked here, since only a
 *     page freed dirty must, and one freed clean may hold anything (the
 *     hosted tests of mm/page_alloc.c and mm/scrub.c check that);
 *   - heap_check() and slab_check() find nothing, every few operations
 *     and at the end;
 *   - after the input everything is freed, the caches destroyed and the
 *     slab allocator shrunk: on every node the pages handed out are the
 *     slab allocator's again, as many as before the input.
 *
 * The fixture is built once, at the first input. The replay test,
 * tests/hosted/test_fuzz_replay_alloc.c, replays the seeds.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <hv/arch.h>
#include <hv/lib.h>
#include <hv/mm.h>
#include <hv/printk.h>
#include <hv/slab.h>
#include <hv/topology.h>

#include "../../mm/heap_internal.h"
#include "../hosted/fake_arch.h"
#include "../hosted/support_slab.h"
#include "fuzz.h"

#define FZ_NODES 2
#define FZ_CPUS_EACH 2
#define FZ_HELD 256
#define FZ_CACHES 4
#define FZ_MAX_ORDER 6	     /* pages of an allocation: up to 64 */
#define FZ_CHECK_EVERY 16    /* operations between full checks */
#define FZ_KMALLOC_MAX 20000 /* above 8 KiB: large blocks */

enum fz_what { FZ_NONE, FZ_PAGES, FZ_KMALLOC, FZ_OBJ };

struct fz_held {
	enum fz_what what;
	u8 tag;
	unsigned int order; /* FZ_PAGES */
	unsigned int cache; /* FZ_OBJ */
	struct page *pg;
	u8 *p;
	size_t len; /* bytes filled with the tag */
};

static struct fz_held fz_held[FZ_HELD];
static struct slab_cache *fz_cache[FZ_CACHES];
static size_t fz_cache_size[FZ_CACHES];
/* The kmalloc classes, and what they and the large blocks held before any input. */
static const char *const fz_classes[] = {
    "kmalloc-8",    "kmalloc-16",   "kmalloc-32",  "kmalloc-64",  "kmalloc-96",
    "kmalloc-128",  "kmalloc-192",  "kmalloc-256", "kmalloc-512", "kmalloc-1024",
    "kmalloc-2048", "kmalloc-4096", "kmalloc-8192"};
static u64 fz_base_inuse[ARRAY_SIZE(fz_classes)], fz_base_large;
static unsigned long fz_base_reports;
static bool fz_fixture;
static unsigned int fz_tag;

static u64 fz_inuse(const char *name)
{
	struct slab_cache *c = slab_cache_find(name);
	struct slab_info info;

	FZ_CHECK(c, "no cache %s", name);
	slab_cache_info(c, &info);
	return info.inuse;
}

static void fz_build_fixture(void)
{
	static const u8 dist[] = {10, 21, 21, 10};
	unsigned int i;
	u64 allocs;

	slabfx_build_nodes(FZ_NODES, MiB(16), FZ_CPUS_EACH, dist);
	for (i = 0; i < ARRAY_SIZE(fz_classes); i++)
		fz_base_inuse[i] = fz_inuse(fz_classes[i]);
	slab_large_info(&fz_base_large, &allocs);
	fz_base_reports = slab_reports();
	fz_fixture = true;
}

static u8 *fz_page_mem(const struct page *pg)
{
	return arch_maddr_to_virt(page_to_maddr(pg));
}

static void fz_checks(const char *when)
{
	unsigned int bad = heap_check(false);

	FZ_CHECK(slab_reports() == fz_base_reports, "%s: the slab allocator reported misuse", when);
	FZ_CHECK(!console_has("scrub: "), "%s: a free page was written while free", when);
	FZ_CHECK(!bad, "%s: heap_check found %u problems", when, bad);
	bad = slab_check();
	FZ_CHECK(!bad, "%s: slab_check found %u problems", when, bad);
}

/* ---- holding -------------------------------------------------------------------------- */

static void fz_fill(struct fz_held *h)
{
	h->tag = (u8)(++fz_tag | 1); /* never 0, so a zeroed page is no tag */
	memset(h->p, h->tag, h->len);
}

static void fz_check_tag(const struct fz_held *h)
{
	size_t i;

	for (i = 0; i < h->len; i++)
		FZ_CHECK(h->p[i] == h->tag,
			 "byte %zu of a live %s of %zu bytes at %p overwritten: "
			 "0x%02x, its tag 0x%02x",
			 i, h->what == FZ_PAGES ? "page block" : "object", h->len, (void *)h->p,
			 h->p[i], h->tag);
}

static struct fz_held *fz_slot(struct fz_in *in, bool free_one)
{
	unsigned int i = (unsigned int)fz_take(in, 1) % FZ_HELD, k;

	/* The first slot from i on that is taken (to free) or empty (to fill). */
	for (k = 0; k < FZ_HELD; k++) {
		struct fz_held *h = &fz_held[(i + k) % FZ_HELD];

		if ((h->what != FZ_NONE) == free_one)
			return h;
	}
	return NULL;
}

static void fz_release(struct fz_held *h, bool dirty, bool check)
{
	if (h->what == FZ_NONE)
		return;
	if (check)
		fz_check_tag(h);
	switch (h->what) {
	case FZ_PAGES:
		if (!dirty)
			memset(h->p, 0, h->len);
		free_pages(h->pg, h->order, dirty);
		break;
	case FZ_KMALLOC:
		kfree(h->p);
		break;
	case FZ_OBJ:
		slab_free(fz_cache[h->cache], h->p);
		break;
	case FZ_NONE:
		break;
	}
	h->what = FZ_NONE;
}

/* ---- the operations ------------------------------------------------------------------- */

static void fz_alloc_pages(struct fz_in *in, struct fz_held *h)
{
	u8 b = (u8)fz_take(in, 1);
	unsigned int order = b % (FZ_MAX_ORDER + 1), node = (b >> 3) & 1, mode = (b >> 4) & 3;
	unsigned int flags = mode == 1	 ? MEMF_PREFER | MEMF_NODE(node)
			     : mode == 2 ? MEMF_EXACT | MEMF_NODE(node)
					 : MEMF_LOCAL;
	struct page *pg;

	if (b & 0x80)
		flags |= MEMF_NO_PCP;
	if (b & 0x40)
		flags |= MEMF_NO_SCRUB;
	pg = alloc_pages(order, flags);
	if (!pg)
		return;
	FZ_CHECK(IS_ALIGNED(page_to_mfn(pg), 1ULL << order), "order %u block at mfn 0x%llx", order,
		 page_to_mfn(pg));
	if (mode == 2)
		FZ_CHECK(pg->node == node, "MEMF_EXACT node %u gave node %u", node, pg->node);
	*h = (struct fz_held){.what = FZ_PAGES, .order = order, .pg = pg};
	h->p = fz_page_mem(pg);
	h->len = PAGE_SIZE << order;
	fz_fill(h);
}

static void fz_kmalloc(struct fz_in *in, struct fz_held *h)
{
	size_t size = (size_t)fz_take(in, 2) % FZ_KMALLOC_MAX, usable;
	u8 *p = kmalloc(size);

	if (!size) {
		FZ_CHECK(!p, "kmalloc(0) gave memory");
		return;
	}
	if (!p)
		return;
	usable = ksize(p);
	FZ_CHECK(usable >= size, "kmalloc(%zu): ksize %zu", size, usable);
	*h = (struct fz_held){.what = FZ_KMALLOC, .p = p, .len = usable};
	fz_fill(h);
}

static void fz_cache_op(struct fz_in *in)
{
	unsigned int i = (unsigned int)fz_take(in, 1) % FZ_CACHES, k;
	size_t size = 1 + (size_t)fz_take(in, 2) % SLAB_MAX_OBJ_SIZE;
	char name[16];

	if (fz_cache[i]) {
		/* Destroy it when none of its objects is held. */
		for (k = 0; k < FZ_HELD; k++)
			if (fz_held[k].what == FZ_OBJ && fz_held[k].cache == i)
				return;
		FZ_CHECK(!slab_cache_destroy(fz_cache[i]), "destroying an empty cache failed");
		fz_cache[i] = NULL;
		return;
	}
	snprintf(name, sizeof(name), "fuzz%u", i);
	fz_cache[i] = slab_cache_create(name, size, 0, NULL, 0);
	FZ_CHECK(fz_cache[i], "slab_cache_create(%zu) failed", size);
	fz_cache_size[i] = size;
}

static void fz_slab_alloc(struct fz_in *in, struct fz_held *h)
{
	unsigned int i = (unsigned int)fz_take(in, 1), c = i % FZ_CACHES;
	u8 *p;

	if (!fz_cache[c])
		return;
	p = i & 0x80 ? slab_alloc_node(fz_cache[c], (nodeid_t)((i >> 2) & 1))
		     : slab_alloc(fz_cache[c]);
	if (!p)
		return;
	*h = (struct fz_held){.what = FZ_OBJ, .cache = c, .p = p, .len = fz_cache_size[c]};
	fz_fill(h);
}

static void fz_op(struct fz_in *in)
{
	u8 op = (u8)fz_take(in, 1);
	struct fz_held *h;
	unsigned int k;

	switch (op % 8) {
	case 0:
	case 1:
	case 2:
		if (!(h = fz_slot(in, false)))
			return;
		if (op % 8 == 0)
			fz_alloc_pages(in, h);
		else if (op % 8 == 1)
			fz_kmalloc(in, h);
		else
			fz_slab_alloc(in, h);
		return;
	case 3:
	case 4:
		if ((h = fz_slot(in, true)))
			fz_release(h, op & 0x80, true);
		return;
	case 5:
		fz_cache_op(in);
		return;
	case 6:
		hosted_cpu_id = (op >> 3) % (FZ_NODES * FZ_CPUS_EACH);
		return;
	default:
		if (op & 0x80)
			slab_shrink();
		else if (op & 0x40)
			/* What an idle CPU of the node does first: zero some dirty memory. */
			for (k = 0; k < 1U << ((op >> 4) & 3); k++)
				scrub_step((nodeid_t)((op >> 3) & 1));
		else
			slab_idle(1U << ((op >> 3) & 7));
		return;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz_in in = {data, size};
	unsigned int ops = 0, i, n;
	u64 large, allocs;

	if (!fz_fixture)
		fz_build_fixture();
	/* A replayed input that failed left what it held (maybe half filled). */
	for (i = 0; i < FZ_HELD; i++)
		if (fz_held[i].what != FZ_NONE)
			fz_release(&fz_held[i], true, false);
	console_clear();
	hosted_cpu_id = 0;
	while (in.left) {
		fz_op(&in);
		if (++ops % FZ_CHECK_EVERY == 0)
			fz_checks("during the input");
	}
	for (i = 0; i < FZ_HELD; i++)
		fz_release(&fz_held[i], i & 1, true);
	for (i = 0; i < FZ_CACHES; i++) {
		if (fz_cache[i])
			FZ_CHECK(!slab_cache_destroy(fz_cache[i]), "destroying fuzz%u failed", i);
		fz_cache[i] = NULL;
	}
	fz_checks("after the input");
	/* Every CPU gives its cached objects back, then empty slabs go. */
	for (i = 0; i < FZ_NODES * FZ_CPUS_EACH; i++) {
		hosted_cpu_id = i;
		slab_shrink();
	}
	hosted_cpu_id = 0;
	for (n = 0; n < FZ_NODES; n++)
		FZ_CHECK(heap_allocated((nodeid_t)n) == slab_node_pages((nodeid_t)n),
			 "node %u: %llu pages handed out, the slab allocator holds %llu", n,
			 heap_allocated((nodeid_t)n), slab_node_pages((nodeid_t)n));
	for (i = 0; i < ARRAY_SIZE(fz_classes); i++)
		FZ_CHECK(fz_inuse(fz_classes[i]) == fz_base_inuse[i],
			 "%s: %llu objects in use after the input, %llu before", fz_classes[i],
			 fz_inuse(fz_classes[i]), fz_base_inuse[i]);
	slab_large_info(&large, &allocs);
	FZ_CHECK(large == fz_base_large, "%llu pages of large blocks after the input, %llu before",
		 large, fz_base_large);
	fz_show_console();
	console_clear();
	return 0;
}
