/*
 * The replay of a fuzz target's seed corpus under "make check", shared by
 * the tests/hosted/test_fuzz_replay*.c files: each includes its target's
 * harness (which defines LLVMFuzzerTestOneInput()), defines FUZZ_TARGET
 * (the corpus directory's name under tests/fuzz/corpus/) and
 * fz_replay_cleanup() (what a failed input may leave behind), then this
 * file. One cmocka test per seed, named after its file, so "make check"
 * runs every seed and names the one that breaks; a broken invariant fails
 * the seed's test and shows the console. $FUZZ_CORPUS overrides the
 * directory. Owns no project state.
 */
#ifndef HOSTED_FUZZ_REPLAY_H
#define HOSTED_FUZZ_REPLAY_H

#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "../fuzz/fuzz.h"
#include "fake_arch.h"

static void fz_replay_cleanup(void);

#define MAX_SEEDS 1024
#define PATH_MAX_LEN 4096

struct seed {
	char name[256];
	char path[PATH_MAX_LEN];
};

static struct seed seeds[MAX_SEEDS];

static const char *corpus_dir(void)
{
	static char dir[PATH_MAX_LEN];
	const char *env = getenv("FUZZ_CORPUS");
	const char *slash = strrchr(__FILE__, '/');
	int len = slash ? (int)(slash - __FILE__) : 1;

	if (env && *env)
		return env;
	snprintf(dir, sizeof(dir), "%.*s/../fuzz/corpus/" FUZZ_TARGET, len, slash ? __FILE__ : ".");
	return dir;
}

void fz_fail(const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	print_error("invariant violated: %s\n--- console ---\n%s", msg, console_text());
	fail();
	abort(); /* _fail() returns only outside a test */
}

void fz_show_console(void)
{
}

static void replay_seed(void **state)
{
	const struct seed *s = *state;
	static u8 buf[1 << 20];
	size_t len;
	FILE *f;

	f = fopen(s->path, "rb");
	if (!f)
		fail_msg("cannot open %s", s->path);
	len = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	if (len == sizeof(buf))
		fail_msg("%s: larger than %zu bytes", s->path, sizeof(buf));
	assert_int_equal(LLVMFuzzerTestOneInput(buf, len), 0);
}

static void corpus_is_missing(void **state)
{
	fail_msg("no seeds in %s: run tests/fuzz/make_seeds.py", corpus_dir());
}

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct seed *)a)->name, ((const struct seed *)b)->name);
}

/* Every regular file of the corpus directory, sorted by name. */
static unsigned int find_seeds(const char *dir)
{
	unsigned int n = 0;
	struct dirent *e;
	DIR *d = opendir(dir);

	if (!d)
		return 0;
	while ((e = readdir(d)) && n < MAX_SEEDS) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(seeds[n].name, sizeof(seeds[n].name), "%s", e->d_name);
		snprintf(seeds[n].path, sizeof(seeds[n].path), "%s/%s", dir, e->d_name);
		n++;
	}
	closedir(d);
	qsort(seeds, n, sizeof(seeds[0]), by_name);
	return n;
}

int main(void)
{
	static struct CMUnitTest tests[MAX_SEEDS];
	unsigned int i, n = find_seeds(corpus_dir());
	int failed;

	for (i = 0; i < n; i++) {
		tests[i].name = seeds[i].name;
		tests[i].test_func = replay_seed;
		tests[i].initial_state = &seeds[i];
	}
	if (!n) {
		tests[0].name = "corpus_is_missing";
		tests[0].test_func = corpus_is_missing;
		n = 1;
	}
	failed = _cmocka_run_group_tests("fuzz_replay_" FUZZ_TARGET, tests, n, NULL, NULL);
	fz_replay_cleanup();
	return failed;
}

#endif /* HOSTED_FUZZ_REPLAY_H */
