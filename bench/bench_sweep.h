/*
 * The cost sweep's machines (bench_sweep_fixture.c), built one at a time
 * in any shape (struct bench_shape): the real topology, Proxima's page
 * heap and slab allocator on it with every frame table really allocated,
 * and host memory behind all of its RAM that costs only where touched.
 * The machine is bench.h's fixture resized; bench_sweep.c measures it.
 */
#ifndef BENCH_BENCH_SWEEP_H
#define BENCH_BENCH_SWEEP_H

#include <hv/types.h>

#include "bench.h"

/*
 * Build a machine of shape s and make it the current one: topology
 * (topo), RAM mapped without reserving it (MAP_NORESERVE: the host
 * provides a page when it is first touched), a fresh page heap holding
 * all of it with its frame tables and per-CPU caches in host memory, the
 * memory made clean, and a fresh slab allocator. The calling (main)
 * thread is CPU 0. Tears down the machine before, if any.
 */
void sweep_machine_build(const struct bench_shape *s);

/* Unmap the current machine's RAM; its metadata goes at the next build. */
void sweep_machine_teardown(void);

/* Bytes of host memory in the current machine's frame tables (and directory). */
u64 sweep_frame_bytes(void);

#endif /* BENCH_BENCH_SWEEP_H */
