/*
 * Replays the seed corpus of the hypercall fuzzer (tests/fuzz/corpus/hypercall/)
 * through its harness, tests/fuzz/fuzz_hypercall.c, under the hosted build's
 * ASan and UBSan, one cmocka test per seed (fuzz_replay.h).
 */
#include "../fuzz/fuzz_hypercall.c"

#define FUZZ_TARGET "hypercall"

static void fz_replay_cleanup(void)
{
}

#include "fuzz_replay.h"
