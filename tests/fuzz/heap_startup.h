/*
 * The boot steps that follow the topology, for the topology fuzzer
 * (heap_startup.c): the heap built from a topology as heap_boot() builds
 * it, one page taken for every CPU as its start-up takes one, everything
 * given back, and the invariants of each step checked. The first broken
 * rule goes to fz_fail() (topology_check.h).
 */
#ifndef FUZZ_HEAP_STARTUP_H
#define FUZZ_HEAP_STARTUP_H

#include <hv/boot.h>
#include <hv/topology.h>

/*
 * Frame tables an input may have: 4 MiB, the frames of 512 MiB of RAM
 * (the heap's set-up and checks take time in proportion, and more would
 * slow the fuzzer down to a few dozen inputs a second). Requests beyond
 * it are refused, as a boot allocator out of memory would refuse them,
 * and the heap must then report what it left out.
 */
#define FZ_FRAME_BUDGET MiB(4)

/*
 * Build the heap over t (installed as the global topo for the duration)
 * with the RAM of map as its free memory, check it, take and give back a
 * page for each CPU of t, and check again. Leaves topo, the CPU id and
 * the frame-table memory as it found them.
 */
void fz_check_heap_startup(struct topology *t, const struct mem_range *map, unsigned int nr);

/* Undo what an input that failed half-way left installed. */
void fz_heap_release(void);

#endif /* FUZZ_HEAP_STARTUP_H */
