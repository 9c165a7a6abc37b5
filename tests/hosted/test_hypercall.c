/*
 * Hosted tests for hypervisor/hypercall.c: hcall_dispatch() and the calls
 * of include/public/hypercall.h (version, console_write, vcpu_up,
 * shutdown) made by a fake domain: id 3, 2 MiB of RAM ([0, 0xa0000) and
 * [0x100000, 0x260000), host memory behind it through fake_hvm.c's nested
 * page tables), four vCPUs of which vCPU 0 runs in 64-bit mode. The
 * expected results are the ABI header's numbers, written out. Every
 * refused call is checked to leave the domain exactly as it was: the
 * struct domain, every struct vcpu with its console line, the fake arch
 * state of every vCPU and every byte of guest RAM, with nothing printed
 * and dom_shutdown() not called.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <hv/domain.h>
#include <hv/lib.h>

#include "fake_arch.h"
#include "fake_hvm.h"

#define NR_VCPUS 4
#define RAM_END 0x260000

static struct fake_guest g;

static int setup(void **state)
{
	fake_guest_init(&g, 3, MiB(2), NR_VCPUS, true);
	console_clear();
	return 0;
}

static int teardown(void **state)
{
	fake_guest_free(&g);
	console_clear();
	return 0;
}

static long hc(unsigned int vcpu, u64 nr, u64 a0, u64 a1, u64 a2, u64 a3)
{
	/* The fifth argument is junk: no call takes one. */
	const u64 args[5] = {a0, a1, a2, a3, 0x5a5a5a5a5a5a5a5a};

	return hcall_dispatch(&g.vcpus[vcpu], nr, args);
}

/* ---- the domain before and after a call ----------------------------------------------------- */

struct snapshot {
	struct domain d;
	struct vcpu vcpus[FAKE_GUEST_VCPUS];
	struct vcpu *vcpu_ptrs[FAKE_GUEST_VCPUS];
	struct fake_vcpu_arch arch[FAKE_GUEST_VCPUS];
	u8 *mem;
	unsigned int shutdowns;
};

static struct snapshot snap;

static void take_snapshot(void)
{
	memcpy(&snap.d, &g.d, sizeof(g.d));
	memcpy(snap.vcpus, g.vcpus, sizeof(g.vcpus));
	memcpy(snap.vcpu_ptrs, g.vcpu_ptrs, sizeof(g.vcpu_ptrs));
	memcpy(snap.arch, g.arch, sizeof(g.arch));
	free(snap.mem);
	snap.mem = malloc(g.mem_len);
	assert_non_null(snap.mem);
	memcpy(snap.mem, g.mem, g.mem_len);
	snap.shutdowns = fake_shutdown_calls();
}

static void assert_same_bytes(const void *now, const void *was, size_t len, const char *what)
{
	const u8 *a = now, *b = was;
	size_t i;

	for (i = 0; i < len; i++)
		if (a[i] != b[i])
			fail_msg("%s changed at byte %zu: 0x%02x, was 0x%02x", what, i, a[i], b[i]);
}

/*
 * Everything is as in the snapshot. The domain lock is free; its ticket
 * counters may have moved on (a call that took and dropped it).
 */
static void assert_as_snapshot(void)
{
	struct domain d;
	unsigned int i;

	assert_false(spin_is_locked(&g.d.lock));
	assert_false(spin_is_locked(&g.d.mem_lock));
	memcpy(&d, &g.d, sizeof(d));
	d.lock = snap.d.lock;
	d.mem_lock = snap.d.mem_lock;
	assert_same_bytes(&d, &snap.d, sizeof(d), "struct domain");
	for (i = 0; i < FAKE_GUEST_VCPUS; i++) {
		assert_same_bytes(&g.vcpus[i], &snap.vcpus[i], sizeof(g.vcpus[i]), "a struct vcpu");
		assert_same_bytes(&g.arch[i], &snap.arch[i], sizeof(g.arch[i]),
				  "a vCPU's arch state");
	}
	assert_same_bytes(g.vcpu_ptrs, snap.vcpu_ptrs, sizeof(g.vcpu_ptrs), "the vCPU array");
	assert_same_bytes(g.mem, snap.mem, g.mem_len, "guest RAM");
	assert_int_equal(fake_shutdown_calls(), snap.shutdowns);
}

/* The call returns rc, prints nothing and changes nothing. */
static void expect_refused(unsigned int vcpu, u64 nr, u64 a0, u64 a1, u64 a2, u64 a3, long rc)
{
	take_snapshot();
	console_clear();
	if (hc(vcpu, nr, a0, a1, a2, a3) != rc)
		fail_msg("call %llu (0x%llx, 0x%llx, 0x%llx, 0x%llx) by vCPU %u: expected %ld", nr,
			 a0, a1, a2, a3, vcpu, rc);
	assert_console_empty();
	assert_as_snapshot();
}

static void assert_console_is(const char *want)
{
	if (strcmp(console_text(), want))
		fail_msg("console holds:\n%s\nexpected:\n%s", console_text(), want);
}

/* Write guest RAM behind the code's back (byte by byte through the fake tables). */
static void poke(u64 gpa, const void *src, size_t len)
{
	const u8 *s = src;
	size_t i;

	for (i = 0; i < len; i++)
		*fake_guest_byte(&g, gpa + i) = s[i];
}

static int teardown_snapshot(void **state)
{
	free(snap.mem);
	snap.mem = NULL;
	return teardown(state);
}

/* ---- dispatch and version ------------------------------------------------------------------- */

static void test_version(void **state)
{
	take_snapshot();
	assert_int_equal(hc(0, 0, 0, 0, 0, 0), 0x00010001);
	assert_int_equal(hc(2, 0, ~0ULL, ~0ULL, ~0ULL, ~0ULL), 0x00010001);
	assert_console_empty();
	assert_as_snapshot();
}

static void test_unknown_numbers(void **state)
{
	static const u64 nr[] = {8, 9, 1000, 0x100000000, 0x8000000000000000, ~0ULL};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(nr); i++)
		expect_refused(0, nr[i], 1, 0x1000, 16, 0, -38);
}

/* ---- console_write -------------------------------------------------------------------------- */

static void test_console_write_line(void **state)
{
	poke(0x2000, "hello, world\n", 13);
	assert_int_equal(hc(0, 1, 0x2000, 13, 0, 0), 13);
	assert_console_is("(d3) hello, world\n");
	assert_int_equal(g.vcpus[0].line_len, 0);
}

/* Read across guest page boundaries (neighbouring pages are not neighbours behind). */
static void test_console_write_across_pages(void **state)
{
	poke(0x2ffa, "across pages\n", 13);
	assert_int_equal(hc(0, 1, 0x2ffa, 13, 0, 0), 13);
	poke(0x25fff8, "at end\n", 7);
	assert_int_equal(hc(0, 1, 0x25fff8, 7, 0, 0), 7);
	assert_console_is("(d3) across pages\n(d3) at end\n");
}

static void test_console_write_partial_line(void **state)
{
	poke(0x3000, "par", 3);
	poke(0x3100, "tial\nand ", 9);
	assert_int_equal(hc(0, 1, 0x3000, 3, 0, 0), 3);
	assert_console_empty();
	assert_int_equal(hc(0, 1, 0x3100, 9, 0, 0), 9);
	assert_console_is("(d3) partial\n");
	assert_int_equal(hc(0, 1, 0x3104, 1, 0, 0), 1);
	assert_console_is("(d3) partial\n(d3) and \n");
}

static void test_console_write_per_vcpu(void **state)
{
	poke(0x4000, "one ", 4);
	poke(0x4100, "two\n", 4);
	poke(0x4200, "more\n", 5);
	assert_int_equal(hc(1, 1, 0x4000, 4, 0, 0), 4);
	assert_int_equal(hc(2, 1, 0x4100, 4, 0, 0), 4);
	assert_console_is("(d3) two\n");
	assert_int_equal(hc(0, 1, 0x4000, 4, 0, 0), 4);
	assert_int_equal(hc(1, 1, 0x4200, 5, 0, 0), 5);
	assert_console_is("(d3) two\n(d3) one more\n");
	assert_int_equal(g.vcpus[0].line_len, 4);
	assert_int_equal(g.vcpus[2].line_len, 0);
}

static void test_console_write_len_0(void **state)
{
	static const u64 buf[] = {0x1000, 0xa0000, RAM_END, 0x100000000, ~0ULL};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(buf); i++)
		expect_refused(0, 1, buf[i], 0, 0, 0, 0);
}

static void test_console_write_bad_buffer(void **state)
{
	static const struct {
		u64 buf, len;
	} bad[] = {
	    {0x300000, 4},		  /* outside RAM */
	    {RAM_END, 1},		  /* just past it */
	    {0x100000000, 4},		  /* at 4 GiB */
	    {0x25fffc, 8},		  /* across the end of RAM */
	    {0x9fffc, 8},		  /* from the low range into the hole */
	    {0xa0000, 4},		  /* in the hole */
	    {0xffffc, 8},		  /* from the hole into RAM */
	    {0x9ff00, 0x60200},		  /* across the hole (cut to 1024, still across) */
	    {0xfffffffffffffffc, 8},	  /* wrapping */
	    {0xfffffffffffff000, 0x2000}, /* wrapping into RAM at 0x1000 */
	    {0x1000, 0xffffffffffffffff}, /* a length that wraps */
	    {RAM_END - 1024, 1025},	  /* the first 1024 bytes are RAM, the buffer not */
	};
	unsigned int i;

	/* A partial line is pending: a refused call must leave it alone too. */
	poke(0x1000, "pending", 7);
	assert_int_equal(hc(0, 1, 0x1000, 7, 0, 0), 7);
	for (i = 0; i < ARRAY_SIZE(bad); i++)
		expect_refused(0, 1, bad[i].buf, bad[i].len, 0, 0, -14);
	poke(0x1000, "\n", 1);
	assert_int_equal(hc(0, 1, 0x1000, 1, 0, 0), 1);
	assert_console_is("(d3) pending\n");
}

/* 16 lines of 63 characters fill the 1024 bytes taken; text after them is left. */
static void write_long(u64 gpa, u64 len, char *want, size_t want_size)
{
	char line[64];
	unsigned int i;

	for (i = 0; i < 16; i++) {
		memset(line, 'a' + i, 63);
		line[63] = '\n';
		poke(gpa + 64 * i, line, 64);
	}
	memset(line, 'Z', sizeof(line));
	poke(gpa + 1024, line, sizeof(line));
	want[0] = '\0';
	for (i = 0; i < 16; i++) {
		size_t n = strlen(want);

		memset(line, 'a' + i, 63);
		line[63] = '\0';
		snprintf(want + n, want_size - n, "(d3) %s\n", line);
	}
}

static void test_console_write_cut(void **state)
{
	char want[1600];
	size_t n;

	/* From the high range, across its pages and the 256-byte chunks. */
	write_long(0x100f00, 1088, want, sizeof(want));
	n = strlen(want);
	assert_int_equal(hc(0, 1, 0x100f00, 1088, 0, 0), 1024);
	snprintf(want + n, sizeof(want) - n, "(d3) [console_write of 1088 bytes cut to 1024]\n");
	assert_console_is(want);
	assert_int_equal(g.vcpus[0].line_len, 0);

	console_clear();
	assert_int_equal(hc(0, 1, 0x100f00, 1025, 0, 0), 1024);
	assert_console_has("(d3) [console_write of 1025 bytes cut to 1024]\n");
	assert_console_lacks("Z");

	/* Exactly 1024: nothing is cut. */
	console_clear();
	want[n] = '\0';
	assert_int_equal(hc(0, 1, 0x100f00, 1024, 0, 0), 1024);
	assert_console_is(want);
}

static void test_console_write_unprintable(void **state)
{
	static const char in[] = "a\x01"
				 "b\x7f"
				 "c\x80"
				 "d\xff"
				 "e\te\r\x1b\0z\n";

	poke(0x5000, in, sizeof(in) - 1);
	assert_int_equal(hc(0, 1, 0x5000, sizeof(in) - 1, 0, 0), (long)sizeof(in) - 1);
	assert_console_is("(d3) a?b?c?d?e\te???z\n");
}

/* ---- vcpu_up -------------------------------------------------------------------------------- */

#define RIP 0x200000
#define RSP 0x1ff000
#define CR3 0x10000

/* vcpu_up(id) by caller succeeds; the snapshot, with id started, is what remains. */
static void expect_up(unsigned int caller, u64 id, u64 rip, u64 rsp, u64 cr3)
{
	unsigned int calls = fake_vcpu_up_calls();
	const struct fake_vcpu_up_call *last = fake_vcpu_up_last();

	take_snapshot();
	assert_int_equal(hc(caller, 2, id, rip, rsp, cr3), 0);
	assert_int_equal(g.vcpus[id].state, VCPU_RUNNABLE);
	assert_int_equal(fake_vcpu_up_calls(), calls + 1);
	assert_ptr_equal(last->caller, &g.vcpus[caller]);
	assert_ptr_equal(last->v, &g.vcpus[id]);
	assert_true(g.arch[id].started);
	assert_int_equal(g.arch[id].rip, rip);
	assert_int_equal(g.arch[id].rsp, rsp);
	assert_int_equal(g.arch[id].cr3, cr3);
	assert_int_equal(g.arch[id].rdi, id);
	snap.vcpus[id].state = VCPU_RUNNABLE;
	snap.arch[id] = g.arch[id];
	assert_console_empty();
	assert_as_snapshot();
}

static void test_vcpu_up(void **state)
{
	expect_up(0, 1, RIP, RSP, CR3);
	assert_int_equal(g.vcpus[2].state, VCPU_DOWN);
	assert_int_equal(g.vcpus[3].state, VCPU_DOWN);
	/* The started vCPU is in 64-bit mode: it may start the next one. */
	expect_up(1, 2, 0xffffffff80000000, 0xffff800000000000, 0x25f000);
	expect_up(0, 3, 0x00007fffffffffff, 0x0, 0x0);
}

static void test_vcpu_up_bad_id(void **state)
{
	static const u64 id[] = {0, NR_VCPUS, NR_VCPUS + 1, 0x100000001, ~0ULL};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(id); i++)
		expect_refused(0, 2, id[i], RIP, RSP, CR3, -22);
	assert_int_equal(fake_vcpu_up_calls(), 0);
}

static void test_vcpu_up_bad_cr3(void **state)
{
	/* Not page aligned, then with bits 52 and up. */
	static const u64 cr3[] = {
	    0x10001, 0x10800, 0x10fff, 0x0010000000010000, 0x8000000000010000, 0xfff0000000010000};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cr3); i++)
		expect_refused(0, 2, 1, RIP, RSP, cr3[i], -22);
	assert_int_equal(fake_vcpu_up_calls(), 0);
}

static void test_vcpu_up_cr3_not_ram(void **state)
{
	static const u64 cr3[] = {0xa0000, 0xff000, RAM_END, 0x100000000, 0x000ffffffffff000};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cr3); i++)
		expect_refused(0, 2, 1, RIP, RSP, cr3[i], -14);
	assert_int_equal(fake_vcpu_up_calls(), 0);
}

static void test_vcpu_up_twice(void **state)
{
	expect_up(0, 1, RIP, RSP, CR3);
	expect_refused(0, 2, 1, RIP + 0x1000, RSP, CR3, -17);
	assert_int_equal(g.arch[1].rip, RIP);
	/* Asked by the vCPU itself. */
	expect_refused(1, 2, 1, RIP, RSP, CR3, -17);
	assert_int_equal(fake_vcpu_up_calls(), 1);
}

/* A vCPU that ran already, in whatever state it is now, is not started again. */
static void test_vcpu_up_not_down(void **state)
{
	g.vcpus[2].state = VCPU_BLOCKED;
	expect_refused(0, 2, 2, RIP, RSP, CR3, -17);
	g.vcpus[2].state = VCPU_DEAD;
	expect_refused(0, 2, 2, RIP, RSP, CR3, -17);
	g.vcpus[2].state = VCPU_RUNNABLE;
	expect_refused(0, 2, 2, RIP, RSP, CR3, -17);
	assert_int_equal(fake_vcpu_up_calls(), 0);
}

static void test_vcpu_up_caller_not_64bit(void **state)
{
	g.arch[0].long_mode = false;
	expect_refused(0, 2, 1, RIP, RSP, CR3, -1);
	assert_int_equal(g.vcpus[1].state, VCPU_DOWN);
	assert_int_equal(fake_vcpu_up_calls(), 1);
	assert_int_equal(fake_vcpu_up_last()->rc, -1);
	/* Back in 64-bit mode, the same call works. */
	g.arch[0].long_mode = true;
	expect_up(0, 1, RIP, RSP, CR3);
}

static void test_vcpu_up_non_canonical(void **state)
{
	static const u64 bad[] = {0x0000800000000000, 0x8000000000000000, 0xfffe000000000000,
				  0x7fffffffffffffff, 0xffff7fffffffffff};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		expect_refused(0, 2, 1, bad[i], RSP, CR3, -22);
		expect_refused(0, 2, 1, RIP, bad[i], CR3, -22);
	}
	assert_int_equal(g.vcpus[1].state, VCPU_DOWN);
	assert_int_equal(fake_vcpu_up_calls(), 2 * ARRAY_SIZE(bad));
	expect_up(0, 1, 0xffff800000000000, 0x00007ffffffff000, CR3);
}

/* ---- shutdown ------------------------------------------------------------------------------- */

static void expect_shutdown(unsigned int vcpu, u64 reason, enum dom_shutdown why)
{
	unsigned int calls = fake_shutdown_calls();

	take_snapshot();
	assert_int_equal(hc(vcpu, 3, reason, 0, 0, 0), 0);
	assert_int_equal(fake_shutdown_calls(), calls + 1);
	assert_ptr_equal(fake_shutdown_last()->d, &g.d);
	assert_int_equal(fake_shutdown_last()->why, why);
	assert_ptr_equal(fake_shutdown_last()->v, &g.vcpus[vcpu]);
	snap.shutdowns++;
	assert_as_snapshot();
}

static void test_shutdown(void **state)
{
	expect_shutdown(0, 0, DOM_SHUTDOWN_POWEROFF);
	expect_shutdown(0, 1, DOM_SHUTDOWN_REBOOT);
	expect_shutdown(2, 2, DOM_SHUTDOWN_CRASH);
}

static void test_shutdown_bad_reason(void **state)
{
	static const u64 reason[] = {3, 4, 0x100000000, 0x8000000000000000, ~0ULL};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(reason); i++)
		expect_refused(0, 3, reason[i], 0, 0, 0, -22);
	assert_int_equal(fake_shutdown_calls(), 0);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown_snapshot)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_version),
	    T(test_unknown_numbers),
	    T(test_console_write_line),
	    T(test_console_write_across_pages),
	    T(test_console_write_partial_line),
	    T(test_console_write_per_vcpu),
	    T(test_console_write_len_0),
	    T(test_console_write_bad_buffer),
	    T(test_console_write_cut),
	    T(test_console_write_unprintable),
	    T(test_vcpu_up),
	    T(test_vcpu_up_bad_id),
	    T(test_vcpu_up_bad_cr3),
	    T(test_vcpu_up_cr3_not_ram),
	    T(test_vcpu_up_twice),
	    T(test_vcpu_up_not_down),
	    T(test_vcpu_up_caller_not_64bit),
	    T(test_vcpu_up_non_canonical),
	    T(test_shutdown),
	    T(test_shutdown_bad_reason),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
