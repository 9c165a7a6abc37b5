/*
 * Hosted tests for a domain's memory after creation and the hypercalls
 * that read the host's layout: hypervisor/dom_memory.c (the memory of a
 * two-node domain, its firmware area, dom_populate, dom_release) driven
 * through hypervisor/hypercall.c (memory_op, physinfo, numainfo, cputopo),
 * on the real page and slab allocators over a two-node fixture; the nested
 * page tables are fake_hvm.c's table.
 *
 * The domain: vnodes=2 over physical nodes 0 and 1, mem 8M (4 MiB each),
 * maxmem 16M, one vCPU per virtual node. Expected figures come from the
 * layout rule in include/hv/domain.h and the ABI in
 * include/public/hypercall.h: the hot-plug ranges are 8 MiB each (maxmem
 * - mem), virtual node 0's at 4 GiB (gfn 0x100000), virtual node 1's at
 * the next 1 GiB boundary, 5 GiB (gfn 0x140000).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <hv/domain.h>
#include <hv/errno.h>
#include <hv/hvm.h>
#include <hv/lib.h>
#include <hv/mm.h>
#include <hv/smp.h>
#include <public/hypercall.h>

#include "fake_arch.h"
#include "fake_hvm.h"
#include "support_domain.h"
#include "support_slab.h"

#define HOT0 0x100000ULL     /* gfn of virtual node 0's hot-plug range: 4 GiB */
#define HOT1 0x140000ULL     /* virtual node 1's: 5 GiB */
#define ARGS_GPA 0x10000ULL  /* the memory_op record, in virtual node 0's RAM */
#define ARRAY_GPA 0x11000ULL /* the extent array */
#define BUF_GPA 0x20000ULL   /* buffers of the topology calls */
#define NODE_PAGES 1024ULL   /* 4 MiB of 4 KiB pages per virtual node */
#define FW_PAGES 32ULL	     /* 128 KiB at 0xe0000 */

static struct domfx fx;
/* The fixture's parts under short names. */
static struct domain *const dom = &fx.d;
static struct vcpu *const vcpus = fx.vcpus;
static u64 *const node_pages = fx.node_pages;

static void make_domain(const char *value)
{
	char err[DOMCFG_ERR_MAX];

	domfx_free(&fx);
	if (domfx_make(&fx, value, err, sizeof(err)))
		fail_msg("%s: %s", value, err);
}

static int setup(void **state)
{
	domfx_build_machine();
	make_domain("name=t,vnodes=2,mem=8M,maxmem=16M");
	console_clear();
	return 0;
}

static int teardown(void **state)
{
	dom_free_memory(dom);
	fake_hvm_reset();
	heapfx_teardown();
	memset(fake_node_free, 0, sizeof(fake_node_free));
	return 0;
}

/* Call nr as vCPU v; continuations are issued again, as the guest would. */
static long hc_as(unsigned int v, u64 nr, u64 a0, u64 a1, u64 a2)
{
	u64 args[5] = {a0, a1, a2, 0, 0};
	long rc;

	for (;;) {
		rc = hcall_dispatch(&vcpus[v], nr, args);
		if (!vcpus[v].hcall_again)
			return rc;
		vcpus[v].hcall_again = false;
		args[0] = vcpus[v].hcall_rdi;
	}
}

static void put_guest(u64 gpa, const void *src, u64 len)
{
	assert_int_equal(dom_copy_to_guest(dom, gpa, src, len), 0);
}

static u64 get64(u64 gpa)
{
	u64 v = 0;

	assert_int_equal(dom_copy_from_guest(dom, &v, gpa, sizeof(v)), 0);
	return v;
}

static u32 get32(u64 gpa)
{
	u32 v = 0;

	assert_int_equal(dom_copy_from_guest(dom, &v, gpa, sizeof(v)), 0);
	return v;
}

/* Write a memory_op record (ABI offsets) and the first gfns of its array. */
static void memop_args(u64 nr, u32 order, u32 vnode, u32 flags, const u64 *gfns, unsigned int n)
{
	u8 rec[PRX_MEMOP_SIZE] = {0};
	u64 start = ARRAY_GPA;

	memcpy(rec + PRX_MEMOP_EXTENT_START, &start, 8);
	memcpy(rec + PRX_MEMOP_NR_EXTENTS, &nr, 8);
	memcpy(rec + PRX_MEMOP_EXTENT_ORDER, &order, 4);
	memcpy(rec + PRX_MEMOP_VNODE, &vnode, 4);
	memcpy(rec + PRX_MEMOP_FLAGS, &flags, 4);
	put_guest(ARGS_GPA, rec, sizeof(rec));
	if (n)
		put_guest(ARRAY_GPA, gfns, n * 8);
}

static long memop(u64 cmd, u64 nr, u32 order, u32 vnode, u32 flags, const u64 *gfns, unsigned int n)
{
	memop_args(nr, order, vnode, flags, gfns, n);
	return hc_as(0, PRX_HC_MEMORY_OP, cmd, ARGS_GPA, 0);
}

/* Everything the memory calls may change, to prove a refused call changed nothing. */
struct mem_state {
	u64 nr_pages, vpages[2], node_pages[2], allocated[2], tlb_gen;
	mfn_t hot[4];
};

static struct mem_state mem_state(void)
{
	struct mem_state s = {dom->nr_pages,
			      {dom->vnode[0].pages, dom->vnode[1].pages},
			      {node_pages[0], node_pages[1]},
			      {heap_allocated(0), heap_allocated(1)},
			      dom->tlb_gen,
			      {0}};

	s.hot[0] = arch_domain_lookup(dom, HOT0);
	s.hot[1] = arch_domain_lookup(dom, HOT1);
	s.hot[2] = arch_domain_lookup(dom, 0x200);
	s.hot[3] = arch_domain_lookup(dom, 0x1000);
	return s;
}

static void assert_same_state(const struct mem_state *a, const char *what)
{
	struct mem_state b = mem_state();

	if (memcmp(a, &b, sizeof(b)))
		fail_msg("%s: the domain's memory changed (pages %llu -> %llu, node 0 %llu -> "
			 "%llu, node 1 %llu -> %llu)",
			 what, a->nr_pages, b.nr_pages, a->node_pages[0], b.node_pages[0],
			 a->node_pages[1], b.node_pages[1]);
}

/* ---- creation ------------------------------------------------------------------------------- */

static void test_creation_puts_each_vnode_on_its_node(void **state)
{
	/* 4 MiB per virtual node, each on its node; the firmware area on the home node 0. */
	assert_int_equal(node_pages[0], NODE_PAGES + FW_PAGES);
	assert_int_equal(node_pages[1], NODE_PAGES);
	assert_int_equal(dom->vnode[0].pages, NODE_PAGES);
	assert_int_equal(dom->vnode[1].pages, NODE_PAGES);
	assert_int_equal(dom->nr_pages, 2 * NODE_PAGES + FW_PAGES);
	assert_int_equal(dom->fw_pages, FW_PAGES);
	assert_int_equal(nodemask_weight(&dom->spill), 0);
	/* Virtual node 1's RAM starts at 0x600000: virtual node 0 ends at 1 MiB + 4 MiB - 640 KiB
	 * = 0x460000, and the next starts on a 2 MiB boundary. */
	assert_int_equal(dom->ram[2].start, 0x600000);
	assert_int_equal(mfn_to_page(arch_domain_lookup(dom, 0x600))->node, 1);
	assert_int_equal(mfn_to_page(arch_domain_lookup(dom, 0x100))->node, 0);
}

static void test_firmware_area_holds_the_rsdp(void **state)
{
	char sig[8];

	/* ACPI 6.2 5.2.5.3: "RSD PTR " at the start; revision 2 at byte 15. */
	assert_int_equal(dom_copy_from_guest(dom, sig, 0xe0000, 8), -EFAULT);
	memcpy(sig, arch_maddr_to_virt(arch_domain_lookup(dom, 0xe0) << PAGE_SHIFT), 8);
	assert_memory_equal(sig, "RSD PTR ", 8);
	assert_int_equal(
	    ((u8 *)arch_maddr_to_virt(arch_domain_lookup(dom, 0xe0) << PAGE_SHIFT))[15], 2);
}

/* ---- increase_reservation ------------------------------------------------------------------- */

static void test_increase_spreads_by_vcpus(void **state)
{
	/* Two 2 MiB extents, no hint: extent 0 to vCPU 0's virtual node, extent 1 to vCPU 1's. */
	assert_int_equal(memop(PRX_MEMOP_INCREASE_RESERVATION, 2, 9, PRX_VNODE_ANY, 0, NULL, 0), 2);
	assert_int_equal(get64(ARRAY_GPA), HOT0);
	assert_int_equal(get64(ARRAY_GPA + 8), HOT1);
	assert_int_equal(node_pages[0], NODE_PAGES + FW_PAGES + 512);
	assert_int_equal(node_pages[1], NODE_PAGES + 512);
	assert_int_equal(dom->vnode[0].pages, NODE_PAGES + 512);
	assert_int_equal(dom->vnode[1].pages, NODE_PAGES + 512);
	assert_int_equal(mfn_to_page(arch_domain_lookup(dom, HOT1 + 511))->node, 1);
	/* New memory is zeroed, and is RAM now. */
	assert_true(dom_gpa_is_ram(dom, HOT1 << PAGE_SHIFT, MiB(2)));
	assert_int_equal(get64((HOT1 << PAGE_SHIFT) + 0x1234 * 8), 0);
}

static void test_increase_with_hint_and_maxmem(void **state)
{
	/* Hint virtual node 1: both extents there, one after the other. */
	assert_int_equal(memop(PRX_MEMOP_INCREASE_RESERVATION, 2, 9, 1, 0, NULL, 0), 2);
	assert_int_equal(get64(ARRAY_GPA), HOT1);
	assert_int_equal(get64(ARRAY_GPA + 8), HOT1 + 512);
	assert_int_equal(node_pages[1], NODE_PAGES + 1024);
	/* 4 MiB added, 4 MiB of room left under maxmem 16M: 2 of 3 are done. */
	assert_int_equal(memop(PRX_MEMOP_INCREASE_RESERVATION, 3, 9, 0, 0, NULL, 0), 2);
	assert_int_equal(dom->nr_pages - dom->fw_pages, MiB(16) >> PAGE_SHIFT);
	/* Full: the first extent fails, so the call returns its error. */
	struct mem_state s = mem_state();
	assert_int_equal(memop(PRX_MEMOP_INCREASE_RESERVATION, 1, 0, 0, 0, NULL, 0), -ENOMEM);
	assert_same_state(&s, "increase past maxmem");
}

static void test_increase_continues_in_batches(void **state)
{
	u64 args[5] = {PRX_MEMOP_INCREASE_RESERVATION, ARGS_GPA, 0, 0, 0};
	unsigned int batches = 0;
	long rc;

	/* 256 extents of 4 KiB = 1 MiB: batches of PRX_MEMOP_BATCH (64) extents. */
	make_domain("name=u,vnodes=2,mem=8M,maxmem=64M");
	memop_args(256, 0, 0, PRX_MEMF_EXACT, NULL, 0);
	for (;;) {
		rc = hcall_dispatch(&vcpus[0], PRX_HC_MEMORY_OP, args);
		if (!vcpus[0].hcall_again)
			break;
		vcpus[0].hcall_again = false;
		batches++;
		/* The progress is in bits 8-63 of RDI, the operation below. */
		assert_int_equal(vcpus[0].hcall_rdi & 0xff, PRX_MEMOP_INCREASE_RESERVATION);
		assert_int_equal(vcpus[0].hcall_rdi >> 8, 64 * batches);
		args[0] = vcpus[0].hcall_rdi;
	}
	assert_int_equal(rc, 256);
	assert_int_equal(batches, 3); /* 256 / 64 - 1 */
	assert_int_equal(dom->memop_batches, 3);
	assert_int_equal(dom->vnode[0].pages, NODE_PAGES + 256);
	/* Each extent written to the array, in order, from the range's start. */
	assert_int_equal(get64(ARRAY_GPA + 255 * 8), HOT0 + 255);
	/* 2 MiB extents: a batch is 16 MiB (PRX_MEMOP_BATCH_BYTES), 8 extents. */
	make_domain("name=v,mem=8M,maxmem=64M");
	memop_args(20, 9, 0, 0, NULL, 0);
	args[0] = PRX_MEMOP_INCREASE_RESERVATION;
	rc = hcall_dispatch(&vcpus[0], PRX_HC_MEMORY_OP, args);
	assert_true(vcpus[0].hcall_again);
	assert_int_equal(vcpus[0].hcall_rdi >> 8, 8);
	vcpus[0].hcall_again = false;
}

/* ---- populate_physmap and decrease_reservation ---------------------------------------------- */

static void test_populate_and_release(void **state)
{
	u64 gfn = HOT1 + 1024, small = HOT0 + 3;

	/* Populate a 2 MiB extent of virtual node 1's range: node 1's memory. */
	assert_int_equal(memop(PRX_MEMOP_POPULATE_PHYSMAP, 1, 9, PRX_VNODE_ANY, 0, &gfn, 1), 1);
	assert_int_equal(mfn_to_page(arch_domain_lookup(dom, gfn))->node, 1);
	assert_int_equal(node_pages[1], NODE_PAGES + 512);
	/* Again: it is RAM now. */
	assert_int_equal(memop(PRX_MEMOP_POPULATE_PHYSMAP, 1, 9, PRX_VNODE_ANY, 0, &gfn, 1),
			 -EEXIST);
	/* One page of it cannot go alone: it would split the 2 MiB block. */
	u64 inside = gfn + 1;
	assert_int_equal(memop(PRX_MEMOP_DECREASE_RESERVATION, 1, 0, PRX_VNODE_ANY, 0, &inside, 1),
			 -EINVAL);
	/* The whole extent goes: unmapped, counted out, the pages back in the heap. */
	u64 before = heap_allocated(1), gen = dom->tlb_gen;
	assert_int_equal(memop(PRX_MEMOP_DECREASE_RESERVATION, 1, 9, PRX_VNODE_ANY, 0, &gfn, 1), 1);
	assert_int_equal(arch_domain_lookup(dom, gfn), INVALID_MFN);
	assert_int_equal(node_pages[1], NODE_PAGES);
	assert_int_equal(dom->vnode[1].pages, NODE_PAGES);
	assert_int_equal(heap_allocated(1), before - 512);
	assert_int_equal(dom->tlb_gen, gen + 1);
	/* Not RAM any more. */
	assert_int_equal(memop(PRX_MEMOP_DECREASE_RESERVATION, 1, 9, PRX_VNODE_ANY, 0, &gfn, 1),
			 -ENOENT);
	/* 4 KiB extents go one by one; boot RAM can go too, in whole blocks. */
	assert_int_equal(memop(PRX_MEMOP_POPULATE_PHYSMAP, 1, 0, 0, 0, &small, 1), 1);
	assert_int_equal(memop(PRX_MEMOP_DECREASE_RESERVATION, 1, 0, 0, 0, &small, 1), 1);
	u64 boot2m = 0x200;
	assert_int_equal(memop(PRX_MEMOP_DECREASE_RESERVATION, 1, 9, 0, 0, &boot2m, 1), 1);
	assert_int_equal(dom->vnode[0].pages, NODE_PAGES - 512);
	assert_false(dom_gpa_is_ram(dom, 0x200000, 1));
}

/* ---- every bad argument: an error, and nothing changed ------------------------------------------
 */

static void refused(u64 cmd, u64 nr, u32 order, u32 vnode, u32 flags, u64 gfn, long want)
{
	struct mem_state s = mem_state();
	long rc = memop(cmd, nr, order, vnode, flags, &gfn, 1);

	if (rc != want)
		fail_msg("memory_op 0x%llx nr %llu order %u vnode 0x%x flags 0x%x gfn 0x%llx: %ld, "
			 "expected %ld",
			 cmd, nr, order, vnode, flags, gfn, rc, want);
	assert_same_state(&s, "a refused memory_op");
	assert_int_equal(console_len(), 0);
}

/*
 * A continuation that cannot go on returns what the earlier rounds did,
 * never an error, or the guest would not learn of memory it now holds.
 * Here the extent array lies over the record itself, so the frame
 * numbers of the first round (PRX_MEMOP_BATCH, 64 extents) overwrite
 * it and its order field reads 0x100002, past the cap, in the second
 * (found by tests/fuzz/fuzz_hypercall.c, which saw -EINVAL with 64 pages
 * added). A guest that names a start index itself is still refused.
 */
static void test_continuation_after_the_record_changed(void **state)
{
	u8 rec[PRX_MEMOP_SIZE] = {0};
	u64 start = ARGS_GPA, nr = 65, pages = dom->nr_pages;
	u32 any = PRX_VNODE_ANY;

	memcpy(rec + PRX_MEMOP_EXTENT_START, &start, 8);
	memcpy(rec + PRX_MEMOP_NR_EXTENTS, &nr, 8);
	memcpy(rec + PRX_MEMOP_VNODE, &any, 4);
	put_guest(ARGS_GPA, rec, sizeof(rec));
	assert_int_equal(hc_as(0, PRX_HC_MEMORY_OP, PRX_MEMOP_INCREASE_RESERVATION, ARGS_GPA, 0),
			 64);
	assert_int_equal(dom->nr_pages, pages + 64);
	assert_int_equal(vcpus[0].hcall_rdi, 0);
	/* The same RDI from the guest, not asked for: the record is checked and refused. */
	assert_int_equal(
	    hc_as(0, PRX_HC_MEMORY_OP, PRX_MEMOP_INCREASE_RESERVATION | (64 << 8), ARGS_GPA, 0),
	    -EINVAL);
	assert_int_equal(dom->nr_pages, pages + 64);
}

static void test_memory_op_negative_table(void **state)
{
	const u32 any = PRX_VNODE_ANY;
	struct mem_state s;
	u8 rec[PRX_MEMOP_SIZE];
	u64 args[5] = {0};
	unsigned int v;

	/* Operation numbers past populate_physmap (2). */
	refused(3, 1, 0, any, 0, HOT0, -EINVAL);
	refused(0xff, 1, 0, any, 0, HOT0, -EINVAL);
	/* Orders past CONFIG_MEMOP_MAX_ORDER (9 in the hosted build's config, at most 9). */
	refused(PRX_MEMOP_INCREASE_RESERVATION, 1, CONFIG_MEMOP_MAX_ORDER + 1, any, 0, 0, -EINVAL);
	refused(PRX_MEMOP_POPULATE_PHYSMAP, 1, 64, any, 0, HOT0, -EINVAL);
	refused(PRX_MEMOP_POPULATE_PHYSMAP, 1, 0xffffffff, any, 0, HOT0, -EINVAL);
	/* Virtual nodes 2..255 and beyond do not exist in a two-node domain. */
	for (v = 2; v <= 256; v++)
		refused(PRX_MEMOP_INCREASE_RESERVATION, 1, 0, v, 0, 0, -EINVAL);
	refused(PRX_MEMOP_INCREASE_RESERVATION, 1, 0, 0xfffffffe, 0, 0, -EINVAL);
	/* Unknown flags. */
	refused(PRX_MEMOP_INCREASE_RESERVATION, 1, 0, any, 2, 0, -EINVAL);
	refused(PRX_MEMOP_INCREASE_RESERVATION, 1, 0, any, 0x80000000, 0, -EINVAL);
	/* Counts whose array (8 bytes each) or memory size overflows 64 bits. */
	refused(PRX_MEMOP_INCREASE_RESERVATION, 1ULL << 61, 0, any, 0, 0, -EINVAL);
	refused(PRX_MEMOP_INCREASE_RESERVATION, 1ULL << 44, 9, any, 0, 0, -EINVAL);
	refused(PRX_MEMOP_INCREASE_RESERVATION, ~0ULL, 0, any, 0, 0, -EINVAL);
	/* A count whose array runs past guest RAM. */
	refused(PRX_MEMOP_INCREASE_RESERVATION, 1ULL << 30, 0, any, 0, 0, -EFAULT);
	/* A start index past the count (bits 8-63 of cmd). */
	refused(PRX_MEMOP_INCREASE_RESERVATION | (2 << 8), 1, 0, any, 0, 0, -EINVAL);
	/* Frames: misaligned, outside every range, in the firmware area, past 2^52. */
	refused(PRX_MEMOP_POPULATE_PHYSMAP, 1, 9, any, 0, HOT0 + 1, -EINVAL);
	refused(PRX_MEMOP_POPULATE_PHYSMAP, 1, 0, any, 0, HOT0 + 0x800, -EINVAL);
	refused(PRX_MEMOP_POPULATE_PHYSMAP, 1, 0, any, 0, 0xe0, -EINVAL);
	refused(PRX_MEMOP_POPULATE_PHYSMAP, 1, 0, any, 0, 0xa0, -EINVAL);
	refused(PRX_MEMOP_POPULATE_PHYSMAP, 1, 0, any, 0, ~0ULL, -EINVAL);
	refused(PRX_MEMOP_POPULATE_PHYSMAP, 1, 9, any, 0, 0xfffffffffffffe00ULL, -EINVAL);
	/* A frame of virtual node 1 with hint 0. */
	refused(PRX_MEMOP_POPULATE_PHYSMAP, 1, 0, 0, 0, HOT1, -EINVAL);
	/* Already RAM; not RAM; not whole blocks; the firmware area is not RAM to give back. */
	refused(PRX_MEMOP_POPULATE_PHYSMAP, 1, 0, any, 0, 0x200, -EEXIST);
	refused(PRX_MEMOP_DECREASE_RESERVATION, 1, 0, any, 0, HOT0, -ENOENT);
	refused(PRX_MEMOP_DECREASE_RESERVATION, 1, 0, any, 0, 0x201, -EINVAL);
	refused(PRX_MEMOP_DECREASE_RESERVATION, 1, 0, any, 0, 0xe0, -EINVAL);
	/* Reserved field not 0. */
	memop_args(1, 0, any, 0, NULL, 0);
	put_guest(ARGS_GPA + PRX_MEMOP_RESERVED, "\x01", 1);
	s = mem_state();
	args[0] = PRX_MEMOP_INCREASE_RESERVATION;
	args[1] = ARGS_GPA;
	assert_int_equal(hcall_dispatch(&vcpus[0], PRX_HC_MEMORY_OP, args), -EINVAL);
	/* The record outside RAM, or straddling its end. */
	args[1] = 0xa0000;
	assert_int_equal(hcall_dispatch(&vcpus[0], PRX_HC_MEMORY_OP, args), -EFAULT);
	args[1] = 0x460000 - 16;
	assert_int_equal(hcall_dispatch(&vcpus[0], PRX_HC_MEMORY_OP, args), -EFAULT);
	args[1] = ~0ULL - 8;
	assert_int_equal(hcall_dispatch(&vcpus[0], PRX_HC_MEMORY_OP, args), -EFAULT);
	/* The array straddling RAM's end. */
	memset(rec, 0, sizeof(rec));
	u64 start = 0x460000 - 8, nr = 2;
	memcpy(rec + PRX_MEMOP_EXTENT_START, &start, 8);
	memcpy(rec + PRX_MEMOP_NR_EXTENTS, &nr, 8);
	memcpy(rec + PRX_MEMOP_VNODE, &any, 4);
	put_guest(ARGS_GPA, rec, sizeof(rec));
	args[1] = ARGS_GPA;
	assert_int_equal(hcall_dispatch(&vcpus[0], PRX_HC_MEMORY_OP, args), -EFAULT);
	assert_false(vcpus[0].hcall_again);
	assert_same_state(&s, "bad records");
}

/* ---- host topology -------------------------------------------------------------------------- */

static void test_topology_calls_refused_without_control(void **state)
{
	u8 before[64], after[64];

	assert_int_equal(dom_copy_from_guest(dom, before, BUF_GPA, sizeof(before)), 0);
	assert_int_equal(hc_as(0, PRX_HC_PHYSINFO, BUF_GPA, 0, 0), -EPERM);
	assert_int_equal(hc_as(1, PRX_HC_NUMAINFO, BUF_GPA, BUF_GPA + 32, 2), -EPERM);
	assert_int_equal(hc_as(0, PRX_HC_NUMAINFO, 0, 0, 0), -EPERM);
	assert_int_equal(hc_as(0, PRX_HC_CPUTOPO, BUF_GPA, 2, 0), -EPERM);
	assert_int_equal(dom_copy_from_guest(dom, after, BUF_GPA, sizeof(after)), 0);
	assert_memory_equal(before, after, sizeof(before));
}

static void test_physinfo_numainfo_cputopo(void **state)
{
	u64 mem = BUF_GPA, dist = BUF_GPA + 0x100, cpus = BUF_GPA + 0x200;
	u8 junk[0x300];

	dom->cfg.control = true;
	/* physinfo: 2 CPUs online, 2 nodes, page size 4096, 2 * 64 MiB = 32768 pages,
	 * free 50 + 60 MiB = 28160 pages (fake_node_free). */
	assert_int_equal(hc_as(0, PRX_HC_PHYSINFO, BUF_GPA, 0, 0), 0);
	assert_int_equal(get32(BUF_GPA + PRX_PHYSINFO_CPUS), 2);
	assert_int_equal(get32(BUF_GPA + PRX_PHYSINFO_NODES), 2);
	assert_int_equal(get32(BUF_GPA + PRX_PHYSINFO_CORES_PER_SOCKET), PRX_TOPO_UNKNOWN);
	assert_int_equal(get32(BUF_GPA + PRX_PHYSINFO_PAGE_SIZE), 4096);
	assert_int_equal(get64(BUF_GPA + PRX_PHYSINFO_TOTAL_PAGES), 32768);
	assert_int_equal(get64(BUF_GPA + PRX_PHYSINFO_FREE_PAGES), 28160);

	/* numainfo with max 0: the count, nothing written. */
	memset(junk, 0x5a, sizeof(junk));
	put_guest(BUF_GPA, junk, sizeof(junk));
	assert_int_equal(hc_as(0, PRX_HC_NUMAINFO, 0, 0, 0), 2);
	assert_int_equal(get64(mem), 0x5a5a5a5a5a5a5a5aULL);
	/* max 1: node 0 only, its distance to itself; the rest untouched. */
	assert_int_equal(hc_as(0, PRX_HC_NUMAINFO, mem, dist, 1), 2);
	assert_int_equal(get64(mem + PRX_NUMAINFO_PRESENT), 16384);
	assert_int_equal(get64(mem + PRX_NUMAINFO_FREE), 12800);
	assert_int_equal(get64(mem + 16), 0x5a5a5a5a5a5a5a5aULL);
	assert_int_equal(get32(dist), 10);
	assert_int_equal(get32(dist + 4), 0x5a5a5a5a);
	/* max 3 (more than there are): two rows of stride 3. */
	assert_int_equal(hc_as(0, PRX_HC_NUMAINFO, mem, dist, 3), 2);
	assert_int_equal(get64(mem + 16 + PRX_NUMAINFO_FREE), 15360);
	assert_int_equal(get32(dist + 4 * 1), 21);
	assert_int_equal(get32(dist + 4 * 2), 0x5a5a5a5a);
	assert_int_equal(get32(dist + 4 * 3), 21);
	assert_int_equal(get32(dist + 4 * 4), 10);

	/* cputopo: CPU 0 on node 0, CPU 1 on node 1, both online, socket and core unknown. */
	assert_int_equal(hc_as(0, PRX_HC_CPUTOPO, 0, 0, 0), 2);
	assert_int_equal(hc_as(0, PRX_HC_CPUTOPO, cpus, 2, 0), 2);
	assert_int_equal(get32(cpus + PRX_CPUTOPO_NODE), 0);
	assert_int_equal(get32(cpus + 16 + PRX_CPUTOPO_NODE), 1);
	assert_int_equal(get32(cpus + 16 + PRX_CPUTOPO_SOCKET), PRX_TOPO_UNKNOWN);
	assert_int_equal(get32(cpus + 16 + PRX_CPUTOPO_CORE), PRX_TOPO_UNKNOWN);
	assert_int_equal(get32(cpus + 16 + PRX_CPUTOPO_FLAGS), PRX_CPUTOPO_ONLINE);

	/* Bad sizes and buffers: errors, nothing written. */
	memset(junk, 0x5a, sizeof(junk));
	put_guest(BUF_GPA, junk, sizeof(junk));
	assert_int_equal(hc_as(0, PRX_HC_NUMAINFO, mem, dist, PRX_TOPO_MAX + 1), -EINVAL);
	assert_int_equal(hc_as(0, PRX_HC_NUMAINFO, mem, dist, ~0ULL), -EINVAL);
	assert_int_equal(hc_as(0, PRX_HC_CPUTOPO, cpus, PRX_TOPO_MAX + 1, 0), -EINVAL);
	assert_int_equal(hc_as(0, PRX_HC_PHYSINFO, 0xa0000, 0, 0), -EFAULT);
	assert_int_equal(hc_as(0, PRX_HC_PHYSINFO, 0x460000 - 16, 0, 0), -EFAULT);
	assert_int_equal(hc_as(0, PRX_HC_NUMAINFO, 0x460000 - 16, dist, 2), -EFAULT);
	assert_int_equal(hc_as(0, PRX_HC_NUMAINFO, mem, 0x460000 - 8, 2), -EFAULT);
	/* 4096 nodes' matrix is 64 MiB: more than the guest's RAM. */
	assert_int_equal(hc_as(0, PRX_HC_NUMAINFO, mem, dist, PRX_TOPO_MAX), -EFAULT);
	assert_int_equal(hc_as(0, PRX_HC_CPUTOPO, 0x460000 - 16, 2, 0), -EFAULT);
	assert_int_equal(hc_as(0, PRX_HC_CPUTOPO, 0xe0000, 1, 0), -EFAULT);
	assert_int_equal(get64(mem), 0x5a5a5a5a5a5a5a5aULL);
	assert_int_equal(get64(cpus), 0x5a5a5a5a5a5a5a5aULL);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_creation_puts_each_vnode_on_its_node),
	    T(test_firmware_area_holds_the_rsdp),
	    T(test_increase_spreads_by_vcpus),
	    T(test_increase_with_hint_and_maxmem),
	    T(test_increase_continues_in_batches),
	    T(test_populate_and_release),
	    T(test_continuation_after_the_record_changed),
	    T(test_memory_op_negative_table),
	    T(test_topology_calls_refused_without_control),
	    T(test_physinfo_numainfo_cputopo),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
