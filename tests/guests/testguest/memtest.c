/*
 * The memory test: every vCPU fills its slice of the testable RAM with an
 * address-derived pattern, then (after a barrier in main.c) checks the
 * slice of the next vCPU, so that each word is written and read by
 * different vCPUs.
 *
 * Testable RAM is the RAM of guest_mem above guest_mem.reserved_end (the
 * image, its page tables and stacks lie below), plus low RAM from
 * guest_mem.low_start to 1 MiB when the MBI lies down there. The same
 * RAM, in the same slices, is what `mark` fills with GUEST_MARKER and
 * `checkmark` searches. The plan is made by vCPU 0 before the others
 * start (and made again by vCPU 0 while they wait at a barrier) and
 * read-only otherwise; slot v of fails[] is written by vCPU v only.
 */
#include "guest.h"

struct memtest_fail {
	bool failed;
	u64 addr, read, expected;
};

static struct {
	struct ram_range r[2 * MAX_RAM_RANGES];
	unsigned int nr;
	unsigned int nr_slices;
	u64 words; /* in all of r[] */
} plan;

static struct memtest_fail fails[GUEST_MAX_VCPUS];

/* Distinct for every address (odd multiplier) and never the zero of fresh RAM. */
static inline u64 pattern(u64 addr)
{
	return (addr * 0x9e3779b97f4a7c15ull) ^ 0x5a5a5a5a5a5a5a5aull;
}

/* Adds the RAM inside [lo, hi) to the plan, in whole 64-bit words. */
static void plan_window(u64 lo, u64 hi)
{
	unsigned int i;

	for (i = 0; i < guest_mem.nr_ram; i++) {
		u64 s = guest_mem.ram[i].start > lo ? guest_mem.ram[i].start : lo;
		u64 e = guest_mem.ram[i].end < hi ? guest_mem.ram[i].end : hi;

		s = ROUND_UP(s, 8);
		e = ROUND_DOWN(e, 8);
		if (s >= e || plan.nr == 2 * MAX_RAM_RANGES)
			continue;
		plan.r[plan.nr].start = s;
		plan.r[plan.nr].end = e;
		plan.nr++;
		plan.words += (e - s) / 8;
	}
}

void memtest_plan(unsigned int nr_vcpus)
{
	plan.nr = 0;
	plan.words = 0;
	plan.nr_slices = nr_vcpus;
	if (guest_mem.low_start)
		plan_window(guest_mem.low_start, MIB);
	plan_window(guest_mem.reserved_end, ~0ull);
}

static bool fill(volatile u64 *p, volatile u64 *end, struct memtest_fail *f)
{
	for (; p < end; p++)
		*p = pattern((u64)p);
	return true;
}

static bool check(volatile u64 *p, volatile u64 *end, struct memtest_fail *f)
{
	for (; p < end; p++) {
		u64 v = *p;

		if (v != pattern((u64)p)) {
			f->failed = true;
			f->addr = (u64)p;
			f->read = v;
			f->expected = pattern((u64)p);
			return false;
		}
	}
	return true;
}

static bool mark(volatile u64 *p, volatile u64 *end, struct memtest_fail *f)
{
	for (; p < end; p++)
		*p = GUEST_MARKER;
	return true;
}

/*
 * Slice s is words [words * s / n, words * (s + 1) / n) of the plan's
 * ranges laid end to end. Runs fn over it, run by run, until fn returns
 * false.
 */
static void walk_slice(unsigned int s,
		       bool (*fn)(volatile u64 *p, volatile u64 *end, struct memtest_fail *f),
		       struct memtest_fail *f)
{
	u64 first = plan.words * s / plan.nr_slices;
	u64 last = plan.words * (s + 1) / plan.nr_slices;
	u64 pos = 0;
	unsigned int i;

	for (i = 0; i < plan.nr && pos < last; i++) {
		u64 n = (plan.r[i].end - plan.r[i].start) / 8;
		u64 a = first > pos ? first : pos;
		u64 b = last < pos + n ? last : pos + n;

		if (a < b) {
			volatile u64 *p = (volatile u64 *)(plan.r[i].start + (a - pos) * 8);

			if (!fn(p, p + (b - a), f))
				return;
		}
		pos += n;
	}
}

void memtest_fill(unsigned int vcpu)
{
	walk_slice(vcpu, fill, NULL);
}

void memtest_check(unsigned int vcpu)
{
	walk_slice((vcpu + 1) % plan.nr_slices, check, &fails[vcpu]);
}

void memtest_mark(unsigned int vcpu)
{
	walk_slice(vcpu, mark, NULL);
}

u64 memtest_mib(void)
{
	return plan.words * 8 >> 20;
}

void memtest_find_marker(void)
{
	u64 first = 0, count = 0;
	unsigned int i;

	for (i = 0; i < plan.nr; i++) {
		const volatile u64 *p = (const volatile u64 *)plan.r[i].start;
		const volatile u64 *end = (const volatile u64 *)plan.r[i].end;

		for (; p < end; p++) {
			if (*p != GUEST_MARKER)
				continue;
			if (!count++)
				first = (u64)p;
		}
	}
	if (count)
		gprintf("guest: marker found at 0x%lx: %lu words in %lu MiB\n", first, count,
			memtest_mib());
	else
		gprintf("guest: no marker in %lu MiB\n", memtest_mib());
}

void memtest_report(void)
{
	unsigned int v;

	for (v = 0; v < plan.nr_slices; v++)
		if (fails[v].failed)
			crash("guest: memtest FAILED at 0x%lx: read 0x%lx expected 0x%lx\n",
			      fails[v].addr, fails[v].read, fails[v].expected);
	gprintf("guest: memtest ok %lu MiB\n", guest_mem.ram_bytes >> 20);
}
