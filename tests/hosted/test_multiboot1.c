/*
 * Hosted tests for arch/x86/boot/multiboot.c: multiboot_parse() over
 * multiboot v1 information structures crafted byte by byte in a fake
 * physical address space (multiboot_fixture.h), following the layout of
 * the Multiboot 0.6.96 specification, including broken structures that a
 * buggy or hostile loader could hand over. Multiboot2 and the loader magic
 * are in test_multiboot2.c.
 */
#include "multiboot_fixture.h"

#define MB1_MEM (1U << 0)
#define MB1_CMDLINE (1U << 2)
#define MB1_MMAP (1U << 6)
#define MB1_LOADER (1U << 9)

/* Offsets in the v1 information structure. */
#define MB1_FLAGS 0
#define MB1_MEM_LOWER 4
#define MB1_MEM_UPPER 8
#define MB1_CMDLINE_ADDR 16
#define MB1_MMAP_LENGTH 44
#define MB1_MMAP_ADDR 48
#define MB1_LOADER_ADDR 64

#define STRINGS 0x1000 /* command line, loader name */
#define MMAP 0x2000    /* v1 memory map */

static unsigned int mb1_mmap_len;

/* Start a v1 block with flags and an empty memory map at MMAP. */
static void mb1_begin(u32 flags)
{
	memset(phys, 0, 128);
	put32(INFO + MB1_FLAGS, flags);
	put32(INFO + MB1_MMAP_ADDR, (u32)pa(MMAP));
	put32(INFO + MB1_MMAP_LENGTH, 0);
	mb1_mmap_len = 0;
}

/* Append one v1 map entry whose size field says size (20 for plain ones). */
static void mb1_entry(u32 size, u64 base, u64 len, u32 type)
{
	unsigned int off = MMAP + mb1_mmap_len;

	put32(off, size);
	put64(off + 4, base);
	put64(off + 12, len);
	put32(off + 20, type);
	mb1_mmap_len += 4 + (size >= 20 ? size : 20);
	put32(INFO + MB1_MMAP_LENGTH, mb1_mmap_len);
}

static int parse_mb1(void)
{
	return multiboot_parse(MB1_LOADER_MAGIC, pa(INFO), &bi);
}

static void test_v1_cmdline_loader_and_mmap(void **state)
{
	mb1_begin(MB1_MEM | MB1_CMDLINE | MB1_MMAP | MB1_LOADER);
	put32(INFO + MB1_MEM_LOWER, 639);
	put32(INFO + MB1_MEM_UPPER, 130048);
	put_str(STRINGS, "/boot/proxima loglvl=7 flag");
	put32(INFO + MB1_CMDLINE_ADDR, (u32)pa(STRINGS));
	put_str(STRINGS + 0x100, "GRUB 2.06");
	put32(INFO + MB1_LOADER_ADDR, (u32)pa(STRINGS + 0x100));
	mb1_entry(20, 0x0, 0x9fc00, MEM_RAM);
	mb1_entry(20, 0x9fc00, 0x400, MEM_RESERVED);
	mb1_entry(20, 0x100000, 0x7ee0000, MEM_RAM);
	mb1_entry(20, 0x100000000ULL, GiB(2), MEM_RAM);

	assert_int_equal(parse_mb1(), 0);
	assert_int_equal(bi.protocol, 1);
	assert_string_equal(bi.cmdline, "/boot/proxima loglvl=7 flag");
	assert_false(bi.cmdline_truncated);
	assert_string_equal(bi.loader, "GRUB 2.06");
	assert_int_equal(bi.nr_mem, 4);
	check_range(0, 0x0, 0x9fc00, MEM_RAM);
	check_range(1, 0x9fc00, 0xa0000, MEM_RESERVED);
	check_range(2, 0x100000, 0x7fe0000, MEM_RAM);
	check_range(3, 0x100000000ULL, 0x180000000ULL, MEM_RAM);
	assert_int_equal(bi.mem_dropped, 0);
	assert_int_equal(bi.rsdp_len, 0);
	/* The map wins over the basic sizes: no fallback, no warning. */
	assert_console_empty();
}

static void test_v1_flags_clear_means_absent(void **state)
{
	mb1_begin(0);
	/* Pointers that would be valid, but their flags are clear. */
	put_str(STRINGS, "ignored");
	put32(INFO + MB1_CMDLINE_ADDR, (u32)pa(STRINGS));
	put32(INFO + MB1_LOADER_ADDR, (u32)pa(STRINGS));
	mb1_entry(20, 0x100000, 0x100000, MEM_RAM);
	put32(INFO + MB1_MEM_UPPER, 1024);

	assert_int_equal(parse_mb1(), 0);
	assert_int_equal(bi.protocol, 1);
	assert_string_equal(bi.cmdline, "");
	assert_string_equal(bi.loader, "");
	assert_int_equal(bi.nr_mem, 0);
	assert_int_equal(bi.mem_dropped, 0);
	assert_false(bi.cmdline_truncated);
	assert_console_empty();
}

static void test_v1_larger_mmap_entries(void **state)
{
	/* Entries may carry more than the 20 bytes we read: size says so. */
	mb1_begin(MB1_MMAP);
	mb1_entry(24, 0x0, 0x9f000, MEM_RAM);
	put32(MMAP + 24, 0xdeadbeef); /* extended attributes */
	mb1_entry(28, 0x100000, 0x100000, MEM_ACPI);
	mb1_entry(20, 0x200000, 0x100000, MEM_RAM);

	assert_int_equal(parse_mb1(), 0);
	assert_int_equal(bi.nr_mem, 3);
	check_range(0, 0x0, 0x9f000, MEM_RAM);
	check_range(1, 0x100000, 0x200000, MEM_ACPI);
	check_range(2, 0x200000, 0x300000, MEM_RAM);
	assert_console_empty();
}

static void test_v1_zero_length_entries_skipped(void **state)
{
	mb1_begin(MB1_MMAP);
	mb1_entry(20, 0x1000, 0, MEM_RAM);
	mb1_entry(20, 0x100000, 0x1000, MEM_RAM);
	mb1_entry(20, 0x0, 0, MEM_RESERVED);

	assert_int_equal(parse_mb1(), 0);
	assert_int_equal(bi.nr_mem, 1);
	check_range(0, 0x100000, 0x101000, MEM_RAM);
	assert_int_equal(bi.mem_dropped, 0);
}

static void test_v1_basic_meminfo_fallback(void **state)
{
	mb1_begin(MB1_MEM);
	put32(INFO + MB1_MEM_LOWER, 639);
	put32(INFO + MB1_MEM_UPPER, 130048);

	assert_int_equal(parse_mb1(), 0);
	assert_int_equal(bi.nr_mem, 2);
	check_range(0, 0x0, KiB(639), MEM_RAM);
	check_range(1, MiB(1), MiB(1) + KiB(130048), MEM_RAM);
	assert_string_equal(console_text(),
			    "multiboot: no memory map from the boot loader; using the basic "
			    "lower/upper memory sizes (639 KiB, 130048 KiB)\n");
}

static void test_v1_empty_mmap_falls_back(void **state)
{
	/* The map flag is set but the map holds nothing. */
	mb1_begin(MB1_MEM | MB1_MMAP);
	put32(INFO + MB1_MEM_LOWER, 640);
	put32(INFO + MB1_MEM_UPPER, 0xffffffffU);

	assert_int_equal(parse_mb1(), 0);
	assert_int_equal(bi.nr_mem, 2);
	check_range(0, 0x0, KiB(640), MEM_RAM);
	check_range(1, MiB(1), MiB(1) + (0xffffffffULL << 10), MEM_RAM);
	assert_console_has("(640 KiB, 4294967295 KiB)\n");
}

static void test_v1_bogus_entry_size_stops_the_map(void **state)
{
	mb1_begin(MB1_MMAP | MB1_MEM);
	put32(INFO + MB1_MEM_UPPER, 4096);
	mb1_entry(20, 0x0, 0x9f000, MEM_RAM);
	mb1_entry(20, 0x100000, 0x100000, MEM_RAM);
	mb1_entry(8, 0x200000, 0x100000, MEM_RAM); /* too small to hold an entry */
	mb1_entry(20, 0x300000, 0x100000, MEM_RAM);

	assert_int_equal(parse_mb1(), 0);
	assert_int_equal(bi.nr_mem, 2);
	check_range(0, 0x0, 0x9f000, MEM_RAM);
	check_range(1, 0x100000, 0x200000, MEM_RAM);
	/* Earlier entries kept, so no fallback to the basic sizes. */
	assert_string_equal(console_text(),
			    "multiboot: memory map entry at offset 48 is malformed (size 8); "
			    "ignoring the rest of the map\n");
}

static void test_v1_bogus_first_entry_falls_back(void **state)
{
	mb1_begin(MB1_MMAP | MB1_MEM);
	put32(INFO + MB1_MEM_LOWER, 636);
	put32(INFO + MB1_MEM_UPPER, 2048);
	mb1_entry(0, 0x0, 0x9f000, MEM_RAM);

	assert_int_equal(parse_mb1(), 0);
	assert_int_equal(bi.nr_mem, 2);
	check_range(0, 0x0, KiB(636), MEM_RAM);
	check_range(1, MiB(1), MiB(3), MEM_RAM);
	assert_console_has("multiboot: memory map entry at offset 0 is malformed (size 0); "
			   "ignoring the rest of the map\n");
	assert_console_has("multiboot: no memory map from the boot loader; using the basic "
			   "lower/upper memory sizes (636 KiB, 2048 KiB)\n");
}

static void test_v1_entry_size_wrapping_the_offset(void **state)
{
	/*
	 * size + 4 wraps a 32-bit offset back onto the same entry: the walk
	 * must stop with a warning, not loop (the call limit turns a hang
	 * into a failure).
	 */
	mb1_begin(MB1_MMAP);
	mb1_entry(20, 0x100000, 0x100000, MEM_RAM);
	mb1_entry(20, 0x200000, 0x100000, MEM_RAM);
	put32(MMAP + 24, 0xfffffffcU);
	mb1_entry(20, 0x300000, 0x100000, MEM_RAM);
	fake_phys_set_call_limit(100000);

	assert_int_equal(parse_mb1(), 0);
	assert_int_equal(bi.mem_dropped, 0);
	assert_int_equal(bi.nr_mem, 1);
	check_range(0, 0x100000, 0x200000, MEM_RAM);
	assert_console_has("multiboot: memory map entry at offset 24 is malformed");
}

static void test_v1_entry_size_running_backwards(void **state)
{
	/* size + 4 wraps to a step back of 12 bytes: no entry is read twice. */
	mb1_begin(MB1_MMAP);
	mb1_entry(20, 0x100000, 0x100000, MEM_RAM);
	mb1_entry(20, 0x200000, 0x100000, MEM_RAM);
	put32(MMAP + 24, 0xfffffff0U);
	mb1_entry(20, 0x300000, 0x100000, MEM_RAM);
	fake_phys_set_call_limit(100000);

	assert_int_equal(parse_mb1(), 0);
	assert_int_equal(bi.mem_dropped, 0);
	assert_int_equal(bi.nr_mem, 1);
	check_range(0, 0x100000, 0x200000, MEM_RAM);
	assert_console_has("multiboot: memory map entry at offset 24 is malformed");
}

static void test_v1_mmap_outside_memory(void **state)
{
	mb1_begin(MB1_MMAP | MB1_MEM);
	put32(INFO + MB1_MEM_UPPER, 1024);
	put32(INFO + MB1_MMAP_ADDR, 0x40000000);
	put32(INFO + MB1_MMAP_LENGTH, 48);

	assert_int_equal(parse_mb1(), 0);
	assert_console_has("multiboot: memory map entry at offset 0 is malformed (size 0); "
			   "ignoring the rest of the map\n");
	/* mem_lower is 0: only the upper range. */
	assert_console_has("(0 KiB, 1024 KiB)\n");
	assert_int_equal(bi.nr_mem, 1);
	check_range(0, MiB(1), MiB(2), MEM_RAM);
}

static void test_v1_wrapping_entry_clipped(void **state)
{
	mb1_begin(MB1_MMAP);
	mb1_entry(20, 0xffffffff00000000ULL, 0x200000000ULL, MEM_RESERVED);
	mb1_entry(20, 0xfffffffffffff000ULL, 0x2000, MEM_RESERVED); /* nothing left */
	mb1_entry(20, 0x100000, 0x100000, MEM_RAM);

	assert_int_equal(parse_mb1(), 0);
	assert_int_equal(bi.nr_mem, 2);
	check_range(0, 0xffffffff00000000ULL, 0xfffffffffffff000ULL, MEM_RESERVED);
	check_range(1, 0x100000, 0x200000, MEM_RAM);
	assert_string_equal(console_text(),
			    "multiboot: memory map entry 0xffffffff00000000+0x200000000 wraps "
			    "past 2^64; clipped at the top of the address space\n"
			    "multiboot: memory map entry 0xfffffffffffff000+0x2000 wraps "
			    "past 2^64; clipped at the top of the address space\n");
}

/* Multiboot 0.6.96 §3.3: base_addr and length are 64-bit; ending at 2^64 is no wrap. */
static void test_v1_entry_ending_at_2_64_is_no_wrap(void **state)
{
	mb1_begin(MB1_MMAP);
	mb1_entry(20, 0xfffffffff0000000ULL, 0x10000000ULL, MEM_RESERVED);
	mb1_entry(20, 0x100000, 0x100000, MEM_RAM);

	assert_int_equal(parse_mb1(), 0);
	assert_int_equal(bi.nr_mem, 2);
	check_range(0, 0xfffffffff0000000ULL, 0xfffffffffffff000ULL, MEM_RESERVED);
	check_range(1, 0x100000, 0x200000, MEM_RAM);
	assert_string_equal(console_text(), "");
}

static void test_v1_too_many_entries_counted(void **state)
{
	unsigned int i;

	mb1_begin(MB1_MMAP);
	for (i = 0; i < BOOT_MEMMAP_MAX + 5; i++)
		mb1_entry(20, MiB(2) * i, MiB(1), i % 2 ? MEM_RAM : MEM_RESERVED);

	assert_int_equal(parse_mb1(), 0);
	assert_int_equal(bi.nr_mem, BOOT_MEMMAP_MAX);
	assert_int_equal(bi.mem_dropped, 5);
	check_range(0, 0, MiB(1), MEM_RESERVED);
	check_range(BOOT_MEMMAP_MAX - 1, MiB(2) * (BOOT_MEMMAP_MAX - 1),
		    MiB(2) * (BOOT_MEMMAP_MAX - 1) + MiB(1), MEM_RAM);
}

static void test_v1_long_cmdline_truncated(void **state)
{
	static char line[3000];

	memset(line, 'c', sizeof(line) - 1);
	line[0] = '/';
	mb1_begin(MB1_CMDLINE);
	put_str(STRINGS, line);
	put32(INFO + MB1_CMDLINE_ADDR, (u32)pa(STRINGS));

	assert_int_equal(parse_mb1(), 0);
	assert_true(bi.cmdline_truncated);
	assert_int_equal(strlen(bi.cmdline), BOOT_CMDLINE_MAX - 1);
	assert_memory_equal(bi.cmdline, line, BOOT_CMDLINE_MAX - 1);
}

static void test_v1_cmdline_just_fits(void **state)
{
	static char line[BOOT_CMDLINE_MAX];

	/* 1022 and 1023 characters both fit BOOT_CMDLINE_MAX with the NUL. */
	memset(line, 'x', BOOT_CMDLINE_MAX - 2);
	line[BOOT_CMDLINE_MAX - 2] = '\0';
	mb1_begin(MB1_CMDLINE);
	put_str(STRINGS, line);
	put32(INFO + MB1_CMDLINE_ADDR, (u32)pa(STRINGS));
	assert_int_equal(parse_mb1(), 0);
	assert_false(bi.cmdline_truncated);
	assert_string_equal(bi.cmdline, line);

	memset(line, 'y', BOOT_CMDLINE_MAX - 1);
	line[BOOT_CMDLINE_MAX - 1] = '\0';
	put_str(STRINGS, line);
	assert_int_equal(parse_mb1(), 0);
	assert_string_equal(bi.cmdline, line);
	assert_false(bi.cmdline_truncated);
}

static void test_v1_long_loader_name_cut(void **state)
{
	char name[100];

	memset(name, 'L', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	mb1_begin(MB1_LOADER);
	put_str(STRINGS, name);
	put32(INFO + MB1_LOADER_ADDR, (u32)pa(STRINGS));

	assert_int_equal(parse_mb1(), 0);
	assert_int_equal(strlen(bi.loader), BOOT_LOADER_NAME_MAX - 1);
	assert_memory_equal(bi.loader, name, BOOT_LOADER_NAME_MAX - 1);
	assert_false(bi.cmdline_truncated);
}

static void test_v1_strings_outside_memory(void **state)
{
	mb1_begin(MB1_CMDLINE | MB1_LOADER);
	put32(INFO + MB1_CMDLINE_ADDR, 0);	   /* NULL */
	put32(INFO + MB1_LOADER_ADDR, 0x80000000); /* unmapped */
	assert_int_equal(parse_mb1(), 0);
	assert_string_equal(bi.cmdline, "");
	assert_string_equal(bi.loader, "");
	assert_false(bi.cmdline_truncated);

	/* A string running into the end of memory stops there. */
	memcpy(phys + PHYS_SIZE - 4, "tail", 4);
	put32(INFO + MB1_CMDLINE_ADDR, (u32)pa(PHYS_SIZE - 4));
	assert_int_equal(parse_mb1(), 0);
	assert_string_equal(bi.cmdline, "tail");
}

static void test_v1_info_unreadable(void **state)
{
	assert_int_equal(multiboot_parse(MB1_LOADER_MAGIC, 0x80000000, &bi), -EINVAL);
	assert_int_equal(bi.nr_mem, 0);
	assert_int_equal(multiboot_parse(MB1_LOADER_MAGIC, 0, &bi), -EINVAL);
	/* Only the last 60 bytes of the structure's 68 are mapped. */
	assert_int_equal(multiboot_parse(MB1_LOADER_MAGIC, pa(PHYS_SIZE - 60), &bi), -EINVAL);
	assert_int_equal(bi.nr_mem, 0);
	assert_string_equal(bi.cmdline, "");
}

static void test_v1_info_at_odd_address(void **state)
{
	/* The loader's structure need not be aligned: it is read packed. */
	mb1_begin(MB1_CMDLINE | MB1_MMAP);
	put_str(STRINGS, "odd");
	put32(INFO + MB1_CMDLINE_ADDR, (u32)pa(STRINGS));
	mb1_entry(20, 0x100000, 0x100000, MEM_RAM);
	memmove(phys + 0x3001, phys + INFO, 68);

	assert_int_equal(multiboot_parse(MB1_LOADER_MAGIC, pa(0x3001), &bi), 0);
	assert_string_equal(bi.cmdline, "odd");
	assert_int_equal(bi.nr_mem, 1);
	check_range(0, 0x100000, 0x200000, MEM_RAM);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_v1_cmdline_loader_and_mmap),
	    T(test_v1_flags_clear_means_absent),
	    T(test_v1_larger_mmap_entries),
	    T(test_v1_zero_length_entries_skipped),
	    T(test_v1_basic_meminfo_fallback),
	    T(test_v1_empty_mmap_falls_back),
	    T(test_v1_bogus_entry_size_stops_the_map),
	    T(test_v1_bogus_first_entry_falls_back),
	    T(test_v1_entry_size_wrapping_the_offset),
	    T(test_v1_entry_size_running_backwards),
	    T(test_v1_mmap_outside_memory),
	    T(test_v1_wrapping_entry_clipped),
	    T(test_v1_entry_ending_at_2_64_is_no_wrap),
	    T(test_v1_too_many_entries_counted),
	    T(test_v1_long_cmdline_truncated),
	    T(test_v1_cmdline_just_fits),
	    T(test_v1_long_loader_name_cut),
	    T(test_v1_strings_outside_memory),
	    T(test_v1_info_unreadable),
	    T(test_v1_info_at_odd_address),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
