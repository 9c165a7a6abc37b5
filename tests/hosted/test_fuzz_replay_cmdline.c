/*
 * Replays the seed corpus of the cmdline fuzzer (tests/fuzz/corpus/cmdline/)
 * through its harness, tests/fuzz/fuzz_cmdline.c, under the hosted build's
 * ASan and UBSan, one cmocka test per seed (fuzz_replay.h).
 */
#include "../fuzz/fuzz_cmdline.c"

#define FUZZ_TARGET "cmdline"

static void fz_replay_cleanup(void)
{
}

#include "fuzz_replay.h"
