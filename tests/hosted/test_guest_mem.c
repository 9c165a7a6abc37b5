/*
 * Hosted tests for hypervisor/guest_mem.c: the PC layout of a domain's
 * RAM (dom_layout_ram), the check that a guest buffer is RAM
 * (dom_gpa_is_ram), copies to and from guest RAM through the nested page
 * tables (faked in fake_hvm.c: every guest page in a machine frame of its
 * own, the frames running backwards) and the guest console's line buffer
 * (dom_console_write). Expected ranges are written out from the PC rule
 * in include/hv/domain.h: [0, 0xa0000), then [0x100000, mem + 0x60000)
 * below 3 GiB, the rest from 4 GiB.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <hv/domain.h>
#include <hv/domain_config.h>
#include <hv/errno.h>
#include <hv/lib.h>

#include "fake_arch.h"
#include "fake_hvm.h"

static struct fake_guest g;

/* A 2 MiB guest, id 1, one vCPU: RAM [0, 0xa0000) and [0x100000, 0x260000). */
static int setup(void **state)
{
	fake_guest_init(&g, 1, MiB(2), 1, true);
	console_clear();
	return 0;
}

static int teardown(void **state)
{
	fake_guest_free(&g);
	console_clear();
	return 0;
}

/* ---- dom_layout_ram ------------------------------------------------------------------------- */

static struct domain laid;

/* Lay out the domain of a domain= value (the real parser's config). */
static void layout_cfg(const char *value)
{
	char err[DOMCFG_ERR_MAX];
	u64 sum = 0;
	unsigned int i;

	/* Whatever the structure held before must not matter. */
	memset(&laid, 0xa5, sizeof(laid));
	if (domcfg_parse(value, &laid.cfg, err, sizeof(err)))
		fail_msg("%s: %s", value, err);
	dom_layout_ram(&laid);
	spin_lock_init(&laid.mem_lock);
	/*
	 * RAM is what is mapped inside the ranges: map it all (to any frames;
	 * only the copies, on g, read them). Earlier layouts' maps go.
	 */
	fake_hvm_reset();
	for (i = 0; i < laid.nr_ram; i++) {
		fake_hvm_map(&laid, laid.ram[i].start >> PAGE_SHIFT, 0x1000,
			     (laid.ram[i].end - laid.ram[i].start) >> PAGE_SHIFT);
		sum += laid.ram[i].end - laid.ram[i].start;
	}
	assert_int_equal(sum, laid.cfg.mem);
}

static void layout(u64 mem)
{
	char value[64];

	snprintf(value, sizeof(value), "name=t,mem=%llu", mem);
	layout_cfg(value);
	assert_in_range(laid.nr_ram, 2, 3);
	assert_int_equal(laid.nr_vnodes, 1);
	assert_int_equal(laid.vnode[0].hot_start, laid.vnode[0].hot_end);
}

static void assert_vnode_of(unsigned int i, unsigned int v)
{
	if (laid.ram_vnode[i] != v)
		fail_msg("ram[%u] is virtual node %u's, expected %u's", i, laid.ram_vnode[i], v);
}

static void assert_range(unsigned int i, u64 start, u64 end)
{
	if (laid.ram[i].start != start || laid.ram[i].end != end)
		fail_msg("ram[%u] is [0x%llx, 0x%llx), expected [0x%llx, 0x%llx)", i,
			 laid.ram[i].start, laid.ram[i].end, start, end);
}

static void test_layout_2mib(void **state)
{
	layout(0x200000);
	assert_int_equal(laid.nr_ram, 2);
	assert_range(0, 0x0, 0xa0000);
	assert_range(1, 0x100000, 0x260000);
}

static void test_layout_64mib(void **state)
{
	layout(0x4000000);
	assert_int_equal(laid.nr_ram, 2);
	assert_range(0, 0x0, 0xa0000);
	assert_range(1, 0x100000, 0x4060000);
}

/* 3 GiB less the legacy hole: the second range ends exactly at 3 GiB, no third. */
static void test_layout_fills_below_3gib(void **state)
{
	layout(0xbffa0000);
	assert_int_equal(laid.nr_ram, 2);
	assert_range(0, 0x0, 0xa0000);
	assert_range(1, 0x100000, 0xc0000000);
}

/* One page more goes above 4 GiB. */
static void test_layout_one_page_over_3gib(void **state)
{
	layout(0xbffa1000);
	assert_int_equal(laid.nr_ram, 3);
	assert_range(0, 0x0, 0xa0000);
	assert_range(1, 0x100000, 0xc0000000);
	assert_range(2, 0x100000000, 0x100001000);
}

static void test_layout_4gib(void **state)
{
	layout(0x100000000);
	assert_int_equal(laid.nr_ram, 3);
	assert_range(0, 0x0, 0xa0000);
	assert_range(1, 0x100000, 0xc0000000);
	assert_range(2, 0x100000000, 0x140060000);
}

/*
 * Two virtual nodes of 128 MiB: node 0 as a PC (640 KiB, then from 1 MiB
 * to 0x100000 + 128 MiB - 640 KiB = 0x8060000); node 1 from the next 2 MiB
 * boundary, 0x8200000, for 128 MiB (to 0x10200000).
 */
static void test_layout_two_vnodes(void **state)
{
	layout_cfg("name=t,vnodes=2,mem=256M,vcpus=3");
	assert_int_equal(laid.nr_vnodes, 2);
	assert_int_equal(laid.nr_ram, 3);
	assert_range(0, 0x0, 0xa0000);
	assert_range(1, 0x100000, 0x8060000);
	assert_range(2, 0x8200000, 0x10200000);
	assert_vnode_of(0, 0);
	assert_vnode_of(1, 0);
	assert_vnode_of(2, 1);
	/* vCPUs 0-1 on virtual node 0, vCPU 2 on 1. */
	assert_int_equal(laid.vnode[0].first_vcpu, 0);
	assert_int_equal(laid.vnode[0].nr_vcpus, 2);
	assert_int_equal(laid.vnode[1].first_vcpu, 2);
	assert_int_equal(laid.vnode[1].nr_vcpus, 1);
	/* The gap between them is no one's. */
	assert_int_equal(dom_gfn_vnode(&laid, 0x8060), 0 - 1);
	assert_int_equal(dom_gfn_vnode(&laid, 0x805f), 0);
	assert_int_equal(dom_gfn_vnode(&laid, 0x8200), 1);
	assert_int_equal(dom_gfn_vnode(&laid, 0x101ff), 1);
	assert_int_equal(dom_gfn_vnode(&laid, 0x10200), 0 - 1);
	assert_int_equal(dom_gfn_vnode(&laid, 0xa0), 0 - 1);
	/* A range check is of one range: not across the low hole, not across nodes. */
	assert_int_equal(dom_range_vnode(&laid, 0x0, 0x200000), 0 - 1);
	assert_int_equal(dom_range_vnode(&laid, 0x200000, 0x200000), 0);
	assert_int_equal(dom_range_vnode(&laid, 0x8000000, 0x400000), 0 - 1);
	assert_int_equal(dom_range_vnode(&laid, 0x8200000, 0x8000000), 1);
	assert_int_equal(dom_range_vnode(&laid, 0x8200000, 0x8001000), 0 - 1);
	assert_int_equal(dom_range_vnode(&laid, 0xfffffffffffff000, 0x2000), 0 - 1);
}

/*
 * 4 GiB over two: node 0 to 0x80060000; node 1 from 0x80200000 to 3 GiB
 * (0x3fe00000 bytes), its other 0x40200000 bytes from 4 GiB.
 */
static void test_layout_two_vnodes_across_the_pci_hole(void **state)
{
	layout_cfg("name=t,vnodes=2,mem=4G");
	assert_int_equal(laid.nr_ram, 4);
	assert_range(0, 0x0, 0xa0000);
	assert_range(1, 0x100000, 0x80060000);
	assert_range(2, 0x80200000, 0xc0000000);
	assert_range(3, 0x100000000, 0x140200000);
	assert_vnode_of(2, 1);
	assert_vnode_of(3, 1);
}

/*
 * maxmem 1G over mem 256M: each virtual node gets a hot-plug range of
 * 768 MiB (0x30000000), the first at 4 GiB (all RAM is below), the next
 * at the next 1 GiB boundary after it (0x140000000).
 */
static void test_layout_hotplug_ranges(void **state)
{
	layout_cfg("name=t,vnodes=2,mem=256M,maxmem=1G");
	assert_int_equal(laid.vnode[0].hot_start, 0x100000000);
	assert_int_equal(laid.vnode[0].hot_end, 0x130000000);
	assert_int_equal(laid.vnode[1].hot_start, 0x140000000);
	assert_int_equal(laid.vnode[1].hot_end, 0x170000000);
	assert_int_equal(dom_gfn_vnode(&laid, 0x100000), 0);
	assert_int_equal(dom_gfn_vnode(&laid, 0x12ffff), 0);
	assert_int_equal(dom_gfn_vnode(&laid, 0x130000), 0 - 1);
	assert_int_equal(dom_gfn_vnode(&laid, 0x140000), 1);
	assert_int_equal(dom_range_vnode(&laid, 0x12fe00000, 0x200000), 0);
	assert_int_equal(dom_range_vnode(&laid, 0x12fe00000, 0x400000), 0 - 1);

	/* RAM above 4 GiB: the hot-plug ranges start at the 1 GiB boundary after it. */
	layout_cfg("name=t,mem=4G,maxmem=0x100200000");
	assert_range(2, 0x100000000, 0x140060000);
	assert_int_equal(laid.vnode[0].hot_start, 0x180000000);
	assert_int_equal(laid.vnode[0].hot_end, 0x180200000);
}

static void test_layout_6gib(void **state)
{
	layout(0x180000000);
	assert_int_equal(laid.nr_ram, 3);
	assert_range(0, 0x0, 0xa0000);
	assert_range(1, 0x100000, 0xc0000000);
	assert_range(2, 0x100000000, 0x1c0060000);
}

/* ---- dom_gpa_is_ram ------------------------------------------------------------------------- */

#define assert_ram(d, gpa, len) assert_true(dom_gpa_is_ram((d), (gpa), (len)))
#define assert_not_ram(d, gpa, len) assert_false(dom_gpa_is_ram((d), (gpa), (len)))

static void test_gpa_inside(void **state)
{
	assert_ram(&g.d, 0x0, 1);
	assert_ram(&g.d, 0x0, 0xa0000);
	assert_ram(&g.d, 0x9ffff, 1);
	assert_ram(&g.d, 0x100000, 1);
	assert_ram(&g.d, 0x100000, 0x160000);
	assert_ram(&g.d, 0x25f000, 0x1000);
	assert_ram(&g.d, 0x25ffff, 1);
}

static void test_gpa_straddles_range_end(void **state)
{
	assert_not_ram(&g.d, 0x9ffff, 2);
	assert_not_ram(&g.d, 0x9f000, 0x1001);
	assert_not_ram(&g.d, 0x0, 0xa0001);
	assert_not_ram(&g.d, 0x25ffff, 2);
	assert_not_ram(&g.d, 0x25f000, 0x1001);
	assert_not_ram(&g.d, 0x100000, 0x160001);
	/* A range's start from below. */
	assert_not_ram(&g.d, 0xfffff, 2);
}

/* Both ends in RAM, the legacy hole between them. */
static void test_gpa_straddles_hole(void **state)
{
	assert_not_ram(&g.d, 0x9f000, 0x62000);
	assert_not_ram(&g.d, 0x9ffff, 0x60002);
	assert_not_ram(&g.d, 0x0, 0x260000);
}

static void test_gpa_in_hole(void **state)
{
	assert_not_ram(&g.d, 0xa0000, 1);
	assert_not_ram(&g.d, 0xc0000, 0x1000);
	assert_not_ram(&g.d, 0xfffff, 1);
	assert_not_ram(&g.d, 0xa0000, 0x60000);
}

static void test_gpa_past_end(void **state)
{
	assert_not_ram(&g.d, 0x260000, 1);
	assert_not_ram(&g.d, 0x10000000, 0x1000);
	assert_not_ram(&g.d, 0x100000000, 1);
	assert_not_ram(&g.d, 0xfffffffffffff000, 0x1000);
}

/* gpa + len overflows: never RAM, even where the wrapped end lands in it. */
static void test_gpa_wraps(void **state)
{
	assert_not_ram(&g.d, 0xffffffffffffffff, 1);
	assert_not_ram(&g.d, 0xffffffffffffffff, 2);
	assert_not_ram(&g.d, 0xfffffffffffff000, 0x2000);
	assert_not_ram(&g.d, 0x1000, 0xffffffffffffffff);
	assert_not_ram(&g.d, 0x1000, 0xfffffffffffff000);
	assert_not_ram(&g.d, 0x100000, 0xffffffffffffffff);
	assert_not_ram(&g.d, 0x0, 0xffffffffffffffff);
}

/* An empty buffer is RAM where its address is, and not in the hole. */
static void test_gpa_len_0(void **state)
{
	assert_ram(&g.d, 0x0, 0);
	assert_ram(&g.d, 0x1000, 0);
	assert_ram(&g.d, 0x100000, 0);
	assert_not_ram(&g.d, 0xa1000, 0);
	assert_not_ram(&g.d, 0x261000, 0);
	assert_not_ram(&g.d, 0xffffffffffffffff, 0);
}

/* A 6 GiB layout: the PCI hole [3 GiB, 4 GiB) and the end of RAM above 4 GiB. */
static void test_gpa_high_ram(void **state)
{
	layout(0x180000000);
	assert_ram(&laid, 0xbfffffff, 1);
	assert_not_ram(&laid, 0xbfffffff, 2);
	assert_not_ram(&laid, 0xc0000000, 1);
	assert_not_ram(&laid, 0xffffffff, 1);
	assert_not_ram(&laid, 0xffffffff, 2);
	assert_ram(&laid, 0x100000000, 1);
	assert_ram(&laid, 0x100000000, 0xc0060000);
	assert_not_ram(&laid, 0xbffff000, 0x40002000);
	assert_ram(&laid, 0x1c005ffff, 1);
	assert_not_ram(&laid, 0x1c005ffff, 2);
	assert_not_ram(&laid, 0x1c0060000, 1);
}

/* ---- copies --------------------------------------------------------------------------------- */

/* Every RAM byte of g holds its pattern, except [gpa, gpa + len), which holds src. */
static void assert_guest_holds(u64 gpa, const u8 *src, u64 len)
{
	unsigned int i;
	u64 page, a;

	for (i = 0; i < g.d.nr_ram; i++)
		for (page = g.d.ram[i].start; page < g.d.ram[i].end; page += PAGE_SIZE) {
			const u8 *host = fake_guest_byte(&g, page);

			for (a = page; a < page + PAGE_SIZE; a++) {
				u8 want = a >= gpa && a - gpa < len ? src[a - gpa]
								    : fake_guest_pattern(a);

				if (host[a - page] != want)
					fail_msg("guest byte 0x%llx is 0x%02x, expected 0x%02x", a,
						 host[a - page], want);
			}
		}
}

static void assert_guest_untouched(void)
{
	assert_guest_holds(0, NULL, 0);
}

/* The fixture's own promise: neighbouring guest pages are not neighbours behind. */
static void test_fixture_frames_scrambled(void **state)
{
	assert_ptr_equal(fake_guest_byte(&g, 0x0), g.mem + g.mem_len - 0x1000);
	assert_ptr_equal(fake_guest_byte(&g, 0x1000), g.mem + g.mem_len - 0x2000);
	assert_ptr_equal(fake_guest_byte(&g, 0x100000), g.mem + g.mem_len - 0xa1000);
	assert_ptr_equal(fake_guest_byte(&g, 0x25ffff), g.mem + 0xfff);
	assert_guest_untouched();
}

static void check_from_guest(u64 gpa, u64 len)
{
	u8 *buf = malloc(len + 2);
	u64 i;

	assert_non_null(buf);
	memset(buf, 0xcc, len + 2);
	assert_int_equal(dom_copy_from_guest(&g.d, buf + 1, gpa, len), 0);
	for (i = 0; i < len; i++)
		if (buf[1 + i] != fake_guest_pattern(gpa + i))
			fail_msg("byte %llu of a copy from 0x%llx is 0x%02x, expected 0x%02x", i,
				 gpa, buf[1 + i], fake_guest_pattern(gpa + i));
	assert_int_equal(buf[0], 0xcc);
	assert_int_equal(buf[len + 1], 0xcc);
	free(buf);
}

static void test_copy_from_guest(void **state)
{
	check_from_guest(0x1234, 100);
	check_from_guest(0x1ff0, 0x20);	      /* one page boundary */
	check_from_guest(0xffc, 0x2008);      /* four pages, three boundaries */
	check_from_guest(0x100ffe, 0x3004);   /* in the high range */
	check_from_guest(0x0, 0xa0000);	      /* the whole low range */
	check_from_guest(0x100000, 0x160000); /* the whole high range */
	check_from_guest(0x9ffff, 1);	      /* last byte below the hole */
	check_from_guest(0x25f001, 0xfff);    /* up to the end of RAM */
	assert_int_equal(dom_copy_from_guest(&g.d, NULL, 0x1000, 0), 0);
	assert_guest_untouched();
}

static void check_to_guest(u64 gpa, u64 len)
{
	u8 *src = malloc(len);
	u64 i;

	assert_non_null(src);
	for (i = 0; i < len; i++)
		src[i] = (u8)(test_rng() | 1) ^ fake_guest_pattern(gpa + i);
	assert_int_equal(dom_copy_to_guest(&g.d, gpa, src, len), 0);
	assert_guest_holds(gpa, src, len);
	/* Put the pattern back for the next one. */
	for (i = 0; i < len; i++)
		src[i] = fake_guest_pattern(gpa + i);
	assert_int_equal(dom_copy_to_guest(&g.d, gpa, src, len), 0);
	free(src);
}

static void test_copy_to_guest(void **state)
{
	test_rng_seed(0x6775657374);
	check_to_guest(0x1234, 100);
	check_to_guest(0x1ff0, 0x20);
	check_to_guest(0xffc, 0x2008);
	check_to_guest(0x9e123, 0x1edd); /* up to the hole */
	check_to_guest(0x100ffe, 0x3004);
	check_to_guest(0x25f001, 0xfff);
	check_to_guest(0x100000, 0x160000);
	assert_int_equal(dom_copy_to_guest(&g.d, 0x1000, NULL, 0), 0);
	assert_guest_untouched();
}

/* Buffers that are not inside one RAM range. */
static const struct {
	u64 gpa, len;
} bad[] = {
    {0x9f000, 0x1001},		  /* across the end of the low range */
    {0x9ffff, 0x60002},		  /* across the legacy hole */
    {0xa0000, 1},		  /* in the hole */
    {0xfff00, 0x200},		  /* from the hole into RAM */
    {0x25f800, 0x801},		  /* across the end of RAM */
    {0x260000, 0x10},		  /* past the end */
    {0x100000000, 0x10},	  /* at 4 GiB, with no RAM there */
    {0xfffffffffffff000, 0x2000}, /* wrapping to 0x1000 */
    {0x1000, 0xfffffffffffff000}, /* wrapping to 0 */
};

static void test_copy_from_bad_leaves_dst(void **state)
{
	u8 dst[0x3000], want[0x3000];
	unsigned int i;

	memset(want, 0xcc, sizeof(want));
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		memset(dst, 0xcc, sizeof(dst));
		assert_int_equal(dom_copy_from_guest(&g.d, dst, bad[i].gpa, bad[i].len), -EFAULT);
		assert_memory_equal(dst, want, sizeof(dst));
	}
	assert_guest_untouched();
}

static void test_copy_to_bad_leaves_guest(void **state)
{
	static u8 src[0x70000];
	unsigned int i;

	memset(src, 0xee, sizeof(src));
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		/* The source is never read either: its length would not cover the wrapping ones. */
		assert_int_equal(dom_copy_to_guest(&g.d, bad[i].gpa, src, bad[i].len), -EFAULT);
		assert_guest_untouched();
	}
}

/* RAM with no mapping behind it (the domain code never leaves one): -EFAULT. */
static void test_copy_unmapped_page(void **state)
{
	u8 buf[16];

	fake_hvm_map(&g.d, 0x5, INVALID_MFN, 1);
	memset(buf, 0xcc, sizeof(buf));
	assert_int_equal(dom_copy_from_guest(&g.d, buf, 0x5000, sizeof(buf)), -EFAULT);
	assert_int_equal(buf[0], 0xcc);
	assert_int_equal(dom_copy_to_guest(&g.d, 0x5ff0, buf, sizeof(buf)), -EFAULT);
}

/* ---- dom_console_write ---------------------------------------------------------------------- */

static void put(unsigned int vcpu, const char *s, size_t len)
{
	dom_console_write(&g.vcpus[vcpu], s, len);
}

static void assert_console_is(const char *want)
{
	if (strcmp(console_text(), want))
		fail_msg("console holds:\n%s\nexpected:\n%s", console_text(), want);
}

static void test_console_line(void **state)
{
	g.d.id = 7;
	put(0, "hello", 5);
	assert_console_empty();
	put(0, ", world\nnext", 12);
	assert_console_is("(d7) hello, world\n");
	put(0, "\n\n", 2);
	assert_console_is("(d7) hello, world\n(d7) next\n(d7) \n");
	assert_int_equal(g.vcpus[0].line_len, 0);
}

static void test_console_replaces_unprintable(void **state)
{
	static const char in[] = "a\x01"
				 "b\x7f"
				 "c\x80"
				 "d\xff"
				 "e\te\r\x1f\0z\n";

	put(0, in, sizeof(in) - 1);
	assert_console_is("(d1) a?b?c?d?e\te???z\n");
}

static void fill(char *s, size_t n, char c)
{
	memset(s, c, n);
	s[n] = '\0';
}

/* The buffer holds 159 characters: a longer line goes out in pieces of 159. */
static void test_console_long_line_split(void **state)
{
	char in[400], want[600], a[160], c[100];

	fill(in, 350, 'x');
	in[350] = '\n';
	put(0, in, 351);
	fill(a, 159, 'x');
	fill(c, 32, 'x');
	snprintf(want, sizeof(want), "(d1) %s\n(d1) %s\n(d1) %s\n", a, a, c);
	assert_console_is(want);
}

/* A line of exactly 159 characters is one line, with no empty one after it. */
static void test_console_line_of_159(void **state)
{
	char in[161], want[200];

	fill(in, 159, 'y');
	in[159] = '\n';
	put(0, in, 160);
	in[159] = '\0';
	snprintf(want, sizeof(want), "(d1) %s\n", in);
	assert_console_is(want);
	assert_int_equal(g.vcpus[0].line_len, 0);
}

static void test_console_per_vcpu(void **state)
{
	fake_guest_free(&g);
	fake_guest_init(&g, 4, MiB(2), 3, false);
	put(1, "one ", 4);
	put(2, "two\n", 4);
	assert_console_is("(d4) two\n");
	put(0, "zero\n", 5);
	put(1, "more\n", 5);
	assert_console_is("(d4) two\n(d4) zero\n(d4) one more\n");
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_layout_2mib),
	    T(test_layout_64mib),
	    T(test_layout_fills_below_3gib),
	    T(test_layout_one_page_over_3gib),
	    T(test_layout_4gib),
	    T(test_layout_6gib),
	    T(test_layout_two_vnodes),
	    T(test_layout_two_vnodes_across_the_pci_hole),
	    T(test_layout_hotplug_ranges),
	    T(test_gpa_inside),
	    T(test_gpa_straddles_range_end),
	    T(test_gpa_straddles_hole),
	    T(test_gpa_in_hole),
	    T(test_gpa_past_end),
	    T(test_gpa_wraps),
	    T(test_gpa_len_0),
	    T(test_gpa_high_ram),
	    T(test_fixture_frames_scrambled),
	    T(test_copy_from_guest),
	    T(test_copy_to_guest),
	    T(test_copy_from_bad_leaves_dst),
	    T(test_copy_to_bad_leaves_guest),
	    T(test_copy_unmapped_page),
	    T(test_console_line),
	    T(test_console_replaces_unprintable),
	    T(test_console_long_line_split),
	    T(test_console_line_of_159),
	    T(test_console_per_vcpu),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
