/*
 * The malformed-input table of every hypercall (include/public/hypercall.h):
 * for each call, arguments out of range one way or another (ids and
 * virtual node ids 0..255 and beyond, orders past the cap, counts whose
 * sizes overflow, guest addresses outside RAM or straddling its end, and
 * buffer sizes 0, 1, n - 1, n, n + 1 and 2^32 - 1 around the size a call
 * needs), each made by hcall_dispatch() and checked to return the ABI's
 * error and to leave everything as it was: the struct domain, every
 * struct vcpu and its fake arch state, the domain's memory (pages per
 * node and virtual node, what the heap hands out, the nested page
 * tables), the guest's low RAM byte for byte, the console, and the
 * domain's shutdowns (vcpu_up's checks of rip, rsp and cr3 are the arch's:
 * its call is made, and must start nothing).
 *
 * The domain is the one of test_memory_op.c, made by support_domain.h:
 * two virtual nodes of 4 MiB on physical nodes 0 and 1, maxmem 16 MiB,
 * one vCPU each (vCPU 0 in 64-bit mode and started, vCPU 1 down), the
 * control domain unless a row says otherwise. Expected values are the ABI's numbers, and addresses
 * come from the layout rule of include/hv/domain.h: RAM [0, 0xa0000),
 * then from 1 MiB; the hole [0xa0000, 0x100000) is never RAM.
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

#define LOW_END 0xa0000ULL   /* end of the first RAM range (include/hv/domain.h) */
#define ARGS_GPA 0x10000ULL  /* a memory_op record, in low RAM */
#define ARRAY_GPA 0x11000ULL /* its extent array */
#define U32_MAX_ 0xffffffffULL
#define U64_MAX_ (~0ULL)

static struct domfx fx;
static struct domain *const dom = &fx.d;

static int setup(void **state)
{
	char err[DOMCFG_ERR_MAX];

	domfx_build_machine();
	assert_int_equal(
	    domfx_make(&fx, "name=t,vnodes=2,mem=8M,maxmem=16M,control=1", err, sizeof(err)), 0);
	console_clear();
	return 0;
}

static int teardown(void **state)
{
	domfx_free(&fx);
	fake_hvm_reset();
	heapfx_teardown();
	memset(fake_node_free, 0, sizeof(fake_node_free));
	return 0;
}

/* ---- the state a refused call must leave alone ----------------------------------------------- */

static struct snapshot {
	struct domain d;
	struct vcpu v[DOMFX_VCPUS];
	struct fake_vcpu_arch a[DOMFX_VCPUS];
	u64 node_pages[2], allocated[2];
	mfn_t lookup[6];
	unsigned int shutdowns;
	u8 low[LOW_END];
} before, after;

/* Frames whose mappings show a change of the domain's memory. */
static const u64 probe_gfn[6] = {0x0, 0x10, 0x100, 0x600, 0x100000, 0x140000};

static void take(struct snapshot *s)
{
	unsigned int i;

	memcpy(&s->d, dom, sizeof(*dom));
	/* A call may take and drop a lock: its ticket counters move on. */
	memset(&s->d.lock, 0, sizeof(s->d.lock));
	memset(&s->d.mem_lock, 0, sizeof(s->d.mem_lock));
	memcpy(s->v, fx.vcpus, sizeof(s->v));
	memcpy(s->a, fx.arch, sizeof(s->a));
	for (i = 0; i < 2; i++) {
		s->node_pages[i] = fx.node_pages[i];
		s->allocated[i] = heap_allocated((nodeid_t)i);
	}
	for (i = 0; i < ARRAY_SIZE(probe_gfn); i++)
		s->lookup[i] = arch_domain_lookup(dom, probe_gfn[i]);
	s->shutdowns = fake_shutdown_calls();
	assert_int_equal(dom_copy_from_guest(dom, s->low, 0, LOW_END), 0);
}

/* ---- the table --------------------------------------------------------------------------------
 */

struct row {
	const char *what;
	u64 nr, a[4];
	long rc;
	unsigned int caller; /* vCPU making the call */
	bool not_control;
	/* memory_op: the record written at ARGS_GPA first (fields in ABI order) */
	bool record;
	u64 extent_start, nr_extents;
	u32 order, vnode, flags, reserved;
};

static void run_row(const struct row *r)
{
	u64 args[5] = {r->a[0], r->a[1], r->a[2], r->a[3], 0};
	long rc;

	dom->cfg.control = !r->not_control;
	if (r->record) {
		u8 rec[PRX_MEMOP_SIZE];

		memcpy(rec + PRX_MEMOP_EXTENT_START, &r->extent_start, 8);
		memcpy(rec + PRX_MEMOP_NR_EXTENTS, &r->nr_extents, 8);
		memcpy(rec + PRX_MEMOP_EXTENT_ORDER, &r->order, 4);
		memcpy(rec + PRX_MEMOP_VNODE, &r->vnode, 4);
		memcpy(rec + PRX_MEMOP_FLAGS, &r->flags, 4);
		memcpy(rec + PRX_MEMOP_RESERVED, &r->reserved, 4);
		assert_int_equal(dom_copy_to_guest(dom, ARGS_GPA, rec, sizeof(rec)), 0);
	}
	take(&before);
	console_clear();
	rc = hcall_dispatch(&fx.vcpus[r->caller], r->nr, args);
	if (rc != r->rc)
		fail_msg(
		    "%s: call %llu (0x%llx, 0x%llx, 0x%llx, 0x%llx) returned %ld, expected %ld",
		    r->what, r->nr, r->a[0], r->a[1], r->a[2], r->a[3], rc, r->rc);
	assert_false(fx.vcpus[r->caller].hcall_again);
	assert_false(spin_is_locked(&dom->lock));
	assert_false(spin_is_locked(&dom->mem_lock));
	if (console_len())
		fail_msg("%s: the refused call printed:\n%s", r->what, console_text());
	take(&after);
	if (memcmp(&before, &after, sizeof(before)))
		fail_msg("%s: the refused call changed the domain's state", r->what);
}

static void run_table(const struct row *rows, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		run_row(&rows[i]);
}

/* A row: what, call number, expected result, arguments (designated, so the rest is 0). */
#define ROW(w, n, want, ...)                                             \
	{                                                                \
		.what = (w), .nr = (n), .a = {__VA_ARGS__}, .rc = (want) \
	}
/* The same, made by a domain that is not the control domain. */
#define ROW_NC(w, n, want, ...)                                                               \
	{                                                                                     \
		.what = (w), .nr = (n), .a = {__VA_ARGS__}, .rc = (want), .not_control = true \
	}
/* The same, made by vCPU 1 (down: not in 64-bit mode). */
#define ROW_V1(w, n, want, ...)                                                       \
	{                                                                             \
		.what = (w), .nr = (n), .a = {__VA_ARGS__}, .rc = (want), .caller = 1 \
	}

#define EINVAL_ (-(long)PRX_EINVAL)
#define EFAULT_ (-(long)PRX_EFAULT)
#define EPERM_ (-(long)PRX_EPERM)
#define ENOSYS_ (-(long)PRX_ENOSYS)

static void test_unknown_calls(void **state)
{
	static const struct row rows[] = {
	    ROW("8", 8, ENOSYS_, 0),
	    ROW("255", 255, ENOSYS_, 1, 2, 3, 4),
	    ROW("2^32", 1ULL << 32, ENOSYS_, 0),
	    ROW("2^32 + console_write", (1ULL << 32) + 1, ENOSYS_, 0, 1),
	    ROW("2^64 - 1", U64_MAX_, ENOSYS_, 0),
	};

	run_table(rows, ARRAY_SIZE(rows));
}

static void test_console_write_table(void **state)
{
	/* [buf, buf + len) must be guest RAM: 16 bytes left before the hole at 0xa0000. */
	static const struct row rows[] = {
	    ROW("in the hole, len 1", 1, EFAULT_, LOW_END, 1),
	    ROW("n + 1 (17 of 16)", 1, EFAULT_, LOW_END - 16, 17),
	    ROW("2^32 - 1", 1, EFAULT_, LOW_END - 16, U32_MAX_),
	    ROW("2^64 - 1", 1, EFAULT_, LOW_END - 16, U64_MAX_),
	    ROW("buf + len wraps", 1, EFAULT_, U64_MAX_ - 7, 16),
	    ROW("buf 2^64 - 1, len 1", 1, EFAULT_, U64_MAX_, 1),
	    ROW("past 4 GiB", 1, EFAULT_, 1ULL << 52, 1),
	    ROW("len 0, buf nowhere", 1, 0, U64_MAX_, 0),
	};

	run_table(rows, ARRAY_SIZE(rows));
}

static void test_vcpu_up_table(void **state)
{
	static const u64 ids[] = {0, 2, 3, 255, 256, U32_MAX_, 1ULL << 32, U64_MAX_};
	static const struct row rows[] = {
	    ROW("rip not canonical", 2, EINVAL_, 1, 0x0000800000000000ULL, 0x8000, 0x1000),
	    ROW("rsp not canonical", 2, EINVAL_, 1, 0x2000, 0xffff7fffffffffffULL, 0x1000),
	    ROW("cr3 not page aligned", 2, EINVAL_, 1, 0x2000, 0x8000, 0x1008),
	    ROW("cr3 past the physical width", 2, EINVAL_, 1, 0x2000, 0x8000, 1ULL << 63),
	    ROW("cr3 in the hole", 2, EFAULT_, 1, 0x2000, 0x8000, LOW_END),
	    ROW_V1("caller not in 64-bit mode", 2, EPERM_, 1, 0x2000, 0x8000, 0x1000),
	};
	struct row r = {.nr = PRX_HC_VCPU_UP, .a = {0, 0x2000, 0x8000, 0x1000}, .rc = EINVAL_};
	unsigned int i;

	/* Ids out of 1 .. vcpus - 1 (vcpus = 2). */
	for (i = 0; i < ARRAY_SIZE(ids); i++) {
		r.what = "id out of range";
		r.a[0] = ids[i];
		run_row(&r);
	}
	run_table(rows, ARRAY_SIZE(rows));
}

static void test_shutdown_table(void **state)
{
	static const u64 reasons[] = {3, 4, 255, 256, U32_MAX_, 1ULL << 32, U64_MAX_};
	struct row r = {.what = "reason", .nr = PRX_HC_SHUTDOWN, .rc = EINVAL_};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(reasons); i++) {
		r.a[0] = reasons[i];
		run_row(&r);
	}
}

static void test_topology_calls_table(void **state)
{
	/*
	 * physinfo needs 32 bytes, numainfo max_nodes * 16 and max_nodes^2 * 4,
	 * cputopo max_cpus * 16: buffers that end 1 byte past the hole's start
	 * (n - 1 bytes of RAM for n), counts past PRX_TOPO_MAX (4096), and a
	 * domain that is not the control domain.
	 */
	static const struct row rows[] = {
	    ROW("physinfo, 31 of 32 bytes", 4, EFAULT_, LOW_END - 31),
	    ROW("physinfo, in the hole", 4, EFAULT_, LOW_END),
	    ROW("physinfo, 2^64 - 1", 4, EFAULT_, U64_MAX_),
	    ROW_NC("physinfo, not control", 4, EPERM_, 0x20000),
	    ROW("numainfo, max 1: mem 15 of 16", 5, EFAULT_, LOW_END - 15, 0x20000, 1),
	    ROW("numainfo, max 2: mem 31 of 32", 5, EFAULT_, LOW_END - 31, 0x20000, 2),
	    ROW("numainfo, max 2: dist 15 of 16", 5, EFAULT_, 0x20000, LOW_END - 15, 2),
	    ROW("numainfo, max 3 (n + 1): mem 47 of 48", 5, EFAULT_, LOW_END - 47, 0x20000, 3),
	    ROW("numainfo, max 3: dist 35 of 36", 5, EFAULT_, 0x20000, LOW_END - 35, 3),
	    ROW("numainfo, max 4097", 5, EINVAL_, 0x20000, 0x30000, 4097),
	    ROW("numainfo, max 2^32 - 1", 5, EINVAL_, 0x20000, 0x30000, U32_MAX_),
	    ROW("numainfo, max 2^64 - 1", 5, EINVAL_, 0x20000, 0x30000, U64_MAX_),
	    ROW_NC("numainfo, not control", 5, EPERM_, 0x20000, 0x30000, 2),
	    ROW("cputopo, max 1: 15 of 16", 6, EFAULT_, LOW_END - 15, 1),
	    ROW("cputopo, max 2: 31 of 32", 6, EFAULT_, LOW_END - 31, 2),
	    ROW("cputopo, max 3 (n + 1): 47 of 48", 6, EFAULT_, LOW_END - 47, 3),
	    ROW("cputopo, max 4097", 6, EINVAL_, 0x20000, 4097),
	    ROW("cputopo, max 2^32 - 1", 6, EINVAL_, 0x20000, U32_MAX_),
	    ROW("cputopo, max 2^64 - 1", 6, EINVAL_, 0x20000, U64_MAX_),
	    ROW_NC("cputopo, not control", 6, EPERM_, 0x20000, 2),
	};

	run_table(rows, ARRAY_SIZE(rows));
}

/* A memory_op row: the record at ARGS_GPA, cmd in a0. */
#define MEMOP(w, cmd, start, count, ord, vn, fl, res, want)                                     \
	{                                                                                       \
		.what = (w), .nr = PRX_HC_MEMORY_OP, .a = {(cmd), ARGS_GPA}, .rc = (want),      \
		.record = true, .extent_start = (start), .nr_extents = (count), .order = (ord), \
		.vnode = (vn), .flags = (fl), .reserved = (res)                                 \
	}

static void test_memory_op_table(void **state)
{
	const u32 any = PRX_VNODE_ANY;
	static const u32 orders[] = {CONFIG_MEMOP_MAX_ORDER + 1, 31, 32, U32_MAX_};
	const struct row rows[] = {
	    MEMOP("cmd 3", 3, ARRAY_GPA, 1, 0, any, 0, 0, EINVAL_),
	    MEMOP("cmd 255", 255, ARRAY_GPA, 1, 0, any, 0, 0, EINVAL_),
	    MEMOP("flags 2", 0, ARRAY_GPA, 1, 0, any, 2, 0, EINVAL_),
	    MEMOP("flags bit 31", 0, ARRAY_GPA, 1, 0, any, 0x80000000u, 0, EINVAL_),
	    MEMOP("reserved 1", 0, ARRAY_GPA, 1, 0, any, 0, 1, EINVAL_),
	    MEMOP("reserved 2^32 - 1", 0, ARRAY_GPA, 1, 0, any, 0, 0xffffffffu, EINVAL_),
	    /* nr_extents whose array (8 bytes each) or memory overflows 64 bits. */
	    MEMOP("count 2^61", 0, ARRAY_GPA, 1ULL << 61, 0, any, 0, 0, EINVAL_),
	    MEMOP("count 2^64 - 1", 0, ARRAY_GPA, U64_MAX_, 0, any, 0, 0, EINVAL_),
	    MEMOP("count 2^52, order 9", 0, ARRAY_GPA, 1ULL << 52, 9, any, 0, 0, EINVAL_),
	    /* The array: n - 1 bytes of RAM for n, in the hole, everywhere. */
	    MEMOP("array 7 of 8", 0, LOW_END - 7, 1, 0, any, 0, 0, EFAULT_),
	    MEMOP("array 15 of 16", 0, LOW_END - 15, 2, 0, any, 0, 0, EFAULT_),
	    MEMOP("array in the hole", 0, LOW_END, 1, 0, any, 0, 0, EFAULT_),
	    MEMOP("array 2^64 - 8", 0, U64_MAX_ - 7, 1, 0, any, 0, 0, EFAULT_),
	    MEMOP("count 2^32 - 1", 0, ARRAY_GPA, U32_MAX_, 0, any, 0, 0, EFAULT_),
	    /* A start index past the count. */
	    MEMOP("start 2 of 1", 2 << PRX_MEMOP_START_SHIFT, ARRAY_GPA, 1, 0, any, 0, 0, EINVAL_),
	    /* The record itself: 31 of its 32 bytes, in the hole, nowhere. */
	    ROW("record 31 of 32", PRX_HC_MEMORY_OP, EFAULT_, 0, LOW_END - 31),
	    ROW("record in the hole", PRX_HC_MEMORY_OP, EFAULT_, 0, LOW_END),
	    ROW("record 2^64 - 1", PRX_HC_MEMORY_OP, EFAULT_, 0, U64_MAX_),
	};
	struct row r = MEMOP("vnode", 0, ARRAY_GPA, 1, 0, 0, 0, 0, EINVAL_);
	u64 vnode;
	unsigned int i, op;

	run_table(rows, ARRAY_SIZE(rows));
	/* Virtual node ids: the domain has 0 and 1; 2 .. 255, 256 and beyond, for each operation.
	 */
	for (op = 0; op <= PRX_MEMOP_POPULATE_PHYSMAP; op++) {
		r.a[0] = op;
		for (vnode = 2; vnode <= 0xfffffffe; vnode = vnode < 300 ? vnode + 1 : vnode * 3) {
			r.vnode = (u32)vnode;
			run_row(&r);
		}
		r.vnode = 0xfffffffe;
		run_row(&r);
	}
	/* Orders past the cap. */
	r.vnode = any;
	for (i = 0; i < ARRAY_SIZE(orders); i++) {
		r.a[0] = PRX_MEMOP_INCREASE_RESERVATION;
		r.order = orders[i];
		run_row(&r);
	}
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_unknown_calls),  T(test_console_write_table),  T(test_vcpu_up_table),
	    T(test_shutdown_table), T(test_topology_calls_table), T(test_memory_op_table),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
