/*
 * The random life of domains, with every allocation failure injected in
 * turn: the real hypervisor/domain.c, dom_memory.c and arch/x86/hvm/npt.c
 * on the real page and slab allocators over the two-node machine of
 * fake_domain_env.h, driven by a seeded random sequence of operations:
 *
 *   create    dom_create() of a random domain= configuration (one or two
 *             virtual nodes of 2 or 4 MiB, nodes given or chosen,
 *             prefer or strict, hot-plug room or none, up to 4 vCPUs;
 *             now and then the empty built-in image, a module that does
 *             not exist or a name in use, which must fail);
 *   populate  dom_populate() of an extent of 1, 2, 8 or 512 pages of a
 *             virtual node's RAM or hot-plug range, exact or not;
 *   decrease  dom_release() of a mapped block, of part of one, or of an
 *             aligned extent around one;
 *   end       poweroff, crash or reboot (which creates the domain again),
 *             the domain's vCPUs then let go as the scheduler does;
 *   look      the 'n' numastat lines and 'q' (whose debug-build checks
 *             must find nothing), and an idle CPU's scrubbing.
 *
 * Each create, populate and decrease runs first with its 1st allocation
 * failing, then with every allocation from its 1st on failing (memory
 * runs out there), then the same from its 2nd, and so on, until a run
 * makes fewer allocations than the one that would fail; that last run
 * stands. A run the failure
 * made fail must leave everything as it was: the same domains with the
 * same pages per node and virtual node, the same mappings, the same
 * slab objects handed out, the same pages allocated outside the slab
 * allocator but for nested page table pages (which stay once made). A run that succeeded anyway (a
 * smaller block, another node) is undone (the extent released, the domain ended) with the same
 * check. After every run the page ownership check (dom_check_pages()) must pass; every 500
 * operations the heap and slab checkers too; at the end every domain is ended and the allocator
 * must hold nothing but its slabs, the domain and vCPU caches no object.
 *
 * DOMLIFE_OPS (100000; 10000 with PROXIMA_QUICK) operations, seed
 * DOMLIFE_SEED (1), both from the environment; the figures are printed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <hv/domain.h>
#include <hv/domain_config.h>
#include <hv/errno.h>
#include <hv/hvm.h>
#include <hv/keyhandler.h>
#include <hv/lib.h>
#include <hv/mm.h>
#include <hv/slab.h>

#include "../../arch/x86/hvm/svm.h"
#include "fake_arch.h"
#include "fake_domain_env.h"
#include "support_slab.h"

#define NODES 2
#define LIVE_MAX 8 /* domains alive at once */

enum op { OP_CREATE, OP_POPULATE, OP_DECREASE, OP_END, OP_LOOK, NR_OPS };
static const char *const op_names[NR_OPS] = {"create", "populate", "decrease", "end", "look"};
/* Out of 100. */
static const unsigned int op_weight[NR_OPS] = {6, 42, 40, 6, 6};

struct op_stats {
	u64 ops, ok, failed, injected, undone, max_k;
};
static struct op_stats stats[NR_OPS];
static u64 ops_done;

static unsigned int rnd(unsigned int n)
{
	return (unsigned int)(test_rng() % n);
}

/* ---- what must not change -------------------------------------------------------------------- */

struct dom_snap {
	struct domain *d;
	u64 nr_pages, fw_pages, node_pages[NODES], vnode_pages[2], maps, map_sum;
};

struct snap {
	unsigned int nr;
	struct dom_snap dom[DOMAIN_MAX];
	u64 hv_pages; /* allocated outside the slab allocator, nested page tables not counted */
	u64 dom_pages[NODES];
	u64 objects; /* slab objects handed out: the domain and vCPU caches, kmalloc */
};

/* The caches whose objects domains use: kmalloc's classes (mm/kmalloc.c), "domain", "vcpu". */
static const char *const caches[] = {
    "domain",	   "vcpu",	   "kmalloc-8",	   "kmalloc-16",   "kmalloc-32",
    "kmalloc-64",  "kmalloc-96",   "kmalloc-128",  "kmalloc-192",  "kmalloc-256",
    "kmalloc-512", "kmalloc-1024", "kmalloc-2048", "kmalloc-4096", "kmalloc-8192",
};

static u64 objects_out(void)
{
	u64 sum = 0, large_pages, large_allocs;
	struct slab_info info;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(caches); i++) {
		const struct slab_cache *c = slab_cache_find(caches[i]);

		if (!c)
			fail_msg("no slab cache %s", caches[i]);
		slab_cache_info(c, &info);
		sum += info.inuse;
	}
	slab_large_info(&large_pages, &large_allocs);
	return sum + large_allocs;
}

static void sum_mapping(void *ctx, u64 gfn, mfn_t mfn, unsigned int order)
{
	struct dom_snap *s = ctx;

	s->maps++;
	s->map_sum = s->map_sum * 1000003 + gfn * 31 + mfn * 7 + order;
}

static void take_snap(struct snap *s)
{
	struct domain *d[DOMAIN_MAX];
	u64 tables = 0;
	unsigned int i, n;

	memset(s, 0, sizeof(*s));
	s->nr = domenv_domains(d);
	for (i = 0; i < s->nr; i++) {
		struct dom_snap *ds = &s->dom[i];

		ds->d = d[i];
		ds->nr_pages = d[i]->nr_pages;
		ds->fw_pages = d[i]->fw_pages;
		for (n = 0; n < NODES; n++)
			ds->node_pages[n] = d[i]->node_pages[n];
		for (n = 0; n < d[i]->nr_vnodes; n++)
			ds->vnode_pages[n] = d[i]->vnode[n].pages;
		arch_domain_walk(d[i], sum_mapping, ds);
		if (d[i]->arch)
			tables += ((struct npt *)d[i]->arch)->table_pages;
	}
	for (n = 0; n < NODES; n++) {
		s->hv_pages += heap_allocated((nodeid_t)n) - slab_node_pages((nodeid_t)n);
		s->dom_pages[n] = dom_node_pages((nodeid_t)n);
	}
	s->hv_pages -= tables; /* they stay once made: not counted */
	s->objects = objects_out();
}

static void assert_same(const struct snap *was, const char *what, unsigned long k)
{
	struct snap now;

	take_snap(&now);
	if (memcmp(was, &now, sizeof(now)) == 0)
		return;
	if (was->nr != now.nr)
		fail_msg("%s, allocation %lu failed: %u domains, were %u\n%s", what, k, now.nr,
			 was->nr, console_text());
	if (was->objects != now.objects)
		fail_msg("%s, allocation %lu failed: %llu slab objects out, were %llu", what, k,
			 now.objects, was->objects);
	if (was->hv_pages != now.hv_pages)
		fail_msg("%s, allocation %lu failed: %llu pages allocated, were %llu", what, k,
			 now.hv_pages, was->hv_pages);
	fail_msg("%s, allocation %lu failed: a domain's pages or mappings changed", what, k);
}

static void check_after_run(void)
{
	fake_sched_reap();
	domenv_assert_owners();
}

/*
 * Run op(ctx) with its 1st allocation failing, then with every allocation
 * from its 1st on failing, then its 2nd, from its 2nd on, and so on, each
 * failed run leaving everything as it was (a run that succeeded anyway
 * undone with undo(ctx)), then for real. Returns the real run's result.
 */
static int each_failure(enum op kind, int (*op)(void *ctx), void (*undo)(void *ctx), void *ctx)
{
	struct snap before;
	unsigned long k;

	take_snap(&before);
	for (k = 1;; k++) {
		unsigned int from;

		for (from = 0; from < 2; from++) {
			unsigned long calls;
			int rc;

			if (from)
				fake_alloc_fail_from(k);
			else
				fake_alloc_fail_at(k);
			rc = op(ctx);
			calls = fake_alloc_calls();
			fake_alloc_fail_at(0);
			check_after_run();
			if (calls < k) {
				stats[kind].max_k = MAX(stats[kind].max_k, k - 1);
				return rc;
			}
			stats[kind].injected++;
			if (!rc) {
				undo(ctx);
				check_after_run();
				stats[kind].undone++;
			}
			assert_same(&before, op_names[kind], k);
		}
	}
}

/* ---- the operations -------------------------------------------------------------------------- */

static unsigned int next_name;

/* Built and alive domains, at most LIVE_MAX. */
static unsigned int live_domains(struct domain **out)
{
	struct domain *d[DOMAIN_MAX];
	unsigned int n = domenv_domains(d), i, live = 0;

	for (i = 0; i < n; i++)
		if (d[i]->built && d[i]->state == DOM_ALIVE)
			out[live++] = d[i];
	return live;
}

struct create_ctx {
	struct domain_config cfg;
	struct domain *d;
};

static int create_run(void *ctx)
{
	struct create_ctx *c = ctx;

	c->d = dom_create(&c->cfg, rnd(2));
	return c->d ? 0 : -1;
}

static void create_undo(void *ctx)
{
	struct create_ctx *c = ctx;

	domenv_end(c->d, DOM_SHUTDOWN_POWEROFF);
}

static void op_create(void)
{
	static const char *const images[] = {",image=0", ",image=0", ",image=0",
					     ",image=0", ",image=0", ",image=0",
					     ",image=0", "",	     ",image=1"};
	struct domain *live[DOMAIN_MAX];
	unsigned int nr = live_domains(live), vn = 1 + rnd(2), v;
	struct create_ctx c;
	char value[160], err[DOMCFG_ERR_MAX], mem[24] = "", nodes[24] = "";
	size_t len = 0;

	if (nr >= LIVE_MAX)
		return;
	for (v = 0; v < vn; v++) {
		snprintf(mem + strlen(mem), sizeof(mem) - strlen(mem), "%s%uM", v ? "+" : "",
			 rnd(4) ? 2 : 4);
		snprintf(nodes + strlen(nodes), sizeof(nodes) - strlen(nodes), "%s%u", v ? "+" : "",
			 rnd(NODES));
	}
	if (nr && !rnd(20))
		len = (size_t)snprintf(value, sizeof(value), "name=%s", live[rnd(nr)]->cfg.name);
	else
		len = (size_t)snprintf(value, sizeof(value), "name=d%u", next_name++);
	len += (size_t)snprintf(value + len, sizeof(value) - len, ",vnodes=%u,mem=%s,vcpus=%u", vn,
				mem, vn * (1 + rnd(2)));
	if (rnd(2))
		len += (size_t)snprintf(value + len, sizeof(value) - len, ",nodes=%s", nodes);
	if (rnd(3))
		len += (size_t)snprintf(value + len, sizeof(value) - len, ",maxmem=%uM",
					4 * vn + 2 * rnd(4) + 4);
	len += (size_t)snprintf(value + len, sizeof(value) - len, "%s%s",
				rnd(4) ? "" : ",policy=strict", images[rnd(ARRAY_SIZE(images))]);
	if (domcfg_parse(value, &c.cfg, err, sizeof(err)))
		fail_msg("%s: %s", value, err);
	stats[OP_CREATE].ops++;
	if (each_failure(OP_CREATE, create_run, create_undo, &c))
		stats[OP_CREATE].failed++;
	else
		stats[OP_CREATE].ok++;
}

struct extent_ctx {
	struct domain *d;
	unsigned int v, order;
	u64 gfn;
	bool exact;
};

static int populate_run(void *ctx)
{
	struct extent_ctx *e = ctx;

	return dom_populate(e->d, e->v, e->gfn, e->order, e->exact);
}

static void populate_undo(void *ctx)
{
	struct extent_ctx *e = ctx;

	assert_int_equal(dom_release(e->d, e->gfn, e->order), 0);
}

static int release_run(void *ctx)
{
	struct extent_ctx *e = ctx;

	return dom_release(e->d, e->gfn, e->order);
}

static void release_undo(void *ctx)
{
	fail_msg("dom_release allocated memory");
}

/* An extent of 2^order pages at a random aligned place of virtual node v's RAM or hot-plug range.
 */
static bool pick_extent(struct domain *d, unsigned int v, unsigned int order, u64 *gfn)
{
	u64 start, end, n = 1ULL << order;
	unsigned int i, tries;

	for (tries = 0; tries < 8; tries++) {
		i = rnd(d->nr_ram + 1);
		if (i < d->nr_ram) {
			if (d->ram_vnode[i] != v)
				continue;
			start = d->ram[i].start >> PAGE_SHIFT;
			end = d->ram[i].end >> PAGE_SHIFT;
		} else {
			start = d->vnode[v].hot_start >> PAGE_SHIFT;
			end = d->vnode[v].hot_end >> PAGE_SHIFT;
		}
		start = ALIGN_UP(start, n);
		if (start + n > end)
			continue;
		*gfn = start + n * rnd((unsigned int)((end - start) / n));
		if (dom_range_vnode(d, *gfn << PAGE_SHIFT, n << PAGE_SHIFT) == (int)v)
			return true;
	}
	return false;
}

static void op_populate(void)
{
	static const unsigned int orders[] = {0, 0, 1, 3, 9};
	struct domain *live[DOMAIN_MAX];
	unsigned int nr = live_domains(live);
	struct extent_ctx e;
	u64 before;
	int rc;

	if (!nr)
		return;
	e.d = live[rnd(nr)];
	e.v = rnd(e.d->nr_vnodes);
	e.order = orders[rnd(ARRAY_SIZE(orders))];
	e.exact = rnd(2);
	if (!pick_extent(e.d, e.v, e.order, &e.gfn))
		return;
	stats[OP_POPULATE].ops++;
	before = e.d->nr_pages;
	rc = each_failure(OP_POPULATE, populate_run, populate_undo, &e);
	if (rc && rc != -ENOMEM && rc != -EEXIST)
		fail_msg("dom_populate: %d", rc);
	assert_int_equal(e.d->nr_pages, before + (rc ? 0 : 1ULL << e.order));
	stats[OP_POPULATE].ok += !rc;
	stats[OP_POPULATE].failed += !!rc;
}

struct pick_map {
	struct domain *d;
	unsigned int seen;
	u64 gfn;
	mfn_t mfn;
};

/* Reservoir of one: a random mapping of RAM or hot-plug memory (not the firmware area). */
static void pick_mapping(void *ctx, u64 gfn, mfn_t mfn, unsigned int order)
{
	struct pick_map *p = ctx;

	if (dom_range_vnode(p->d, gfn << PAGE_SHIFT, PAGE_SIZE << order) < 0)
		return;
	if (rnd(++p->seen) == 0) {
		p->gfn = gfn;
		p->mfn = mfn;
	}
}

/* The block of d's page list that holds mfn: its order, and the gfn of its head. */
static unsigned int block_of(const struct domain *d, u64 gfn, mfn_t mfn, u64 *head_gfn)
{
	const struct page *pg;

	for (pg = d->pages; pg; pg = (const struct page *)pg->private)
		if (mfn >= pg->mfn && mfn < pg->mfn + (1ULL << pg->order)) {
			*head_gfn = gfn - (mfn - pg->mfn);
			return pg->order;
		}
	fail_msg("mfn 0x%llx is mapped by domain %u but in none of its blocks", mfn, d->id);
	return 0;
}

static void op_decrease(void)
{
	struct domain *live[DOMAIN_MAX];
	unsigned int nr = live_domains(live), how;
	struct pick_map p = {0};
	struct extent_ctx e;
	u64 before;
	int rc;

	if (!nr)
		return;
	p.d = live[rnd(nr)];
	arch_domain_walk(p.d, pick_mapping, &p);
	if (!p.seen)
		return;
	e.d = p.d;
	e.order = block_of(p.d, p.gfn, p.mfn, &e.gfn);
	how = rnd(8);
	if (how == 0 && e.order) {
		e.order = rnd(e.order); /* part of the block */
		e.gfn += rnd(2) << e.order;
	} else if (how == 1 && e.order < 9) {
		e.order += 1 + rnd(9 - e.order); /* an aligned extent around it */
		e.gfn &= ~((1ULL << e.order) - 1);
	}
	if (dom_range_vnode(e.d, e.gfn << PAGE_SHIFT, PAGE_SIZE << e.order) < 0)
		return; /* what memory_op refuses before it gets here */
	stats[OP_DECREASE].ops++;
	before = e.d->nr_pages;
	rc = each_failure(OP_DECREASE, release_run, release_undo, &e);
	if (rc && rc != -ENOENT && rc != -EINVAL)
		fail_msg("dom_release: %d", rc);
	assert_int_equal(e.d->nr_pages, before - (rc ? 0 : 1ULL << e.order));
	stats[OP_DECREASE].ok += !rc;
	stats[OP_DECREASE].failed += !!rc;
}

/*
 * End a domain. A reboot creates it again inside the end, so it cannot be
 * repeated: reboots take the allocation failures in turn, one per reboot.
 */
static void op_end(void)
{
	static const enum dom_shutdown why[] = {DOM_SHUTDOWN_POWEROFF, DOM_SHUTDOWN_CRASH,
						DOM_SHUTDOWN_REBOOT, DOM_SHUTDOWN_REBOOT};
	static unsigned long reboot_k = 1;
	struct domain *live[DOMAIN_MAX];
	unsigned int nr = live_domains(live);
	enum dom_shutdown w = why[rnd(ARRAY_SIZE(why))];
	struct domain *d;
	char name[DOMAIN_NAME_MAX];
	bool again;

	if (!nr)
		return;
	d = live[rnd(nr)];
	strcpy(name, d->cfg.name);
	stats[OP_END].ops++;
	if (w == DOM_SHUTDOWN_REBOOT)
		fake_alloc_fail_at(reboot_k);
	domenv_end(d, w);
	if (w == DOM_SHUTDOWN_REBOOT) {
		if (fake_alloc_calls() < reboot_k) {
			stats[OP_END].max_k = MAX(stats[OP_END].max_k, reboot_k - 1);
			reboot_k = 1;
		} else {
			stats[OP_END].injected++;
			reboot_k++;
		}
		fake_alloc_fail_at(0);
	}
	check_after_run();
	nr = live_domains(live);
	for (again = false; nr--;)
		again |= strcmp(live[nr]->cfg.name, name) == 0;
	if (w != DOM_SHUTDOWN_REBOOT && again)
		fail_msg("domain %s is still alive after %d", name, w);
	stats[OP_END].ok += w != DOM_SHUTDOWN_REBOOT || again;
	stats[OP_END].failed += w == DOM_SHUTDOWN_REBOOT && !again;
}

static void op_look(void)
{
	stats[OP_LOOK].ops++;
	console_clear();
	fake_numa_stat();
	if (IS_ENABLED(CONFIG_DEBUG)) {
		keyhandler_dispatch('q');
		assert_console_has("page owners: ");
		assert_console_lacks("problems");
		assert_console_lacks("counter says");
		assert_console_lacks("mapped");
	}
	scrub_step((nodeid_t)rnd(NODES));
	stats[OP_LOOK].ok++;
}

/* ---- the test -------------------------------------------------------------------------------- */

static u64 env_u64(const char *name, u64 dflt)
{
	const char *v = getenv(name);

	return v && *v ? strtoull(v, NULL, 0) : dflt;
}

static void test_random_life(void **state)
{
	const char *quick = getenv("PROXIMA_QUICK");
	u64 ops = env_u64("DOMLIFE_OPS", quick && strcmp(quick, "0") ? 10000 : 100000);
	u64 seed = env_u64("DOMLIFE_SEED", 1), injected = 0;
	struct slab_info info;
	unsigned int i;

	domenv_build();
	test_rng_seed(seed);
	while (ops_done < ops) {
		unsigned int r = rnd(100), kind = 0;

		while (r >= op_weight[kind])
			r -= op_weight[kind++];
		hosted_cpu_id = rnd(2); /* memory_op and the end of a domain run on any CPU */
		switch (kind) {
		case OP_CREATE:
			op_create();
			break;
		case OP_POPULATE:
			op_populate();
			break;
		case OP_DECREASE:
			op_decrease();
			break;
		case OP_END:
			op_end();
			break;
		default:
			op_look();
			break;
		}
		hosted_cpu_id = 0;
		console_clear();
		for (ops_done = 0, i = 0; i < NR_OPS; i++)
			ops_done += stats[i].ops;
		if (ops_done % 500 == 0) {
			assert_int_equal(heap_check(false), 0);
			slabfx_assert_check();
		}
	}
	domenv_end_all();
	assert_int_equal(domenv_assert_owners(), 0);
	domenv_assert_only_slabs();
	assert_int_equal(heap_check(false), 0);
	slabfx_assert_check();
	slab_cache_info(slab_cache_find("domain"), &info);
	assert_int_equal(info.inuse, 0);
	slab_cache_info(slab_cache_find("vcpu"), &info);
	assert_int_equal(info.inuse, 0);
	for (i = 0; i < NR_OPS; i++) {
		print_message(
		    "%-8s %7llu operations: %7llu done, %6llu failed; %7llu runs with an "
		    "injected failure (%llu succeeded anyway and were undone), up to %llu "
		    "allocations\n",
		    op_names[i], stats[i].ops, stats[i].ok, stats[i].failed, stats[i].injected,
		    stats[i].undone, stats[i].max_k);
		injected += stats[i].injected;
	}
	print_message("%llu operations, seed %llu, %llu runs with an injected allocation "
		      "failure\n",
		      ops_done, seed, injected);
	assert_true(stats[OP_CREATE].ok && stats[OP_CREATE].failed && stats[OP_POPULATE].ok &&
		    stats[OP_DECREASE].ok && stats[OP_END].injected);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_random_life),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
