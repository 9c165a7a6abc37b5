/*
 * What every libFuzzer target here shares: how a broken invariant is
 * reported (fz_fail(), FZ_CHECK), reading an input as numbers (fz_take()),
 * ASan poisoning of harness buffers, and the FUZZ_CONSOLE=1 switch. The fuzzer binaries get
 * fz_fail() and fz_show_console() from fuzz_report.c; the replay tests of "make check"
 * (tests/hosted/fuzz_replay.h) define their own, which fail the running
 * cmocka test instead.
 */
#ifndef FUZZ_FUZZ_H
#define FUZZ_FUZZ_H

#include <stddef.h>
#include <stdint.h>

#include <hv/compiler.h>

/* Every target's entry point (libFuzzer calls it; the replay tests too). */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Report a broken invariant, with the console; never returns. */
void __noreturn __printf(1, 2) fz_fail(const char *fmt, ...);

/* FUZZ_CONSOLE=1 in the environment: write what the input printed to stderr. */
void fz_show_console(void);

/* An input read front to back (fz_take()); past its end every byte is 0. */
struct fz_in {
	const uint8_t *p;
	size_t left;
};

/* The next bytes (1 to 8) of the input as a little-endian number. */
static inline uint64_t fz_take(struct fz_in *in, unsigned int bytes)
{
	uint64_t v = 0;
	unsigned int i;

	for (i = 0; i < bytes && in->left; i++, in->p++, in->left--)
		v |= (uint64_t)*in->p << (8 * i);
	return v;
}

#define FZ_CHECK(cond, ...)                   \
	do {                                  \
		if (!(cond))                  \
			fz_fail(__VA_ARGS__); \
	} while (0)

/* ASan poisoning, for the harness buffers that code under test reads. */
#if defined(__SANITIZE_ADDRESS__)
#define FZ_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define FZ_ASAN 1
#endif
#endif

#ifdef FZ_ASAN
#include <sanitizer/asan_interface.h>
#define fz_poison(p, n) ASAN_POISON_MEMORY_REGION(p, n)
#define fz_unpoison(p, n) ASAN_UNPOISON_MEMORY_REGION(p, n)
#else
#define fz_poison(p, n) ((void)(p), (void)(n))
#define fz_unpoison(p, n) ((void)(p), (void)(n))
#endif

#endif /* FUZZ_FUZZ_H */
