/*
 * Hosted tests for hypervisor/cmdline.c: the option syntax, every param
 * type with good and bad values, the exact warnings on the console, the
 * problem count cmdline_parse() returns, and cmdline_skip_image(). The
 * options live in a plain array here, not in the hv_params section.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <hv/cmdline.h>
#include <hv/errno.h>
#include <hv/lib.h>
#include <hv/printk.h>

#include "fake_arch.h"

/* 63 characters: the longest name the parser holds. */
#define LONG_NAME "a123456789b123456789c123456789d123456789e123456789f123456789xyz"

_Static_assert(sizeof(LONG_NAME) == 64, "LONG_NAME is the longest name the parser takes");

static bool flag;
static bool other;
static unsigned int count;
static u64 mem;
static char name[16];
static char big[300];
static bool long_opt;

/* What the custom parser saw. */
static unsigned int mode_calls;
static bool mode_got_null;
static char mode[16];

/* "mode": takes fast or slow; a bare "mode" is rejected. */
static int parse_mode(const char *v)
{
	mode_calls++;
	if (!v) {
		mode_got_null = true;
		return -EINVAL;
	}
	if (strcmp(v, "fast") && strcmp(v, "slow"))
		return -EINVAL;
	strlcpy(mode, v, sizeof(mode));
	return 0;
}

/* "level": a custom option without a default to name. */
static int parse_level(const char *v)
{
	return v && strcmp(v, "ok") == 0 ? 0 : -EINVAL;
}

static const struct boot_param params[] = {
    {.name = "flag", .type = PARAM_BOOL, .var = &flag},
    {.name = "other", .type = PARAM_BOOL, .var = &other},
    {.name = "count", .type = PARAM_UINT, .var = &count, .min = 1, .max = 100},
    {.name = "mem", .type = PARAM_SIZE, .var = &mem, .min = KiB(4), .max = UINT64_MAX},
    {.name = "name", .type = PARAM_STR, .var = name, .len = sizeof(name)},
    {.name = "big", .type = PARAM_STR, .var = big, .len = sizeof(big)},
    {.name = "mode",
     .type = PARAM_CUSTOM,
     .parse = parse_mode,
     .dflt = "fast",
     .forms = "fast or slow"},
    {.name = "level", .type = PARAM_CUSTOM, .parse = parse_level},
    {.name = LONG_NAME, .type = PARAM_BOOL, .var = &long_opt},
};

static int parse(const char *line)
{
	return cmdline_parse(line, params, params + ARRAY_SIZE(params));
}

static int reset(void **state)
{
	flag = false;
	other = true;
	count = 5;
	mem = MiB(1);
	strcpy(name, "old");
	strcpy(big, "big");
	long_opt = false;
	mode_calls = 0;
	mode_got_null = false;
	strcpy(mode, "fast");
	console_set_loglevel(LOG_DEBUG);
	console_clear();
	return 0;
}

/* Parse line, expect it to be taken silently. */
static void parse_ok(const char *line)
{
	int rc = parse(line);

	if (rc != 0 || console_len())
		fail_msg("\"%s\": %d problems; console:\n%s", line, rc, console_text());
}

/* Parse line, expect one problem reported with exactly the line msg. */
static void parse_bad(const char *line, const char *msg)
{
	int rc;

	console_clear();
	rc = parse(line);
	if (rc != 1)
		fail_msg("\"%s\": %d problems, expected 1; console:\n%s", line, rc, console_text());
	assert_string_equal(console_text(), msg);
	console_clear();
}

/* ---- syntax ------------------------------------------------------------- */

static void test_null_empty_and_blank_lines(void **state)
{
	assert_int_equal(cmdline_parse(NULL, params, params + ARRAY_SIZE(params)), 0);
	parse_ok("");
	parse_ok(" ");
	parse_ok("   \t  \t ");
	parse_ok("\n\r\t ");
	assert_false(flag);
	assert_int_equal(count, 5);
}

static void test_empty_param_table_reports_everything_unknown(void **state)
{
	assert_int_equal(cmdline_parse("flag count=3", params, params), 2);
	assert_string_equal(console_text(), "cmdline: unknown option 'flag' ignored\n"
					    "cmdline: unknown option 'count=3' ignored\n");
	assert_false(flag);
	assert_int_equal(count, 5);
}

static void test_tabs_newlines_and_runs_of_spaces_separate(void **state)
{
	parse_ok("\tflag\tcount=7\n  mem=8K\r\nname=x   ");
	assert_true(flag);
	assert_int_equal(count, 7);
	assert_int_equal(mem, KiB(8));
	assert_string_equal(name, "x");
}

static void test_multiple_options_apply_in_order_last_wins(void **state)
{
	parse_ok("count=3 count=4 count=9");
	assert_int_equal(count, 9);
	parse_ok("flag no-flag flag=off flag");
	assert_true(flag);
	parse_ok("flag=on no-flag");
	assert_false(flag);
	parse_ok("name=one name=\"two words\" name=three");
	assert_string_equal(name, "three");
	parse_ok("mode=slow mode=fast");
	assert_string_equal(mode, "fast");
	assert_int_equal(mode_calls, 2);
}

static void test_bad_option_does_not_stop_the_rest(void **state)
{
	assert_int_equal(parse("count=1 foo count=zz flag mem=2M bar=1 name=ok"), 3);
	assert_int_equal(count, 1);
	assert_true(flag);
	assert_int_equal(mem, MiB(2));
	assert_string_equal(name, "ok");
	assert_string_equal(console_text(),
			    "cmdline: unknown option 'foo' ignored\n"
			    "cmdline: option 'count=zz': not a number, expected 1..100; "
			    "using default 1\n"
			    "cmdline: unknown option 'bar=1' ignored\n");
}

static void test_unknown_option_is_warned_and_ignored(void **state)
{
	parse_bad("foo=bar", "cmdline: unknown option 'foo=bar' ignored\n");
	parse_bad("foo", "cmdline: unknown option 'foo' ignored\n");
	parse_bad("  foo=bar  ", "cmdline: unknown option 'foo=bar' ignored\n");
	/* "no-" of an unknown name is itself unknown. */
	parse_bad("no-foo", "cmdline: unknown option 'no-foo' ignored\n");
	parse_bad("no-", "cmdline: unknown option 'no-' ignored\n");
	/* Names match whole and case-sensitively. */
	parse_bad("fla", "cmdline: unknown option 'fla' ignored\n");
	parse_bad("flags", "cmdline: unknown option 'flags' ignored\n");
	parse_bad("FLAG", "cmdline: unknown option 'FLAG' ignored\n");
	/* The message quotes the token as written, quotes included. */
	parse_bad("foo=\"x y\"", "cmdline: unknown option 'foo=\"x y\"' ignored\n");
	assert_false(flag);
}

static void test_missing_name_is_warned(void **state)
{
	parse_bad("=on", "cmdline: '=on': no option name; ignored\n");
	parse_bad("=", "cmdline: '=': no option name; ignored\n");
	parse_bad("=\"a b\"", "cmdline: '=\"a b\"': no option name; ignored\n");
}

static void test_return_value_counts_every_problem(void **state)
{
	assert_int_equal(parse("a b c"), 3);
	assert_int_equal(console_count("unknown option"), 3);
	console_clear();
	assert_int_equal(parse("flag=x count=0 mem=1 name=12345678901234567 =1 no-count "
			       "mode=bad x=1 flag"),
			 8);
	assert_true(flag);
	assert_int_equal(count, 5);
	assert_int_equal(mem, MiB(1));
	assert_string_equal(name, "old");
	assert_int_equal(console_count("cmdline: "), 8);
	assert_int_equal(console_count("\n"), 8);
}

static void test_longest_name_taken_one_more_rejected(void **state)
{
	char line[128];

	parse_ok(LONG_NAME);
	assert_true(long_opt);

	/* 64 characters: over the limit, reported, nothing else changes. */
	hv_snprintf(line, sizeof(line), "%sX", LONG_NAME);
	parse_bad(line, "cmdline: option '" LONG_NAME "X': option name too long; ignored\n");
	hv_snprintf(line, sizeof(line), "%sX=1", LONG_NAME);
	parse_bad(line, "cmdline: option '" LONG_NAME "X=1': option name too long; ignored\n");
	assert_true(long_opt);
}

static void test_very_long_name_is_skipped_whole(void **state)
{
	char line[600], want[600];

	memset(line, 'n', 400);
	strcpy(line + 400, "=1 count=42");
	/* The whole 400-byte name is quoted back, not a prefix of it. */
	hv_snprintf(want, sizeof(want), "cmdline: option '%.402s': option name too long; ignored\n",
		    line);
	assert_int_equal(parse(line), 1);
	assert_string_equal(console_text(), want);
	/* Parsing resumes after the long token. */
	assert_int_equal(count, 42);
}

static void test_longest_value_taken_one_more_rejected(void **state)
{
	char line[400], want[400];

	/* The parser holds values of up to 255 bytes. */
	memcpy(line, "big=", 4);
	memset(line + 4, 'v', 255);
	line[4 + 255] = '\0';
	parse_ok(line);
	assert_int_equal(strlen(big), 255);
	assert_int_equal(big[254], 'v');

	strcpy(big, "big");
	memset(line + 4, 'w', 256);
	line[4 + 256] = '\0';
	hv_snprintf(want, sizeof(want), "cmdline: option '%s': value too long; ignored\n", line);
	parse_bad(line, want);
	assert_string_equal(big, "big");
}

/* ---- booleans ------------------------------------------------------------- */

static void test_bool_bare_name_turns_on(void **state)
{
	parse_ok("flag");
	assert_true(flag);
}

static void test_bool_every_spelling(void **state)
{
	static const char *const on[] = {"1", "on", "yes", "true"};
	static const char *const off[] = {"0", "off", "no", "false"};
	char line[32];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(on); i++) {
		flag = false;
		hv_snprintf(line, sizeof(line), "flag=%s", on[i]);
		parse_ok(line);
		assert_true(flag);

		hv_snprintf(line, sizeof(line), "flag=%s", off[i]);
		parse_ok(line);
		assert_false(flag);

		hv_snprintf(line, sizeof(line), "flag=\"%s\"", on[i]);
		parse_ok(line);
		assert_true(flag);
	}
}

static void test_bool_no_prefix_turns_off(void **state)
{
	flag = true;
	parse_ok("no-flag");
	assert_false(flag);
	/* Only this option: "other" keeps its value. */
	assert_true(other);
	parse_ok("no-other flag");
	assert_false(other);
	assert_true(flag);
}

static void test_bool_malformed_keeps_value(void **state)
{
	parse_bad("flag=maybe",
		  "cmdline: option 'flag=maybe': expected on/off, yes/no, true/false or 1/0; "
		  "using default off\n");
	assert_false(flag);

	flag = true;
	parse_bad("flag=2", "cmdline: option 'flag=2': expected on/off, yes/no, true/false or 1/0; "
			    "using default on\n");
	assert_true(flag);

	parse_bad("flag=", "cmdline: option 'flag=': expected on/off, yes/no, true/false or 1/0; "
			   "using default on\n");
	assert_true(flag);

	parse_bad("flag=onn",
		  "cmdline: option 'flag=onn': expected on/off, yes/no, true/false or 1/0; "
		  "using default on\n");
	parse_bad("flag=\"on \"",
		  "cmdline: option 'flag=\"on \"': expected on/off, yes/no, true/false or 1/0; "
		  "using default on\n");
	assert_true(flag);
}

static void test_bool_no_prefix_takes_no_value(void **state)
{
	flag = true;
	parse_bad("no-flag=1",
		  "cmdline: option 'no-flag=1': expected on/off, yes/no, true/false or 1/0; "
		  "using default on\n");
	assert_true(flag);
	parse_bad("no-flag=off",
		  "cmdline: option 'no-flag=off': expected on/off, yes/no, true/false or 1/0; "
		  "using default on\n");
	assert_true(flag);
}

/* ---- unsigned integers ------------------------------------------------------ */

static void test_uint_in_range(void **state)
{
	parse_ok("count=1");
	assert_int_equal(count, 1);
	parse_ok("count=100");
	assert_int_equal(count, 100);
	parse_ok("count=42");
	assert_int_equal(count, 42);
	parse_ok("count=0x20");
	assert_int_equal(count, 32);
	parse_ok("count=0X1f");
	assert_int_equal(count, 31);
	parse_ok("count=\"77\"");
	assert_int_equal(count, 77);
}

static void test_uint_out_of_range(void **state)
{
	parse_bad("count=0",
		  "cmdline: option 'count=0': out of range, expected 1..100; using default 5\n");
	parse_bad("count=101",
		  "cmdline: option 'count=101': out of range, expected 1..100; using default 5\n");
	/* Far above unsigned int: never truncated into range. */
	parse_bad("count=4294967297",
		  "cmdline: option 'count=4294967297': out of range, expected 1..100; "
		  "using default 5\n");
	parse_bad("count=18446744073709551615",
		  "cmdline: option 'count=18446744073709551615': out of range, expected 1..100; "
		  "using default 5\n");
	assert_int_equal(count, 5);
}

static void test_uint_not_a_number(void **state)
{
	static const char *const bad[] = {
	    "abc", "-1", "+1", " 1", "1x", "12abc", "5K", "0x", "1.5", "",
	};
	char line[64], want[160];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		hv_snprintf(line, sizeof(line), "count=\"%s\"", bad[i]);
		hv_snprintf(
		    want, sizeof(want),
		    "cmdline: option '%s': not a number, expected 1..100; using default 5\n", line);
		parse_bad(line, want);
	}
	/* Too many digits for 64 bits: rejected whatever the wording. */
	assert_int_equal(parse("count=99999999999999999999999"), 1);
	assert_console_has("cmdline: option 'count=99999999999999999999999': ");
	assert_console_has("; using default 5\n");
	assert_int_equal(count, 5);
}

static void test_uint_missing_value(void **state)
{
	parse_bad("count", "cmdline: option 'count': needs a value; using default 5\n");
	parse_bad("no-count",
		  "cmdline: option 'no-count': 'no-' applies to on/off options only; ignored\n");
	parse_bad("count=",
		  "cmdline: option 'count=': not a number, expected 1..100; using default 5\n");
	assert_int_equal(count, 5);
}

/* ---- sizes ------------------------------------------------------------------ */

static void test_size_suffixes(void **state)
{
	static const struct {
		const char *line;
		u64 bytes;
	} cases[] = {
	    {"mem=4096", 4096},
	    {"mem=4k", KiB(4)},
	    {"mem=4K", KiB(4)},
	    {"mem=3m", MiB(3)},
	    {"mem=3M", MiB(3)},
	    {"mem=2g", GiB(2)},
	    {"mem=2G", GiB(2)},
	    {"mem=1t", GiB(1024)},
	    {"mem=5T", 5 * GiB(1024)},
	    {"mem=0x10K", KiB(16)},
	    {"mem=0x100000", MiB(1)},
	    {"mem=16777215T", 16777215ULL << 40},
	    {"mem=17179869183G", 17179869183ULL << 30},
	    {"mem=18446744073709551615", UINT64_MAX},
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		mem = 0;
		parse_ok(cases[i].line);
		if (mem != cases[i].bytes)
			fail_msg("\"%s\" gave %llu, expected %llu", cases[i].line, mem,
				 cases[i].bytes);
	}
}

static void test_size_overflow_is_out_of_range(void **state)
{
	/* 2^24 T and 2^34 G are 2^64: one past the largest. */
	parse_bad("mem=16777216T",
		  "cmdline: option 'mem=16777216T': out of range, expected a size in bytes "
		  "(K/M/G/T suffix) in 4096..18446744073709551615; using default 1048576\n");
	parse_bad("mem=17179869184G",
		  "cmdline: option 'mem=17179869184G': out of range, expected a size in bytes "
		  "(K/M/G/T suffix) in 4096..18446744073709551615; using default 1048576\n");
	parse_bad("mem=18014398509481984K",
		  "cmdline: option 'mem=18014398509481984K': out of range, expected a size in "
		  "bytes (K/M/G/T suffix) in 4096..18446744073709551615; using default 1048576\n");
	/*
	 * Sizes whose byte count overflows into the accepted range (they would
	 * wrap to 2^40, 2^30, 1 KiB and 1 MiB) are out of range too.
	 */
	parse_bad("mem=16777217T",
		  "cmdline: option 'mem=16777217T': out of range, expected a size in bytes "
		  "(K/M/G/T suffix) in 4096..18446744073709551615; using default 1048576\n");
	parse_bad("mem=17179869185G",
		  "cmdline: option 'mem=17179869185G': out of range, expected a size in bytes "
		  "(K/M/G/T suffix) in 4096..18446744073709551615; using default 1048576\n");
	parse_bad("mem=18014398509481985K",
		  "cmdline: option 'mem=18014398509481985K': out of range, expected a size in "
		  "bytes (K/M/G/T suffix) in 4096..18446744073709551615; using default 1048576\n");
	parse_bad("mem=0x100000000001M",
		  "cmdline: option 'mem=0x100000000001M': out of range, expected a size in "
		  "bytes (K/M/G/T suffix) in 4096..18446744073709551615; using default 1048576\n");
	/* Too many digits even without a suffix. */
	assert_int_equal(parse("mem=18446744073709551616"), 1);
	assert_console_has("cmdline: option 'mem=18446744073709551616': ");
	assert_int_equal(mem, MiB(1));
}

static void test_size_below_minimum(void **state)
{
	parse_bad("mem=4095",
		  "cmdline: option 'mem=4095': out of range, expected a size in bytes "
		  "(K/M/G/T suffix) in 4096..18446744073709551615; using default 1048576\n");
	parse_bad("mem=0K",
		  "cmdline: option 'mem=0K': out of range, expected a size in bytes "
		  "(K/M/G/T suffix) in 4096..18446744073709551615; using default 1048576\n");
	assert_int_equal(mem, MiB(1));
}

static void test_size_malformed(void **state)
{
	static const char *const bad[] = {"1X", "1KB", "1 K", "K", "1k1", "-4K", "", "0xK"};
	char line[64], want[200];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		hv_snprintf(line, sizeof(line), "mem=\"%s\"", bad[i]);
		hv_snprintf(
		    want, sizeof(want),
		    "cmdline: option '%s': not a number, expected a size in bytes "
		    "(K/M/G/T suffix) in 4096..18446744073709551615; using default 1048576\n",
		    line);
		parse_bad(line, want);
	}
	parse_bad("mem", "cmdline: option 'mem': needs a value; using default 1048576\n");
	assert_int_equal(mem, MiB(1));
}

/* ---- strings ------------------------------------------------------------------ */

static void test_string_fits(void **state)
{
	parse_ok("name=hello");
	assert_string_equal(name, "hello");
	/* 15 characters fill the 16-byte array. */
	parse_ok("name=123456789012345");
	assert_string_equal(name, "123456789012345");
	parse_ok("name=");
	assert_string_equal(name, "");
	parse_ok("name=a=b");
	assert_string_equal(name, "a=b");
}

static void test_string_too_long_keeps_value(void **state)
{
	parse_bad("name=1234567890123456",
		  "cmdline: option 'name=1234567890123456': value longer than 15 characters; "
		  "using default \"old\"\n");
	assert_string_equal(name, "old");
	parse_bad("name", "cmdline: option 'name': needs a value; using default \"old\"\n");
	parse_bad("no-name",
		  "cmdline: option 'no-name': 'no-' applies to on/off options only; ignored\n");
	assert_string_equal(name, "old");
}

static void test_string_quoted_value_holds_spaces(void **state)
{
	parse_ok("name=\"a b\tc\" flag");
	assert_string_equal(name, "a b\tc");
	assert_true(flag);
	parse_ok("name=\"\"");
	assert_string_equal(name, "");
	parse_ok("big=\"count=3 flag\"");
	assert_string_equal(big, "count=3 flag");
	assert_int_equal(count, 5);
	/* A quote that does not open the value is an ordinary character. */
	parse_ok("name=x\"y");
	assert_string_equal(name, "x\"y");
}

static void test_quote_inside_a_value_opens_a_run(void **state)
{
	/* The run may hold spaces; its quotes stay in the value. */
	parse_ok("big=name=t,args=\"fault=ud spin\" flag");
	assert_string_equal(big, "name=t,args=\"fault=ud spin\"");
	assert_true(flag);
	parse_ok("big=a\"b c\"d\"e \tf\" count=3");
	assert_string_equal(big, "a\"b c\"d\"e \tf\"");
	assert_int_equal(count, 3);
	parse_ok("big=x\"\"y");
	assert_string_equal(big, "x\"\"y");
	/* The run ends at the next quote on the line, whatever lies between. */
	parse_ok("big=a\"b count=9 c\" count=4");
	assert_string_equal(big, "a\"b count=9 c\"");
	assert_int_equal(count, 4);
	/* With no closing quote after it, a quote is an ordinary character. */
	parse_ok("name=x\"y flag=off");
	assert_string_equal(name, "x\"y");
	assert_false(flag);
	/* Values that start with a quote are as before: the quotes go. */
	parse_ok("big=\"a b\"");
	assert_string_equal(big, "a b");
}

static void test_quote_inside_a_value_reported_as_written(void **state)
{
	char line[400], want[500];

	parse_bad("foo=a\"b c\"", "cmdline: unknown option 'foo=a\"b c\"' ignored\n");
	parse_bad("count=7\"x y\"",
		  "cmdline: option 'count=7\"x y\"': not a number, expected 1..100; using default "
		  "5\n");
	/* 16 characters with the quotes: one too many. */
	parse_bad("name=abcdefgh\"i j\"klm",
		  "cmdline: option 'name=abcdefgh\"i j\"klm': value longer than 15 characters; "
		  "using default \"old\"\n");
	parse_ok("name=a\"b c\"");
	assert_string_equal(name, "a\"b c\"");

	/* 256 bytes with the run: too long, skipped whole, the rest parsed. */
	strcpy(line, "big=x\"");
	memset(line + 6, ' ', 254);
	strcpy(line + 260, "\"");
	hv_snprintf(want, sizeof(want), "cmdline: option '%s': value too long; ignored\n", line);
	strcat(line, " count=9");
	assert_int_equal(parse(line), 1);
	assert_string_equal(console_text(), want);
	assert_string_equal(big, "big");
	assert_int_equal(count, 9);
}

static void test_string_unterminated_quote_swallows_the_rest(void **state)
{
	parse_bad("name=\"abc flag count=9",
		  "cmdline: option 'name=\"abc flag count=9': unterminated quote; ignored\n");
	assert_string_equal(name, "old");
	assert_false(flag);
	assert_int_equal(count, 5);
	parse_bad("count=\"7", "cmdline: option 'count=\"7': unterminated quote; ignored\n");
	assert_int_equal(count, 5);
}

/*
 * A message quotes the token as written, but stays one line: a quoted
 * value may hold a newline or other control bytes, shown as '?' (found by
 * tests/fuzz/fuzz_cmdline.c: the console showed a line the parser never
 * counted).
 */
static void test_messages_stay_one_line(void **state)
{
	parse_bad("bogus=\"a\nb\"", "cmdline: unknown option 'bogus=\"a?b\"' ignored\n");
	parse_bad("name=\"x\r\ny\x7f\xc3\xa9 count=9",
		  "cmdline: option 'name=\"x??y??? count=9': unterminated quote; ignored\n");
	parse_bad("count=\"1\t2\"", "cmdline: option 'count=\"1?2\"': not a number, expected "
				    "1..100; using default 5\n");
	assert_int_equal(count, 5);
	/* The default shown is what an earlier option left, newline and all. */
	assert_int_equal(parse("name=\"a\nb\""), 0);
	parse_bad("name=0123456789abcdef",
		  "cmdline: option 'name=0123456789abcdef': value longer than 15 characters; using "
		  "default \"a?b\"\n");
	assert_string_equal(name, "a\nb");
}

/* ---- custom parsers ------------------------------------------------------------- */

static void test_custom_parser_accepts(void **state)
{
	parse_ok("mode=slow");
	assert_string_equal(mode, "slow");
	assert_int_equal(mode_calls, 1);
	parse_ok("mode=\"fast\"");
	assert_string_equal(mode, "fast");
	assert_int_equal(mode_calls, 2);
}

static void test_custom_parser_rejects(void **state)
{
	parse_bad("mode=warp", "cmdline: option 'mode=warp': invalid value, expected fast or slow; "
			       "using default fast\n");
	assert_string_equal(mode, "fast");
	assert_int_equal(mode_calls, 1);

	/* A bare name passes NULL to the parser. */
	parse_bad("mode", "cmdline: option 'mode': invalid value, expected fast or slow; using "
			  "default fast\n");
	assert_true(mode_got_null);
	assert_int_equal(mode_calls, 2);

	/* "no-" never reaches the parser. */
	parse_bad("no-mode",
		  "cmdline: option 'no-mode': 'no-' applies to on/off options only; ignored\n");
	assert_int_equal(mode_calls, 2);

	/* Without a default to name, the message says so. */
	parse_bad("level=bad",
		  "cmdline: option 'level=bad': invalid value; using default (unchanged)\n");
	parse_ok("level=ok");
}

/* ---- cmdline_skip_image ---------------------------------------------------------- */

static void test_skip_image_skips_a_path(void **state)
{
	const char *line = "/boot/proxima loglvl=7 flag";

	assert_ptr_equal(cmdline_skip_image(line), line + 13);
	assert_string_equal(cmdline_skip_image(line), " loglvl=7 flag");

	line = "  \t/boot/proxima   x";
	assert_ptr_equal(cmdline_skip_image(line), line + 16);

	line = "/boot/proxima";
	assert_ptr_equal(cmdline_skip_image(line), line + 13);
	assert_string_equal(cmdline_skip_image(line), "");

	line = "proxima.d/image count=3";
	assert_ptr_equal(cmdline_skip_image(line), line + 15);
}

static void test_skip_image_leaves_options_alone(void **state)
{
	static const char *const lines[] = {
	    "a=b /boot/proxima", "proxima loglvl=7", "flag", "path=/boot/proxima",
	    "/boot/x=1 flag",	 "=/boot",	     "",     "   ",
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(lines); i++)
		assert_ptr_equal(cmdline_skip_image(lines[i]), lines[i]);
	assert_null(cmdline_skip_image(NULL));
}

static void test_skip_image_long_path(void **state)
{
	/* A path is a path however long (Nix store paths pass 64 bytes). */
	char line[400];
	size_t len;

	strcpy(line, "/nix/store/0123456789abcdfghijklmnpqrsvwxyz0-proxima-0.1.0/boot/proxima");
	len = strlen(line);
	assert_true(len >= 64);
	strcat(line, " flag");
	assert_ptr_equal(cmdline_skip_image(line), line + len);

	memset(line, 'd', 300);
	line[0] = '/';
	strcpy(line + 300, " count=3");
	assert_ptr_equal(cmdline_skip_image(line), line + 300);
}

static void test_skip_image_then_parse(void **state)
{
	const char *line = "/boot/proxima flag count=12";

	parse_ok(cmdline_skip_image(line));
	assert_true(flag);
	assert_int_equal(count, 12);
}

#define T(fn) cmocka_unit_test_setup(fn, reset)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_null_empty_and_blank_lines),
	    T(test_empty_param_table_reports_everything_unknown),
	    T(test_tabs_newlines_and_runs_of_spaces_separate),
	    T(test_multiple_options_apply_in_order_last_wins),
	    T(test_bad_option_does_not_stop_the_rest),
	    T(test_unknown_option_is_warned_and_ignored),
	    T(test_missing_name_is_warned),
	    T(test_return_value_counts_every_problem),
	    T(test_longest_name_taken_one_more_rejected),
	    T(test_very_long_name_is_skipped_whole),
	    T(test_longest_value_taken_one_more_rejected),
	    T(test_bool_bare_name_turns_on),
	    T(test_bool_every_spelling),
	    T(test_bool_no_prefix_turns_off),
	    T(test_bool_malformed_keeps_value),
	    T(test_bool_no_prefix_takes_no_value),
	    T(test_uint_in_range),
	    T(test_uint_out_of_range),
	    T(test_uint_not_a_number),
	    T(test_uint_missing_value),
	    T(test_size_suffixes),
	    T(test_size_overflow_is_out_of_range),
	    T(test_size_below_minimum),
	    T(test_size_malformed),
	    T(test_string_fits),
	    T(test_string_too_long_keeps_value),
	    T(test_string_quoted_value_holds_spaces),
	    T(test_quote_inside_a_value_opens_a_run),
	    T(test_quote_inside_a_value_reported_as_written),
	    T(test_string_unterminated_quote_swallows_the_rest),
	    T(test_messages_stay_one_line),
	    T(test_custom_parser_accepts),
	    T(test_custom_parser_rejects),
	    T(test_skip_image_skips_a_path),
	    T(test_skip_image_leaves_options_alone),
	    T(test_skip_image_long_path),
	    T(test_skip_image_then_parse),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
