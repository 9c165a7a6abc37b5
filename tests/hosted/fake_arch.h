/*
 * The fake machine under the hosted tests (fake_arch.c): a console that
 * captures every byte printk writes, a fake physical address space made
 * of test buffers for x86_boot_phys(), and panic()/assert_failed() that
 * fail the running cmocka test (or return to a test that expects them).
 * Tests run one at a time on one thread; nothing here is locked.
 */
#ifndef HOSTED_FAKE_ARCH_H
#define HOSTED_FAKE_ARCH_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <hv/types.h>

/* The CPU arch_cpu_id() reports to the calling thread (default 0). */
extern _Thread_local unsigned int hosted_cpu_id;

/*
 * Everything written to the console since the last console_clear(), which
 * also frees the console lock in case a failed test left it held.
 */
const char *console_text(void);
size_t console_len(void);
void console_clear(void);
bool console_has(const char *needle);
/* Fail the test unless the console holds the formatted text. */
void console_assert_printed(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* How many times needle occurs (non-overlapping). */
unsigned int console_count(const char *needle);

/* Fail the test, showing the console, unless needle was (was not) printed. */
#define assert_console_has(needle)                                                                 \
	do {                                                                                       \
		if (!console_has(needle))                                                          \
			fail_msg("console lacks \"%s\"; it holds:\n%s", (needle), console_text()); \
	} while (0)
#define assert_console_lacks(needle)                                                             \
	do {                                                                                     \
		if (console_has(needle))                                                         \
			fail_msg("console has \"%s\"; it holds:\n%s", (needle), console_text()); \
	} while (0)
#define assert_console_empty()                                                        \
	do {                                                                          \
		if (console_len())                                                    \
			fail_msg("console not empty; it holds:\n%s", console_text()); \
	} while (0)

/*
 * Fake physical memory: x86_boot_phys(pa, len) returns a pointer into the
 * buffer mapped at the range that holds all of [pa, pa + len), else NULL.
 * Physical address 0 and ranges that wrap are never reachable.
 */
#define FAKE_PHYS_REGIONS 8
void fake_phys_map(paddr_t base, void *buf, size_t len);
/* Unmap everything and reset the call counter and its limit. */
void fake_phys_reset(void);
/* Calls to x86_boot_phys() since the last reset. */
unsigned long fake_phys_calls(void);
/*
 * More calls than this fail the test: a parser that loops forever over a
 * crafted block shows up as a failure instead of a hang.
 */
void fake_phys_set_call_limit(unsigned long limit);

/*
 * A reproducible xorshift64 stream for the randomised tests: the same seed
 * gives the same numbers on every host. A zero seed would give only zeros,
 * so it fails the test.
 */
void test_rng_seed(u64 seed);
u64 test_rng(void);

/*
 * Make the next panic() or assert_failed() longjmp to env with value 1
 * instead of failing the test; NULL to go back to failing.
 */
void fake_panic_expect(jmp_buf *env);
/* The message of the last panic or failed assertion ("" if none). */
const char *fake_panic_message(void);

#endif /* HOSTED_FAKE_ARCH_H */
