/*
 * The fake arch for the hosted tests: console capture, a fake physical
 * address space for x86_boot_phys(), a seeded random number generator for
 * the randomised tests, and panic()/assert_failed() that end
 * the current cmocka test instead of the process. Replaces, at link time,
 * the arch_* hooks and the hypervisor/panic.c functions that the project
 * objects in the tests reference. Single-threaded: tests do not print from
 * several threads at once.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <asm/setup.h>
#include <hv/arch.h>
#include <hv/lib.h>
#include <hv/panic.h>
#include <hv/printk.h>

#include "fake_arch.h"

#define FAKE_PHYS_DEFAULT_LIMIT 10000000UL
#define FAKE_CONSOLE_WRITE_MAX (1UL << 20)

_Thread_local unsigned int hosted_cpu_id;

/* ---- console ---------------------------------------------------------- */

static char *cons_buf;
static size_t cons_len, cons_cap;

void arch_console_write(const char *s, size_t n)
{
	/* No real line comes near this: a length gone negative, say. */
	if (n > FAKE_CONSOLE_WRITE_MAX)
		fail_msg("arch_console_write(%p, %zu): absurd length", (const void *)s, n);
	if (cons_len + n + 1 > cons_cap) {
		size_t cap = cons_cap ? cons_cap : 4096;
		char *p;

		while (cons_len + n + 1 > cap)
			cap *= 2;
		p = realloc(cons_buf, cap);
		if (!p)
			abort();
		cons_buf = p;
		cons_cap = cap;
	}
	memcpy(cons_buf + cons_len, s, n);
	cons_len += n;
	cons_buf[cons_len] = '\0';
}

int arch_console_getc(void)
{
	return -1;
}

const char *console_text(void)
{
	return cons_buf ? cons_buf : "";
}

size_t console_len(void)
{
	return cons_len;
}

void console_clear(void)
{
	/* A test that failed inside printk() left the console lock held. */
	console_force_unlock();
	cons_len = 0;
	if (cons_buf)
		cons_buf[0] = '\0';
}

bool console_has(const char *needle)
{
	return strstr(console_text(), needle) != NULL;
}

unsigned int console_count(const char *needle)
{
	const char *p = console_text();
	size_t n = strlen(needle);
	unsigned int count = 0;

	if (!n)
		return 0;
	while ((p = strstr(p, needle))) {
		count++;
		p += n;
	}
	return count;
}

/* ---- fake physical memory ----------------------------------------------- */

struct phys_region {
	paddr_t base;
	size_t len;
	char *buf;
};

static struct phys_region regions[FAKE_PHYS_REGIONS];
static unsigned int nr_regions;
static unsigned long phys_calls;
static unsigned long phys_call_limit = FAKE_PHYS_DEFAULT_LIMIT;

void fake_phys_map(paddr_t base, void *buf, size_t len)
{
	if (nr_regions == FAKE_PHYS_REGIONS || !base || base + len < base)
		fail_msg("fake_phys_map(0x%llx, %zu): bad mapping or no room", base, len);
	regions[nr_regions].base = base;
	regions[nr_regions].len = len;
	regions[nr_regions].buf = buf;
	nr_regions++;
}

void fake_phys_reset(void)
{
	nr_regions = 0;
	phys_calls = 0;
	phys_call_limit = FAKE_PHYS_DEFAULT_LIMIT;
}

unsigned long fake_phys_calls(void)
{
	return phys_calls;
}

void fake_phys_set_call_limit(unsigned long limit)
{
	phys_call_limit = limit;
}

/* The host's monotonic clock (hypervisor/dom_exits.c, domain.c's timings). */
u64 arch_time_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (u64)ts.tv_sec * 1000000000ULL + (u64)ts.tv_nsec;
}

const void *x86_boot_phys(paddr_t pa, size_t len)
{
	unsigned int i;

	if (++phys_calls > phys_call_limit)
		fail_msg("x86_boot_phys called more than %lu times: runaway loop?",
			 phys_call_limit);
	if (!pa || pa + len < pa)
		return NULL;
	for (i = 0; i < nr_regions; i++) {
		const struct phys_region *r = &regions[i];

		if (pa >= r->base && pa - r->base <= r->len && len <= r->len - (pa - r->base))
			return r->buf + (pa - r->base);
	}
	return NULL;
}

/* ---- random numbers ------------------------------------------------------ */

static u64 rng_state;

void test_rng_seed(u64 seed)
{
	if (!seed)
		fail_msg("test_rng_seed(0): xorshift64 would return only zeros");
	rng_state = seed;
}

u64 test_rng(void)
{
	/* xorshift64 */
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

/* ---- panic and assertions ------------------------------------------------ */

static jmp_buf *panic_env;
static char panic_msg[512];

void fake_panic_expect(jmp_buf *env)
{
	panic_env = env;
	panic_msg[0] = '\0';
}

const char *fake_panic_message(void)
{
	return panic_msg;
}

/* Return to the test that expects this, or fail the running test. */
static void __noreturn fake_die(void)
{
	jmp_buf *env = panic_env;

	arch_console_write(panic_msg, strlen(panic_msg));
	arch_console_write("\n", 1);
	if (env) {
		panic_env = NULL;
		longjmp(*env, 1);
	}
	fail_msg("unexpected %s", panic_msg);
	abort(); /* _fail() returns only outside a test */
}

void panic(const char *fmt, ...)
{
	va_list ap;
	int n;

	n = snprintf(panic_msg, sizeof(panic_msg), "panic: ");
	va_start(ap, fmt);
	vsnprintf(panic_msg + n, sizeof(panic_msg) - (size_t)n, fmt, ap);
	va_end(ap);
	fake_die();
}

void assert_failed(const char *expr, const char *why, const char *file, int line)
{
	snprintf(panic_msg, sizeof(panic_msg), "assertion failed: %s at %s:%d: %s", expr, file,
		 line, why);
	fake_die();
}

void console_assert_printed(const char *fmt, ...)
{
	char want[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(want, sizeof(want), fmt, ap);
	va_end(ap);
	assert_console_has(want);
}
