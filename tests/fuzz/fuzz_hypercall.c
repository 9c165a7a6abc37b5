/*
 * libFuzzer target for the hypercall interface: a two-node domain (the
 * domain of tests/hosted/test_memory_op.c: two virtual nodes of 4 MiB on
 * physical nodes 0 and 1, maxmem 16 MiB, one vCPU each) makes the calls
 * an input describes through hcall_dispatch() (hypervisor/hypercall.c),
 * with continuations issued again as the guest would, on the real page
 * and slab allocators; the nested page tables are fake_hvm.c's table.
 * What must hold after every call, from include/public/hypercall.h and
 * the allocators' contracts:
 *
 *   - the result is a count or one of the ABI's negated errors;
 *   - no lock of the domain is left held;
 *   - the domain's pages add up (per virtual node, per physical node,
 *     in all) and stay within maxmem plus the firmware area;
 *   - on every node, the pages the heap has handed out are the slab
 *     allocator's plus the domain's: nothing leaks, nothing is freed twice;
 *   - a memory_op changes the domain by whole extents (the count it
 *     returns, times the extent size), and a refused call by nothing; any
 *     other call never changes the domain's memory;
 *   - after the input, with the domain's memory freed, heap_check() and
 *     slab_check() find nothing and every node holds only slab pages.
 *
 * Input: byte 0 bit 0 makes the domain the control domain (the topology
 * calls then work); then calls until the input ends, each a kind byte
 * and its arguments (fz_call()). The fixture is built once, at the first
 * input; the domain is made and freed for every input.
 * tests/hosted/test_fuzz_replay_hypercall.c replays the seeds.
 */
#include <stdint.h>
#include <string.h>

#include <hv/cpumask.h>
#include <hv/domain.h>
#include <hv/domain_config.h>
#include <hv/hvm.h>
#include <hv/lib.h>
#include <hv/mm.h>
#include <hv/printk.h>
#include <hv/slab.h>
#include <hv/smp.h>
#include <public/hypercall.h>

#include "../../mm/heap_internal.h"
#include "../hosted/fake_arch.h"
#include "../hosted/fake_hvm.h"
#include "../hosted/support_domain.h"
#include "../hosted/support_slab.h"
#include "fuzz.h"

#define FZ_ARGS_GPA 0x10000ULL	/* a memory_op record, in virtual node 0's RAM */
#define FZ_ARRAY_GPA 0x11000ULL /* its extent array */
#define FZ_BUF_GPA 0x20000ULL	/* buffers of the other calls */
#define FZ_MAX_EXTENTS 16	/* extents an input writes into the array */
#define FZ_MAX_CALLS 64
#define FZ_PAGES(bytes) ((bytes) >> PAGE_SHIFT)

enum fz_kind {
	FZ_RAW,	  /* any number, three raw u64 arguments */
	FZ_MEMOP, /* memory_op with a record and extents from the input */
	FZ_CALL,  /* a known call, arguments drawn near the domain's RAM */
	NR_FZ_KINDS,
};

/* The domain (support_domain.h: vCPU 0 runs in 64-bit mode, vCPU 1 is down). */
static struct domfx fz_fx;
static struct domain *const fz_dom = &fz_fx.d;
static bool fz_fixture;

/* ---- the domain ------------------------------------------------------------------------ */

/* Pages the hypervisor holds per node beside slabs once the machine is built (the empty bus). */
static u64 fz_hv_pages[2];

static void fz_build_fixture(void)
{
	unsigned int n;

	domfx_build_machine();
	for (n = 0; n < 2; n++)
		fz_hv_pages[n] = heap_allocated((nodeid_t)n) - slab_node_pages((nodeid_t)n);
	fz_fixture = true;
}

static void fz_make_domain(bool control)
{
	const char *value = control ? "name=t,vnodes=2,mem=8M,maxmem=16M,control=1"
				    : "name=t,vnodes=2,mem=8M,maxmem=16M";
	char err[DOMCFG_ERR_MAX];

	FZ_CHECK(!domfx_make(&fz_fx, value, err, sizeof(err)), "%s: %s", value, err);
}

/* ---- what must hold --------------------------------------------------------------------- */

struct fz_mem {
	u64 nr_pages, vpages[2], node_pages[2], allocated[2];
};

static struct fz_mem fz_mem_now(void)
{
	return (struct fz_mem){fz_dom->nr_pages,
			       {fz_dom->vnode[0].pages, fz_dom->vnode[1].pages},
			       {fz_fx.node_pages[0], fz_fx.node_pages[1]},
			       {heap_allocated(0), heap_allocated(1)}};
}

static void fz_check_result(u64 nr, long rc)
{
	static const long errs[] = {PRX_EPERM, PRX_ENOENT, PRX_E2BIG,  PRX_ENOMEM, PRX_EFAULT,
				    PRX_EBUSY, PRX_EEXIST, PRX_EINVAL, PRX_ENOSYS};
	unsigned int i;

	if (rc >= 0)
		return;
	for (i = 0; i < ARRAY_SIZE(errs); i++)
		if (rc == -errs[i])
			return;
	fz_fail("call %llu returned %ld, not an ABI error", nr, rc);
}

/* The domain's pages add up, and every node's handed-out pages are slab's or the domain's. */
static void fz_check_domain(u64 nr)
{
	u64 ram = fz_dom->vnode[0].pages + fz_dom->vnode[1].pages;
	unsigned int n;

	FZ_CHECK(!spin_is_locked(&fz_dom->lock) && !spin_is_locked(&fz_dom->mem_lock),
		 "call %llu left a domain lock held", nr);
	FZ_CHECK(fz_dom->nr_pages == fz_fx.node_pages[0] + fz_fx.node_pages[1],
		 "call %llu: %llu pages, nodes hold %llu + %llu", nr, fz_dom->nr_pages,
		 fz_fx.node_pages[0], fz_fx.node_pages[1]);
	FZ_CHECK(fz_dom->nr_pages == ram + fz_dom->fw_pages,
		 "call %llu: %llu pages, virtual nodes %llu, firmware %llu", nr, fz_dom->nr_pages,
		 ram, fz_dom->fw_pages);
	FZ_CHECK(ram <= FZ_PAGES(fz_dom->cfg.maxmem), "call %llu: %llu pages of RAM past maxmem",
		 nr, ram);
	for (n = 0; n < 2; n++)
		FZ_CHECK(heap_allocated((nodeid_t)n) ==
			     slab_node_pages((nodeid_t)n) + fz_fx.node_pages[n] + fz_hv_pages[n],
			 "call %llu: node %u hands out %llu pages: slab %llu, domain %llu, "
			 "hypervisor %llu",
			 nr, n, heap_allocated((nodeid_t)n), slab_node_pages((nodeid_t)n),
			 fz_fx.node_pages[n], fz_hv_pages[n]);
}

/* ---- the calls -------------------------------------------------------------------------- */

/* Call nr as vCPU v, issuing continuations again as the guest would. */
static long fz_hc(unsigned int v, u64 nr, u64 a0, u64 a1, u64 a2)
{
	u64 args[5] = {a0, a1, a2, 0, 0};
	unsigned int rounds = 0;
	long rc;

	for (;;) {
		rc = hcall_dispatch(&fz_fx.vcpus[v], nr, args);
		if (!fz_fx.vcpus[v].hcall_again)
			return rc;
		fz_fx.vcpus[v].hcall_again = false;
		args[0] = fz_fx.vcpus[v].hcall_rdi;
		FZ_CHECK(++rounds < 1 << 20, "call %llu: continues without end", nr);
	}
}

/* An argument near the domain's RAM, at its edges, or anywhere. */
static u64 fz_arg(struct fz_in *in)
{
	u8 tag = (u8)fz_take(in, 1);
	u64 v = fz_take(in, 4);

	switch (tag & 3) {
	case 0:
		return v;
	case 1:
		return FZ_BUF_GPA + (v & 0xffff);
	case 2:
		return ~0ULL - v;
	default:
		return v << 32 | v;
	}
}

/* A frame for an extent: in the RAM, the hot-plug ranges (4 and 5 GiB) or anywhere. */
static u64 fz_memop_gfn(struct fz_in *in)
{
	u64 g = fz_take(in, 3);

	switch (fz_take(in, 1) & 3) {
	case 0:
		return g & 0x7ff;
	case 1:
		return 0x100000 + (g & 0xfff);
	case 2:
		return 0x140000 + (g & 0xfff);
	}
	return g << 20 | g;
}

/* What a memory_op that did rc > 0 extents must have done to the domain's pages. */
static void fz_memop_check(u64 cmd, u64 nr_ext, u32 order, long rc, const struct fz_mem *before,
			   const struct fz_mem *after)
{
	u64 done;

	/* The count is of all extents done, those before the start index included. */
	FZ_CHECK((u64)rc <= nr_ext, "memory_op did %ld of %llu extents", rc, nr_ext);
	FZ_CHECK((u64)rc >= cmd >> PRX_MEMOP_START_SHIFT,
		 "memory_op 0x%llx returned %ld, below its start index", cmd, rc);
	FZ_CHECK(order <= CONFIG_MEMOP_MAX_ORDER, "memory_op took order %u, above the cap of %d",
		 order, CONFIG_MEMOP_MAX_ORDER);
	done = ((u64)rc - (cmd >> PRX_MEMOP_START_SHIFT)) << order;
	switch (cmd & PRX_MEMOP_CMD_MASK) {
	case PRX_MEMOP_INCREASE_RESERVATION:
	case PRX_MEMOP_POPULATE_PHYSMAP:
		FZ_CHECK(after->nr_pages == before->nr_pages + done,
			 "memory_op %llu: %ld extents of order %u, pages %llu -> %llu", cmd, rc,
			 order, before->nr_pages, after->nr_pages);
		break;
	case PRX_MEMOP_DECREASE_RESERVATION:
		FZ_CHECK(after->nr_pages + done == before->nr_pages,
			 "memory_op 0x%llx: %ld extents of order %u, pages %llu -> %llu", cmd, rc,
			 order, before->nr_pages, after->nr_pages);
		break;
	default:
		fz_fail("memory_op 0x%llx, no operation, returned %ld", cmd, rc);
	}
}

/* memory_op: a record at FZ_ARGS_GPA and up to FZ_MAX_EXTENTS frame numbers. */
static void fz_memop(struct fz_in *in, unsigned int v)
{
	u8 rec[PRX_MEMOP_SIZE] = {0};
	u64 gfns[FZ_MAX_EXTENTS], start = FZ_ARRAY_GPA, nr_ext, cmd;
	u8 shape = (u8)fz_take(in, 1);
	u32 order, vnode, flags, reserved = 0;
	struct fz_mem before, after;
	unsigned int i, n;
	long rc;

	cmd = fz_take(in, 1) & 3;			      /* 3 is no operation */
	cmd |= (fz_take(in, 1) & 3) << PRX_MEMOP_START_SHIFT; /* mostly 0, as a guest sends */
	nr_ext = shape & 0x80 ? fz_take(in, 8) : fz_take(in, 1) % (FZ_MAX_EXTENTS + 1);
	order = (u32)fz_take(in, 1) % 12;
	vnode = (u32)fz_take(in, 1);
	vnode = vnode == 0xff ? PRX_VNODE_ANY : vnode % 4;
	flags = (u32)fz_take(in, 1) & 3;
	if (shape & 0x40)
		start = fz_arg(in);
	if (shape & 0x20)
		reserved = 1;
	n = (unsigned int)MIN(nr_ext, (u64)FZ_MAX_EXTENTS);
	for (i = 0; i < n; i++)
		gfns[i] = fz_memop_gfn(in);
	memcpy(rec + PRX_MEMOP_EXTENT_START, &start, 8);
	memcpy(rec + PRX_MEMOP_NR_EXTENTS, &nr_ext, 8);
	memcpy(rec + PRX_MEMOP_EXTENT_ORDER, &order, 4);
	memcpy(rec + PRX_MEMOP_VNODE, &vnode, 4);
	memcpy(rec + PRX_MEMOP_FLAGS, &flags, 4);
	memcpy(rec + PRX_MEMOP_RESERVED, &reserved, 4);
	/* An earlier decrease may have given those pages back: the guest could not write them. */
	if (dom_copy_to_guest(fz_dom, FZ_ARGS_GPA, rec, sizeof(rec)) ||
	    (n && dom_copy_to_guest(fz_dom, FZ_ARRAY_GPA, gfns, n * 8)))
		return;
	before = fz_mem_now();
	rc = fz_hc(v, PRX_HC_MEMORY_OP, cmd, FZ_ARGS_GPA, 0);
	fz_check_result(PRX_HC_MEMORY_OP, rc);
	after = fz_mem_now();
	if (rc <= 0) {
		FZ_CHECK(
		    !memcmp(&before, &after, sizeof(before)),
		    "memory_op 0x%llx returned %ld but changed the domain (%llu -> %llu pages)",
		    cmd, rc, before.nr_pages, after.nr_pages);
		return;
	}
	fz_memop_check(cmd, nr_ext, order, rc, &before, &after);
}

static void fz_call(struct fz_in *in)
{
	u8 op = (u8)fz_take(in, 1);
	unsigned int v = (op >> 7) & 1;
	struct fz_mem before, after;
	u64 nr, a0, a1, a2;
	long rc;

	switch ((op & 3) % NR_FZ_KINDS) {
	case FZ_MEMOP:
		fz_memop(in, v);
		return;
	case FZ_RAW:
		nr = fz_take(in, 1);
		nr = nr < 16 ? nr : nr << 24 | nr;
		a0 = fz_take(in, 8);
		a1 = fz_take(in, 8);
		a2 = fz_take(in, 8);
		break;
	default:
		nr = (op >> 2) & 7; /* 0..7: every call of the ABI but shutdown's reasons */
		a0 = fz_arg(in);
		a1 = fz_arg(in);
		a2 = fz_arg(in);
		break;
	}
	/* shutdown would end the domain: the fake records it, and the call is refused or not. */
	before = fz_mem_now();
	rc = fz_hc(v, nr, a0, a1, a2);
	fz_check_result(nr, rc);
	after = fz_mem_now();
	if (nr != PRX_HC_MEMORY_OP)
		FZ_CHECK(!memcmp(&before, &after, sizeof(before)),
			 "call %llu (0x%llx, 0x%llx, 0x%llx) changed the domain's memory", nr, a0,
			 a1, a2);
	else if (rc <= 0)
		FZ_CHECK(!memcmp(&before, &after, sizeof(before)),
			 "memory_op (0x%llx, 0x%llx) returned %ld but changed the domain", a0, a1,
			 rc);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz_in in = {data, size};
	unsigned int calls = 0, n;

	if (!fz_fixture)
		fz_build_fixture();
	/* A replayed input that failed left its domain behind. */
	if (fz_dom->nr_pages)
		dom_free_memory(fz_dom);
	console_clear();
	fz_make_domain(fz_take(&in, 1) & 1);
	fz_check_domain(~0ULL);
	while (in.left && calls++ < FZ_MAX_CALLS) {
		fz_call(&in);
		fz_check_domain(calls);
	}
	fz_show_console();
	dom_free_memory(fz_dom);
	FZ_CHECK(fz_dom->nr_pages == 0, "%llu pages left after dom_free_memory", fz_dom->nr_pages);
	for (n = 0; n < 2; n++)
		FZ_CHECK(
		    heap_allocated((nodeid_t)n) == slab_node_pages((nodeid_t)n) + fz_hv_pages[n],
		    "node %u: %llu pages handed out, slab holds %llu, hypervisor %llu, after "
		    "the domain went",
		    n, heap_allocated((nodeid_t)n), slab_node_pages((nodeid_t)n), fz_hv_pages[n]);
	FZ_CHECK(heap_check(false) == 0, "heap_check found problems");
	FZ_CHECK(slab_check() == 0, "slab_check found problems");
	fake_hvm_reset();
	console_clear();
	return 0;
}
