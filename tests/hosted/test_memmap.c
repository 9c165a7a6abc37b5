/*
 * Hosted tests for mm/memmap.c: memmap_sanitize() on hand-made and
 * random firmware maps (sorting, overlaps, merging, page trimming, the
 * -ENOSPC and -E2BIG paths), memmap_ram_bytes(), mem_type_name() and the
 * console lines of memmap_print(). The random maps are checked against a
 * byte-granular model that shares no code with memmap.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <hv/boot.h>
#include <hv/errno.h>
#include <hv/lib.h>
#include <hv/printk.h>

#include "fake_arch.h"

#define R(s, e, t)                                    \
	{                                             \
		.start = (s), .end = (e), .type = (t) \
	}

static int reset(void **state)
{
	console_set_loglevel(LOG_DEBUG);
	console_clear();
	return 0;
}

/* Fail with both maps printed unless got[0..ngot) equals want[0..nwant). */
static void check_map(const struct mem_range *got, unsigned int ngot, const struct mem_range *want,
		      unsigned int nwant)
{
	unsigned int i;
	bool same = ngot == nwant;

	for (i = 0; same && i < ngot; i++)
		same = got[i].start == want[i].start && got[i].end == want[i].end &&
		       got[i].type == want[i].type;
	if (same)
		return;
	print_error("got %u ranges:\n", ngot);
	for (i = 0; i < ngot; i++)
		print_error("  %#llx-%#llx %u\n", got[i].start, got[i].end, got[i].type);
	print_error("expected %u ranges:\n", nwant);
	for (i = 0; i < nwant; i++)
		print_error("  %#llx-%#llx %u\n", want[i].start, want[i].end, want[i].type);
	fail();
}

/* Sanitise a copy of in (room for BOOT_MEMMAP_MAX), expect 0 and exactly want. */
#define SANITIZE_TO(in, ...)                                                       \
	do {                                                                       \
		struct mem_range map_[BOOT_MEMMAP_MAX];                            \
		const struct mem_range want_[] = {__VA_ARGS__};                    \
		unsigned int nr_ = ARRAY_SIZE(in);                                 \
                                                                                   \
		memcpy(map_, in, sizeof(in));                                      \
		assert_int_equal(memmap_sanitize(map_, &nr_, BOOT_MEMMAP_MAX), 0); \
		check_map(map_, nr_, want_, ARRAY_SIZE(want_));                    \
		assert_console_empty();                                            \
	} while (0)

/* ---- ordering and overlaps ------------------------------------------------------ */

static void test_empty_map(void **state)
{
	struct mem_range map[1] = {R(1, 2, MEM_RAM)};
	unsigned int nr = 0;

	assert_int_equal(memmap_sanitize(map, &nr, BOOT_MEMMAP_MAX), 0);
	assert_int_equal(nr, 0);
	assert_int_equal(memmap_ram_bytes(map, 0), 0);
	assert_console_empty();
}

static void test_unsorted_input_is_sorted(void **state)
{
	static const struct mem_range in[] = {
	    R(0x100000000ULL, 0x140000000ULL, MEM_RAM),
	    R(0xf0000, 0x100000, MEM_RESERVED),
	    R(0x100000, 0x7fe0000, MEM_RAM),
	    R(0x1000, 0x9f000, MEM_RAM),
	    R(0xfec00000, 0xfec01000, MEM_RESERVED),
	};

	SANITIZE_TO(in, R(0x1000, 0x9f000, MEM_RAM), R(0xf0000, 0x100000, MEM_RESERVED),
		    R(0x100000, 0x7fe0000, MEM_RAM), R(0xfec00000, 0xfec01000, MEM_RESERVED),
		    R(0x100000000ULL, 0x140000000ULL, MEM_RAM));
}

static void test_reserved_inside_ram_splits_it(void **state)
{
	static const struct mem_range in[] = {
	    R(0x0, 0x100000, MEM_RAM),
	    R(0x9f000, 0xa0000, MEM_RESERVED),
	};

	SANITIZE_TO(in, R(0x0, 0x9f000, MEM_RAM), R(0x9f000, 0xa0000, MEM_RESERVED),
		    R(0xa0000, 0x100000, MEM_RAM));
}

static void test_reserved_wins_whatever_the_order(void **state)
{
	static const struct mem_range in[] = {
	    R(0x10000, 0x20000, MEM_RESERVED),
	    R(0x8000, 0x18000, MEM_RAM),
	    R(0x1c000, 0x30000, MEM_RAM),
	};

	SANITIZE_TO(in, R(0x8000, 0x10000, MEM_RAM), R(0x10000, 0x20000, MEM_RESERVED),
		    R(0x20000, 0x30000, MEM_RAM));
}

static void test_reserved_covering_ram_swallows_it(void **state)
{
	static const struct mem_range in[] = {
	    R(0x4000, 0x6000, MEM_RAM),
	    R(0x2000, 0x8000, MEM_RESERVED),
	};

	SANITIZE_TO(in, R(0x2000, 0x8000, MEM_RESERVED));
}

static void test_acpi_beats_ram(void **state)
{
	static const struct mem_range in[] = {
	    R(0x7fe0000, 0x7ff0000, MEM_ACPI),
	    R(0x100000, 0x8000000, MEM_RAM),
	    R(0x7ff0000, 0x8000000, MEM_NVS),
	};

	SANITIZE_TO(in, R(0x100000, 0x7fe0000, MEM_RAM), R(0x7fe0000, 0x7ff0000, MEM_ACPI),
		    R(0x7ff0000, 0x8000000, MEM_NVS));
}

static void test_nested_overlaps_most_restrictive_wins(void **state)
{
	static const struct mem_range in[] = {
	    R(0x0, 0x10000, MEM_RAM),
	    R(0x2000, 0x8000, MEM_ACPI),
	    R(0x4000, 0x6000, MEM_RESERVED),
	    R(0x5000, 0x5800, MEM_UNUSABLE),
	};

	SANITIZE_TO(in, R(0x0, 0x2000, MEM_RAM), R(0x2000, 0x4000, MEM_ACPI),
		    R(0x4000, 0x5000, MEM_RESERVED), R(0x5000, 0x5800, MEM_UNUSABLE),
		    R(0x5800, 0x6000, MEM_RESERVED), R(0x6000, 0x8000, MEM_ACPI),
		    R(0x8000, 0x10000, MEM_RAM));
}

static void test_unknown_type_kept_and_beats_ram(void **state)
{
	static const struct mem_range in[] = {
	    R(0x1000, 0x9000, MEM_RAM),
	    R(0x3000, 0x4000, 12),
	    R(0x20000, 0x21000, 0xffffffffU),
	};

	SANITIZE_TO(in, R(0x1000, 0x3000, MEM_RAM), R(0x3000, 0x4000, 12),
		    R(0x4000, 0x9000, MEM_RAM), R(0x20000, 0x21000, 0xffffffffU));
}

static void test_overlapping_ram_ranges_join(void **state)
{
	static const struct mem_range in[] = {
	    R(0x3000, 0x8000, MEM_RAM),
	    R(0x1000, 0x5000, MEM_RAM),
	    R(0x2000, 0x3000, MEM_RAM),
	};

	SANITIZE_TO(in, R(0x1000, 0x8000, MEM_RAM));
}

/* ---- merging and dropping --------------------------------------------------------- */

static void test_identical_duplicates_merged(void **state)
{
	static const struct mem_range in[] = {
	    R(0x100000, 0x200000, MEM_RAM), R(0xe0000, 0x100000, MEM_RESERVED),
	    R(0x100000, 0x200000, MEM_RAM), R(0xe0000, 0x100000, MEM_RESERVED),
	    R(0x100000, 0x200000, MEM_RAM),
	};

	SANITIZE_TO(in, R(0xe0000, 0x100000, MEM_RESERVED), R(0x100000, 0x200000, MEM_RAM));
}

static void test_adjacent_same_type_merged(void **state)
{
	static const struct mem_range in[] = {
	    R(0x2000, 0x5000, MEM_RAM),	     R(0x1000, 0x2000, MEM_RAM),
	    R(0x5000, 0x6000, MEM_RAM),	     R(0x6000, 0x7000, MEM_RESERVED),
	    R(0x7000, 0x7800, MEM_RESERVED), R(0x7800, 0x8000, MEM_ACPI),
	    R(0x9000, 0xa000, MEM_ACPI), /* a hole before it: not joined */
	};

	SANITIZE_TO(in, R(0x1000, 0x6000, MEM_RAM), R(0x6000, 0x7800, MEM_RESERVED),
		    R(0x7800, 0x8000, MEM_ACPI), R(0x9000, 0xa000, MEM_ACPI));
}

static void test_empty_and_inverted_ranges_dropped(void **state)
{
	static const struct mem_range in[] = {
	    R(0x5000, 0x5000, MEM_RESERVED),
	    R(0x1000, 0x9000, MEM_RAM),
	    R(0x8000, 0x2000, MEM_RESERVED), /* end < start: ignored */
	    R(0x0, 0x0, MEM_RAM),
	    R(0xffffffffffff0000ULL, 0x1000, MEM_UNUSABLE),
	};

	SANITIZE_TO(in, R(0x1000, 0x9000, MEM_RAM));
}

static void test_only_empty_ranges_give_empty_map(void **state)
{
	struct mem_range map[] = {
	    R(0x5000, 0x5000, MEM_RAM),
	    R(0x9000, 0x1000, MEM_RESERVED),
	};
	unsigned int nr = ARRAY_SIZE(map);

	assert_int_equal(memmap_sanitize(map, &nr, BOOT_MEMMAP_MAX), 0);
	assert_int_equal(nr, 0);
}

/* ---- page trimming ------------------------------------------------------------------ */

static void test_ram_trimmed_to_whole_pages(void **state)
{
	static const struct mem_range in[] = {
	    R(0x1234, 0x5678, MEM_RAM),
	    R(0x9fc00, 0xa0000, MEM_RESERVED),				/* reserved kept as given */
	    R(0x10001, 0x20fff, MEM_RAM), R(0x30000, 0x40000, MEM_RAM), /* already aligned */
	};

	SANITIZE_TO(in, R(0x2000, 0x5000, MEM_RAM), R(0x11000, 0x20000, MEM_RAM),
		    R(0x30000, 0x40000, MEM_RAM), R(0x9fc00, 0xa0000, MEM_RESERVED));
}

static void test_sub_page_ram_dropped(void **state)
{
	static const struct mem_range in[] = {
	    R(0x1100, 0x1f00, MEM_RAM), /* inside one page */
	    R(0x2100, 0x3100, MEM_RAM), /* a page long, straddling two */
	    R(0x5000, 0x5fff, MEM_RAM), /* one byte short of a page */
	    R(0x8000, 0x9000, MEM_RAM), /* exactly a page */
	    /* Rounding the start up would wrap past 2^64. */
	    R(0xfffffffffffff001ULL, 0xffffffffffffffffULL, MEM_RAM),
	};

	SANITIZE_TO(in, R(0x8000, 0x9000, MEM_RAM));
}

static void test_unaligned_hole_trims_ram_around_it(void **state)
{
	static const struct mem_range in[] = {
	    R(0x0, 0x10000, MEM_RAM),
	    R(0x3100, 0x3200, MEM_RESERVED),
	};

	SANITIZE_TO(in, R(0x0, 0x3000, MEM_RAM), R(0x3100, 0x3200, MEM_RESERVED),
		    R(0x4000, 0x10000, MEM_RAM));
}

static void test_ram_at_top_of_address_space(void **state)
{
	static const struct mem_range in[] = {
	    R(0xfffffffffff00000ULL, 0xffffffffffffffffULL, MEM_RAM),
	    R(0xfffffffffffff800ULL, 0xffffffffffffffffULL, MEM_RESERVED),
	};

	SANITIZE_TO(in, R(0xfffffffffff00000ULL, 0xfffffffffffff000ULL, MEM_RAM),
		    R(0xfffffffffffff800ULL, 0xffffffffffffffffULL, MEM_RESERVED));
}

/* ---- limits ----------------------------------------------------------------------------- */

static void test_too_many_ranges_enospc_keeps_lowest(void **state)
{
	/* Three ranges in, room for five: max is the capacity of map. */
	struct mem_range map[5] = {
	    R(0x0, 0x100000, MEM_RAM),
	    R(0x10000, 0x20000, MEM_RESERVED),
	    R(0x40000, 0x50000, MEM_RESERVED),
	};
	struct mem_range copy[ARRAY_SIZE(map)];
	unsigned int nr = 3;

	memcpy(copy, map, sizeof(map));
	assert_int_equal(memmap_sanitize(map, &nr, 4), -ENOSPC);
	{
		const struct mem_range want[] = {
		    R(0x0, 0x10000, MEM_RAM),
		    R(0x10000, 0x20000, MEM_RESERVED),
		    R(0x20000, 0x40000, MEM_RAM),
		    R(0x40000, 0x50000, MEM_RESERVED),
		};

		check_map(map, nr, want, ARRAY_SIZE(want));
	}
	assert_string_equal(console_text(),
			    "memory map: 5 ranges after resolving overlaps, room for 4; "
			    "ignoring those from 0x50000 up (704 KiB of RAM)\n");

	/* Exactly enough room is enough. */
	memcpy(map, copy, sizeof(map));
	nr = 3;
	console_clear();
	assert_int_equal(memmap_sanitize(map, &nr, 5), 0);
	assert_int_equal(nr, 5);
	assert_console_empty();
}

static void test_max_zero(void **state)
{
	struct mem_range map[] = {R(0x1000, 0x2000, MEM_RAM)};
	unsigned int nr = 1;

	assert_int_equal(memmap_sanitize(map, &nr, 0), -ENOSPC);
	assert_int_equal(nr, 0);
	assert_console_has("1 range after resolving overlaps, room for 0; "
			   "ignoring those from 0x1000 up (4 KiB of RAM)");

	/* An empty result fits anywhere. */
	nr = 0;
	console_clear();
	assert_int_equal(memmap_sanitize(map, &nr, 0), 0);
	assert_console_empty();
}

static void test_more_than_boot_memmap_max_is_e2big(void **state)
{
	static struct mem_range map[BOOT_MEMMAP_MAX + 1];
	static struct mem_range copy[BOOT_MEMMAP_MAX + 1];
	unsigned int i, nr = BOOT_MEMMAP_MAX + 1;

	for (i = 0; i < nr; i++) {
		map[nr - 1 - i].start = (u64)i * 0x2000;
		map[nr - 1 - i].end = (u64)i * 0x2000 + 0x1000;
		map[nr - 1 - i].type = MEM_RAM;
	}
	memcpy(copy, map, sizeof(map));
	assert_int_equal(memmap_sanitize(map, &nr, 2 * BOOT_MEMMAP_MAX), -E2BIG);
	assert_int_equal(nr, BOOT_MEMMAP_MAX + 1);
	assert_memory_equal(map, copy, sizeof(map));

	/* BOOT_MEMMAP_MAX itself is accepted, and sorted. */
	nr = BOOT_MEMMAP_MAX;
	assert_int_equal(memmap_sanitize(map, &nr, BOOT_MEMMAP_MAX), 0);
	assert_int_equal(nr, BOOT_MEMMAP_MAX);
	for (i = 0; i < nr; i++) {
		assert_int_equal(map[i].start, (u64)(i + 1) * 0x2000);
		assert_int_equal(map[i].end, (u64)(i + 1) * 0x2000 + 0x1000);
	}
}

static void test_full_map_of_holes_overflows_cleanly(void **state)
{
	/* One RAM range with 127 holes: 255 ranges, the most there can be. */
	static struct mem_range map[BOOT_MEMMAP_MAX];
	static struct mem_range copy[BOOT_MEMMAP_MAX];
	unsigned int i, nr = BOOT_MEMMAP_MAX;

	map[0] = (struct mem_range)R(0x0, 0x1000000, MEM_RAM);
	for (i = 1; i < nr; i++)
		map[i] = (struct mem_range)R(i * 0x10000ULL, i * 0x10000ULL + 0x1000, MEM_RESERVED);
	memcpy(copy, map, sizeof(map));
	assert_int_equal(memmap_sanitize(map, &nr, BOOT_MEMMAP_MAX), -ENOSPC);
	assert_int_equal(nr, BOOT_MEMMAP_MAX);
	/* The lowest 128 ranges stay: RAM and the holes alternating, in order. */
	assert_int_equal(map[0].start, 0);
	assert_int_equal(map[0].end, 0x10000);
	for (i = 1; i < nr; i++) {
		assert_int_equal(map[i].start, map[i - 1].end);
		assert_int_equal(map[i].type, i % 2 ? MEM_RESERVED : MEM_RAM);
	}
	assert_int_equal(map[nr - 1].end, 0x401000);
	/* Left out: RAM from 0x401000 to 16 MiB less the 63 holes above it. */
	assert_console_has("memory map: 255 ranges after resolving overlaps, room for 128; "
			   "ignoring those from 0x401000 up (12032 KiB of RAM)");
	(void)copy;
}

/* ---- the other helpers ------------------------------------------------------------------ */

static void test_ram_bytes(void **state)
{
	static const struct mem_range map[] = {
	    R(0x0, 0x9f000, MEM_RAM),	     R(0x9f000, 0xa0000, MEM_RESERVED),
	    R(0x100000, 0x200000, MEM_RAM),  R(0x200000, 0x300000, MEM_ACPI),
	    R(0x300000, 0x400000, MEM_PMEM), R(0x100000000ULL, 0x300000000ULL, MEM_RAM),
	};

	assert_int_equal(memmap_ram_bytes(map, ARRAY_SIZE(map)),
			 0x9f000 + 0x100000 + 0x200000000ULL);
	assert_int_equal(memmap_ram_bytes(map, 2), 0x9f000);
	assert_int_equal(memmap_ram_bytes(map + 1, 1), 0);
}

static void test_type_names(void **state)
{
	assert_string_equal(mem_type_name(MEM_RAM), "RAM");
	assert_string_equal(mem_type_name(MEM_RESERVED), "reserved");
	assert_string_equal(mem_type_name(MEM_ACPI), "ACPI data");
	assert_string_equal(mem_type_name(MEM_NVS), "ACPI NVS");
	assert_string_equal(mem_type_name(MEM_UNUSABLE), "unusable");
	assert_string_equal(mem_type_name(MEM_DISABLED), "disabled");
	assert_string_equal(mem_type_name(MEM_PMEM), "persistent");
	assert_string_equal(mem_type_name(0), "unknown");
	assert_string_equal(mem_type_name(8), "unknown");
	assert_string_equal(mem_type_name(12), "unknown");
	assert_string_equal(mem_type_name(0xffffffffU), "unknown");
}

static void test_print_lines(void **state)
{
	static const struct mem_range map[] = {
	    R(0x0, 0x9f000, MEM_RAM),
	    R(0x9fc00, 0xa0000, MEM_RESERVED),
	    R(0x100000, 0x200000, MEM_ACPI),
	    R(0x100000000ULL, 0x180000000ULL, MEM_RAM),
	    R(0x180000000ULL, 0x180000400ULL, 9),
	};

	memmap_print(map, ARRAY_SIZE(map));
	assert_string_equal(console_text(),
			    "  0x0000000000000000-0x000000000009f000 RAM        636 KiB\n"
			    "  0x000000000009fc00-0x00000000000a0000 reserved   1 KiB\n"
			    "  0x0000000000100000-0x0000000000200000 ACPI data  1 MiB\n"
			    "  0x0000000100000000-0x0000000180000000 RAM        2 GiB\n"
			    "  0x0000000180000000-0x0000000180000400 unknown    1 KiB\n");

	/* Info level: quiet below it. */
	console_clear();
	console_set_loglevel(LOG_NOTICE);
	memmap_print(map, ARRAY_SIZE(map));
	assert_console_empty();
}

static void test_qemu_map(void **state)
{
	/* What SeaBIOS hands QEMU -m 6G guests, in the order it gives it. */
	static const struct mem_range in[] = {
	    R(0x0, 0x9fc00, MEM_RAM),
	    R(0x9fc00, 0xa0000, MEM_RESERVED),
	    R(0xf0000, 0x100000, MEM_RESERVED),
	    R(0x100000, 0xbffe0000, MEM_RAM),
	    R(0xbffe0000, 0xc0000000, MEM_RESERVED),
	    R(0xfeffc000, 0xff000000, MEM_RESERVED),
	    R(0xfffc0000, 0x100000000ULL, MEM_RESERVED),
	    R(0x100000000ULL, 0x180000000ULL, MEM_RAM),
	};
	static const struct mem_range want[] = {
	    R(0x0, 0x9f000, MEM_RAM),
	    R(0x9fc00, 0xa0000, MEM_RESERVED),
	    R(0xf0000, 0x100000, MEM_RESERVED),
	    R(0x100000, 0xbffe0000, MEM_RAM),
	    R(0xbffe0000, 0xc0000000, MEM_RESERVED),
	    R(0xfeffc000, 0xff000000, MEM_RESERVED),
	    R(0xfffc0000, 0x100000000ULL, MEM_RESERVED),
	    R(0x100000000ULL, 0x180000000ULL, MEM_RAM),
	};
	struct mem_range map[ARRAY_SIZE(in)];
	unsigned int nr = ARRAY_SIZE(in);

	memcpy(map, in, sizeof(in));
	assert_int_equal(memmap_sanitize(map, &nr, BOOT_MEMMAP_MAX), 0);
	check_map(map, nr, want, ARRAY_SIZE(want));
	assert_int_equal(memmap_ram_bytes(map, nr), 0x9f000 + (0xbffe0000 - 0x100000) + GiB(2));

	/* Sanitising a sanitised map changes nothing. */
	assert_int_equal(memmap_sanitize(map, &nr, BOOT_MEMMAP_MAX), 0);
	check_map(map, nr, want, ARRAY_SIZE(want));
	assert_console_empty();
}

/* ---- random maps against a model ---------------------------------------------------------- */

/*
 * The model works in UNIT-byte cells over a small window. Where ranges
 * overlap, the type with the higher rank wins, ranked as memmap.c does:
 * RAM loses to anything; among the rest, unusable beats reserved beats
 * NVS beats persistent beats ACPI data.
 */
#define UNIT 0x100
#define CELLS 512 /* 128 KiB window: 32 pages */

static const u32 model_types[] = {MEM_RAM, MEM_ACPI, MEM_PMEM, MEM_NVS, MEM_RESERVED, MEM_UNUSABLE};

static int model_rank(u32 type)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(model_types); i++)
		if (model_types[i] == type)
			return (int)i;
	return -1;
}

/* What memmap_sanitize() must make of in[0..n), built cell by cell. */
static unsigned int model_sanitize(const struct mem_range *in, unsigned int n, u64 base,
				   struct mem_range *out)
{
	static u32 cell[CELLS];
	unsigned int c, i, nout = 0, nk = 0;

	for (c = 0; c < CELLS; c++) {
		u64 s = base + (u64)c * UNIT;

		cell[c] = 0;
		for (i = 0; i < n; i++)
			if (in[i].start <= s && s + UNIT <= in[i].end &&
			    (!cell[c] || model_rank(in[i].type) > model_rank(cell[c])))
				cell[c] = in[i].type;
	}
	/* Runs of one type become ranges. */
	for (c = 0; c < CELLS; c++) {
		if (!cell[c])
			continue;
		if (c > 0 && cell[c - 1] == cell[c]) {
			out[nout - 1].end += UNIT;
			continue;
		}
		out[nout].start = base + (u64)c * UNIT;
		out[nout].end = out[nout].start + UNIT;
		out[nout].type = cell[c];
		nout++;
	}
	/* Whole pages of RAM. */
	for (i = 0; i < nout; i++) {
		struct mem_range r = out[i];

		if (r.type == MEM_RAM) {
			r.start = (r.start + PAGE_SIZE - 1) / PAGE_SIZE * PAGE_SIZE;
			r.end = r.end / PAGE_SIZE * PAGE_SIZE;
			if (r.end <= r.start)
				continue;
		}
		out[nk++] = r;
	}
	return nk;
}

static void check_invariants(const struct mem_range *map, unsigned int nr)
{
	unsigned int i;

	for (i = 0; i < nr; i++) {
		assert_true(map[i].start < map[i].end);
		if (map[i].type == MEM_RAM) {
			assert_true(IS_ALIGNED(map[i].start, PAGE_SIZE));
			assert_true(IS_ALIGNED(map[i].end, PAGE_SIZE));
		}
		if (i) {
			assert_true(map[i - 1].end <= map[i].start);
			assert_false(map[i - 1].end == map[i].start &&
				     map[i - 1].type == map[i].type);
		}
	}
}

static void run_random(u64 seed, unsigned int rounds)
{
	static struct mem_range in[BOOT_MEMMAP_MAX], map[BOOT_MEMMAP_MAX];
	static struct mem_range want[2 * BOOT_MEMMAP_MAX];
	unsigned int r, i;

	test_rng_seed(seed);
	for (r = 0; r < rounds; r++) {
		u64 base = (test_rng() % 16 + 1) * GiB(1);
		unsigned int n = (unsigned int)(test_rng() % 24), nr = n, nwant;

		for (i = 0; i < n; i++) {
			u64 a = test_rng() % (CELLS + 1), b = test_rng() % (CELLS + 1);

			/* Mostly RAM, some empty or inverted ranges. */
			in[i].start = base + a * UNIT;
			in[i].end = base + (test_rng() % 8 ? (a > b ? a : b) : b) * UNIT;
			in[i].type = test_rng() % 2
					 ? MEM_RAM
					 : model_types[test_rng() % ARRAY_SIZE(model_types)];
		}
		memcpy(map, in, n * sizeof(in[0]));
		nwant = model_sanitize(in, n, base, want);
		assert_int_equal(memmap_sanitize(map, &nr, BOOT_MEMMAP_MAX), 0);
		check_invariants(map, nr);
		if (nr != nwant || memcmp(map, want, nr * sizeof(map[0]))) {
			print_error("seed %#llx round %u, input:\n", seed, r);
			for (i = 0; i < n; i++)
				print_error("  %#llx-%#llx %u\n", in[i].start, in[i].end,
					    in[i].type);
			check_map(map, nr, want, nwant);
		}
	}
	assert_console_empty();
}

static void test_random_maps_match_model(void **state)
{
	run_random(0x9e3779b97f4a7c15ULL, 3000);
	run_random(0x0123456789abcdefULL, 3000);
	run_random(42, 3000);
}

#define T(fn) cmocka_unit_test_setup(fn, reset)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_empty_map),
	    T(test_unsorted_input_is_sorted),
	    T(test_reserved_inside_ram_splits_it),
	    T(test_reserved_wins_whatever_the_order),
	    T(test_reserved_covering_ram_swallows_it),
	    T(test_acpi_beats_ram),
	    T(test_nested_overlaps_most_restrictive_wins),
	    T(test_unknown_type_kept_and_beats_ram),
	    T(test_overlapping_ram_ranges_join),
	    T(test_identical_duplicates_merged),
	    T(test_adjacent_same_type_merged),
	    T(test_empty_and_inverted_ranges_dropped),
	    T(test_only_empty_ranges_give_empty_map),
	    T(test_ram_trimmed_to_whole_pages),
	    T(test_sub_page_ram_dropped),
	    T(test_unaligned_hole_trims_ram_around_it),
	    T(test_ram_at_top_of_address_space),
	    T(test_too_many_ranges_enospc_keeps_lowest),
	    T(test_max_zero),
	    T(test_more_than_boot_memmap_max_is_e2big),
	    T(test_full_map_of_holes_overflows_cleanly),
	    T(test_ram_bytes),
	    T(test_type_names),
	    T(test_print_lines),
	    T(test_qemu_map),
	    T(test_random_maps_match_model),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
