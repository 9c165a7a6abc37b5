/*
 * Hosted tests for hypervisor/guest_image.c, multiboot v1: guest_image_load()
 * over small ELF images (32-bit i386 and 64-bit x86-64, each with a
 * multiboot header) loaded into a fake guest memory (guest_image_fixture.h;
 * Multiboot2 images are test_guest_image_mb2.c's). A good image
 * must land byte for byte at its physical addresses and leave a multiboot
 * information block that reads back as the Multiboot 0.6.96 specification
 * says; every malformed image must be refused with its reason and with the
 * guest memory untouched (no write at all, every byte still zero).
 */
#include "guest_image_fixture.h"

/* ---- good images ----------------------------------------------------------------------------- */

/*
 * The information block for pc_ram, read back field by field with the
 * Multiboot 0.6.96 specification's numbers:
 *  - 3.2, machine state: "EAX Must contain the magic value '0x2BADB002'"
 *    and "EBX Must contain the 32-bit physical address of the Multiboot
 *    information structure";
 *  - 3.3, flags: bit 0 mem_*, bit 2 cmdline, bit 6 mmap_*, bit 9
 *    boot_loader_name; "mem_lower and mem_upper indicate the amount of lower
 *    and upper memory, respectively, in kilobytes. Lower memory starts at
 *    address 0, and upper memory starts at address 1 megabyte. The maximum
 *    possible value for lower memory is 640 kilobytes.";
 *  - 3.3, offsets: flags 0, mem_lower 4, mem_upper 8, cmdline 16,
 *    mmap_length 44, mmap_addr 48, boot_loader_name 64;
 *  - 3.3, memory map entries: size (4 bytes, "the size of the associated
 *    structure in bytes", 20 without itself), base_addr (8), length (8),
 *    type (4): "a value of 1 indicates available RAM", any value but 1, 3,
 *    4 and 5 "a reserved area".
 */
static void check_mbi(const char *cmdline)
{
	assert_int_equal(entry.eax, 0x2BADB002);
	assert_int_equal(entry.ebx, 0x8000);

	assert_int_equal(rd32(0x8000 + 0), 0x245); /* bits 0, 2, 6, 9 */
	assert_int_equal(rd32(0x8000 + 4), 640);
	assert_int_equal(rd32(0x8000 + 8), 3072); /* 1 MiB to 4 MiB */
	assert_int_equal(rd32(0x8000 + 16), 0x8100);
	assert_string_equal((char *)guest + 0x8100, cmdline);
	assert_int_equal(rd32(0x8000 + 20), 0); /* mods_count */
	assert_int_equal(rd32(0x8000 + 44), 3 * 24);
	assert_int_equal(rd32(0x8000 + 48), 0x8200);
	assert_int_equal(rd32(0x8000 + 64), 0x8080);
	assert_string_equal((char *)guest + 0x8080, "Proxima");

	assert_int_equal(rd32(0x8200 + 0), 20);
	assert_int_equal(rd64(0x8200 + 4), 0x0);
	assert_int_equal(rd64(0x8200 + 12), 0xa0000);
	assert_int_equal(rd32(0x8200 + 20), 1);
	assert_int_equal(rd32(0x8218 + 0), 20);
	assert_int_equal(rd64(0x8218 + 4), 0xa0000);
	assert_int_equal(rd64(0x8218 + 12), 0x60000);
	assert_int_equal(rd32(0x8218 + 20), 2);
	assert_int_equal(rd32(0x8230 + 0), 20);
	assert_int_equal(rd64(0x8230 + 4), 0x100000);
	assert_int_equal(rd64(0x8230 + 12), 0x300000);
	assert_int_equal(rd32(0x8230 + 20), 1);
	assert_int_equal(rd32(0x8248), 0); /* nothing after the map */
}

static void test_good_32bit_image(void **state)
{
	make32();
	assert_int_equal(load("guest.elf console=ttyS0 x=1"), 0);
	assert_string_equal(err, "");
	check_segment(0x100000, TEXT_OFF, TEXT_SIZE, TEXT_SIZE);
	check_segment(0x101000, DATA_OFF, DATA_FILESZ, DATA_MEMSZ);
	check_nothing_else(0x100000, 0x101000);
	assert_int_equal(entry.eip, 0x10000c);
	assert_int_equal(entry.image_start, 0x100000);
	assert_int_equal(entry.image_end, 0x104000);
	check_mbi("guest.elf console=ttyS0 x=1");
}

static void test_good_64bit_image(void **state)
{
	make64();
	assert_int_equal(load("guest64.elf"), 0);
	assert_string_equal(err, "");
	check_segment(0x200000, TEXT_OFF, TEXT_SIZE, TEXT_SIZE);
	check_segment(0x10000, DATA_OFF, DATA_FILESZ, DATA_MEMSZ);
	check_nothing_else(0x200000, 0x10000);
	assert_int_equal(entry.eip, 0x200000);
	assert_int_equal(entry.image_start, 0x10000);
	assert_int_equal(entry.image_end, 0x200200);
	check_mbi("guest64.elf");
}

static void test_null_cmdline_is_empty(void **state)
{
	make32();
	assert_int_equal(guest_image_load(img, img_len, NULL, &gm, &entry, NULL, 0), 0);
	check_mbi("");
}

static void test_cmdline_limit(void **state)
{
	char line[257];

	/* 255 characters and the NUL fill the 256 bytes at 0x8100. */
	memset(line, 'c', 255);
	line[255] = '\0';
	make32();
	assert_int_equal(load(line), 0);
	check_mbi(line);
	assert_int_equal(guest[0x8200 - 1], 0);

	teardown(state);
	setup(state);
	memset(line, 'c', 256);
	line[256] = '\0';
	assert_int_equal(load(line), -E2BIG);
	assert_string_equal(err, "command line is longer than 255 bytes");
	assert_guest_untouched();
}

static void test_a_out_kludge_flag_uses_elf_headers(void **state)
{
	/*
	 * Section 3.1.2: bit 16 says the header's address fields are valid;
	 * they are garbage here, and the ELF program headers are used.
	 */
	make32();
	put_mb_header(MBH, 0x10003);
	memset(img + MBH + 12, 0xee, 20);
	assert_int_equal(load("k"), 0);
	check_segment(0x100000, TEXT_OFF, TEXT_SIZE, TEXT_SIZE);
	assert_int_equal(entry.eip, 0x10000c);
}

static void test_accepted_flags(void **state)
{
	/* Section 3.1.2: bits 16-31 are optional; bits 0 and 1 we satisfy. */
	static const u32 ok[] = {0x0, 0x1, 0x2, 0x3, 0xfffe0003};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(ok); i++) {
		make64();
		put_mb_header(MBH, ok[i]);
		memset(guest, 0, GUEST_SIZE);
		assert_int_equal(load("k"), 0);
		assert_int_equal(entry.eip, 0x200000);
	}
}

static void test_multiboot_header_placement(void **state)
{
	/*
	 * Section 3.1: "The Multiboot header must be contained completely
	 * within the first 8192 bytes of the OS image, and must be longword
	 * (32-bit) aligned."
	 */
	make32();
	memset(img + MBH, 0, 12);
	put_mb_header(8180, 0x3); /* ends at 8192 */
	assert_int_equal(load("k"), 0);

	teardown(state);
	setup(state);
	memset(img + 8180, 0, 12);
	put_mb_header(8184, 0x3); /* ends at 8196 */
	assert_refused(-EINVAL, "no multiboot header in the first 8 KiB");

	memset(img + 8184, 0, 12);
	put_mb_header(MBH + 2, 0x3); /* not 4-byte aligned */
	assert_refused(-EINVAL, "no multiboot header in the first 8 KiB");

	/* A bad header before a good one: the good one is used. */
	memset(img + MBH + 2, 0, 12);
	put_mb_header(MBH, 0x3);
	put_mb_header(MBH - 12, 0x3);
	img[MBH - 12 + 8] ^= 1;
	assert_int_equal(load("k"), 0);
}

static void test_adjacent_ram_and_covered_hole(void **state)
{
	/* RAM straight through the hole, and adjacent ranges: contiguous. */
	static const struct guest_ram_range ram[] = {
	    {0x0, 0x100000},
	    {0x100000, 0x180000},
	    {0x180000, 0x200000},
	    {0x300000, 0x400000},
	};

	use_ram(ram, ARRAY_SIZE(ram));
	make32();
	assert_int_equal(load("k"), 0);
	assert_int_equal(rd32(0x8000 + 4), 640);     /* at most 640 */
	assert_int_equal(rd32(0x8000 + 8), 1024);    /* 1 MiB to 2 MiB */
	assert_int_equal(rd32(0x8000 + 44), 4 * 24); /* no hole entry */
	assert_int_equal(rd64(0x8200 + 4), 0x0);
	assert_int_equal(rd64(0x8200 + 12), 0x100000);
	assert_int_equal(rd32(0x8200 + 20), 1);
	assert_int_equal(rd64(0x8248 + 4), 0x300000);
	assert_int_equal(rd64(0x8248 + 12), 0x100000);
	assert_int_equal(rd32(0x8248 + 20), 1);
}

static void test_short_low_memory(void **state)
{
	/* Low RAM ends below 640 KiB (an EBDA), no RAM at 1 MiB. */
	static const struct guest_ram_range ram[] = {
	    {0x0, 0x9fc00},
	    {0x200000, 0x400000},
	};

	use_ram(ram, ARRAY_SIZE(ram));
	make64();
	assert_int_equal(load("k"), 0);
	assert_int_equal(rd32(0x8000 + 4), 639);
	assert_int_equal(rd32(0x8000 + 8), 0);
	assert_int_equal(rd32(0x8000 + 44), 3 * 24);
	assert_int_equal(rd64(0x8218 + 4), 0xa0000); /* the hole, between the two */
	assert_int_equal(rd32(0x8218 + 20), 2);
}

static void test_segments_at_ram_and_window_edges(void **state)
{
	make32();
	/* Text ends exactly at the window, data ends exactly at the end of RAM. */
	ph32(0)->p_paddr = 0x8000 - TEXT_SIZE;
	ph32(1)->p_paddr = 0x400000 - DATA_MEMSZ;
	eh32()->e_entry = 0x8000 - TEXT_SIZE;
	assert_int_equal(load("k"), 0);
	assert_int_equal(entry.image_start, 0x7e00);
	assert_int_equal(entry.image_end, 0x400000);

	/* Right after the window. */
	teardown(state);
	setup(state);
	ph32(0)->p_paddr = 0xa000; /* [0xa000, 0xa200) */
	eh32()->e_entry = 0xa1ff;
	assert_int_equal(load("k"), 0);
	assert_int_equal(entry.eip, 0xa1ff);
}

/* ---- refused images ------------------------------------------------------------------------ */

static void test_not_elf(void **state)
{
	make32();
	img[1] = 'e';
	assert_refused(-EINVAL, "not an ELF file");
	img_len = 3; /* shorter than the magic */
	memcpy(img, ELFMAG, SELFMAG);
	assert_refused(-EINVAL, "not an ELF file");
	img_len = 10;
	assert_refused(-EINVAL, "truncated: ELF identification ends at 16, file is 10 bytes");
}

static void test_bad_ident(void **state)
{
	make32();
	img[EI_CLASS] = 3;
	assert_refused(-EINVAL, "ELF class 3 is neither 32- nor 64-bit");
	img[EI_CLASS] = ELFCLASSNONE;
	assert_refused(-EINVAL, "ELF class 0 is neither 32- nor 64-bit");

	make32();
	img[EI_DATA] = ELFDATA2MSB;
	assert_refused(-EINVAL, "ELF data encoding 2 is not little-endian");

	make64();
	img[EI_VERSION] = EV_NONE;
	assert_refused(-EINVAL, "ELF version 0 is not 1");
}

static void test_not_an_executable(void **state)
{
	make32();
	eh32()->e_type = ET_DYN;
	assert_refused(-EINVAL, "ELF type 3 is not an executable (ET_EXEC)");
	make64();
	eh64()->e_type = ET_REL;
	assert_refused(-EINVAL, "ELF type 1 is not an executable (ET_EXEC)");
}

static void test_wrong_machine(void **state)
{
	make32();
	eh32()->e_machine = EM_ARM; /* 40 */
	assert_refused(-EINVAL, "machine 40 is not x86");
	make64();
	eh64()->e_machine = EM_AARCH64; /* 183 */
	assert_refused(-EINVAL, "machine 183 is not x86");

	/* As GRUB: EM_386 only in ELFCLASS32, EM_X86_64 only in ELFCLASS64. */
	make32();
	eh32()->e_machine = EM_X86_64;
	assert_refused(-EINVAL, "machine 62 in a 32-bit ELF file; expected 3");
	make64();
	eh64()->e_machine = EM_386;
	assert_refused(-EINVAL, "machine 3 in a 64-bit ELF file; expected 62");
}

static void test_truncated_elf_header(void **state)
{
	make32();
	img_len = 51; /* sizeof(Elf32_Ehdr) is 52 */
	assert_refused(-EINVAL, "truncated: ELF header ends at 52, file is 51 bytes");
	make64();
	img_len = 40; /* sizeof(Elf64_Ehdr) is 64 */
	assert_refused(-EINVAL, "truncated: ELF header ends at 64, file is 40 bytes");
}

static void test_truncated_program_headers(void **state)
{
	make32();
	eh32()->e_phoff = IMG_LEN - 95; /* three of 32 bytes: one byte short */
	assert_refused(-EINVAL, "truncated: program headers end at 12289, file is 12288 bytes");
	eh32()->e_phoff = 0xfffffff0;
	assert_refused(-EINVAL,
		       "truncated: program headers end at 4294967376, file is 12288 bytes");

	make64();
	eh64()->e_phnum = 0xffff;
	assert_refused(-EINVAL, "truncated: program headers end at 3670024, file is 12288 bytes");
	eh64()->e_phoff = 0xfffffffffffffff0ULL; /* offset + size wraps */
	assert_refused(-EINVAL,
		       "truncated: program headers at offset 18446744073709551600 run past 2^64");
}

static void test_wrong_phentsize(void **state)
{
	make32();
	eh32()->e_phentsize = 56;
	assert_refused(-EINVAL, "program header size 56, expected 32 for a 32-bit ELF file");
	make64();
	eh64()->e_phentsize = 32;
	assert_refused(-EINVAL, "program header size 32, expected 56 for a 64-bit ELF file");
	eh64()->e_phentsize = 0;
	assert_refused(-EINVAL, "program header size 0, expected 56 for a 64-bit ELF file");
}

static void test_segment_beyond_file(void **state)
{
	make32();
	ph32(1)->p_offset = IMG_LEN - DATA_FILESZ + 1;
	assert_refused(-EINVAL, "segment 1: file bytes at offset 12033+256 run past the end of "
				"the file (12288 bytes)");
	make64();
	ph64(0)->p_offset = 0xffffffffffffff00ULL; /* offset + filesz wraps */
	assert_refused(-EINVAL, "segment 0: file bytes at offset 18446744073709551360+512 run "
				"past the end of the file (12288 bytes)");
}

static void test_filesz_above_memsz(void **state)
{
	make32();
	ph32(1)->p_memsz = DATA_FILESZ - 1;
	assert_refused(-EINVAL, "segment 1: file size 256 is larger than its memory size 255");
}

static void test_segment_outside_ram(void **state)
{
	make32();
	ph32(0)->p_paddr = 0x500000;
	assert_refused(-ERANGE, "segment 0 at 0x500000-0x500200 is outside guest RAM");
	ph32(0)->p_paddr = 0x3fff00; /* runs 0x100 past the end */
	assert_refused(-ERANGE, "segment 0 at 0x3fff00-0x400100 is outside guest RAM");
	ph32(0)->p_paddr = 0xc0000; /* inside the hole */
	assert_refused(-ERANGE, "segment 0 at 0xc0000-0xc0200 is outside guest RAM");
}

static void test_segment_across_the_hole(void **state)
{
	/* Both ends in RAM, the middle in the hole: not inside one range. */
	make64();
	ph64(1)->p_paddr = 0x9f000;
	ph64(1)->p_memsz = 0x62000; /* to 0x101000 */
	assert_refused(-ERANGE, "segment 1 at 0x9f000-0x101000 is outside guest RAM");
}

static void test_segment_address_overflow(void **state)
{
	make64();
	ph64(0)->p_paddr = 0xfffffffffffff000ULL;
	ph64(0)->p_memsz = 0x2000;
	assert_refused(-EINVAL, "segment 0 at 0xfffffffffffff000+0x2000 wraps past 2^64");
}

static void test_no_load_segment(void **state)
{
	make32();
	ph32(0)->p_type = PT_NULL;
	ph32(1)->p_type = PT_NOTE;
	assert_refused(-EINVAL, "no PT_LOAD segment to load");
	eh32()->e_phnum = 0;
	assert_refused(-EINVAL, "no PT_LOAD segment to load");

	/* PT_LOADs with nothing in memory load nothing either. */
	make64();
	ph64(0)->p_filesz = ph64(0)->p_memsz = 0;
	ph64(1)->p_filesz = ph64(1)->p_memsz = 0;
	assert_refused(-EINVAL, "no PT_LOAD segment to load");
}

static void test_entry_outside_segments(void **state)
{
	make32();
	eh32()->e_entry = 0x100200; /* one past the text */
	assert_refused(-EINVAL, "entry point 0x100200 is not inside a loaded segment");
	eh32()->e_entry = 0;
	assert_refused(-EINVAL, "entry point 0x0 is not inside a loaded segment");
	eh32()->e_entry = 0x103fff; /* last byte of the data's bss: inside */
	assert_int_equal(load("k"), 0);

	make64();
	eh64()->e_entry = 0x100000000ULL;
	teardown(state);
	setup(state);
	assert_refused(-ERANGE, "entry point 0x100000000 is above 4 GiB");
}

static void test_no_multiboot_header(void **state)
{
	make32();
	memset(img + MBH, 0, 12);
	assert_refused(-EINVAL, "no multiboot header in the first 8 KiB");
	/* One past the first 8 KiB does not count. */
	put_mb_header(0x2100, 0x3);
	assert_refused(-EINVAL, "no multiboot header in the first 8 KiB");
}

static void test_bad_checksum(void **state)
{
	make32();
	img[MBH + 8]++;
	assert_refused(-EINVAL, "multiboot header checksum wrong (at offset 256)");
}

static void test_unsupported_flags(void **state)
{
	make64();
	put_mb_header(MBH, 0x7);
	assert_refused(
	    -EINVAL, "multiboot header asks for a video mode (flag bit 2), which we do not set up");
	put_mb_header(MBH, 0x23);
	assert_refused(-EINVAL, "multiboot header requires flag bit 5, which we do not know");
	put_mb_header(MBH, 0x8000);
	assert_refused(-EINVAL, "multiboot header requires flag bit 15, which we do not know");
}

static void test_segment_overlapping_the_mbi(void **state)
{
	make32();
	ph32(0)->p_paddr = 0x9f00; /* the window's last 0x100 bytes */
	assert_refused(-ERANGE, "segment 0 at 0x9f00-0xa100 overlaps the multiboot information "
				"at 0x8000-0xa000");
	ph32(0)->p_paddr = 0x7e01; /* its first byte */
	assert_refused(-ERANGE, "segment 0 at 0x7e01-0x8001 overlaps the multiboot information "
				"at 0x8000-0xa000");

	/* Only the bss reaches into the window: that counts as well. */
	make64();
	ph64(1)->p_paddr = 0x6000;
	assert_refused(-ERANGE, "segment 1 at 0x6000-0x9000 overlaps the multiboot information "
				"at 0x8000-0xa000");
}

static void test_mbi_outside_ram(void **state)
{
	static const struct guest_ram_range ram[] = {
	    {0x9000, 0xa0000}, /* starts inside the window */
	    {0x100000, 0x400000},
	};

	use_ram(ram, ARRAY_SIZE(ram));
	make32();
	assert_refused(-ERANGE, "multiboot information at 0x8000-0xa000 is not in guest RAM");
	use_ram(pc_ram + 1, 1);
	assert_refused(-ERANGE, "multiboot information at 0x8000-0xa000 is not in guest RAM");
}

static void test_too_many_ram_ranges(void **state)
{
	/*
	 * 320 24-byte entries fit between 0x8200 and 0xa000. The two PC ranges,
	 * the hole and 317 more make 320; one more range is too many.
	 */
	static struct guest_ram_range ram[2 + 318];
	unsigned int i;

	ram[0] = pc_ram[0];
	ram[1] = pc_ram[1];
	for (i = 2; i < ARRAY_SIZE(ram); i++) {
		ram[i].start = 0x400000 + 0x2000ULL * i;
		ram[i].end = ram[i].start + 0x1000;
	}
	make32();
	use_ram(ram, ARRAY_SIZE(ram));
	assert_refused(-E2BIG,
		       "320 RAM ranges do not fit the multiboot memory map (at most 320 entries)");

	use_ram(ram, ARRAY_SIZE(ram) - 1);
	assert_int_equal(load("k"), 0);
	assert_int_equal(rd32(0x8000 + 44), 320 * 24);
	assert_int_equal(rd64(0x8200 + 319 * 24 + 4), 0x400000 + 0x2000ULL * 318);
}

static void test_write_error_returned(void **state)
{
	make32();
	fail_write = 2; /* the data segment */
	assert_int_equal(load("k"), -EIO);
	assert_string_equal(err, "writing segment 1 at 0x101000 failed (-5)");

	teardown(state);
	setup(state);
	fail_write = 3; /* the first memory map entry */
	assert_int_equal(load("k"), -EIO);
	assert_string_equal(err, "writing the multiboot information failed (-5)");
}

static void test_reason_cut_to_err_size(void **state)
{
	char small[12];

	make32();
	img[EI_CLASS] = 7;
	assert_int_equal(guest_image_load(img, img_len, "", &gm, &entry, small, sizeof(small)),
			 -EINVAL);
	assert_string_equal(small, "ELF class 7");
	/* No room for a reason at all. */
	assert_int_equal(guest_image_load(img, img_len, "", &gm, &entry, NULL, 0), -EINVAL);
	assert_guest_untouched();
}

#define G(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    G(test_good_32bit_image),
	    G(test_good_64bit_image),
	    G(test_null_cmdline_is_empty),
	    G(test_cmdline_limit),
	    G(test_a_out_kludge_flag_uses_elf_headers),
	    G(test_accepted_flags),
	    G(test_multiboot_header_placement),
	    G(test_adjacent_ram_and_covered_hole),
	    G(test_short_low_memory),
	    G(test_segments_at_ram_and_window_edges),
	    G(test_not_elf),
	    G(test_bad_ident),
	    G(test_not_an_executable),
	    G(test_wrong_machine),
	    G(test_truncated_elf_header),
	    G(test_truncated_program_headers),
	    G(test_wrong_phentsize),
	    G(test_segment_beyond_file),
	    G(test_filesz_above_memsz),
	    G(test_segment_outside_ram),
	    G(test_segment_across_the_hole),
	    G(test_segment_address_overflow),
	    G(test_no_load_segment),
	    G(test_entry_outside_segments),
	    G(test_no_multiboot_header),
	    G(test_bad_checksum),
	    G(test_unsupported_flags),
	    G(test_segment_overlapping_the_mbi),
	    G(test_mbi_outside_ram),
	    G(test_too_many_ram_ranges),
	    G(test_write_error_returned),
	    G(test_reason_cut_to_err_size),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
