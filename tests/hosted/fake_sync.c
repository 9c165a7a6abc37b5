/*
 * arch_cpu_sync() for user space, shared by the hosted tests and the
 * benchmarks: a simulated CPU is whichever thread has set hosted_cpu_id
 * to it, so the barrier has to reach every thread of the process, which
 * is what membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED) does (a thread
 * that is not running passed one when it was switched out). It costs the
 * caller a system call, and the threads that run the fast paths nothing.
 *
 * Where the kernel refuses membarrier (too old, or a sandbox that filters
 * it), the constructor below says so once and sets hosted_sync_fallback
 * before main() starts a thread; every arch_sync_fence() is then a full
 * fence, and the handshake stays correct, only slower.
 */
#include <linux/membarrier.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <hv/arch.h>

bool hosted_sync_fallback;

static long membarrier(int cmd)
{
	return syscall(SYS_membarrier, cmd, 0, 0);
}

__attribute__((constructor)) static void hosted_sync_init(void)
{
	long cmds = membarrier(MEMBARRIER_CMD_QUERY);

	if (cmds < 0 || !(cmds & MEMBARRIER_CMD_PRIVATE_EXPEDITED) ||
	    membarrier(MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED)) {
		fprintf(stderr, "hosted: membarrier() is not available: per-CPU caches fence "
				"on every operation\n");
		hosted_sync_fallback = true;
	}
}

bool arch_cpu_sync(unsigned int cpu)
{
	(void)cpu;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (!hosted_sync_fallback && membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED)) {
		/* Registered, then refused: no barrier can be had any more. */
		perror("hosted: membarrier");
		abort();
	}
	return true;
}
