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
#define MB1_MODS (1U << 3)
#define MB1_MMAP (1U << 6)
#define MB1_LOADER (1U << 9)

/* Offsets in the v1 information structure. */
#define MB1_FLAGS 0
#define MB1_MEM_LOWER 4
#define MB1_MEM_UPPER 8
#define MB1_CMDLINE_ADDR 16
#define MB1_MODS_COUNT 20
#define MB1_MODS_ADDR 24
#define MB1_MMAP_LENGTH 44
#define MB1_MMAP_ADDR 48
#define MB1_LOADER_ADDR 64

#define STRINGS 0x1000 /* command line, loader name */
#define MMAP 0x2000    /* v1 memory map */
#define MODS 0x3000    /* v1 module table */
#define LONG_STR 0x4000

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

/*
 * Multiboot 0.6.96, section 3.3: "If bit 3 of the 'flags' is set, then the
 * 'mods' fields indicate to the kernel what boot modules were loaded along
 * with the kernel image, and where they can be found. 'mods_count'
 * contains the number of modules loaded; 'mods_addr' contains the physical
 * address of the first module structure." Each structure is 16 bytes:
 * mod_start (0), mod_end (4), string (8), reserved (12). "The 'string'
 * field may be 0 if there is no string associated with the module." GRUB
 * and QEMU set mod_end one past the last byte.
 */
static unsigned int mb1_nr_mods;

static void mb1_module(u32 start, u32 end, u32 string)
{
	unsigned int off = MODS + 16 * mb1_nr_mods++;

	put32(off, start);
	put32(off + 4, end);
	put32(off + 8, string);
	put32(off + 12, 0);
	put32(INFO + MB1_MODS_COUNT, mb1_nr_mods);
	put32(INFO + MB1_MODS_ADDR, (u32)pa(MODS));
}

/* A module string at STRINGS + 0x100 * slot; returns its address. */
static u32 mb1_str(unsigned int slot, const char *s)
{
	put_str(STRINGS + 0x100 * slot, s);
	return (u32)pa(STRINGS + 0x100 * slot);
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

/* ---- boot modules (flags bit 3) ---------------------------------------------------------- */

static void test_v1_modules(void **state)
{
	mb1_begin(MB1_MODS | MB1_CMDLINE);
	mb1_nr_mods = 0;
	put32(INFO + MB1_CMDLINE_ADDR, mb1_str(0, "/boot/proxima"));
	mb1_module(0x300000, 0x312345, mb1_str(1, "guest.elf console=ttyS0"));
	mb1_module(0x313000, 0x313000, 0);		/* empty file, no string */
	mb1_module(0x312345, 0x313000, mb1_str(2, "")); /* touches both neighbours */
	/* Right after the image, and right before it: neither overlaps. */
	mb1_module(IMAGE_END, IMAGE_END + 0x1000, mb1_str(3, "after"));
	mb1_module(IMAGE_START - 0x1000, IMAGE_START, mb1_str(4, "before"));

	assert_int_equal(parse_mb1(), 0);
	assert_string_equal(bi.cmdline, "/boot/proxima");
	assert_int_equal(bi.nr_modules, 5);
	check_module(0, 0x300000, 0x312345, "guest.elf console=ttyS0");
	check_module(1, 0x313000, 0x313000, "");
	check_module(2, 0x312345, 0x313000, "");
	check_module(3, 0x280000, 0x281000, "after");
	check_module(4, 0x1ff000, 0x200000, "before");
	assert_int_equal(bi.modules_dropped, 0);
	assert_console_empty();

	bootmod_print(&bi);
	assert_string_equal(console_text(),
			    "module 0: 0x0000000000300000-0x0000000000312345 74565 bytes "
			    "\"guest.elf console=ttyS0\"\n"
			    "module 1: 0x0000000000313000-0x0000000000313000 0 bytes \"\"\n"
			    "module 2: 0x0000000000312345-0x0000000000313000 3259 bytes \"\"\n"
			    "module 3: 0x0000000000280000-0x0000000000281000 4 KiB \"after\"\n"
			    "module 4: 0x00000000001ff000-0x0000000000200000 4 KiB \"before\"\n");
}

static void test_v1_modules_flag_clear_or_count_zero(void **state)
{
	/* A valid table, but flags bit 3 is clear: no modules. */
	mb1_begin(0);
	mb1_nr_mods = 0;
	mb1_module(0x300000, 0x301000, mb1_str(0, "ignored"));
	assert_int_equal(parse_mb1(), 0);
	assert_int_equal(bi.nr_modules, 0);

	/* "'mods_count' may be zero ... even if bit 3 of 'flags' is set." */
	mb1_begin(MB1_MODS);
	put32(INFO + MB1_MODS_COUNT, 0);
	put32(INFO + MB1_MODS_ADDR, 0);
	assert_int_equal(parse_mb1(), 0);
	assert_int_equal(bi.nr_modules, 0);
	assert_int_equal(bi.modules_dropped, 0);
	assert_console_empty();
	bootmod_print(&bi);
	assert_console_empty();
}

static void test_v1_module_ending_before_its_start(void **state)
{
	mb1_begin(MB1_MODS);
	mb1_nr_mods = 0;
	mb1_module(0x300000, 0x301000, mb1_str(0, "first"));
	mb1_module(0x500000, 0x400000, mb1_str(1, "backwards"));
	mb1_module(0x600000, 0x601000, mb1_str(2, "third"));

	assert_int_equal(parse_mb1(), 0);
	assert_string_equal(console_text(), "multiboot: module 1 at 0x500000-0x400000 ends before "
					    "it starts; skipped\n");
	assert_int_equal(bi.nr_modules, 2);
	check_module(0, 0x300000, 0x301000, "first");
	check_module(1, 0x600000, 0x601000, "third");
	assert_int_equal(bi.modules_dropped, 0);
}

static void test_v1_module_past_4_gib(void **state)
{
	/*
	 * mod_start and mod_end are 32-bit: a module that runs past 4 GiB
	 * can only be written with its end wrapped below its start.
	 */
	mb1_begin(MB1_MODS);
	mb1_nr_mods = 0;
	mb1_module(0xfffff000, 0x1000, mb1_str(0, "wraps"));

	assert_int_equal(parse_mb1(), 0);
	assert_string_equal(console_text(), "multiboot: module 0 at 0xfffff000-0x1000 ends before "
					    "it starts; skipped\n");
	assert_int_equal(bi.nr_modules, 0);
}

static void test_v1_module_overlapping_another(void **state)
{
	mb1_begin(MB1_MODS);
	mb1_nr_mods = 0;
	mb1_module(0x300000, 0x302000, mb1_str(0, "a"));
	mb1_module(0x301fff, 0x303000, mb1_str(1, "b")); /* one byte in common */
	mb1_module(0x2ff000, 0x304000, mb1_str(2, "c")); /* around a */
	mb1_module(0x302000, 0x303000, mb1_str(3, "d")); /* right after a: kept */

	assert_int_equal(parse_mb1(), 0);
	assert_string_equal(console_text(),
			    "multiboot: module 1 at 0x301fff-0x303000 overlaps module 0 at "
			    "0x300000-0x302000; skipped\n"
			    "multiboot: module 2 at 0x2ff000-0x304000 overlaps module 0 at "
			    "0x300000-0x302000; skipped\n");
	assert_int_equal(bi.nr_modules, 2);
	check_module(0, 0x300000, 0x302000, "a");
	check_module(1, 0x302000, 0x303000, "d");
}

static void test_v1_module_overlapping_the_image(void **state)
{
	mb1_begin(MB1_MODS);
	mb1_nr_mods = 0;
	mb1_module(0x27f000, 0x281000, mb1_str(0, "end"));	/* across the image's end */
	mb1_module(0x1ff000, 0x200001, mb1_str(1, "start"));	/* into its first byte */
	mb1_module(0x100000, 0x10000000, mb1_str(2, "around")); /* all of it */
	mb1_module(0x300000, 0x301000, mb1_str(3, "good"));

	assert_int_equal(parse_mb1(), 0);
	assert_string_equal(console_text(),
			    "multiboot: module 0 at 0x27f000-0x281000 overlaps the hypervisor "
			    "image at 0x200000-0x280000; skipped\n"
			    "multiboot: module 1 at 0x1ff000-0x200001 overlaps the hypervisor "
			    "image at 0x200000-0x280000; skipped\n"
			    "multiboot: module 2 at 0x100000-0x10000000 overlaps the hypervisor "
			    "image at 0x200000-0x280000; skipped\n");
	assert_int_equal(bi.nr_modules, 1);
	check_module(0, 0x300000, 0x301000, "good");
}

static void test_v1_too_many_modules_counted(void **state)
{
	unsigned int i;

	mb1_begin(MB1_MODS);
	mb1_nr_mods = 0;
	for (i = 0; i < 20; i++)
		mb1_module(0x300000 + 0x1000 * i, 0x300800 + 0x1000 * i, 0);

	assert_int_equal(parse_mb1(), 0);
	assert_int_equal(bi.nr_modules, 16);
	assert_int_equal(bi.modules_dropped, 4);
	check_module(15, 0x30f000, 0x30f800, "");
	assert_console_empty();
	bootmod_print(&bi);
	assert_console_has("module 15: 0x000000000030f000-0x000000000030f800 2 KiB \"\"\n");
	assert_console_has("modules: 4 beyond the first 16 were ignored\n");
	assert_console_lacks("module 16:");
}

static void test_v1_huge_module_count_not_walked(void **state)
{
	unsigned int i;

	mb1_begin(MB1_MODS);
	mb1_nr_mods = 0;
	for (i = 0; i < 16; i++)
		mb1_module(0x300000 + 0x1000 * i, 0x301000 + 0x1000 * i, 0);
	put32(INFO + MB1_MODS_COUNT, 0xffffffffU);
	fake_phys_set_call_limit(10000);

	assert_int_equal(parse_mb1(), 0);
	assert_int_equal(bi.nr_modules, 16);
	assert_int_equal(bi.modules_dropped, 0xffffffffU - 16);
	assert_console_empty();
}

static void test_v1_module_table_unreadable(void **state)
{
	mb1_begin(MB1_MODS);
	mb1_nr_mods = 0;
	mb1_module(0x300000, 0x301000, mb1_str(0, "kept"));
	mb1_module(0x301000, 0x302000, mb1_str(1, "kept too"));
	/* Move the table so its third entry runs off the mapped memory. */
	memcpy(phys + PHYS_SIZE - 40, phys + MODS, 32);
	put32(INFO + MB1_MODS_ADDR, (u32)pa(PHYS_SIZE - 40));
	put32(INFO + MB1_MODS_COUNT, 3);

	assert_int_equal(parse_mb1(), 0);
	assert_string_equal(console_text(), "multiboot: module table entry 2 at 0x10fff8 is "
					    "unreadable; ignoring the rest of the table\n");
	assert_int_equal(bi.nr_modules, 2);
	check_module(0, 0x300000, 0x301000, "kept");
	check_module(1, 0x301000, 0x302000, "kept too");

	/* A table at an address nothing maps. */
	put32(INFO + MB1_MODS_ADDR, 0x80000000);
	console_clear();
	assert_int_equal(parse_mb1(), 0);
	assert_string_equal(console_text(), "multiboot: module table entry 0 at 0x80000000 is "
					    "unreadable; ignoring the rest of the table\n");
	assert_int_equal(bi.nr_modules, 0);
}

static void test_v1_module_cmdline_truncated(void **state)
{
	static char line[300];

	memset(line, 'm', sizeof(line) - 1);
	line[sizeof(line) - 1] = '\0';
	put_str(LONG_STR, line);
	mb1_begin(MB1_MODS);
	mb1_nr_mods = 0;
	mb1_module(0x300000, 0x301000, (u32)pa(LONG_STR));
	/* Exactly BOOT_MODULE_CMDLINE_MAX - 1 characters still fit. */
	line[255] = '\0';
	mb1_module(0x301000, 0x302000, mb1_str(0, line));

	assert_int_equal(parse_mb1(), 0);
	assert_int_equal(bi.nr_modules, 2);
	assert_true(bi.modules[0].cmdline_truncated);
	assert_int_equal(strlen(bi.modules[0].cmdline), 255);
	assert_memory_equal(bi.modules[0].cmdline, line, 255);
	check_module(1, 0x301000, 0x302000, line);
	assert_false(bi.cmdline_truncated);

	bootmod_print(&bi);
	assert_console_has("mmmm\" (command line cut)\nmodule 1: ");
	assert_int_equal(console_count("(command line cut)"), 1);
}

static void test_v1_module_string_unreadable(void **state)
{
	mb1_begin(MB1_MODS);
	mb1_nr_mods = 0;
	mb1_module(0x300000, 0x301000, 0x80000000); /* unmapped */
	memcpy(phys + PHYS_SIZE - 3, "abc", 3);	    /* no NUL before the end */
	mb1_module(0x301000, 0x302000, (u32)pa(PHYS_SIZE - 3));

	assert_int_equal(parse_mb1(), 0);
	assert_int_equal(bi.nr_modules, 2);
	check_module(0, 0x300000, 0x301000, "");
	check_module(1, 0x301000, 0x302000, "abc");
	assert_console_empty();
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
	    T(test_v1_modules),
	    T(test_v1_modules_flag_clear_or_count_zero),
	    T(test_v1_module_ending_before_its_start),
	    T(test_v1_module_past_4_gib),
	    T(test_v1_module_overlapping_another),
	    T(test_v1_module_overlapping_the_image),
	    T(test_v1_too_many_modules_counted),
	    T(test_v1_huge_module_count_not_walked),
	    T(test_v1_module_table_unreadable),
	    T(test_v1_module_cmdline_truncated),
	    T(test_v1_module_string_unreadable),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
