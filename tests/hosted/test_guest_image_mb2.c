/*
 * Hosted tests for hypervisor/guest_image.c, Multiboot2: images with a
 * Multiboot2 header (and the multiboot v1 one the fixture puts in every
 * image) loaded into the fake guest of guest_image_fixture.h. A good image
 * gets the Multiboot2 information read back with the specification's
 * numbers (Multiboot2 1.0, 2016): machine state in 3.3 ("EAX Must contain
 * the magic value '0x36d76289'"), the information's layout in 3.4 (u32
 * total_size, u32 reserved, then tags "padded when necessary in order to
 * [...] start at 8-bytes aligned address", each u32 type, u32 size without
 * the padding, ending with type 0 size 8), the tags in 3.6: 1 command line
 * (a C string), 2 boot loader name, 4 basic memory (mem_lower, mem_upper
 * in KiB), 6 memory map (entry_size, entry_version 0, entries of u64
 * base_addr, u64 length, u32 type, u32 reserved), 14 and 15 ACPI old and
 * new RSDP (copies). The header (3.1): magic 0xE85250D6, architecture 0
 * for i386, header_length, checksum, 8-byte aligned tags with flags bit 0
 * "optional", end tag type 0. Every refusal leaves the guest untouched.
 */
#include "guest_image_fixture.h"

#define MB2H 0x200 /* where the images get their Multiboot2 header */
#define MB2_MAGIC 0xE85250D6

/* A stand-in RSDP: only copied, so any 36 bytes do; these are 0x40..0x63. */
static u8 rsdp[36];

/* The header being built: its tags after the 16 fixed bytes. */
static u8 hdr[256];
static size_t hdr_len;

static void mb2_begin(void)
{
	memset(hdr, 0, sizeof(hdr));
	hdr_len = 16;
}

/* A tag: type, flags, and size - 8 payload bytes; padded to 8. */
static void mb2_tag(u16 type, u16 flags, const void *payload, u32 len)
{
	u32 size = 8 + len;

	memcpy(hdr + hdr_len, &type, 2);
	memcpy(hdr + hdr_len + 2, &flags, 2);
	memcpy(hdr + hdr_len + 4, &size, 4);
	if (len)
		memcpy(hdr + hdr_len + 8, payload, len);
	hdr_len += (size + 7) & ~7U;
}

/* Put the header at MB2H with the end tag, architecture arch and a right checksum. */
static void mb2_end(u32 arch)
{
	u32 fixed[4] = {MB2_MAGIC, arch, 0, 0};

	mb2_tag(0, 0, NULL, 0);
	fixed[2] = (u32)hdr_len;
	fixed[3] = -(MB2_MAGIC + arch + (u32)hdr_len);
	memcpy(hdr, fixed, sizeof(fixed));
	memcpy(img + MB2H, hdr, hdr_len);
}

/* A 32-bit image whose header asks for the command line, the memory map and the new RSDP. */
static void make_mb2(u16 request_flags)
{
	u32 want[3] = {1, 6, 15};

	make32();
	mb2_begin();
	mb2_tag(1, request_flags, want, sizeof(want));
	mb2_end(0);
}

static int setup_mb2(void **state)
{
	unsigned int i;

	setup(state);
	for (i = 0; i < sizeof(rsdp); i++)
		rsdp[i] = (u8)(0x40 + i);
	gm.rsdp = rsdp;
	return 0;
}

/* A fresh, untouched guest for a second load in the same test. */
static void reset_guest(void)
{
	memset(guest, 0, GUEST_SIZE);
	nr_writes = 0;
	memset(err, 'x', sizeof(err));
}

static void assert_tag(u64 off, u32 type, u32 size)
{
	if (rd32(0x8000 + off) != type || rd32(0x8000 + off + 4) != size)
		fail_msg("tag at +%llu: type %u size %u, expected type %u size %u", off,
			 rd32(0x8000 + off), rd32(0x8000 + off + 4), type, size);
}

/*
 * For pc_ram and "guest.elf x=1" (14 bytes with the NUL): the tags at
 * +8 (command line, 8 + 14 = 22, padded to 24), +32 (loader name, 8 + 8),
 * +48 (basic memory, 16: 640 KiB low, 1 MiB to 4 MiB = 3072 KiB high),
 * +64 (memory map, 16 + 3 * 24 = 88: RAM, the hole reserved, RAM), +152
 * (old RSDP, 8 + 20 = 28, padded to 32), +184 (new RSDP, 8 + 36 = 44,
 * padded to 48), +232 (end, 8): 240 bytes.
 */
static void check_mbi2(void)
{
	assert_int_equal(entry.eax, 0x36d76289);
	assert_int_equal(entry.ebx, 0x8000);
	assert_int_equal(entry.protocol, 2);
	assert_int_equal(rd32(0x8000), 240);
	assert_int_equal(rd32(0x8004), 0);
	assert_tag(8, 1, 22);
	assert_string_equal((char *)guest + 0x8010, "guest.elf x=1");
	assert_tag(32, 2, 16);
	assert_string_equal((char *)guest + 0x8028, "Proxima");
	assert_tag(48, 4, 16);
	assert_int_equal(rd32(0x8038), 640);
	assert_int_equal(rd32(0x803c), 3072);
	assert_tag(64, 6, 88);
	assert_int_equal(rd32(0x8048), 24); /* entry_size */
	assert_int_equal(rd32(0x804c), 0);  /* entry_version */
	assert_int_equal(rd64(0x8050), 0x0);
	assert_int_equal(rd64(0x8058), 0xa0000);
	assert_int_equal(rd32(0x8060), 1);
	assert_int_equal(rd32(0x8064), 0);
	assert_int_equal(rd64(0x8068), 0xa0000);
	assert_int_equal(rd64(0x8070), 0x60000);
	assert_int_equal(rd32(0x8078), 2);
	assert_int_equal(rd64(0x8080), 0x100000);
	assert_int_equal(rd64(0x8088), 0x300000);
	assert_int_equal(rd32(0x8090), 1);
	assert_tag(152, 14, 28);
	assert_memory_equal(guest + 0x80a0, rsdp, 20);
	assert_tag(184, 15, 44);
	assert_memory_equal(guest + 0x80c0, rsdp, 36);
	assert_tag(232, 0, 8);
	assert_int_equal(rd32(0x80f0), 0); /* nothing after the end tag */
}

/* ---- good images ----------------------------------------------------------------------------- */

static void test_mb2_preferred_to_v1(void **state)
{
	make_mb2(0);
	assert_int_equal(load("guest.elf x=1"), 0);
	assert_string_equal(err, "");
	check_segment(0x100000, TEXT_OFF, TEXT_SIZE, TEXT_SIZE);
	check_segment(0x101000, DATA_OFF, DATA_FILESZ, DATA_MEMSZ);
	check_nothing_else(0x100000, 0x101000);
	assert_int_equal(entry.eip, 0x10000c);
	check_mbi2();
}

static void test_mb2_64bit_image(void **state)
{
	u32 want[1] = {6};

	make64();
	mb2_begin();
	mb2_tag(1, 0, want, sizeof(want));
	mb2_end(0);
	assert_int_equal(load("guest.elf x=1"), 0);
	assert_int_equal(entry.eip, 0x200000);
	check_mbi2();
}

static void test_mb2_without_acpi(void **state)
{
	/* No RSDP: no ACPI tags, the end tag at +152, 160 bytes; asking for one must be optional.
	 */
	gm.rsdp = NULL;
	make_mb2(1);
	assert_int_equal(load("guest.elf x=1"), 0);
	assert_int_equal(rd32(0x8000), 160);
	assert_tag(64, 6, 88);
	assert_tag(152, 0, 8);
	make_mb2(0);
	reset_guest();
	assert_refused(-EINVAL, "multiboot2 header asks for information tag 15, which we do not "
				"give");
}

static void test_mb2_entry_address_tag(void **state)
{
	u32 at = 0x100100;

	make32();
	mb2_begin();
	mb2_tag(3, 0, &at, 4);
	mb2_end(0);
	assert_int_equal(load(""), 0);
	assert_int_equal(entry.eip, 0x100100);

	/* Outside the loaded segments: refused like a bad e_entry. */
	at = 0x300000;
	reset_guest();
	make32();
	mb2_begin();
	mb2_tag(3, 0, &at, 4);
	mb2_end(0);
	assert_refused(-EINVAL, "entry point 0x300000 is not inside a loaded segment");
}

static void test_mb2_tags_accepted(void **state)
{
	u32 console = 2, align = 0, reloc[4] = {0x100000, 0x1000000, 0x1000, 1}, addr[4] = {0};
	u32 fb[3] = {640, 480, 32}, unknown = 7, efi = 0x100000;

	/* Each tag Proxima need not act on, and the optional ones it cannot honour. */
	make32();
	mb2_begin();
	mb2_tag(4, 0, &console, 4);  /* console flags: EGA text supported, no console required */
	mb2_tag(6, 0, &align, 0);    /* module alignment */
	mb2_tag(7, 0, NULL, 0);	     /* EFI boot services */
	mb2_tag(8, 0, &efi, 4);	     /* EFI i386 entry */
	mb2_tag(9, 0, &efi, 4);	     /* EFI amd64 entry */
	mb2_tag(10, 0, reloc, 16);   /* relocatable: min, max, align, preference */
	mb2_tag(2, 1, addr, 16);     /* address (a.out kludge), optional */
	mb2_tag(5, 1, fb, 12);	     /* framebuffer, optional */
	mb2_tag(99, 1, &unknown, 4); /* unknown, optional */
	mb2_end(0);
	assert_int_equal(load(""), 0);
	assert_int_equal(entry.eax, 0x36d76289);
}

static void test_mb2_checksum_wrong_falls_back_to_v1(void **state)
{
	/* The v1 header is good: a broken Multiboot2 one is passed over. */
	make_mb2(0);
	img[MB2H + 12] ^= 1;
	assert_int_equal(load(""), 0);
	assert_int_equal(entry.eax, 0x2BADB002);
	assert_int_equal(entry.protocol, 1);
	/* Without the v1 header it is the reason. */
	reset_guest();
	make_mb2(0);
	img[MB2H + 12] ^= 1;
	memset(img + MBH, 0, 12);
	assert_refused(
	    -EINVAL,
	    "multiboot2 header checksum wrong (at offset 512), and no multiboot v1 header");
}

static void test_mb2_header_not_8_aligned_is_not_one(void **state)
{
	/* 3.1: "must be 64-bit aligned": at 0x204 it is not looked at. */
	make_mb2(0);
	memmove(img + MB2H + 4, img + MB2H, hdr_len);
	memset(img + MB2H, 0, 4);
	assert_int_equal(load(""), 0);
	assert_int_equal(entry.eax, 0x2BADB002);
}

/* ---- refusals -------------------------------------------------------------------------------- */

static void test_mb2_bad_architecture(void **state)
{
	make32();
	mb2_begin();
	mb2_end(4); /* 3.1.3: 4 is 32-bit MIPS */
	assert_refused(-EINVAL, "multiboot2 header architecture 4 is not i386 (0)");
}

static void test_mb2_required_tags_refused(void **state)
{
	u32 addr[4] = {0x100000, 0x100000, 0x101200, 0x104000}, fb[3] = {640, 480, 32};
	u32 console = 1, unknown = 0, want = 3; /* 3: modules, which Proxima does not give */

	make32();
	mb2_begin();
	mb2_tag(2, 0, addr, 16);
	mb2_end(0);
	assert_refused(-EINVAL, "multiboot2 address tag (a.out kludge) is not supported: an ELF "
				"image needs none");

	make32();
	mb2_begin();
	mb2_tag(5, 0, fb, 12);
	mb2_end(0);
	assert_refused(-EINVAL, "multiboot2 header asks for a framebuffer, which we do not set up");

	make32();
	mb2_begin();
	mb2_tag(4, 0, &console, 4);
	mb2_end(0);
	assert_refused(-EINVAL, "multiboot2 header requires a console, which we do not provide (a "
				"serial line only)");

	make32();
	mb2_begin();
	mb2_tag(11, 0, &unknown, 4);
	mb2_end(0);
	assert_refused(-EINVAL, "multiboot2 header tag type 11 is unknown and not optional");

	make32();
	mb2_begin();
	mb2_tag(1, 0, &want, 4);
	mb2_end(0);
	assert_refused(-EINVAL,
		       "multiboot2 header asks for information tag 3, which we do not give");
}

static void test_mb2_malformed_headers(void **state)
{
	u32 fixed[4], at = 0x100000;

	/* header_length past the file's first 32 KiB (the file is 12 KiB). */
	make32();
	fixed[0] = MB2_MAGIC;
	fixed[1] = 0;
	fixed[2] = 0x3000;
	fixed[3] = -(MB2_MAGIC + 0x3000);
	memcpy(img + MB2H, fixed, 16);
	assert_refused(-EINVAL, "multiboot2 header length 12288 at offset 512 does not fit the "
				"first 32768 bytes of the file (12288 bytes) with an end tag");

	/* Too short for an end tag. */
	fixed[2] = 16;
	fixed[3] = -(MB2_MAGIC + 16);
	memcpy(img + MB2H, fixed, 16);
	assert_refused(-EINVAL, "multiboot2 header length 16 at offset 512 does not fit the first "
				"32768 bytes of the file (12288 bytes) with an end tag");

	/* No end tag: an entry tag fills the header. */
	make32();
	mb2_begin();
	mb2_tag(3, 0, &at, 4);
	fixed[2] = (u32)hdr_len;
	fixed[3] = -(MB2_MAGIC + (u32)hdr_len);
	memcpy(hdr, fixed, 16);
	memcpy(img + MB2H, hdr, hdr_len);
	assert_refused(-EINVAL, "multiboot2 header at offset 512 has no end tag");

	/* A tag of size 4, and one whose size runs past the header. */
	make_mb2(0);
	img[MB2H + 16 + 4] = 4;
	assert_refused(-EINVAL, "multiboot2 header tag at offset 528: size 4 runs past the "
				"header's 48 bytes");
	make_mb2(0);
	img[MB2H + 16 + 4] = 200;
	assert_refused(-EINVAL, "multiboot2 header tag at offset 528: size 200 runs past the "
				"header's 48 bytes");

	/* An entry address tag too short to hold its address. */
	make32();
	mb2_begin();
	mb2_tag(3, 0, NULL, 0);
	mb2_end(0);
	assert_refused(-EINVAL, "multiboot2 entry address tag of 8 bytes (12 needed)");
}

/*
 * The information must fit its 8 KiB window: with "guest.elf" (10 bytes,
 * tag padded to 24), RAM [0, 0xa0000) and k pages above 1 MiB, the map has
 * k + 2 entries (the hole among them) and the information is 8 + 24 + 16 +
 * 16 + 16 + 24 (k + 2) + 32 + 48 + 8 = 168 + 24 (k + 2) bytes: k = 332
 * is 8184 bytes and fits, k = 333 is 8208 and does not.
 */
static struct guest_ram_range many[1 + 333];

static void test_mb2_information_must_fit(void **state)
{
	u32 want[1] = {6};
	unsigned int k;

	many[0] = (struct guest_ram_range){0, 0xa0000};
	for (k = 0; k < 333; k++)
		many[1 + k] =
		    (struct guest_ram_range){0x100000 + k * 0x2000, 0x101000 + k * 0x2000};
	make64();
	mb2_begin();
	mb2_tag(1, 0, want, sizeof(want));
	mb2_end(0);
	use_ram(many, 1 + 332);
	assert_int_equal(load("guest.elf"), 0);
	assert_int_equal(rd32(0x8000), 168 + 24 * 334);
	reset_guest();
	use_ram(many, 1 + 333);
	assert_refused(-E2BIG, "334 RAM ranges do not fit the multiboot2 information (8192 bytes)");
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup_mb2, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_mb2_preferred_to_v1),
	    T(test_mb2_64bit_image),
	    T(test_mb2_without_acpi),
	    T(test_mb2_entry_address_tag),
	    T(test_mb2_tags_accepted),
	    T(test_mb2_checksum_wrong_falls_back_to_v1),
	    T(test_mb2_header_not_8_aligned_is_not_one),
	    T(test_mb2_bad_architecture),
	    T(test_mb2_required_tags_refused),
	    T(test_mb2_malformed_headers),
	    T(test_mb2_information_must_fit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
