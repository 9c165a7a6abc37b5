/*
 * Hosted tests for mm/bootmem.c: bootmem_init() from a memory map,
 * bootmem_reserve() at every position relative to the free ranges,
 * top-down bootmem_alloc() with limits and alignment, the free-byte
 * accounting after every step, the split overflow at BOOTMEM_MAX_RANGES,
 * and random runs checked against a cell-granular model of free memory.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <hv/boot.h>
#include <hv/bootmem.h>
#include <hv/lib.h>
#include <hv/printk.h>

#include "fake_arch.h"

#define R(s, e, t)                                    \
	{                                             \
		.start = (s), .end = (e), .type = (t) \
	}
#define NO_LIMIT UINT64_MAX

static int reset(void **state)
{
	static const struct mem_range none[1];

	bootmem_init(none, 0);
	console_set_loglevel(LOG_DEBUG);
	console_clear();
	return 0;
}

/* Fail unless the free ranges are exactly want[0..n) (types ignored). */
static void check_free(const struct mem_range *want, unsigned int n)
{
	const struct mem_range *got;
	unsigned int i, nr = bootmem_free_ranges(&got);
	bool same = nr == n;
	u64 sum = 0;

	for (i = 0; same && i < n; i++)
		same = got[i].start == want[i].start && got[i].end == want[i].end;
	if (!same) {
		print_error("free ranges (%u):\n", nr);
		for (i = 0; i < nr; i++)
			print_error("  %#llx-%#llx\n", got[i].start, got[i].end);
		print_error("expected (%u):\n", n);
		for (i = 0; i < n; i++)
			print_error("  %#llx-%#llx\n", want[i].start, want[i].end);
		fail();
	}
	for (i = 0; i < n; i++)
		sum += want[i].end - want[i].start;
	assert_int_equal(bootmem_free_bytes(), sum);
}

#define CHECK_FREE(...)                                         \
	do {                                                    \
		const struct mem_range want_[] = {__VA_ARGS__}; \
		check_free(want_, ARRAY_SIZE(want_));           \
	} while (0)
#define CHECK_EMPTY()                                          \
	do {                                                   \
		const struct mem_range *r_;                    \
		assert_int_equal(bootmem_free_ranges(&r_), 0); \
		assert_int_equal(bootmem_free_bytes(), 0);     \
	} while (0)

/* Three 1 MiB RAM ranges with 1 MiB holes between them. */
static void init_three(void)
{
	static const struct mem_range map[] = {
	    R(0x100000, 0x200000, MEM_RAM),
	    R(0x300000, 0x400000, MEM_RAM),
	    R(0x500000, 0x600000, MEM_RAM),
	};

	bootmem_init(map, ARRAY_SIZE(map));
	assert_int_equal(bootmem_free_bytes(), MiB(3));
}

/* ---- init ----------------------------------------------------------------------- */

static void test_init_takes_only_ram(void **state)
{
	static const struct mem_range map[] = {
	    R(0x0, 0x9f000, MEM_RAM),
	    R(0x9fc00, 0xa0000, MEM_RESERVED),
	    R(0xe0000, 0x100000, MEM_ACPI),
	    R(0x100000, 0x7fe0000, MEM_RAM),
	    R(0x7fe0000, 0x8000000, MEM_NVS),
	    R(0x8000000, 0x8000000, MEM_RAM), /* empty */
	    R(0x9000000, 0x8800000, MEM_RAM), /* inverted */
	    R(0xfee00000, 0xfee01000, MEM_UNUSABLE),
	    R(0x100000000ULL, 0x140000000ULL, MEM_PMEM),
	    R(0x140000000ULL, 0x180000000ULL, MEM_RAM),
	};

	bootmem_init(map, ARRAY_SIZE(map));
	CHECK_FREE(R(0x0, 0x9f000, 0), R(0x100000, 0x7fe0000, 0),
		   R(0x140000000ULL, 0x180000000ULL, 0));
	assert_console_empty();
}

static void test_init_drops_previous_state(void **state)
{
	static const struct mem_range map[] = {R(0x200000, 0x400000, MEM_RAM)};

	init_three();
	bootmem_reserve(0x150000, 0x160000);
	bootmem_init(map, ARRAY_SIZE(map));
	CHECK_FREE(R(0x200000, 0x400000, 0));
	bootmem_init(map, 0);
	CHECK_EMPTY();
	assert_int_equal(bootmem_alloc(0x1000, 0x1000, NO_LIMIT), 0);
}

/* ---- reserve ---------------------------------------------------------------------- */

static void test_reserve_start_edge(void **state)
{
	init_three();
	bootmem_reserve(0x100000, 0x110000);
	CHECK_FREE(R(0x110000, 0x200000, 0), R(0x300000, 0x400000, 0), R(0x500000, 0x600000, 0));
	/* Starting below the range trims it the same way. */
	bootmem_reserve(0x2f0000, 0x301000);
	CHECK_FREE(R(0x110000, 0x200000, 0), R(0x301000, 0x400000, 0), R(0x500000, 0x600000, 0));
}

static void test_reserve_end_edge(void **state)
{
	init_three();
	bootmem_reserve(0x1f0000, 0x200000);
	CHECK_FREE(R(0x100000, 0x1f0000, 0), R(0x300000, 0x400000, 0), R(0x500000, 0x600000, 0));
	bootmem_reserve(0x5ff000, 0x700000);
	CHECK_FREE(R(0x100000, 0x1f0000, 0), R(0x300000, 0x400000, 0), R(0x500000, 0x5ff000, 0));
}

static void test_reserve_middle_splits(void **state)
{
	init_three();
	bootmem_reserve(0x350000, 0x360000);
	CHECK_FREE(R(0x100000, 0x200000, 0), R(0x300000, 0x350000, 0), R(0x360000, 0x400000, 0),
		   R(0x500000, 0x600000, 0));
	/* One byte reserved takes its whole page. */
	bootmem_reserve(0x180001, 0x180002);
	CHECK_FREE(R(0x100000, 0x180000, 0), R(0x181000, 0x200000, 0), R(0x300000, 0x350000, 0),
		   R(0x360000, 0x400000, 0), R(0x500000, 0x600000, 0));
	assert_console_empty();
}

static void test_reserve_spanning_ranges(void **state)
{
	init_three();
	bootmem_reserve(0x1e0000, 0x520000);
	CHECK_FREE(R(0x100000, 0x1e0000, 0), R(0x520000, 0x600000, 0));
}

static void test_reserve_whole_ranges(void **state)
{
	init_three();
	bootmem_reserve(0x300000, 0x400000);
	CHECK_FREE(R(0x100000, 0x200000, 0), R(0x500000, 0x600000, 0));
	bootmem_reserve(0x0, 0x250000);
	CHECK_FREE(R(0x500000, 0x600000, 0));
	bootmem_reserve(0x0, UINT64_MAX);
	CHECK_EMPTY();
	bootmem_reserve(0x1000, 0x2000);
	CHECK_EMPTY();
}

static void test_reserve_nothing(void **state)
{
	init_three();
	bootmem_reserve(0x0, 0x100000);	       /* ends where RAM starts */
	bootmem_reserve(0x200000, 0x300000);   /* exactly a hole */
	bootmem_reserve(0x600000, 0x10000000); /* above all RAM */
	bootmem_reserve(0x180000, 0x180000);   /* empty */
	bootmem_reserve(0x190000, 0x170000);   /* inverted */
	bootmem_reserve(UINT64_MAX, 0);	       /* inverted, extreme */
	CHECK_FREE(R(0x100000, 0x200000, 0), R(0x300000, 0x400000, 0), R(0x500000, 0x600000, 0));
	assert_console_empty();
}

static void test_reserve_twice_is_harmless(void **state)
{
	init_three();
	bootmem_reserve(0x150000, 0x160000);
	bootmem_reserve(0x150000, 0x160000);
	bootmem_reserve(0x158000, 0x168000);
	CHECK_FREE(R(0x100000, 0x150000, 0), R(0x168000, 0x200000, 0), R(0x300000, 0x400000, 0),
		   R(0x500000, 0x600000, 0));
}

/* ---- alloc ------------------------------------------------------------------------------ */

static void test_alloc_top_down(void **state)
{
	init_three();
	assert_int_equal(bootmem_alloc(0x1000, 0x1000, NO_LIMIT), 0x5ff000);
	assert_int_equal(bootmem_alloc(0x1000, 0x1000, NO_LIMIT), 0x5fe000);
	assert_int_equal(bootmem_alloc(0x10000, 0x1000, NO_LIMIT), 0x5ee000);
	CHECK_FREE(R(0x100000, 0x200000, 0), R(0x300000, 0x400000, 0), R(0x500000, 0x5ee000, 0));
}

static void test_alloc_rounds_size_to_pages(void **state)
{
	init_three();
	assert_int_equal(bootmem_alloc(1, 0x1000, NO_LIMIT), 0x5ff000);
	assert_int_equal(bootmem_alloc(0x1001, 0x1000, NO_LIMIT), 0x5fd000);
	assert_int_equal(bootmem_free_bytes(), MiB(3) - 0x3000);
}

static void test_alloc_alignment(void **state)
{
	init_three();
	assert_int_equal(bootmem_alloc(0x1000, 0x1000, NO_LIMIT), 0x5ff000);
	/* The next 64 KiB boundary below, leaving a free fragment above. */
	assert_int_equal(bootmem_alloc(0x1000, 0x10000, NO_LIMIT), 0x5f0000);
	CHECK_FREE(R(0x100000, 0x200000, 0), R(0x300000, 0x400000, 0), R(0x500000, 0x5f0000, 0),
		   R(0x5f1000, 0x5ff000, 0));
	/* The fragment is used before anything lower. */
	assert_int_equal(bootmem_alloc(0x2000, 0x1000, NO_LIMIT), 0x5fd000);
	/* No 2 MiB boundary has a free page above it. */
	assert_int_equal(bootmem_alloc(0x1000, MiB(2), NO_LIMIT), 0);
	/* 1 MiB alignment: the start of a range. */
	assert_int_equal(bootmem_alloc(0x1000, MiB(1), NO_LIMIT), 0x500000);
	CHECK_FREE(R(0x100000, 0x200000, 0), R(0x300000, 0x400000, 0), R(0x501000, 0x5f0000, 0),
		   R(0x5f1000, 0x5fd000, 0));
}

static void test_alloc_align_zero_and_one(void **state)
{
	init_three();
	assert_int_equal(bootmem_alloc(0x1000, 0, NO_LIMIT), 0x5ff000);
	assert_int_equal(bootmem_alloc(0x1000, 1, NO_LIMIT), 0x5fe000);
}

static void test_alloc_rejects_bad_arguments(void **state)
{
	init_three();
	assert_int_equal(bootmem_alloc(0, 0x1000, NO_LIMIT), 0);
	assert_int_equal(bootmem_alloc(0x1000, 3, NO_LIMIT), 0);
	assert_int_equal(bootmem_alloc(0x1000, 0x1800, NO_LIMIT), 0);
	assert_int_equal(bootmem_alloc(0x1000, 0x1000, 0), 0);
	assert_int_equal(bootmem_free_bytes(), MiB(3));
}

static void test_alloc_below_limit(void **state)
{
	init_three();
	assert_int_equal(bootmem_alloc(0x1000, 0x1000, 0x380000), 0x37f000);
	/* A limit inside a hole: the top of the range below it. */
	assert_int_equal(bootmem_alloc(0x1000, 0x1000, 0x250000), 0x1ff000);
	/* A limit exactly at the end of a range. */
	assert_int_equal(bootmem_alloc(0x1000, 0x1000, 0x200000), 0x1fe000);
	/* Unaligned limit: the block still ends below it. */
	assert_int_equal(bootmem_alloc(0x1000, 0x1000, 0x380800), 0x37e000);
	/* Just room at the bottom of the lowest range. */
	assert_int_equal(bootmem_alloc(0x1000, 0x1000, 0x101000), 0x100000);
	/* Nothing below the lowest RAM. */
	assert_int_equal(bootmem_alloc(0x1000, 0x1000, 0x100000), 0);
	assert_int_equal(bootmem_alloc(0x1000, 0x1000, 0x101000), 0);
	CHECK_FREE(R(0x101000, 0x1fe000, 0), R(0x300000, 0x37e000, 0), R(0x380000, 0x400000, 0),
		   R(0x500000, 0x600000, 0));
}

static void test_alloc_nothing_fits(void **state)
{
	init_three();
	/* Larger than any one range, though not than the total. */
	assert_int_equal(bootmem_alloc(MiB(1) + 1, 0x1000, NO_LIMIT), 0);
	assert_int_equal(bootmem_alloc(MiB(2), 0x1000, NO_LIMIT), 0);
	/* A whole range fits exactly. */
	assert_int_equal(bootmem_alloc(MiB(1), 0x1000, NO_LIMIT), 0x500000);
	assert_int_equal(bootmem_alloc(MiB(1), 0x1000, NO_LIMIT), 0x300000);
	assert_int_equal(bootmem_alloc(MiB(1), 0x1000, NO_LIMIT), 0x100000);
	assert_int_equal(bootmem_alloc(0x1000, 0x1000, NO_LIMIT), 0);
	CHECK_EMPTY();
}

static void test_alloc_huge_size_fails(void **state)
{
	init_three();
	/* Rounding these up to a page must not wrap to a zero-byte block. */
	assert_int_equal(bootmem_alloc(UINT64_MAX, 0x1000, NO_LIMIT), 0);
	assert_int_equal(bootmem_alloc(UINT64_MAX - 0xfff, 0x1000, NO_LIMIT), 0);
	assert_int_equal(bootmem_alloc(UINT64_MAX - 0x1000, 0x1000, NO_LIMIT), 0);
	assert_int_equal(bootmem_free_bytes(), MiB(3));
}

static void test_alloc_never_returns_zero(void **state)
{
	static const struct mem_range map[] = {R(0x0, 0x3000, MEM_RAM)};

	bootmem_init(map, ARRAY_SIZE(map));
	assert_int_equal(bootmem_alloc(0x1000, 0x1000, NO_LIMIT), 0x2000);
	assert_int_equal(bootmem_alloc(0x1000, 0x1000, NO_LIMIT), 0x1000);
	/* Page 0 is free but never handed out, and stays free. */
	assert_int_equal(bootmem_alloc(0x1000, 0x1000, NO_LIMIT), 0);
	assert_int_equal(bootmem_alloc(1, 1, NO_LIMIT), 0);
	CHECK_FREE(R(0x0, 0x1000, 0));

	/* An alignment that only address 0 satisfies. */
	bootmem_init(map, ARRAY_SIZE(map));
	assert_int_equal(bootmem_alloc(0x1000, 0x4000, NO_LIMIT), 0);
	CHECK_FREE(R(0x0, 0x3000, 0));

	/* A whole range starting at 0 cannot be handed out either. */
	assert_int_equal(bootmem_alloc(0x3000, 0x1000, NO_LIMIT), 0);
	CHECK_FREE(R(0x0, 0x3000, 0));
}

static void test_alloc_skips_a_zero_candidate(void **state)
{
	static const struct mem_range map[] = {
	    R(0x0, 0x10000, MEM_RAM),
	    R(0x20000, 0x21000, MEM_RAM),
	};

	bootmem_init(map, ARRAY_SIZE(map));
	/* 64 KiB alignment: 0x20000 fits, 0 would have too. */
	assert_int_equal(bootmem_alloc(0x1000, 0x10000, NO_LIMIT), 0x20000);
	assert_int_equal(bootmem_alloc(0x1000, 0x10000, NO_LIMIT), 0);
	CHECK_FREE(R(0x0, 0x10000, 0));
}

static void test_free_bytes_exact_after_every_step(void **state)
{
	static const struct mem_range map[] = {
	    R(0x1000, 0x9f000, MEM_RAM),
	    R(0x100000, 0x8000000, MEM_RAM),
	};
	u64 free = 0x9e000 + 0x7f00000;

	bootmem_init(map, ARRAY_SIZE(map));
	assert_int_equal(bootmem_free_bytes(), free);
	bootmem_reserve(0x0, 0x100000); /* the first MiB */
	free -= 0x9e000;
	assert_int_equal(bootmem_free_bytes(), free);
	bootmem_reserve(0x200000, 0x2345678); /* the image, to a page end */
	free -= 0x2346000 - 0x200000;
	assert_int_equal(bootmem_free_bytes(), free);
	bootmem_reserve(0x2000000, 0x2400000); /* overlaps the image */
	free -= 0x2400000 - 0x2346000;
	assert_int_equal(bootmem_free_bytes(), free);
	assert_int_equal(bootmem_alloc(0x3000, 0x1000, NO_LIMIT), 0x7ffd000);
	free -= 0x3000;
	assert_int_equal(bootmem_free_bytes(), free);
	assert_int_equal(bootmem_alloc(0x1000, MiB(2), NO_LIMIT), 0x7e00000);
	free -= 0x1000;
	assert_int_equal(bootmem_free_bytes(), free);
	assert_int_equal(bootmem_alloc(0x1000, 0x1000, 0x200000), 0x1ff000);
	free -= 0x1000;
	assert_int_equal(bootmem_free_bytes(), free);
	CHECK_FREE(R(0x100000, 0x1ff000, 0), R(0x2400000, 0x7e00000, 0),
		   R(0x7e01000, 0x7ffd000, 0));
}

/* ---- range table overflow ---------------------------------------------------------------- */

static void test_split_overflow_keeps_larger_side(void **state)
{
	static struct mem_range map[BOOT_MEMMAP_MAX];
	const struct mem_range *r;
	unsigned int i;
	u64 free;

	/* 128 ranges of 1 MiB, each split once: the table is full. */
	for (i = 0; i < BOOT_MEMMAP_MAX; i++)
		map[i] = (struct mem_range)R(MiB(2) * (i + 1), MiB(2) * (i + 1) + MiB(1), MEM_RAM);
	bootmem_init(map, BOOT_MEMMAP_MAX);
	for (i = 0; i < BOOT_MEMMAP_MAX; i++)
		bootmem_reserve(MiB(2) * (i + 1) + 0x80000, MiB(2) * (i + 1) + 0x81000);
	assert_int_equal(bootmem_free_ranges(&r), BOOTMEM_MAX_RANGES);
	free = BOOT_MEMMAP_MAX * (MiB(1) - 0x1000);
	assert_int_equal(bootmem_free_bytes(), free);
	assert_console_empty();

	/* Range 0 is [2M, 2M+512K): a hole 4 KiB from its start loses the 4 KiB below. */
	bootmem_reserve(MiB(2) + 0x1000, MiB(2) + 0x2000);
	assert_string_equal(console_text(),
			    "bootmem: no room to split a free range; losing 4 KiB\n");
	assert_int_equal(bootmem_free_ranges(&r), BOOTMEM_MAX_RANGES);
	assert_int_equal(r[0].start, MiB(2) + 0x2000);
	assert_int_equal(r[0].end, MiB(2) + 0x80000);
	free -= 0x2000;
	assert_int_equal(bootmem_free_bytes(), free);

	/* Range 1 is [2M+516K, 3M): a hole 8 KiB from its end loses the 8 KiB above. */
	console_clear();
	bootmem_reserve(MiB(3) - 0x3000, MiB(3) - 0x2000);
	assert_string_equal(console_text(),
			    "bootmem: no room to split a free range; losing 8 KiB\n");
	assert_int_equal(r[1].start, MiB(2) + 0x81000);
	assert_int_equal(r[1].end, MiB(3) - 0x3000);
	free -= 0x3000;
	assert_int_equal(bootmem_free_bytes(), free);

	/*
	 * An allocation in the middle of the top range but one, [256M,
	 * 256M+512K): the block is taken and the 252 KiB above it lost.
	 */
	console_clear();
	assert_int_equal(bootmem_alloc(0x1000, 0x1000, MiB(256) + 0x41000), MiB(256) + 0x40000);
	assert_string_equal(console_text(),
			    "bootmem: no room to split a free range; losing 252 KiB\n");
	free -= 0x40000;
	assert_int_equal(bootmem_free_bytes(), free);
	assert_int_equal(bootmem_free_ranges(&r), BOOTMEM_MAX_RANGES);
	for (i = 0; i < BOOTMEM_MAX_RANGES; i++)
		assert_false(r[i].start < MiB(256) + 0x41000 && r[i].end > MiB(256) + 0x40000);

	/* Trimming an edge needs no new slot, so it loses nothing. */
	console_clear();
	bootmem_reserve(MiB(4), MiB(4) + 0x1000);
	assert_console_empty();
	assert_int_equal(bootmem_free_bytes(), free - 0x1000);
}

/* ---- random runs against a model --------------------------------------------------------- */

/*
 * The model tracks a 16 MiB window in UNIT-byte cells; every address the
 * random run uses is a multiple of UNIT, so the model is exact.
 */
#define UNIT 0x100
#define WINDOW MiB(16)
#define NCELLS (WINDOW / UNIT)

static bool cell_free[NCELLS];
static u64 cells_free;

static void model_set(u64 start, u64 end, bool free)
{
	u64 c;

	for (c = start / UNIT; c < end / UNIT && c < NCELLS; c++) {
		cells_free += free - cell_free[c];
		cell_free[c] = free;
	}
}

static u64 model_free_bytes(void)
{
	return cells_free * UNIT;
}

/* The free runs of the model, low to high. */
static unsigned int model_runs(struct mem_range *runs, unsigned int max)
{
	unsigned int n = 0;
	u64 c = 0;

	while (c < NCELLS) {
		u64 s;

		if (!cell_free[c]) {
			c++;
			continue;
		}
		s = c;
		while (c < NCELLS && cell_free[c])
			c++;
		assert_true(n < max);
		runs[n].start = s * UNIT;
		runs[n].end = c * UNIT;
		runs[n].type = MEM_RAM;
		n++;
	}
	return n;
}

/*
 * Where an allocation must land: the highest address in a free run that
 * is aligned, not 0, and leaves the block inside the run and below limit.
 */
static u64 model_alloc(u64 size, u64 align, u64 limit)
{
	static struct mem_range runs[NCELLS / 2 + 1];
	unsigned int i = model_runs(runs, ARRAY_SIZE(runs));

	size = (size + PAGE_SIZE - 1) / PAGE_SIZE * PAGE_SIZE;
	if (align < PAGE_SIZE)
		align = PAGE_SIZE;
	limit = limit / PAGE_SIZE * PAGE_SIZE;
	while (i-- > 0) {
		u64 top = runs[i].end < limit ? runs[i].end : limit;
		u64 base;

		if (top < runs[i].start + size)
			continue;
		base = (top - size) / align * align;
		if (base >= runs[i].start && base)
			return base;
	}
	return 0;
}

static void run_random(u64 seed, bool from_zero)
{
	static struct mem_range map[32], runs[NCELLS / 2 + 1];
	struct {
		u64 start, end;
	} taken[512];
	unsigned int ntaken = 0, nmap = 0, step, i, j;
	u64 pos;

	test_rng_seed(seed);
	pos = from_zero ? 0 : PAGE_SIZE * (1 + test_rng() % 16);
	memset(cell_free, 0, sizeof(cell_free));
	cells_free = 0;
	/* Sorted, disjoint, non-adjacent page-aligned RAM, as sanitised. */
	while (nmap < ARRAY_SIZE(map)) {
		u64 len = PAGE_SIZE * (1 + test_rng() % 512);

		if (pos + len > WINDOW)
			break;
		map[nmap++] = (struct mem_range)R(pos, pos + len, MEM_RAM);
		model_set(pos, pos + len, true);
		pos += len + PAGE_SIZE * (1 + test_rng() % 64);
	}
	bootmem_init(map, nmap);
	assert_int_equal(bootmem_free_bytes(), model_free_bytes());

	for (step = 0; step < 300; step++) {
		if (test_rng() % 4 == 0) {
			u64 s = UNIT * (test_rng() % NCELLS);
			u64 e = s + UNIT * (1 + test_rng() % 256);

			bootmem_reserve(s, e);
			/* Reservations take whole pages. */
			s = s / PAGE_SIZE * PAGE_SIZE;
			e = (e + PAGE_SIZE - 1) / PAGE_SIZE * PAGE_SIZE;
			model_set(s, e, false);
			assert_true(ntaken < ARRAY_SIZE(taken));
			taken[ntaken].start = s;
			taken[ntaken].end = e;
			ntaken++;
		} else {
			u64 size = 1 + test_rng() % KiB(64);
			u64 align = test_rng() % 3 ? PAGE_SIZE << (test_rng() % 9) : 1;
			u64 limit = test_rng() % 2 ? NO_LIMIT : UNIT * (test_rng() % (NCELLS + 1));
			u64 want = model_alloc(size, align, limit);
			u64 got = bootmem_alloc(size, align, limit);
			u64 end = got + ALIGN_UP(size, PAGE_SIZE);

			if (got != want)
				fail_msg(
				    "seed %#llx step %u: alloc(%#llx, %#llx, %#llx) gave %#llx, "
				    "expected %#llx",
				    seed, step, size, align, limit, got, want);
			if (!got)
				continue;
			assert_true(IS_ALIGNED(got, align));
			assert_true(end <= limit);
			/* Inside one RAM range of the map. */
			for (i = 0; i < nmap; i++)
				if (map[i].start <= got && end <= map[i].end)
					break;
			assert_true(i < nmap);
			/* Clear of every earlier reservation and allocation. */
			for (j = 0; j < ntaken; j++)
				assert_false(got < taken[j].end && taken[j].start < end);
			model_set(got, end, false);
			assert_true(ntaken < ARRAY_SIZE(taken));
			taken[ntaken].start = got;
			taken[ntaken].end = end;
			ntaken++;
		}
		assert_int_equal(bootmem_free_bytes(), model_free_bytes());
	}
	i = model_runs(runs, ARRAY_SIZE(runs));
	check_free(runs, i);
	assert_console_empty();
}

static void test_random_runs_match_model(void **state)
{
	static const u64 seeds[] = {
	    0x9e3779b97f4a7c15ULL, 0x0123456789abcdefULL, 1, 2, 3, 0xdeadbeefULL,
	    0xfeedfacecafef00dULL, 0x5555555555555555ULL,
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(seeds); i++) {
		run_random(seeds[i], false);
		run_random(seeds[i] ^ 0xffff, true);
	}
}

#define T(fn) cmocka_unit_test_setup(fn, reset)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_init_takes_only_ram),
	    T(test_init_drops_previous_state),
	    T(test_reserve_start_edge),
	    T(test_reserve_end_edge),
	    T(test_reserve_middle_splits),
	    T(test_reserve_spanning_ranges),
	    T(test_reserve_whole_ranges),
	    T(test_reserve_nothing),
	    T(test_reserve_twice_is_harmless),
	    T(test_alloc_top_down),
	    T(test_alloc_rounds_size_to_pages),
	    T(test_alloc_alignment),
	    T(test_alloc_align_zero_and_one),
	    T(test_alloc_rejects_bad_arguments),
	    T(test_alloc_below_limit),
	    T(test_alloc_nothing_fits),
	    T(test_alloc_huge_size_fails),
	    T(test_alloc_never_returns_zero),
	    T(test_alloc_skips_a_zero_candidate),
	    T(test_free_bytes_exact_after_every_step),
	    T(test_split_overflow_keeps_larger_side),
	    T(test_random_runs_match_model),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
