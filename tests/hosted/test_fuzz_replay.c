/*
 * Replays the seed corpus of the topology fuzzer (tests/fuzz/corpus/
 * topology/) through its harness (the topology, then the heap and
 * per-CPU start-up over it) under the hosted build's ASan and UBSan, one
 * cmocka test per seed (fuzz_replay.h). The harness and its checks are
 * compiled into this test.
 */
#include "../fuzz/fuzz_topology.c"
#include "../fuzz/heap_startup.c"
#include "../fuzz/topology_check.c"

#define FUZZ_TARGET "topology"

static void fz_replay_cleanup(void)
{
	fz_release();
	fz_heap_release();
}

#include "fuzz_replay.h"
