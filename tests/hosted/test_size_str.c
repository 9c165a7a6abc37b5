/*
 * Hosted tests of size_str() (hypervisor/lib/strutil.c), the byte counts
 * of the console: the largest exact unit, a larger unit rounded down
 * when the exact one takes five digits, and the figures of QEMU's q35 map.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <hv/lib.h>

static void test_sizes(void **state)
{
	static const struct {
		u64 bytes;
		const char *want;
	} cases[] = {
	    {0, "0 bytes"},
	    {1, "1 bytes"},
	    {1023, "1023 bytes"},
	    {1024, "1 KiB"},
	    {0x9f000, "636 KiB"}, /* q35: RAM below the EBDA */
	    {0x21000, "132 KiB"}, /* q35: firmware below 2 GiB */
	    {1025, "1025 bytes"},
	    {0x3fedf000, "1022 MiB"}, /* 1047420 KiB: rounded down */
	    {0x7fedf000, "2046 MiB"},
	    {2046ULL << 20, "2046 MiB"},
	    {1536ULL << 20, "1536 MiB"},
	    {12288ULL << 20, "12 GiB"}, /* q35: the PCI window above 1 TiB */
	    {1ULL << 40, "1 TiB"},
	    {1ULL << 46, "64 TiB"},
	    {(1ULL << 40) + 4096, "1024 GiB"}, /* exact in KiB only: rounded down */
	    {UINT64_MAX, "16777215 TiB"},
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++)
		if (strcmp(size_str(cases[i].bytes).s, cases[i].want))
			fail_msg("size_str(0x%llx) is \"%s\", expected \"%s\"", cases[i].bytes,
				 size_str(cases[i].bytes).s, cases[i].want);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_sizes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
