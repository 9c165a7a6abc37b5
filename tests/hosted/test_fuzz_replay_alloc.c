/*
 * Replays the seed corpus of the allocator fuzzer (tests/fuzz/corpus/
 * alloc/) through its harness, tests/fuzz/fuzz_alloc.c, under the hosted
 * build's ASan and UBSan, one cmocka test per seed (fuzz_replay.h).
 */
#include "../fuzz/fuzz_alloc.c"

#define FUZZ_TARGET "alloc"

static void fz_replay_cleanup(void)
{
}

#include "fuzz_replay.h"
