/*
 * Hosted tests of CPU lists (hypervisor/lib/cpumask.c): ranges and single
 * CPUs, the empty set, the longest list of a configuration fitting in
 * CPUMASK_LIST_MAX, and a list cut short ending in "..." instead of
 * stopping silently in the middle of a number.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <hv/cpumask.h>
#include <hv/lib.h>

static void test_ranges_and_singles(void **state)
{
	struct cpumask m;
	char buf[64];

	cpumask_clear(&m);
	assert_int_equal(cpumask_format(buf, sizeof(buf), &m), 1);
	assert_string_equal(buf, "-");
	cpumask_set(&m, 0);
	cpumask_set(&m, 1);
	cpumask_set(&m, 4);
	cpumask_set(&m, 6);
	cpumask_set(&m, 7);
	cpumask_set(&m, 8);
	assert_int_equal(cpumask_format(buf, sizeof(buf), &m), 9);
	assert_string_equal(buf, "0-1,4,6-8");
}

/* CPUs 0, 2, ..., 62: one node's share of 64 CPUs interleaved over two. */
static void set_even_cpus(struct cpumask *m)
{
	unsigned int c;

	cpumask_clear(m);
	for (c = 0; c < 64; c += 2)
		cpumask_set(m, c);
}

/* 32 CPUs interleaved over two nodes: "0,2,4,...,62" is 90 characters. */
static void test_interleaved_list_is_not_cut(void **state)
{
	static const char want[] = "0,2,4,6,8,10,12,14,16,18,20,22,24,26,28,30,32,34,36,38,40,"
				   "42,44,46,48,50,52,54,56,58,60,62";
	char buf[CPUMASK_LIST_MAX];
	struct cpumask m;

	set_even_cpus(&m);
	assert_int_equal(cpumask_format(buf, sizeof(buf), &m), 90);
	assert_string_equal(buf, want);
}

/* A buffer too small: the list ends in "..." and the length needed is returned. */
static void test_cut_list_says_so(void **state)
{
	char buf[16];
	struct cpumask m;

	set_even_cpus(&m);
	assert_int_equal(cpumask_format(buf, sizeof(buf), &m), 90);
	assert_string_equal(buf, "0,2,4,6,8,10...");
}

/* Every other CPU, and pairs with gaps ("a-b,"), of the whole configuration fit. */
static void test_longest_lists_fit(void **state)
{
	char buf[CPUMASK_LIST_MAX];
	struct cpumask m;
	unsigned int c;

	cpumask_clear(&m);
	for (c = 0; c < CONFIG_NR_CPUS; c += 2)
		cpumask_set(&m, c);
	assert_true((size_t)cpumask_format(buf, sizeof(buf), &m) < sizeof(buf));
	cpumask_clear(&m);
	for (c = 0; c < CONFIG_NR_CPUS; c++)
		if (c % 3 != 2)
			cpumask_set(&m, c);
	assert_true((size_t)cpumask_format(buf, sizeof(buf), &m) < sizeof(buf));
	assert_null(strstr(buf, "..."));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_ranges_and_singles),
	    cmocka_unit_test(test_interleaved_list_is_not_cut),
	    cmocka_unit_test(test_cut_list_says_so),
	    cmocka_unit_test(test_longest_lists_fit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
