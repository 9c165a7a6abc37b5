/*
 * Boot-time constants shared by head.S, the linker script and C: where
 * the image is loaded, the multiboot magic numbers, the boot GDT layout.
 */
#ifndef ASM_BOOT_H
#define ASM_BOOT_H

/* Physical (and, while booting, virtual) load address of the image. */
#define HV_LOAD_ADDR 0x200000

#define MB1_HEADER_MAGIC 0x1BADB002
#define MB1_LOADER_MAGIC 0x2BADB002
#define MB2_HEADER_MAGIC 0xE85250D6
#define MB2_LOADER_MAGIC 0x36D76289

/* Selectors of the GDT that every CPU runs on. */
#define GDT_CS64 0x08
#define GDT_DS 0x10
#define GDT_CS32 0x18
#define GDT_TSS 0x20
#define GDT_ENTRIES 6

#define BOOT_STACK_SIZE 0x4000

#endif /* ASM_BOOT_H */
