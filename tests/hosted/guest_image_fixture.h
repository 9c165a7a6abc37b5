/*
 * The fixture of the guest image loader's hosted tests (test_guest_image.c
 * for multiboot v1, test_guest_image_mb2.c for Multiboot2): a fake guest
 * memory of 4 MiB of calloc'd bytes behind the RAM ranges [0, 0xa0000)
 * and [0x100000, 0x400000), with the legacy hole between them, whose
 * writes are counted (and can be made to fail), and small ELF images
 * built with the C library's <elf.h>, 32-bit i386 and 64-bit x86-64, each
 * with a multiboot v1 header.
 */
#ifndef HOSTED_GUEST_IMAGE_FIXTURE_H
#define HOSTED_GUEST_IMAGE_FIXTURE_H

#include <elf.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <hv/errno.h>
#include <hv/guest_image.h>
#include <hv/lib.h>

#include "fake_arch.h"

/* ---- the fake guest ------------------------------------------------------------------------ */

#define GUEST_SIZE 0x400000

static const struct guest_ram_range pc_ram[] = {
    {0x0, 0xa0000},
    {0x100000, 0x400000},
};

static u8 *guest;
static unsigned int nr_writes, fail_write; /* fail the fail_write-th write (1-based), 0: none */
static struct guest_mem gm;
static struct guest_entry entry;
static char err[160];

static __attribute__((unused)) int fake_write(void *ctx, u64 gpa, const void *src, u64 len)
{
	unsigned int i;
	bool inside = false;

	assert_ptr_equal(ctx, &gm);
	for (i = 0; i < gm.nr_ram; i++)
		if (gm.ram[i].start <= gpa && gpa <= gm.ram[i].end && len <= gm.ram[i].end - gpa)
			inside = true;
	if (!inside || gpa + len > GUEST_SIZE)
		fail_msg("write of %llu bytes at 0x%llx is outside guest RAM", len, gpa);
	if (++nr_writes == fail_write)
		return -EIO;
	memcpy(guest + gpa, src, len);
	return 0;
}

static __attribute__((unused)) void use_ram(const struct guest_ram_range *ram, unsigned int nr)
{
	gm.ram = ram;
	gm.nr_ram = nr;
}

static __attribute__((unused)) int setup(void **state)
{
	guest = calloc(1, GUEST_SIZE);
	assert_non_null(guest);
	nr_writes = 0;
	fail_write = 0;
	gm.write = fake_write;
	gm.ctx = &gm;
	use_ram(pc_ram, ARRAY_SIZE(pc_ram));
	memset(&entry, 0x5a, sizeof(entry));
	memset(err, 'x', sizeof(err));
	return 0;
}

static __attribute__((unused)) int teardown(void **state)
{
	free(guest);
	guest = NULL;
	return 0;
}

static __attribute__((unused)) u32 rd32(u64 gpa)
{
	u32 v;

	memcpy(&v, guest + gpa, 4);
	return v;
}

static __attribute__((unused)) u64 rd64(u64 gpa)
{
	u64 v;

	memcpy(&v, guest + gpa, 8);
	return v;
}

static __attribute__((unused)) void assert_guest_untouched(void)
{
	size_t i;

	assert_int_equal(nr_writes, 0);
	for (i = 0; i < GUEST_SIZE; i++)
		if (guest[i])
			fail_msg("guest byte at 0x%zx is 0x%02x after a refused load", i, guest[i]);
}

/* ---- the images ------------------------------------------------------------------------------ */

/*
 * File layout of every image: ELF header at 0, three program headers at
 * PHOFF (text and data PT_LOAD, then a PT_NOTE whose offsets are garbage:
 * only PT_LOAD is looked at), the multiboot header at MBH, the text bytes
 * at TEXT_OFF and the data bytes at DATA_OFF; 12288 bytes in all.
 */
#define IMG_LEN 0x3000
#define PHOFF 0x40
#define MBH 0x100
#define TEXT_OFF 0x1000
#define TEXT_SIZE 0x200
#define DATA_OFF 0x2000
#define DATA_FILESZ 0x100
#define DATA_MEMSZ 0x3000

/* Where the segments go: 32-bit image above 1 MiB; 64-bit text at 2 MiB, data low. */
#define TEXT32 0x100000
#define DATA32 0x101000
#define ENTRY32 0x10000c
#define TEXT64 0x200000
#define DATA64 0x10000
#define ENTRY64 0x200000

/* Multiboot 0.6.96, section 3.1.1: magic, flags, checksum. */
#define MB_MAGIC 0x1BADB002

static u8 img[0x4000] __aligned(8);
static size_t img_len;

static __attribute__((unused)) Elf32_Ehdr *eh32(void)
{
	return (Elf32_Ehdr *)img;
}

static __attribute__((unused)) Elf64_Ehdr *eh64(void)
{
	return (Elf64_Ehdr *)img;
}

static __attribute__((unused)) Elf32_Phdr *ph32(unsigned int i)
{
	return (Elf32_Phdr *)(img + PHOFF) + i;
}

static __attribute__((unused)) Elf64_Phdr *ph64(unsigned int i)
{
	return (Elf64_Phdr *)(img + PHOFF) + i;
}

/* A multiboot header at off with flags; checksum makes the sum 0 mod 2^32. */
static __attribute__((unused)) void put_mb_header(size_t off, u32 flags)
{
	u32 h[3] = {MB_MAGIC, flags, -(MB_MAGIC + flags)};

	memcpy(img + off, h, sizeof(h));
}

static __attribute__((unused)) void fill_bytes(void)
{
	unsigned int i;

	for (i = 0; i < TEXT_SIZE; i++)
		img[TEXT_OFF + i] = (u8)(i * 7 + 1);
	for (i = 0; i < DATA_FILESZ; i++)
		img[DATA_OFF + i] = (u8)(i * 13 + 5);
}

static __attribute__((unused)) void ident(unsigned char cls)
{
	memcpy(img, ELFMAG, SELFMAG);
	img[EI_CLASS] = cls;
	img[EI_DATA] = ELFDATA2LSB;
	img[EI_VERSION] = EV_CURRENT;
}

static __attribute__((unused)) void make32(void)
{
	memset(img, 0, sizeof(img));
	img_len = IMG_LEN;
	ident(ELFCLASS32);
	eh32()->e_type = ET_EXEC;
	eh32()->e_machine = EM_386;
	eh32()->e_version = EV_CURRENT;
	eh32()->e_entry = ENTRY32;
	eh32()->e_phoff = PHOFF;
	eh32()->e_ehsize = sizeof(Elf32_Ehdr);
	eh32()->e_phentsize = sizeof(Elf32_Phdr);
	eh32()->e_phnum = 3;
	*ph32(0) = (Elf32_Phdr){.p_type = PT_LOAD,
				.p_offset = TEXT_OFF,
				.p_vaddr = TEXT32,
				.p_paddr = TEXT32,
				.p_filesz = TEXT_SIZE,
				.p_memsz = TEXT_SIZE,
				.p_flags = PF_R | PF_X,
				.p_align = 0x1000};
	*ph32(1) = (Elf32_Phdr){.p_type = PT_LOAD,
				.p_offset = DATA_OFF,
				.p_vaddr = DATA32,
				.p_paddr = DATA32,
				.p_filesz = DATA_FILESZ,
				.p_memsz = DATA_MEMSZ,
				.p_flags = PF_R | PF_W,
				.p_align = 0x1000};
	*ph32(2) = (Elf32_Phdr){.p_type = PT_NOTE,
				.p_offset = 0xfffffff0,
				.p_paddr = 0xfffffff0,
				.p_filesz = 0x100,
				.p_memsz = 0x10};
	put_mb_header(MBH, 0x3);
	fill_bytes();
}

static __attribute__((unused)) void make64(void)
{
	memset(img, 0, sizeof(img));
	img_len = IMG_LEN;
	ident(ELFCLASS64);
	eh64()->e_type = ET_EXEC;
	eh64()->e_machine = EM_X86_64;
	eh64()->e_version = EV_CURRENT;
	eh64()->e_entry = ENTRY64;
	eh64()->e_phoff = PHOFF;
	eh64()->e_ehsize = sizeof(Elf64_Ehdr);
	eh64()->e_phentsize = sizeof(Elf64_Phdr);
	eh64()->e_phnum = 3;
	*ph64(0) = (Elf64_Phdr){.p_type = PT_LOAD,
				.p_offset = TEXT_OFF,
				.p_vaddr = TEXT64,
				.p_paddr = TEXT64,
				.p_filesz = TEXT_SIZE,
				.p_memsz = TEXT_SIZE,
				.p_flags = PF_R | PF_X,
				.p_align = 0x1000};
	*ph64(1) = (Elf64_Phdr){.p_type = PT_LOAD,
				.p_offset = DATA_OFF,
				.p_vaddr = DATA64,
				.p_paddr = DATA64,
				.p_filesz = DATA_FILESZ,
				.p_memsz = DATA_MEMSZ,
				.p_flags = PF_R | PF_W,
				.p_align = 0x1000};
	*ph64(2) = (Elf64_Phdr){.p_type = PT_NOTE,
				.p_offset = ~0ULL,
				.p_paddr = ~0ULL,
				.p_filesz = 0x100,
				.p_memsz = 0x10};
	put_mb_header(MBH, 0x3);
	fill_bytes();
}

static __attribute__((unused)) int load(const char *cmdline)
{
	return guest_image_load(img, img_len, cmdline, &gm, &entry, err, sizeof(err));
}

/* The load fails with rc and exactly this reason, and the guest saw nothing. */
static __attribute__((unused)) void assert_refused(int rc, const char *reason)
{
	assert_int_equal(load("guest.elf"), rc);
	assert_string_equal(err, reason);
	assert_guest_untouched();
}

/* The segment's bytes where p_paddr says, its bss zero, nothing around it. */
static __attribute__((unused)) void check_segment(u64 paddr, size_t off, size_t filesz,
						  size_t memsz)
{
	size_t i;

	assert_memory_equal(guest + paddr, img + off, filesz);
	for (i = filesz; i < memsz; i++)
		assert_int_equal(guest[paddr + i], 0);
	assert_int_equal(guest[paddr - 1], 0);
	assert_int_equal(guest[paddr + memsz], 0);
}

/* Nothing but the segments and the information window was written. */
static __attribute__((unused)) void check_nothing_else(u64 text, u64 data)
{
	size_t i;

	for (i = 0; i < GUEST_SIZE; i++) {
		bool in_seg = (i >= text && i < text + TEXT_SIZE) ||
			      (i >= data && i < data + DATA_FILESZ) || (i >= 0x8000 && i < 0xa000);

		if (!in_seg && guest[i])
			fail_msg("guest byte at 0x%zx is 0x%02x: written by no segment", i,
				 guest[i]);
	}
}

#endif /* HOSTED_GUEST_IMAGE_FIXTURE_H */
