/*
 * What the boot loader told us, copied out of its information block
 * before anything can overwrite it: the command line, the firmware memory
 * map, the ACPI RSDP location and where the boot modules (guest images)
 * lie. Filled by the arch boot code, read by the core; the memory map is
 * sanitised by memmap_sanitize(). The modules' bytes stay where the loader
 * put them: only their ranges and command lines are copied, and the arch
 * keeps the boot allocator off those ranges.
 */
#ifndef HV_BOOT_H
#define HV_BOOT_H

#include <hv/types.h>

#define BOOT_CMDLINE_MAX 1024
#define BOOT_MEMMAP_MAX 128
#define BOOT_LOADER_NAME_MAX 64
#define BOOT_MODULES_MAX 16
#define BOOT_MODULE_CMDLINE_MAX 256

/* Memory range types, numbered as in the ACPI/E820 address map. */
enum mem_type {
	MEM_RAM = 1,
	MEM_RESERVED = 2,
	MEM_ACPI = 3,	  /* ACPI tables, reclaimable once parsed */
	MEM_NVS = 4,	  /* ACPI non-volatile storage */
	MEM_UNUSABLE = 5, /* known-bad memory */
	MEM_DISABLED = 6,
	MEM_PMEM = 7, /* persistent memory */
};

/* A half-open physical range [start, end). */
struct mem_range {
	paddr_t start;
	paddr_t end;
	u32 type;
};

/*
 * A boot module as the loader placed it: the half-open physical range
 * [start, end) (start == end for an empty file), inside neither the image
 * nor another kept module, and its string (by convention the file name,
 * then the arguments).
 */
struct boot_module {
	paddr_t start, end;
	char cmdline[BOOT_MODULE_CMDLINE_MAX];
	bool cmdline_truncated;
};

struct boot_info {
	int protocol; /* 1: multiboot, 2: multiboot2 */
	char loader[BOOT_LOADER_NAME_MAX];
	char cmdline[BOOT_CMDLINE_MAX];
	bool cmdline_truncated;
	unsigned int nr_mem;
	struct mem_range mem[BOOT_MEMMAP_MAX];
	unsigned int mem_dropped; /* map entries beyond BOOT_MEMMAP_MAX */
	u8 rsdp_copy[36];	  /* RSDP as the loader handed it over */
	unsigned int rsdp_len;
	unsigned int nr_modules;
	struct boot_module modules[BOOT_MODULES_MAX]; /* in the loader's order */
	/* Loader entries past the first BOOT_MODULES_MAX: counted, not read. */
	unsigned int modules_dropped;
};

/* Name of a memory type for the console ("RAM", "ACPI data", ...). */
const char *mem_type_name(u32 type);

/*
 * Sort the map, resolve overlaps (the more restrictive type wins: any
 * reserved kind beats RAM), merge neighbours of the same type, and trim
 * RAM to whole pages. Returns 0, or -ENOSPC if overlaps split the map into
 * more than max ranges: the lowest max ranges are kept (still sorted and
 * disjoint) and a line names what was left out. -E2BIG if *nr is over
 * BOOT_MEMMAP_MAX (nothing changed).
 */
int memmap_sanitize(struct mem_range *map, unsigned int *nr, unsigned int max);

/* Sum of RAM bytes in a sanitised map. */
u64 memmap_ram_bytes(const struct mem_range *map, unsigned int nr);

/* Print the map, one range per line, on the console at info level. */
void memmap_print(const struct mem_range *map, unsigned int nr);

/*
 * Print the boot modules, one line each at info level (index, range, size,
 * command line), and warn about modules that were dropped (bootmod.c).
 */
void bootmod_print(const struct boot_info *bi);

#endif /* HV_BOOT_H */
