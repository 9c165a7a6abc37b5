/*
 * Hosted tests for hypervisor/keyhandler.c: registering keys (and every
 * way to be refused), dispatching bound and unbound keys, and the two
 * built-in keys 'h' (list) and '*' (run the diagnostics). keyhandler.c
 * keeps one table for the whole process, so every successful registration
 * goes through bind(), which mirrors it in a shadow table; the expected
 * 'h' and '*' output is built from that, whatever ran before.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <hv/errno.h>
#include <hv/keyhandler.h>
#include <hv/lib.h>
#include <hv/printk.h>

#include "fake_arch.h"

struct binding {
	keyhandler_fn fn;
	const char *desc;
	bool diagnostic;
};

static struct binding shadow[128];

/* Keys the test handlers saw, in order. */
static unsigned char seen[256];
static unsigned int nseen;

static void record(unsigned char key)
{
	assert_true(nseen < ARRAY_SIZE(seen));
	seen[nseen++] = key;
}

static void handler_a(unsigned char key)
{
	record(key);
}

static void handler_b(unsigned char key)
{
	record(key);
}

/* A diagnostic that prints, to check where its output lands. */
static void handler_dump(unsigned char key)
{
	record(key);
	printk(LOG_EMERG, "[dump %c]\n", key);
}

/* Stands in the shadow table for the built-in 'h' and '*' handlers. */
static void builtin(unsigned char key)
{
}

/* Register and expect success; remember the binding. */
static void bind(unsigned char key, keyhandler_fn fn, const char *desc, bool diagnostic)
{
	assert_int_equal(keyhandler_register(key, fn, desc, diagnostic), 0);
	assert_true(key < ARRAY_SIZE(shadow));
	assert_null(shadow[key].fn);
	shadow[key].fn = fn;
	shadow[key].desc = desc;
	shadow[key].diagnostic = diagnostic;
}

static int group_setup(void **state)
{
	console_set_loglevel(LOG_DEBUG);
	keyhandler_init();
	shadow['h'] = (struct binding){builtin, "list the debug keys", false};
	shadow['*'] = (struct binding){builtin, "run every diagnostic key", false};
	return 0;
}

static int reset(void **state)
{
	console_set_loglevel(LOG_DEBUG);
	console_clear();
	nseen = 0;
	return 0;
}

/* What 'h' must print for the shadow table. */
static void expected_list(char *buf, size_t size)
{
	size_t n;
	unsigned int k;

	n = (size_t)hv_snprintf(buf, size, "debug keys:\n");
	for (k = 0; k < ARRAY_SIZE(shadow); k++) {
		if (!shadow[k].fn)
			continue;
		n += (size_t)hv_snprintf(buf + n, size - n, "  '%c'  %s%s\n", k, shadow[k].desc,
					 shadow[k].diagnostic ? "" : " (not in '*')");
		assert_true(n < size);
	}
}

/* ---- register and dispatch ------------------------------------------------------------ */

static void test_register_and_dispatch(void **state)
{
	bind('a', handler_a, "handler a", false);
	keyhandler_dispatch('a');
	assert_int_equal(nseen, 1);
	assert_int_equal(seen[0], 'a');
	keyhandler_dispatch('a');
	assert_int_equal(nseen, 2);
	assert_console_empty();
}

static void test_one_handler_many_keys(void **state)
{
	bind('b', handler_b, "handler b on b", false);
	bind('B', handler_b, "handler b on B", true);
	keyhandler_dispatch('B');
	keyhandler_dispatch('b');
	keyhandler_dispatch('B');
	assert_int_equal(nseen, 3);
	assert_memory_equal(seen, "BbB", 3);
	assert_console_empty();
}

static void test_printable_boundaries_accepted(void **state)
{
	bind('!', handler_a, "first printable", false);
	bind('~', handler_a, "last printable", false);
	keyhandler_dispatch('!');
	keyhandler_dispatch('~');
	assert_memory_equal(seen, "!~", 2);
}

static void test_duplicate_key_keeps_first_binding(void **state)
{
	bind('d', handler_a, "first d", false);
	assert_int_equal(keyhandler_register('d', handler_b, "second d", true), -EEXIST);
	assert_string_equal(
	    console_text(),
	    "keyhandler: key 'd' already bound to \"first d\"; \"second d\" not bound\n");
	/* The same handler again is a duplicate too. */
	console_clear();
	assert_int_equal(keyhandler_register('d', handler_a, "first d", false), -EEXIST);
	assert_console_has("key 'd' already bound");

	keyhandler_dispatch('d');
	assert_int_equal(nseen, 1);
	assert_int_equal(seen[0], 'd');
}

static void test_builtin_keys_cannot_be_taken(void **state)
{
	assert_int_equal(keyhandler_register('h', handler_a, "mine", true), -EEXIST);
	assert_int_equal(keyhandler_register('*', handler_a, "mine", true), -EEXIST);
	assert_string_equal(console_text(),
			    "keyhandler: key 'h' already bound to \"list the debug keys\"; "
			    "\"mine\" not bound\n"
			    "keyhandler: key '*' already bound to \"run every diagnostic key\"; "
			    "\"mine\" not bound\n");
}

static void test_init_twice_changes_nothing(void **state)
{
	keyhandler_init();
	assert_int_equal(console_count("already bound"), 2);
	assert_int_equal(nseen, 0);
}

static void test_invalid_keys_rejected(void **state)
{
	static const unsigned char bad[] = {
	    0x00, 0x01, '\t', '\n', '\r', 0x1b, 0x1f, ' ', 0x7f, 0x80, 0xa0, 0xfe, 0xff,
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++)
		assert_int_equal(keyhandler_register(bad[i], handler_a, "bad key", false), -EINVAL);
	assert_console_empty();

	/* Nothing was bound: control bytes still get the hint. */
	keyhandler_dispatch(0x01);
	keyhandler_dispatch(0x7f);
	keyhandler_dispatch(0xff);
	assert_int_equal(nseen, 0);
	assert_int_equal(console_count("is not bound"), 3);
}

static void test_null_handler_or_description_rejected(void **state)
{
	assert_int_equal(keyhandler_register('e', NULL, "no handler", false), -EINVAL);
	assert_int_equal(keyhandler_register('e', handler_a, NULL, false), -EINVAL);
	assert_int_equal(keyhandler_register('e', NULL, NULL, true), -EINVAL);
	assert_console_empty();

	/* 'e' stays free. */
	keyhandler_dispatch('e');
	assert_string_equal(console_text(), "key 'e' is not bound; press 'h' for the list\n");
	bind('e', handler_a, "now e", false);
	console_clear();
	keyhandler_dispatch('e');
	assert_int_equal(nseen, 1);
	assert_console_empty();
}

static void test_unbound_printable_key_hint(void **state)
{
	keyhandler_dispatch('z');
	assert_string_equal(console_text(), "key 'z' is not bound; press 'h' for the list\n");
	console_clear();
	keyhandler_dispatch('"');
	assert_string_equal(console_text(), "key '\"' is not bound; press 'h' for the list\n");
	assert_int_equal(nseen, 0);
}

static void test_unbound_control_byte_hint(void **state)
{
	keyhandler_dispatch(0x03);
	keyhandler_dispatch(0x1b);
	keyhandler_dispatch(0x7f);
	keyhandler_dispatch(0x80);
	keyhandler_dispatch(0xff);
	keyhandler_dispatch(0x00);
	assert_string_equal(console_text(), "key 0x03 is not bound; press 'h' for the list\n"
					    "key 0x1b is not bound; press 'h' for the list\n"
					    "key 0x7f is not bound; press 'h' for the list\n"
					    "key 0x80 is not bound; press 'h' for the list\n"
					    "key 0xff is not bound; press 'h' for the list\n"
					    "key 0x00 is not bound; press 'h' for the list\n");
}

static void test_enter_and_space_are_silent(void **state)
{
	keyhandler_dispatch('\r');
	keyhandler_dispatch('\n');
	keyhandler_dispatch(' ');
	assert_console_empty();
	assert_int_equal(nseen, 0);
}

static void test_dispatch_shows_at_any_log_level(void **state)
{
	/* The hint and the lists are emergency-level: always shown. */
	console_set_loglevel(LOG_EMERG);
	keyhandler_dispatch('Z');
	assert_console_has("key 'Z' is not bound");
	console_clear();
	keyhandler_dispatch('h');
	assert_console_has("debug keys:\n");
}

/* ---- 'h' and '*' ---------------------------------------------------------------------------- */

static void test_h_lists_every_key_in_order(void **state)
{
	static char want[8192];

	bind('0', handler_dump, "dump zero", true);
	bind('q', handler_dump, "dump queues", true);
	bind('Q', handler_a, "quiet one", false);
	expected_list(want, sizeof(want));

	keyhandler_dispatch('h');
	assert_string_equal(console_text(), want);
	/* Spot checks that do not depend on the model. */
	assert_console_has("  'h'  list the debug keys (not in '*')\n");
	assert_console_has("  '*'  run every diagnostic key (not in '*')\n");
	assert_console_has("  '0'  dump zero\n");
	assert_console_has("  'Q'  quiet one (not in '*')\n");
	assert_console_lacks("dump zero (not in");
	assert_true(strstr(console_text(), "'*'") < strstr(console_text(), "'0'"));
	assert_true(strstr(console_text(), "'0'") < strstr(console_text(), "'Q'"));
	assert_true(strstr(console_text(), "'Q'") < strstr(console_text(), "'h'"));
	assert_true(strstr(console_text(), "'h'") < strstr(console_text(), "'q'"));
	assert_int_equal(nseen, 0);
}

static void test_star_runs_each_diagnostic_once_in_key_order(void **state)
{
	static char want[8192];
	unsigned char order[128];
	unsigned int k, n = 0;
	size_t len;

	/* Registered out of key order. */
	bind('z', handler_dump, "dump last", true);
	bind('1', handler_dump, "dump one", true);
	bind('M', handler_dump, "dump middle", true);
	bind('m', handler_a, "not a diagnostic", false);

	len = (size_t)hv_snprintf(want, sizeof(want), "running every diagnostic key:\n");
	for (k = 0; k < ARRAY_SIZE(shadow); k++) {
		if (!shadow[k].fn || !shadow[k].diagnostic)
			continue;
		order[n++] = (unsigned char)k;
		len += (size_t)hv_snprintf(want + len, sizeof(want) - len, "== '%c': %s\n", k,
					   shadow[k].desc);
		if (shadow[k].fn == handler_dump)
			len +=
			    (size_t)hv_snprintf(want + len, sizeof(want) - len, "[dump %c]\n", k);
	}
	hv_snprintf(want + len, sizeof(want) - len, "== done\n");

	keyhandler_dispatch('*');
	assert_int_equal(nseen, n);
	assert_memory_equal(seen, order, n);
	assert_string_equal(console_text(), want);

	/* At least these, each once, and no non-diagnostic key. */
	assert_true(n >= 6);
	assert_int_equal(console_count("== '1': dump one\n[dump 1]\n"), 1);
	assert_int_equal(console_count("== 'M': dump middle\n[dump M]\n"), 1);
	assert_int_equal(console_count("== 'z': dump last\n[dump z]\n"), 1);
	assert_int_equal(console_count("== 'B': handler b on B\n"), 1);
	assert_console_lacks("not a diagnostic");
	assert_console_lacks("'h'");
	assert_console_lacks("'*'");
	assert_console_lacks("'a'");
	assert_true(memchr(seen, 'm', nseen) == NULL);
	assert_true(memchr(seen, '*', nseen) == NULL);
}

static void test_star_twice_runs_the_same(void **state)
{
	/* '*' keeps no state between runs. */
	unsigned char first[128];
	unsigned int n;

	keyhandler_dispatch('*');
	n = nseen;
	memcpy(first, seen, n);
	nseen = 0;
	console_clear();
	keyhandler_dispatch('*');
	assert_int_equal(nseen, n);
	assert_memory_equal(seen, first, n);
	assert_int_equal(console_count("== done\n"), 1);
}

#define T(fn) cmocka_unit_test_setup(fn, reset)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_register_and_dispatch),
	    T(test_one_handler_many_keys),
	    T(test_printable_boundaries_accepted),
	    T(test_duplicate_key_keeps_first_binding),
	    T(test_builtin_keys_cannot_be_taken),
	    T(test_init_twice_changes_nothing),
	    T(test_invalid_keys_rejected),
	    T(test_null_handler_or_description_rejected),
	    T(test_unbound_printable_key_hint),
	    T(test_unbound_control_byte_hint),
	    T(test_enter_and_space_are_silent),
	    T(test_dispatch_shows_at_any_log_level),
	    T(test_h_lists_every_key_in_order),
	    T(test_star_runs_each_diagnostic_once_in_key_order),
	    T(test_star_twice_runs_the_same),
	};

	return cmocka_run_group_tests(tests, group_setup, NULL);
}
