/*
 * The test guest's Multiboot2 header (Multiboot2 1.0, section 3.1), apart
 * from head.S so that tests/guests/Makefile can link testguest-mb1.elf
 * without it: a guest with the multiboot v1 header alone.
 *
 * testguest.lds puts .text.mb2 right behind .text.head, well inside the
 * first 32 KiB of the file. No address or entry tag: the loader takes the
 * ELF segments and entry point (start, in head.S), and enters it in
 * 32-bit protected mode as v1 does, with %eax MB2_LOADER_MAGIC and %ebx
 * the MBI2. The information request is not optional: a loader that
 * cannot give the command line, the memory map and the RSDP must refuse
 * the image (mem_init() checks that it did not).
 */
#include "guest.h"

#define MB2_HEADER_MAGIC 0xe85250d6
#define MB2_ARCH_I386 0
#define MB2_HEADER_TAG_END 0
#define MB2_HEADER_TAG_INFO_REQUEST 1
#define MB2_TAG_REQUIRED 0 /* tag flags: bit 0 (optional) clear */

	.section .text.mb2, "a"
	.balign 8
mb2_header:
	.long MB2_HEADER_MAGIC
	.long MB2_ARCH_I386
	.long mb2_header_end - mb2_header
	/* magic + architecture + header_length + checksum == 0 (mod 2^32) */
	.long 0x100000000 - (MB2_HEADER_MAGIC + MB2_ARCH_I386 + (mb2_header_end - mb2_header))

	/* Tags are 8-byte aligned; a tag's size leaves out the padding. */
	.balign 8
mb2_info_request:
	.short MB2_HEADER_TAG_INFO_REQUEST
	.short MB2_TAG_REQUIRED
	.long mb2_info_request_end - mb2_info_request
	.long MB2_TAG_CMDLINE
	.long MB2_TAG_MMAP
	.long MB2_TAG_ACPI_NEW
mb2_info_request_end:

	.balign 8
	.short MB2_HEADER_TAG_END
	.short 0
	.long 8
mb2_header_end:
