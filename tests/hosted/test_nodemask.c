/*
 * Hosted tests of node sets (include/hv/nodemask.h, the list writer in
 * hypervisor/lib/cpumask.c): set, clear, test, weight, first and next,
 * fill, ids at or beyond MAX_NODES, and lists with literal expected text.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <hv/lib.h>
#include <hv/nodemask.h>

static void test_empty(void **state)
{
	struct nodemask m;
	char buf[16];

	nodemask_zero(&m);
	assert_int_equal(nodemask_weight(&m), 0);
	assert_int_equal(nodemask_first(&m), MAX_NODES);
	assert_false(nodemask_test(&m, 0));
	assert_int_equal(nodemask_format(buf, sizeof(buf), &m), 1);
	assert_string_equal(buf, "-");
}

static void test_set_clear_test(void **state)
{
	struct nodemask m;
	char buf[64];

	nodemask_zero(&m);
	nodemask_set(&m, 0);
	nodemask_set(&m, 1);
	nodemask_set(&m, 4);
	nodemask_set(&m, 6);
	nodemask_set(&m, 7);
	nodemask_set(&m, 8);
	nodemask_set(&m, 4); /* twice: still one member */
	assert_int_equal(nodemask_weight(&m), 6);
	assert_true(nodemask_test(&m, 4));
	assert_false(nodemask_test(&m, 5));
	assert_int_equal(nodemask_format(buf, sizeof(buf), &m), 9);
	assert_string_equal(buf, "0-1,4,6-8");
	nodemask_clear(&m, 7);
	nodemask_clear(&m, 3); /* not a member: nothing changes */
	assert_int_equal(nodemask_weight(&m), 5);
	assert_int_equal(nodemask_format(buf, sizeof(buf), &m), 9);
	assert_string_equal(buf, "0-1,4,6,8");
	nodemask_set_atomic(&m, 2);
	assert_int_equal(nodemask_format(buf, sizeof(buf), &m), 9);
	assert_string_equal(buf, "0-2,4,6,8");
}

static void test_first_next(void **state)
{
	struct nodemask m;
	unsigned int n, seen[8], nr = 0;

	nodemask_zero(&m);
	nodemask_set(&m, 3);
	nodemask_set(&m, 5);
	nodemask_set(&m, 6);
	assert_int_equal(nodemask_first(&m), 3);
	assert_int_equal(nodemask_next(&m, 3), 5);
	assert_int_equal(nodemask_next(&m, 4), 5);
	assert_int_equal(nodemask_next(&m, 5), 6);
	assert_int_equal(nodemask_next(&m, 6), MAX_NODES);
	for_each_node_mask(n, &m) seen[nr++] = n;
	assert_int_equal(nr, 3);
	assert_int_equal(seen[0], 3);
	assert_int_equal(seen[1], 5);
	assert_int_equal(seen[2], 6);
}

/* Ids at or beyond the limit are never members and never written. */
static void test_beyond_the_limit(void **state)
{
	struct nodemask m;

	nodemask_zero(&m);
	nodemask_set(&m, MAX_NODES);
	nodemask_set(&m, 100000);
	assert_int_equal(nodemask_weight(&m), 0);
	assert_false(nodemask_test(&m, MAX_NODES));
	nodemask_fill(&m, MAX_NODES);
	nodemask_clear(&m, MAX_NODES);
	assert_int_equal(nodemask_weight(&m), MAX_NODES);
	assert_false(nodemask_test(&m, MAX_NODES));
	assert_int_equal(nodemask_next(&m, MAX_NODES - 1), MAX_NODES);
}

static void test_fill(void **state)
{
	struct nodemask m;
	char buf[32];

	nodemask_fill(&m, 0);
	assert_int_equal(nodemask_weight(&m), 0);
	nodemask_fill(&m, 3);
	assert_int_equal(nodemask_weight(&m), 3);
	assert_int_equal(nodemask_format(buf, sizeof(buf), &m), 3);
	assert_string_equal(buf, "0-2");
	if (MAX_NODES < 64)
		return;
	nodemask_fill(&m, 64);
	assert_int_equal(nodemask_weight(&m), 64);
	assert_int_equal(nodemask_format(buf, sizeof(buf), &m), 4);
	assert_string_equal(buf, "0-63");
}

/* Nodes on both sides of a word boundary (configurations with more than 64 nodes). */
static void test_word_boundary(void **state)
{
	struct nodemask m;
	char buf[32];

	if (MAX_NODES <= 65)
		skip();
	nodemask_zero(&m);
	nodemask_set(&m, 62);
	nodemask_set(&m, 63);
	nodemask_set(&m, 64);
	nodemask_set(&m, MAX_NODES - 1);
	assert_int_equal(nodemask_next(&m, 63), 64);
	assert_int_equal(nodemask_next(&m, 64), MAX_NODES - 1);
	nodemask_format(buf, sizeof(buf), &m);
	if (MAX_NODES == 256)
		assert_string_equal(buf, "62-64,255");
}

/* Every other node of the default 64: "0,2,...,62" is 90 characters. */
static void test_long_list_and_cut(void **state)
{
	static const char want[] = "0,2,4,6,8,10,12,14,16,18,20,22,24,26,28,30,32,34,36,38,40,"
				   "42,44,46,48,50,52,54,56,58,60,62";
	char buf[NODEMASK_LIST_MAX], small[8];
	struct nodemask m;
	unsigned int n;

	if (MAX_NODES < 64)
		skip();
	nodemask_zero(&m);
	for (n = 0; n < 64; n += 2)
		nodemask_set(&m, n);
	assert_int_equal(nodemask_format(buf, sizeof(buf), &m), 90);
	assert_string_equal(buf, want);
	assert_int_equal(nodemask_format(small, sizeof(small), &m), 90);
	assert_string_equal(small, "0,2,...");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_empty),
	    cmocka_unit_test(test_set_clear_test),
	    cmocka_unit_test(test_first_next),
	    cmocka_unit_test(test_beyond_the_limit),
	    cmocka_unit_test(test_fill),
	    cmocka_unit_test(test_word_boundary),
	    cmocka_unit_test(test_long_list_and_cut),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
