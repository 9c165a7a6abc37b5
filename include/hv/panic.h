/*
 * Fatal errors and assertions. panic() prints its message and a stack
 * trace, stops every CPU, and with "qemu-exit" on the command line ends
 * QEMU with a failure status. ASSERT() checks our own invariants in
 * CONFIG_DEBUG builds only; never use it on guest or firmware input.
 */
#ifndef HV_PANIC_H
#define HV_PANIC_H

#include <hv/compiler.h>
#include <hv/types.h>

void panic(const char *fmt, ...) __noreturn __printf(1, 2);

/* panic() for callers that have just printed the CPU state themselves. */
void panic_nostack(const char *fmt, ...) __noreturn __printf(1, 2);
void assert_failed(const char *expr, const char *why, const char *file, int line) __noreturn;

/*
 * ASSERT(cond, "why"): why is what the code relies on, in a few words
 * ("node id from the caller", "caller holds the node lock"); it is
 * printed with the failed condition.
 */
#define ASSERT(p, why)                                              \
	do {                                                        \
		if (IS_ENABLED(CONFIG_DEBUG) && unlikely(!(p)))     \
			assert_failed(#p, why, __FILE__, __LINE__); \
	} while (0)

/* BUG_ON(cond, "why"): the same check in every build. */
#define BUG_ON(p, why)                                              \
	do {                                                        \
		if (unlikely(p))                                    \
			assert_failed(#p, why, __FILE__, __LINE__); \
	} while (0)

/* True once panic() has started on some CPU. */
bool panic_in_progress(void);

/*
 * The command line asked for "qemu-exit": end QEMU through isa-debug-exit
 * instead of halting (panic exits with status 3, hv_shutdown with 1).
 */
bool qemu_exit_enabled(void);

#endif /* HV_PANIC_H */
