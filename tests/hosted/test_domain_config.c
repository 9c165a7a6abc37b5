/*
 * Hosted tests for hypervisor/domain_config.c: domcfg_parse() with every
 * key, the defaults, quoting and each kind of bad value (the exact reason,
 * and the caller's struct left as it was), then the table the domain=
 * option fills: one console line per refused domain, duplicate names, the
 * limit of 16, reset, and the option as the real command line parser sees
 * it. Expected numbers are written out, never computed by the code under
 * test.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <hv/cmdline.h>
#include <hv/domain_config.h>
#include <hv/errno.h>
#include <hv/lib.h>
#include <hv/printk.h>

#include "fake_arch.h"

#define KEYS                                                                                     \
	"(keys: name, vnodes, mem, maxmem, vcpus, node, nodes, policy, control, image, initrd, " \
	"args)"

static int setup(void **state)
{
	domcfg_reset();
	console_set_loglevel(LOG_DEBUG);
	console_clear();
	return 0;
}

/* Parse value, expect success and no reason. */
static struct domain_config parse_ok(const char *value)
{
	struct domain_config cfg;
	char err[DOMCFG_ERR_MAX];
	int rc;

	memset(&cfg, 0x5a, sizeof(cfg));
	rc = domcfg_parse(value, &cfg, err, sizeof(err));
	if (rc)
		fail_msg("\"%s\": %d, %s", value, rc, err);
	assert_string_equal(err, "");
	assert_int_equal(cfg.state, DOMCFG_OK);
	assert_string_equal(cfg.text, value ? value : "");
	return cfg;
}

/* Parse value, expect -EINVAL with exactly the reason want, and cfg untouched. */
static void parse_bad(const char *value, const char *want)
{
	struct domain_config cfg, before;
	char err[DOMCFG_ERR_MAX];
	int rc;

	memset(&cfg, 0xa5, sizeof(cfg));
	before = cfg;
	rc = domcfg_parse(value, &cfg, err, sizeof(err));
	if (rc != -EINVAL)
		fail_msg("\"%s\": %d, expected -EINVAL", value, rc);
	if (strcmp(err, want))
		fail_msg("\"%s\": reason\n  \"%s\", expected\n  \"%s\"", value, err, want);
	if (memcmp(&cfg, &before, sizeof(cfg)))
		fail_msg("\"%s\": the caller's struct changed on failure", value);
	assert_console_empty();
}

/* ---- good values --------------------------------------------------------------- */

static void test_defaults(void **state)
{
	struct domain_config cfg = parse_ok("name=a");

	assert_string_equal(cfg.name, "a");
	assert_int_equal(cfg.mem, 67108864);
	assert_int_equal(cfg.vcpus, 1);
	assert_int_equal(cfg.vnode_node[0], -1);
	assert_int_equal(cfg.policy, DOM_POLICY_PREFER);
	assert_int_equal(cfg.image, -1);
	assert_int_equal(cfg.initrd, -1);
	assert_string_equal(cfg.args, "");
	assert_string_equal(cfg.text, "name=a");
}

static void test_every_key(void **state)
{
	struct domain_config cfg =
	    parse_ok("name=web,mem=256M,vcpus=2,node=1,policy=strict,image=3,args=console");

	assert_string_equal(cfg.name, "web");
	assert_int_equal(cfg.mem, 268435456);
	assert_int_equal(cfg.vcpus, 2);
	assert_int_equal(cfg.vnode_node[0], 1);
	assert_int_equal(cfg.policy, DOM_POLICY_STRICT);
	assert_int_equal(cfg.image, 3);
	assert_string_equal(cfg.args, "console");
	assert_string_equal(cfg.text,
			    "name=web,mem=256M,vcpus=2,node=1,policy=strict,image=3,args=console");

	/* Any order; name need not come first. */
	cfg = parse_ok("policy=prefer,vcpus=64,image=0,node=0,mem=2M,name=z");
	assert_string_equal(cfg.name, "z");
	assert_int_equal(cfg.mem, 2097152);
	assert_int_equal(cfg.vcpus, 64);
	assert_int_equal(cfg.vnode_node[0], 0);
	assert_int_equal(cfg.policy, DOM_POLICY_PREFER);
	assert_int_equal(cfg.image, 0);
}

static void test_name_characters_and_length(void **state)
{
	assert_string_equal(parse_ok("name=a-b_c0-9").name, "a-b_c0-9");
	assert_string_equal(parse_ok("name=0").name, "0");
	assert_string_equal(parse_ok("name=-_").name, "-_");
	/* 15 characters: the longest. */
	assert_string_equal(parse_ok("name=abcdefghijklmno").name, "abcdefghijklmno");
	assert_string_equal(parse_ok("name=\"web\"").name, "web");
}

static void test_sizes(void **state)
{
	static const struct {
		const char *value;
		u64 bytes;
	} cases[] = {
	    {"name=a,mem=2097152", 2097152},
	    {"name=a,mem=2048K", 2097152},
	    {"name=a,mem=2048k", 2097152},
	    {"name=a,mem=2M", 2097152},
	    {"name=a,mem=3m", 3145728},
	    {"name=a,mem=1G", 1073741824},
	    {"name=a,mem=2g", 2147483648},
	    {"name=a,mem=1T", 1099511627776},
	    {"name=a,mem=5t", 5497558138880},
	    {"name=a,mem=0x200000", 2097152},
	    {"name=a,mem=0X10M", 16777216},
	    {"name=a,mem=0x1g", 1073741824},
	    {"name=a,mem=010M", 10485760}, /* a leading 0 is not octal */
	    {"name=a,mem=16777215T", 18446742974197923840ULL},
	    {"name=a,mem=18446744073709551615", 18446744073709551615ULL},
	    {"name=a,mem=\"128M\"", 134217728},
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		struct domain_config cfg = parse_ok(cases[i].value);

		if (cfg.mem != cases[i].bytes)
			fail_msg("\"%s\" gave %llu, expected %llu", cases[i].value, cfg.mem,
				 cases[i].bytes);
	}
}

static void test_numbers_decimal_and_hex(void **state)
{
	struct domain_config cfg = parse_ok("name=a,vcpus=0x40,node=0x3,image=0X1f");

	assert_int_equal(cfg.vcpus, 64);
	assert_int_equal(cfg.vnode_node[0], 3);
	assert_int_equal(cfg.image, 31);
	cfg = parse_ok("name=a,vcpus=010,node=255,image=255");
	assert_int_equal(cfg.vcpus, 10);
	assert_int_equal(cfg.vnode_node[0], 255);
	assert_int_equal(cfg.image, 255);
	cfg = parse_ok("name=a,image=1,initrd=0x2");
	assert_int_equal(cfg.image, 1);
	assert_int_equal(cfg.initrd, 2);
}

static void test_args_quoting(void **state)
{
	struct domain_config cfg = parse_ok("name=t,args=\"fault=ud spin\"");

	assert_string_equal(cfg.args, "fault=ud spin");
	assert_string_equal(cfg.text, "name=t,args=\"fault=ud spin\"");

	/* Commas and spaces in a quoted value; keys after it still count. */
	cfg = parse_ok("name=t,args=\"a,b c,\",vcpus=2");
	assert_string_equal(cfg.args, "a,b c,");
	assert_int_equal(cfg.vcpus, 2);

	/* Unquoted, only a comma ends a value: spaces are kept. */
	cfg = parse_ok("name=t,args=a b  c");
	assert_string_equal(cfg.args, "a b  c");

	/* A quoted run inside a value keeps its quotes, commas and spaces. */
	cfg = parse_ok("name=t,args=x=\"a,b c\",vcpus=3");
	assert_string_equal(cfg.args, "x=\"a,b c\"");
	assert_int_equal(cfg.vcpus, 3);

	/* A quote with no closing quote is an ordinary character there. */
	cfg = parse_ok("name=t,args=x\"y,vcpus=4");
	assert_string_equal(cfg.args, "x\"y");
	assert_int_equal(cfg.vcpus, 4);

	/* An explicitly empty command line; '=' in a value is ordinary. */
	assert_string_equal(parse_ok("name=t,args=\"\"").args, "");
	assert_string_equal(parse_ok("args=a=b=c,name=t").args, "a=b=c");
}

static void test_longest_text_taken(void **state)
{
	char value[300];
	struct domain_config cfg;

	/* 255 characters: 12 of "name=a,args=" and 243 of args. */
	strcpy(value, "name=a,args=");
	memset(value + 12, 'x', 243);
	value[255] = '\0';
	cfg = parse_ok(value);
	assert_int_equal(strlen(cfg.args), 243);
	assert_int_equal(strlen(cfg.text), 255);

	value[255] = 'x';
	value[256] = '\0';
	parse_bad(value, "too long (256 characters, at most 255)");
}

static void test_text_recreates_the_domain(void **state)
{
	struct domain_config a = parse_ok("name=web,mem=1G,vcpus=2,args=\"a,b\",node=2");
	struct domain_config b = parse_ok(a.text);

	assert_memory_equal(&a, &b, sizeof(a));
}

static void test_null_and_empty_values(void **state)
{
	parse_bad(NULL, "name: missing (every domain needs name=)");
	parse_bad("", "name: missing (every domain needs name=)");
}

/* ---- virtual nodes --------------------------------------------------------------- */

static void test_vnodes_defaults_split_evenly(void **state)
{
	/* Default: 64M (DOMAIN_MEM_DFLT) in 2 MiB units, one vCPU per virtual node. */
	struct domain_config cfg = parse_ok("name=a,vnodes=2");

	assert_int_equal(cfg.vnodes, 2);
	assert_int_equal(cfg.mem, 67108864);
	assert_int_equal(cfg.vnode_mem[0], 33554432);
	assert_int_equal(cfg.vnode_mem[1], 33554432);
	assert_int_equal(cfg.vcpus, 2);
	assert_int_equal(cfg.vnode_vcpus[0], 1);
	assert_int_equal(cfg.vnode_vcpus[1], 1);
	assert_int_equal(cfg.vnode_node[0], -1);
	assert_int_equal(cfg.vnode_node[1], -1);
	assert_int_equal(cfg.maxmem, 67108864);
	assert_false(cfg.control);

	/* 10M over 3: five 2 MiB units, lower virtual nodes first (4M 4M 2M, in bytes). */
	cfg = parse_ok("name=a,vnodes=3,mem=10M,vcpus=5");
	assert_int_equal(cfg.vnode_mem[0], 4194304);
	assert_int_equal(cfg.vnode_mem[1], 4194304);
	assert_int_equal(cfg.vnode_mem[2], 2097152);
	assert_int_equal(cfg.vnode_vcpus[0], 2);
	assert_int_equal(cfg.vnode_vcpus[1], 2);
	assert_int_equal(cfg.vnode_vcpus[2], 1);

	/* A rest below 2 MiB goes to virtual node 0: 5M = 2 units + 1 MiB. */
	cfg = parse_ok("name=a,vnodes=2,mem=5M");
	assert_int_equal(cfg.vnode_mem[0], 3145728);
	assert_int_equal(cfg.vnode_mem[1], 2097152);
	assert_int_equal(cfg.mem, 5242880);

	/* One virtual node: everything on it. */
	cfg = parse_ok("name=a,mem=7M,vcpus=3");
	assert_int_equal(cfg.vnodes, 1);
	assert_int_equal(cfg.vnode_mem[0], 7340032);
	assert_int_equal(cfg.vnode_vcpus[0], 3);
}

static void test_vnodes_parts_given(void **state)
{
	struct domain_config cfg =
	    parse_ok("name=a,vnodes=2,mem=256M+768M,vcpus=1+3,nodes=3+1,maxmem=2G,control=1");

	assert_int_equal(cfg.mem, 1073741824);
	assert_int_equal(cfg.vnode_mem[0], 268435456);
	assert_int_equal(cfg.vnode_mem[1], 805306368);
	assert_int_equal(cfg.vcpus, 4);
	assert_int_equal(cfg.vnode_vcpus[0], 1);
	assert_int_equal(cfg.vnode_vcpus[1], 3);
	assert_int_equal(cfg.vnode_node[0], 3);
	assert_int_equal(cfg.vnode_node[1], 1);
	assert_int_equal(cfg.maxmem, 2147483648);
	assert_true(cfg.control);

	/* A node may back several virtual nodes. */
	cfg = parse_ok("name=a,vnodes=3,nodes=2+2+0,mem=6M");
	assert_int_equal(cfg.vnode_node[0], 2);
	assert_int_equal(cfg.vnode_node[1], 2);
	assert_int_equal(cfg.vnode_node[2], 0);

	/* node= is nodes= for one virtual node. */
	cfg = parse_ok("name=a,node=5");
	assert_int_equal(cfg.vnode_node[0], 5);
	cfg = parse_ok("name=a,nodes=5");
	assert_int_equal(cfg.vnode_node[0], 5);
	assert_false(parse_ok("name=a,control=0").control);
}

static void test_vnodes_bad_combinations(void **state)
{
	parse_bad("name=a,vnodes=0", "vnodes: bad count \"0\" (1 to 16)");
	parse_bad("name=a,vnodes=17", "vnodes: bad count \"17\" (1 to 16)");
	parse_bad("name=a,vnodes=2,nodes=1",
		  "nodes: 1 node in \"1\" for vnodes=2 (one per virtual node)");
	parse_bad("name=a,nodes=1+3",
		  "nodes: 2 nodes in \"1+3\" for vnodes=1 (one per virtual node)");
	parse_bad("name=a,vnodes=2,node=1",
		  "node: one node for vnodes=2 (use nodes=, one per virtual node)");
	parse_bad("name=a,node=1,nodes=1", "node: given with nodes= (use one of them)");
	parse_bad("name=a,vnodes=3,vcpus=2",
		  "vcpus: 2 for vnodes=3 (at least one per virtual node)");
	parse_bad("name=a,vnodes=2,vcpus=1+1+1",
		  "vcpus: 3 parts in \"1+1+1\" for vnodes=2 (one per virtual node)");
	parse_bad("name=a,vnodes=2,mem=2M", "mem: 2048 KiB cannot give 2 virtual nodes 2M each");
	parse_bad("name=a,vnodes=2,mem=256M+0",
		  "mem: bad size \"0\" (part 1 of \"256M+0\") (at least 2M)");
	parse_bad("name=a,vnodes=2,mem=256M+", "mem: empty part 1 in \"256M+\"");
	parse_bad("name=a,vnodes=2,vcpus=0+2",
		  "vcpus: bad count \"0\" (part 0 of \"0+2\") (1 to 64)");
	parse_bad("name=a,vnodes=2,nodes=1+256",
		  "nodes: bad node id \"256\" (part 1 of \"1+256\") (a number from 0 to 255)");
	parse_bad("name=a,vnodes=2,vcpus=33+32", "vcpus: 65 in all (at most 64)");
	parse_bad("name=a,vnodes=2,mem=0x8000000000000000+0x8000000000000000",
		  "mem: the parts add up to more than 64 bits");
	parse_bad("name=a,mem=1G,maxmem=512M", "maxmem: 512 MiB is below mem (1024 MiB)");
	parse_bad("name=a,control=2", "control: bad value \"2\" (0 or 1)");
	parse_bad("name=a,control=yes", "control: bad value \"yes\" (0 or 1)");
	parse_bad("name=a,vnodes=2,nodes=1+2+3+4+5+6+7+8+9+10+11+12+13+14+15+16+17",
		  "nodes: more than 16 parts in \"1+2+3+4+5+6+7+8+9+10+11+12+13+14+15+16+17\"");
}

/* ---- bad values ------------------------------------------------------------------ */

static void test_unknown_key(void **state)
{
	parse_bad("name=a,colour=red", "colour: unknown key in \"colour=red\" " KEYS);
	parse_bad("name=a,strict", "strict: unknown key in \"strict\" " KEYS);
	/* Keys match whole and case-sensitively. */
	parse_bad("NAME=a", "NAME: unknown key in \"NAME=a\" " KEYS);
	parse_bad("name=a,memory=1G", "memory: unknown key in \"memory=1G\" " KEYS);
	parse_bad("name=a,me=1G", "me: unknown key in \"me=1G\" " KEYS);
	parse_bad("name=a,x=\"p q\"", "x: unknown key in \"x=\"p q\"\" " KEYS);
}

static void test_missing_name(void **state)
{
	parse_bad("mem=64M,vcpus=2", "name: missing (every domain needs name=)");
}

static void test_bad_name(void **state)
{
	parse_bad("name=Web", "name: bad name \"Web\" (only a-z, 0-9, _ and -)");
	parse_bad("name=a.b", "name: bad name \"a.b\" (only a-z, 0-9, _ and -)");
	parse_bad("name=\"a b\"", "name: bad name \"a b\" (only a-z, 0-9, _ and -)");
	parse_bad("name=\"\"", "name: bad name \"\" (only a-z, 0-9, _ and -)");
	parse_bad("name=x\"y", "name: bad name \"x\"y\" (only a-z, 0-9, _ and -)");
	/* 16 characters: one too many. */
	parse_bad("name=abcdefghijklmnop",
		  "name: bad name \"abcdefghijklmnop\" (at most 15 characters)");
}

static void test_bad_size(void **state)
{
	parse_bad("name=web,mem=3X", "mem: bad size \"3X\" (a number with K, M, G or T)");
	parse_bad("name=a,mem=1KB", "mem: bad size \"1KB\" (a number with K, M, G or T)");
	parse_bad("name=a,mem=M", "mem: bad size \"M\" (a number with K, M, G or T)");
	parse_bad("name=a,mem=-4M", "mem: bad size \"-4M\" (a number with K, M, G or T)");
	parse_bad("name=a,mem=1.5G", "mem: bad size \"1.5G\" (a number with K, M, G or T)");
	parse_bad("name=a,mem=\" 4M\"", "mem: bad size \" 4M\" (a number with K, M, G or T)");
	parse_bad("name=a,mem=0xM", "mem: bad size \"0xM\" (a number with K, M, G or T)");
	parse_bad("name=a,mem=\"\"", "mem: bad size \"\" (a number with K, M, G or T)");
}

static void test_size_overflow(void **state)
{
	/* 2^24 T, 2^34 G and 2^54 K are 2^64 bytes: one past the largest. */
	parse_bad("name=a,mem=16777216T",
		  "mem: bad size \"16777216T\" (more than 64 bits of bytes)");
	parse_bad("name=a,mem=17179869184G",
		  "mem: bad size \"17179869184G\" (more than 64 bits of bytes)");
	parse_bad("name=a,mem=18014398509481984K",
		  "mem: bad size \"18014398509481984K\" (more than 64 bits of bytes)");
	/* Would wrap to 1 TiB if the multiplication were not checked. */
	parse_bad("name=a,mem=16777217T",
		  "mem: bad size \"16777217T\" (more than 64 bits of bytes)");
	parse_bad("name=a,mem=18446744073709551616",
		  "mem: bad size \"18446744073709551616\" (more than 64 bits of bytes)");
	parse_bad("name=a,mem=0x10000000000000000",
		  "mem: bad size \"0x10000000000000000\" (more than 64 bits of bytes)");
}

static void test_mem_below_two_mib(void **state)
{
	parse_bad("name=a,mem=1M", "mem: bad size \"1M\" (at least 2M)");
	parse_bad("name=a,mem=2047K", "mem: bad size \"2047K\" (at least 2M)");
	parse_bad("name=a,mem=2097151", "mem: bad size \"2097151\" (at least 2M)");
	parse_bad("name=a,mem=0", "mem: bad size \"0\" (at least 2M)");
	parse_bad("name=a,mem=0G", "mem: bad size \"0G\" (at least 2M)");
}

static void test_bad_vcpus(void **state)
{
	static const char *const bad[] = {"0",	"65", "0x41",	    "abc",
					  "-1", "1K", "4294967297", "\"\""};
	char value[64], want[64];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		hv_snprintf(value, sizeof(value), "name=a,vcpus=%s", bad[i]);
		hv_snprintf(want, sizeof(want), "vcpus: bad count \"%s\" (1 to 64)",
			    strcmp(bad[i], "\"\"") ? bad[i] : "");
		parse_bad(value, want);
	}
}

static void test_bad_node(void **state)
{
	parse_bad("name=a,node=x", "node: bad node id \"x\" (a number from 0 to 255)");
	parse_bad("name=a,node=-1", "node: bad node id \"-1\" (a number from 0 to 255)");
	parse_bad("name=a,node=1.0", "node: bad node id \"1.0\" (a number from 0 to 255)");
	parse_bad("name=a,node=256", "node: bad node id \"256\" (a number from 0 to 255)");
	parse_bad("name=a,node=1M", "node: bad node id \"1M\" (a number from 0 to 255)");
}

static void test_bad_policy_and_image(void **state)
{
	parse_bad("name=a,policy=loose", "policy: bad policy \"loose\" (prefer or strict)");
	parse_bad("name=a,policy=Strict", "policy: bad policy \"Strict\" (prefer or strict)");
	parse_bad("name=a,image=x", "image: bad module index \"x\" (a number from 0 to 255)");
	parse_bad("name=a,image=-1", "image: bad module index \"-1\" (a number from 0 to 255)");
	parse_bad("name=a,image=256", "image: bad module index \"256\" (a number from 0 to 255)");
	parse_bad("name=a,initrd=256", "initrd: bad module index \"256\" (a number from 0 to 255)");
	parse_bad("name=a,initrd=", "initrd: empty value");
}

static void test_empty_value(void **state)
{
	static const char *const keys[] = {"name",   "mem",   "vcpus", "node",
					   "policy", "image", "args"};
	char value[64], want[64];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(keys); i++) {
		hv_snprintf(want, sizeof(want), "%s: empty value", keys[i]);
		hv_snprintf(value, sizeof(value), "%s=", keys[i]);
		parse_bad(value, want);
		hv_snprintf(value, sizeof(value), "%s=,name=b", keys[i]);
		parse_bad(value, want);
		/* A known key without '=' has no value either. */
		hv_snprintf(value, sizeof(value), "%s,name=b", keys[i]);
		parse_bad(value, want);
	}
}

static void test_key_given_twice(void **state)
{
	parse_bad("name=a,mem=64M,mem=128M", "mem: given twice (\"64M\", then \"128M\")");
	parse_bad("name=a,name=b", "name: given twice (\"a\", then \"b\")");
	parse_bad("name=a,vcpus=1,vcpus=1", "vcpus: given twice (\"1\", then \"1\")");
	parse_bad("name=a,args=\"x y\",args=z", "args: given twice (\"x y\", then \"z\")");
	parse_bad("name=a,policy=strict,policy=", "policy: given twice (\"strict\", then \"\")");
}

static void test_stray_commas_and_missing_keys(void **state)
{
	parse_bad("name=a,", "empty item (a stray comma)");
	parse_bad(",name=a", "empty item (a stray comma)");
	parse_bad("name=a,,mem=4M", "empty item (a stray comma)");
	parse_bad(",", "empty item (a stray comma)");
	parse_bad("name=a,=4M", "missing key in \"=4M\"");
	parse_bad("=", "missing key in \"=\"");
}

static void test_bad_quotes(void **state)
{
	parse_bad("name=t,args=\"fault=ud spin", "args: no closing quote in \"fault=ud spin");
	parse_bad("name=t,args=\"", "args: no closing quote in \"");
	parse_bad("name=t,args=\"a b\"c,vcpus=2", "args: text after the closing quote in \"a b\"c");
	parse_bad("name=\"t\"x", "name: text after the closing quote in \"t\"x");
}

static void test_first_problem_is_reported(void **state)
{
	parse_bad("name=Web,mem=3X,vcpus=0", "name: bad name \"Web\" (only a-z, 0-9, _ and -)");
	parse_bad("vcpus=0,name=Web", "vcpus: bad count \"0\" (1 to 64)");
}

static void test_reason_is_cut_to_errlen(void **state)
{
	struct domain_config cfg;
	char err[12];

	memset(err, 'z', sizeof(err));
	assert_int_equal(domcfg_parse("name=web,mem=3X", &cfg, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "mem: bad si");
	assert_int_equal(domcfg_parse("name=web,mem=3X", &cfg, NULL, 0), -EINVAL);
	assert_int_equal(domcfg_parse("name=web", &cfg, NULL, 0), 0);
	assert_string_equal(cfg.name, "web");
}

/* ---- the table ----------------------------------------------------------------------- */

static void test_table_keeps_good_domains_in_order(void **state)
{
	assert_int_equal(domcfg_count(), 0);
	assert_null(domcfg_get(0));
	assert_int_equal(domcfg_add("name=web,mem=256M,vcpus=2,node=1,policy=strict"), 0);
	assert_int_equal(domcfg_add("name=t,args=\"fault=ud spin\""), 0);
	assert_console_empty();
	assert_int_equal(domcfg_count(), 2);
	assert_int_equal(domcfg_failed_count(), 0);
	assert_string_equal(domcfg_get(0)->name, "web");
	assert_int_equal(domcfg_get(0)->mem, 268435456);
	assert_int_equal(domcfg_get(0)->vcpus, 2);
	assert_int_equal(domcfg_get(0)->vnode_node[0], 1);
	assert_int_equal(domcfg_get(0)->policy, DOM_POLICY_STRICT);
	assert_int_equal(domcfg_get(0)->state, DOMCFG_OK);
	assert_string_equal(domcfg_get(0)->text, "name=web,mem=256M,vcpus=2,node=1,policy=strict");
	assert_string_equal(domcfg_get(1)->name, "t");
	assert_string_equal(domcfg_get(1)->args, "fault=ud spin");
	assert_null(domcfg_get(2));
}

static void test_table_bad_domain_one_line_others_start(void **state)
{
	domcfg_add("name=a");
	domcfg_add("name=web,mem=3X");
	domcfg_add("name=b");
	assert_string_equal(console_text(),
			    "domain=name=web,mem=3X: mem: bad size \"3X\" (a number "
			    "with K, M, G or T)\n");
	assert_int_equal(domcfg_count(), 2);
	assert_int_equal(domcfg_failed_count(), 1);
	/* Failed ones are left out of what domcfg_get() gives. */
	assert_string_equal(domcfg_get(0)->name, "a");
	assert_string_equal(domcfg_get(1)->name, "b");
	assert_null(domcfg_get(2));
}

static void test_table_duplicate_name(void **state)
{
	domcfg_add("name=web,mem=128M");
	domcfg_add("name=web,vcpus=2");
	assert_string_equal(console_text(), "domain=name=web,vcpus=2: name: duplicate name \"web\" "
					    "(an earlier domain has it)\n");
	assert_int_equal(domcfg_count(), 1);
	assert_int_equal(domcfg_get(0)->mem, 134217728);
	assert_int_equal(domcfg_get(0)->vcpus, 1);

	/* Only good domains hold names: a failed "x" leaves "x" free. */
	console_clear();
	domcfg_add("name=x,vcpus=0");
	domcfg_add("name=x,vcpus=3");
	assert_string_equal(console_text(), "domain=name=x,vcpus=0: vcpus: bad count \"0\" (1 to "
					    "64)\n");
	assert_int_equal(domcfg_count(), 2);
	assert_string_equal(domcfg_get(1)->name, "x");
	assert_int_equal(domcfg_get(1)->vcpus, 3);
	assert_int_equal(domcfg_failed_count(), 2);
}

static void test_table_holds_sixteen(void **state)
{
	char value[32];
	unsigned int i;

	for (i = 0; i < 16; i++) {
		hv_snprintf(value, sizeof(value), "name=d%u", i);
		assert_int_equal(domcfg_add(value), 0);
	}
	assert_console_empty();
	assert_int_equal(domcfg_count(), 16);
	assert_int_equal(domcfg_add("name=d16,mem=1G"), 0);
	assert_int_equal(domcfg_add("name=d17"), 0);
	assert_string_equal(console_text(),
			    "domain=name=d16,mem=1G: more than 16 domains; ignored\n"
			    "domain=name=d17: more than 16 domains; ignored\n");
	assert_int_equal(domcfg_count(), 16);
	assert_int_equal(domcfg_failed_count(), 2);
	assert_string_equal(domcfg_get(15)->name, "d15");
	assert_null(domcfg_get(16));
}

static void test_table_failed_domains_take_slots(void **state)
{
	char value[32];
	unsigned int i;

	for (i = 0; i < 15; i++) {
		hv_snprintf(value, sizeof(value), "name=d%u", i);
		domcfg_add(value);
	}
	domcfg_add("name=bad,mem=1K");
	console_clear();
	domcfg_add("name=late");
	assert_string_equal(console_text(), "domain=name=late: more than 16 domains; ignored\n");
	assert_int_equal(domcfg_count(), 15);
	assert_int_equal(domcfg_failed_count(), 2);
}

static void test_table_bare_option(void **state)
{
	domcfg_add(NULL);
	assert_string_equal(console_text(),
			    "domain: no value (domain=name=NAME,key=value,...); ignored\n");
	assert_int_equal(domcfg_count(), 0);
	assert_int_equal(domcfg_failed_count(), 1);
}

static void test_table_reset(void **state)
{
	domcfg_add("name=a");
	domcfg_add("name=b,vcpus=99");
	assert_int_equal(domcfg_count(), 1);
	domcfg_reset();
	assert_int_equal(domcfg_count(), 0);
	assert_int_equal(domcfg_failed_count(), 0);
	assert_null(domcfg_get(0));
	/* The name is free again. */
	console_clear();
	domcfg_add("name=a,vcpus=2");
	assert_console_empty();
	assert_int_equal(domcfg_count(), 1);
	assert_int_equal(domcfg_get(0)->vcpus, 2);
}

/* ---- through the command line parser, with the real option table ------------------------ */

static int parse_line(const char *line)
{
	return cmdline_parse(line, __start_hv_params, __stop_hv_params);
}

static void test_cmdline_good_domains(void **state)
{
	assert_int_equal(parse_line("domain=name=web,mem=256M,vcpus=2,node=1,policy=strict "
				    "domain=name=t,args=\"fault=ud spin\" "
				    "domain=\"name=q,args=a b\""),
			 0);
	assert_console_empty();
	assert_int_equal(domcfg_count(), 3);
	assert_string_equal(domcfg_get(0)->name, "web");
	assert_string_equal(domcfg_get(1)->name, "t");
	assert_string_equal(domcfg_get(1)->args, "fault=ud spin");
	assert_string_equal(domcfg_get(1)->text, "name=t,args=\"fault=ud spin\"");
	/* A value quoted whole loses its quotes before the domain parser. */
	assert_string_equal(domcfg_get(2)->args, "a b");
	assert_string_equal(domcfg_get(2)->text, "name=q,args=a b");
}

static void test_cmdline_one_line_per_bad_domain(void **state)
{
	/* The parse function reports; cmdline.c adds nothing of its own. */
	assert_int_equal(parse_line("domain=name=web,mem=3X domain=name=ok "
				    "domain=name=t,args=\"x domain domain=name=ok"),
			 0);
	assert_string_equal(console_text(),
			    "domain=name=web,mem=3X: mem: bad size \"3X\" (a number with K, M, G "
			    "or T)\n"
			    "domain=name=t,args=\"x: args: no closing quote in \"x\n"
			    "domain: no value (domain=name=NAME,key=value,...); ignored\n"
			    "domain=name=ok: name: duplicate name \"ok\" (an earlier domain has "
			    "it)\n");
	assert_int_equal(domcfg_count(), 1);
	assert_int_equal(domcfg_failed_count(), 4);
}

/*
 * The line of a bad domain quotes its value, and the reason quotes parts
 * of it, but it stays one line: control bytes are shown as '?' (found by
 * tests/fuzz/fuzz_cmdline.c).
 */
static void test_cmdline_bad_domain_line_is_one_line(void **state)
{
	char err[DOMCFG_ERR_MAX];
	struct domain_config cfg;

	assert_int_equal(parse_line("domain=\"name=a\nb,mem=3\r\n\""), 0);
	assert_string_equal(console_text(), "domain=name=a?b,mem=3??: name: bad name \"a?b\" (only "
					    "a-z, 0-9, _ and -)\n");
	assert_int_equal(domcfg_parse("name=ok,mem=1\x01", &cfg, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "mem: bad size \"1?\" (a number with K, M, G or T)");
}

static void test_cmdline_errors_before_the_domain_parser(void **state)
{
	/* Problems of the token itself are cmdline.c's, also one line each. */
	assert_int_equal(parse_line("no-domain domain=\"name=a"), 2);
	assert_string_equal(console_text(),
			    "cmdline: option 'no-domain': 'no-' applies to on/off options only; "
			    "ignored\n"
			    "cmdline: option 'domain=\"name=a': unterminated quote; ignored\n");
	assert_int_equal(domcfg_count(), 0);
	assert_int_equal(domcfg_failed_count(), 0);
}

#define T(fn) cmocka_unit_test_setup(fn, setup)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_defaults),
	    T(test_every_key),
	    T(test_name_characters_and_length),
	    T(test_sizes),
	    T(test_numbers_decimal_and_hex),
	    T(test_args_quoting),
	    T(test_longest_text_taken),
	    T(test_text_recreates_the_domain),
	    T(test_null_and_empty_values),
	    T(test_vnodes_defaults_split_evenly),
	    T(test_vnodes_parts_given),
	    T(test_vnodes_bad_combinations),
	    T(test_unknown_key),
	    T(test_missing_name),
	    T(test_bad_name),
	    T(test_bad_size),
	    T(test_size_overflow),
	    T(test_mem_below_two_mib),
	    T(test_bad_vcpus),
	    T(test_bad_node),
	    T(test_bad_policy_and_image),
	    T(test_empty_value),
	    T(test_key_given_twice),
	    T(test_stray_commas_and_missing_keys),
	    T(test_bad_quotes),
	    T(test_first_problem_is_reported),
	    T(test_reason_is_cut_to_errlen),
	    T(test_table_keeps_good_domains_in_order),
	    T(test_table_bad_domain_one_line_others_start),
	    T(test_table_duplicate_name),
	    T(test_table_holds_sixteen),
	    T(test_table_failed_domains_take_slots),
	    T(test_table_bare_option),
	    T(test_table_reset),
	    T(test_cmdline_good_domains),
	    T(test_cmdline_one_line_per_bad_domain),
	    T(test_cmdline_bad_domain_line_is_one_line),
	    T(test_cmdline_errors_before_the_domain_parser),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
