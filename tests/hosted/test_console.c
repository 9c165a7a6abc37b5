/*
 * Hosted tests for hypervisor/console.c: printk's level filter, the log
 * level setters, formatting through the project's vsnprintf, and the cut
 * of over-long messages to PRINTK_LINE_MAX - 1 bytes ending in "...\n".
 * What reaches arch_console_write() is read back from fake_arch.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <hv/lib.h>
#include <hv/printk.h>

#include "fake_arch.h"

#define LINE_MAX_BYTES 512 /* PRINTK_LINE_MAX in console.c */

static int reset(void **state)
{
	console_set_loglevel(LOG_DEBUG);
	console_clear();
	return 0;
}

/* Must run first: nothing has changed the level yet. */
static void test_default_level_is_config_log_level(void **state)
{
	assert_int_equal(console_loglevel(), CONFIG_LOG_LEVEL);
}

static void test_level_filter(void **state)
{
	console_set_loglevel(LOG_WARNING);
	assert_int_equal(console_loglevel(), LOG_WARNING);
	pr_debug("debug\n");
	pr_info("info\n");
	pr_notice("notice\n");
	pr_warn("warn\n");
	pr_err("err\n");
	pr_crit("crit\n");
	printk(LOG_ALERT, "alert\n");
	pr_emerg("emerg\n");
	assert_string_equal(console_text(), "warn\nerr\ncrit\nalert\nemerg\n");

	console_clear();
	console_set_loglevel(LOG_EMERG);
	pr_crit("crit\n");
	pr_emerg("only this\n");
	assert_string_equal(console_text(), "only this\n");

	console_clear();
	console_set_loglevel(LOG_DEBUG);
	pr_debug("debug\n");
	assert_string_equal(console_text(), "debug\n");
}

static void test_levels_outside_the_scale(void **state)
{
	console_set_loglevel(LOG_NOTICE);
	console_set_loglevel(-1);
	assert_int_equal(console_loglevel(), LOG_NOTICE);
	console_set_loglevel(8);
	assert_int_equal(console_loglevel(), LOG_NOTICE);
	console_set_loglevel(1 << 30);
	assert_int_equal(console_loglevel(), LOG_NOTICE);

	/* A message above LOG_DEBUG never shows; a negative level always does. */
	console_set_loglevel(LOG_DEBUG);
	printk(8, "eight\n");
	printk(-1, "minus one\n");
	assert_string_equal(console_text(), "minus one\n");
}

static void test_formats_with_the_project_vsnprintf(void **state)
{
	printk(LOG_INFO, "%s=%d %#x %5.2s|%-4c|%llu %p\n", "a", -42, 255u, "xyz", 'q',
	       18446744073709551615ULL, (void *)0x1234);
	assert_string_equal(console_text(),
			    "a=-42 0xff    xy|q   |18446744073709551615 0x0000000000001234\n");
}

static void test_message_without_newline_is_written_as_is(void **state)
{
	pr_info("part one, ");
	pr_info("part two\n");
	pr_info("%s", "");
	assert_string_equal(console_text(), "part one, part two\n");
}

static void call_vprintk(int level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintk(level, fmt, ap);
	va_end(ap);
}

static void test_vprintk(void **state)
{
	call_vprintk(LOG_ERR, "%d-%s\n", 7, "seven");
	console_set_loglevel(LOG_CRIT);
	call_vprintk(LOG_ERR, "%d-%s\n", 8, "eight");
	assert_string_equal(console_text(), "7-seven\n");
}

static void test_longest_message_whole(void **state)
{
	static char msg[LINE_MAX_BYTES];

	memset(msg, 'm', LINE_MAX_BYTES - 2);
	msg[LINE_MAX_BYTES - 2] = '\n';
	msg[LINE_MAX_BYTES - 1] = '\0';
	pr_info("%s", msg);
	assert_int_equal(console_len(), LINE_MAX_BYTES - 1);
	assert_string_equal(console_text(), msg);
}

static void test_long_message_cut_with_ellipsis(void **state)
{
	static char msg[2000];
	static char want[LINE_MAX_BYTES];
	size_t lens[] = {LINE_MAX_BYTES, LINE_MAX_BYTES + 1, sizeof(msg) - 1};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(lens); i++) {
		memset(msg, 'x', lens[i]);
		msg[lens[i]] = '\0';
		memset(want, 'x', LINE_MAX_BYTES - 5);
		memcpy(want + LINE_MAX_BYTES - 5, "...\n", 5);

		console_clear();
		pr_warn("%s", msg);
		assert_int_equal(console_len(), LINE_MAX_BYTES - 1);
		assert_string_equal(console_text(), want);
	}
}

static void test_message_longer_than_int_max_is_cut_too(void **state)
{
	static char want[LINE_MAX_BYTES];
	volatile int width = 0x7fffffff; /* hidden from -Wformat-overflow */

	/*
	 * vsnprintf() returns -1 when the whole message would pass INT_MAX
	 * bytes; printk must still write the usual cut line, not -1 bytes.
	 */
	memset(want, ' ', LINE_MAX_BYTES - 5);
	memcpy(want + LINE_MAX_BYTES - 5, "...\n", 5);
	pr_err("%*s%s\n", width, "", "tail");
	assert_int_equal(console_len(), LINE_MAX_BYTES - 1);
	assert_string_equal(console_text(), want);
}

static void test_force_unlock_keeps_printing(void **state)
{
	pr_info("before\n");
	console_force_unlock();
	pr_info("after\n");
	assert_string_equal(console_text(), "before\nafter\n");
}

#define T(fn) cmocka_unit_test_setup(fn, reset)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_default_level_is_config_log_level),
	    T(test_level_filter),
	    T(test_levels_outside_the_scale),
	    T(test_formats_with_the_project_vsnprintf),
	    T(test_message_without_newline_is_written_as_is),
	    T(test_vprintk),
	    T(test_longest_message_whole),
	    T(test_long_message_cut_with_ellipsis),
	    T(test_message_longer_than_int_max_is_cut_too),
	    T(test_force_unlock_keeps_printing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
