/*
 * What a built topology and the description it came from must satisfy,
 * checked after every fuzzer input (topology_check.c): the invariants
 * listed at the top of mm/topology.c and in include/hv/topology.h, and
 * the parsers' promise that a rejected table leaves nothing behind. The
 * checks only read; the first broken rule goes to fz_fail().
 */
#ifndef FUZZ_TOPOLOGY_CHECK_H
#define FUZZ_TOPOLOGY_CHECK_H

#include <hv/boot.h>
#include <hv/compiler.h>
#include <hv/topology.h>

/*
 * Report a broken invariant; never returns. Defined by the program the
 * checks run in: the fuzzer prints and aborts, the replay test fails the
 * running cmocka test.
 */
void __noreturn __printf(1, 2) fz_fail(const char *fmt, ...);

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

#define FZ_CHECK(cond, ...)                   \
	do {                                  \
		if (!(cond))                  \
			fz_fail(__VA_ARGS__); \
	} while (0)

/* A description as the ACPI parsers leave it. */
void fz_check_desc(const struct topo_desc *d);

/* t as topo_build(d, map, nr, o, t) built it. */
void fz_check_topology(const struct topology *t, const struct topo_desc *d,
		       const struct topo_opts *o, const struct mem_range *map, unsigned int nr);

#endif /* FUZZ_TOPOLOGY_CHECK_H */
