/*
 * Memory added at run time with memory_op. `reserve=<MiB>[@<vnode>]` asks
 * for new 2 MiB extents, which Proxima puts in the virtual nodes' hot-plug
 * ranges and the guest's page tables do not map yet: the guest maps them,
 * adds them to its RAM list (so the memory test covers them) and has each
 * first written by vCPUs of its own virtual node. `release=<MiB>` gives
 * the last of them back after the memory test.
 *
 * Owns res: written by vCPU 0 before the other vCPUs start and in
 * reserve_release() (when the others wait at a barrier or halt), read-only
 * otherwise. reserve_write() hands each extent to exactly one vCPU.
 */
#include "guest.h"

#define EXTENT_ORDER 9
#define EXTENT_SIZE (PAGE_SIZE << EXTENT_ORDER)
#define EXTENT_FRAMES (EXTENT_SIZE / PAGE_SIZE)
#define MAX_FRAME (((u64)1 << 52) / PAGE_SIZE) /* 52-bit guest-physical addresses */

static struct {
	u64 *frames; /* first frame of each extent, as memory_op wrote them */
	u8 *vnode;   /* the vnode whose hot-plug range holds each extent */
	u64 nr;	     /* extents held */
} res;

static u64 mib_to_extents(u64 mib)
{
	return (mib * MIB + EXTENT_SIZE - 1) / EXTENT_SIZE;
}

static u64 extent_addr(u64 i)
{
	return res.frames[i] * PAGE_SIZE;
}

/* Checks where extent i lies (and that it is the asked vnode's) and notes its vnode. */
static void place_extent(u64 i, u32 asked_vnode)
{
	u64 frame = res.frames[i], addr;
	int v;

	if (frame >= MAX_FRAME || frame % EXTENT_FRAMES)
		crash("guest: extent %lu at frame 0x%lx is not a 2 MiB frame\n", i, frame);
	addr = frame * PAGE_SIZE;
	v = numa_hotplug_vnode(addr, addr + EXTENT_SIZE);
	if (v < 0)
		crash("guest: extent %lu at 0x%lx is in no hot-plug range\n", i, addr);
	if (asked_vnode != PRX_VNODE_ANY && (u32)v != asked_vnode)
		crash("guest: extent %lu at 0x%lx is vnode %d's, asked for vnode %u\n", i, addr, v,
		      asked_vnode);
	res.vnode[i] = (u8)v;
}

static void print_reservation(void)
{
	u64 bytes[GUEST_MAX_VNODES] = {0}, i;
	struct line l = {.len = 0};
	unsigned int v;

	for (i = 0; i < res.nr; i++)
		bytes[res.vnode[i]] += EXTENT_SIZE;
	line_add(&l, "guest: reservation +%lu MiB:", res.nr * EXTENT_SIZE >> 20);
	for (v = 0; v < guest_numa.nr_vnodes; v++)
		line_add(&l, " vnode %u %lu MiB", v, bytes[v] >> 20);
	line_add(&l, "\n");
	line_print(&l);
}

void reserve_memory(u64 mib, u32 vnode)
{
	u64 asked = mib_to_extents(mib), i;
	struct memop_args a = {0};
	long rc;

	res.frames = boot_alloc(asked * sizeof(u64));
	res.vnode = boot_alloc(asked);
	a.extent_start = (u64)res.frames;
	a.nr_extents = asked;
	a.extent_order = EXTENT_ORDER;
	a.vnode = vnode;
	rc = memory_op(PRX_MEMOP_INCREASE_RESERVATION, &a);
	if (rc > 0 && (u64)rc > asked)
		crash("guest: memory_op did %ld of %lu extents\n", rc, asked);
	res.nr = rc > 0 ? (u64)rc : 0;
	for (i = 0; i < res.nr; i++)
		place_extent(i, vnode);
	print_reservation();
	if (res.nr < asked)
		gprintf("guest: reservation short: %lu of %lu extents (%ld)\n", res.nr, asked, rc);
	if (!res.nr)
		return;
	for (i = 0; i < res.nr; i++) {
		mem_map_range(extent_addr(i), extent_addr(i) + EXTENT_SIZE);
		mem_add_ram(extent_addr(i), extent_addr(i) + EXTENT_SIZE);
	}
	/* fault=npf reads the page above the top of RAM, which may be new now. */
	mem_map_range(guest_mem.ram_top, guest_mem.ram_top + PAGE_SIZE);
}

bool reserve_held(void)
{
	return res.nr != 0;
}

/*
 * The vCPUs that write vnode v's extents: its own, or vCPU 0 for a vnode
 * without any. Sets writers[0 .. nr_vcpus - 1] and returns how many.
 */
static unsigned int writers_of(unsigned int v, unsigned int nr_vcpus, bool *writers)
{
	unsigned int u, n = 0;

	for (u = 0; u < nr_vcpus; u++) {
		writers[u] = guest_numa.vcpu_vnode[u] == v;
		n += writers[u];
	}
	if (!n) {
		writers[0] = true;
		n = 1;
	}
	return n;
}

/* New memory must read as zero (the ABI says so); then each word gets its own address. */
static void first_write(u64 addr)
{
	volatile u64 *p = (volatile u64 *)addr, *end = p + EXTENT_SIZE / 8;

	for (; p < end; p++) {
		u64 v = *p;

		if (v)
			crash("guest: new memory at 0x%lx reads 0x%lx, not 0\n", (u64)p, v);
		*p = (u64)p;
	}
}

void reserve_write(unsigned int vcpu, unsigned int nr_vcpus)
{
	unsigned int nr_writers[GUEST_MAX_VNODES], seen[GUEST_MAX_VNODES] = {0}, v, u;
	int index[GUEST_MAX_VNODES]; /* this vCPU's among the vnode's writers, or -1 */
	bool writers[GUEST_MAX_VCPUS];
	u64 i;

	for (v = 0; v < guest_numa.nr_vnodes; v++) {
		nr_writers[v] = writers_of(v, nr_vcpus, writers);
		index[v] = -1;
		if (!writers[vcpu])
			continue;
		index[v] = 0;
		for (u = 0; u < vcpu; u++)
			index[v] += writers[u];
	}
	/* The k-th extent of a vnode goes to its writer k % writers. */
	for (i = 0; i < res.nr; i++) {
		v = res.vnode[i];
		if (v >= guest_numa.nr_vnodes) /* not one this guest asked for: not ours */
			continue;
		if (index[v] >= 0 && seen[v] % nr_writers[v] == (unsigned int)index[v])
			first_write(extent_addr(i));
		seen[v]++;
	}
}

void reserve_report_written(unsigned int nr_vcpus)
{
	u64 bytes[GUEST_MAX_VNODES] = {0}, i;
	bool writers[GUEST_MAX_VCPUS];
	unsigned int v;

	for (i = 0; i < res.nr; i++)
		bytes[res.vnode[i]] += EXTENT_SIZE;
	for (v = 0; v < guest_numa.nr_vnodes; v++) {
		struct line l = {.len = 0};

		if (!bytes[v])
			continue;
		writers_of(v, nr_vcpus, writers);
		line_add(&l, "guest: reservation vnode %u %lu MiB written by vcpus ", v,
			 bytes[v] >> 20);
		line_add_ids(&l, writers, nr_vcpus);
		line_add(&l, "\n");
		line_print(&l);
	}
}

void reserve_release(u64 mib)
{
	u64 n = mib_to_extents(mib), first, done, i;
	struct memop_args a = {0};
	long rc;

	if (n > res.nr)
		n = res.nr;
	if (!n) {
		gprintf("guest: released 0 MiB\n");
		return;
	}
	first = res.nr - n;
	a.extent_start = (u64)&res.frames[first];
	a.nr_extents = n;
	a.extent_order = EXTENT_ORDER;
	a.vnode = PRX_VNODE_ANY;
	rc = memory_op(PRX_MEMOP_DECREASE_RESERVATION, &a);
	if (rc <= 0) {
		gprintf("guest: release failed %ld\n", rc);
		return;
	}
	done = (u64)rc;
	if (done > n)
		crash("guest: memory_op gave back %lu of %lu extents\n", done, n);
	/* Extents are done in order: the first done of the array are gone. */
	for (i = first; i < first + done; i++)
		mem_remove_ram(extent_addr(i), extent_addr(i) + EXTENT_SIZE);
	gprintf("guest: released %lu MiB\n", done * EXTENT_SIZE >> 20);
	if (done < n)
		gprintf("guest: release short: %lu of %lu extents\n", done, n);
	for (i = first + done; i < res.nr; i++) {
		res.frames[i - done] = res.frames[i];
		res.vnode[i - done] = res.vnode[i];
	}
	res.nr -= done;
}
