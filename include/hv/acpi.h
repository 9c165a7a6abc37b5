/*
 * ACPI static tables: finding them (RSDP, RSDT/XSDT) and reading the NUMA
 * ones (MADT, SRAT, SLIT) into a struct topo_desc. Generic code, shared by
 * x86 and ia64 systems; the arch hands over the RSDP and the window of
 * physical memory the tables can be read through (struct arch_firmware)
 * and is not called back. Every table comes from firmware and is checked
 * (signature, length within what is mapped, checksum, every subtable's
 * length) before a byte of it is used. A rejected table is reported in one
 * line naming the table, the rule and the fallback.
 */
#ifndef HV_ACPI_H
#define HV_ACPI_H

#include <hv/arch.h>
#include <hv/compiler.h>
#include <hv/topology.h>
#include <hv/types.h>

struct acpi_rsdp {
	char signature[8]; /* "RSD PTR " */
	u8 checksum;	   /* first 20 bytes */
	char oem_id[6];
	u8 revision; /* 0: ACPI 1.0, 20 bytes; >= 2: 36 bytes */
	u32 rsdt_address;
	u32 length;
	u64 xsdt_address;
	u8 ext_checksum; /* all length bytes */
	u8 reserved[3];
} __packed;

struct acpi_table_header {
	char signature[4];
	u32 length; /* whole table, header included */
	u8 revision;
	u8 checksum; /* all length bytes sum to 0 */
	char oem_id[6];
	char oem_table_id[8];
	u32 oem_revision;
	char creator_id[4];
	u32 creator_revision;
} __packed;

struct acpi_subtable_header {
	u8 type;
	u8 length;
} __packed;

/* MADT ("APIC") */
struct acpi_madt {
	struct acpi_table_header header;
	u32 lapic_address;
	u32 flags;
} __packed;

#define ACPI_MADT_LAPIC 0
#define ACPI_MADT_LSAPIC 7
#define ACPI_MADT_X2APIC 9
#define ACPI_MADT_ENABLED (1U << 0)
#define ACPI_MADT_ONLINE_CAPABLE (1U << 1)

struct acpi_madt_lapic {
	struct acpi_subtable_header h; /* length 8 */
	u8 processor_id;
	u8 apic_id;
	u32 flags;
} __packed;

/*
 * ACPI 2.0 defined the first 12 bytes. ACPI 3.0 appended a 4-byte numeric
 * processor UID (offset 12) and a NUL-terminated UID string (offset 16),
 * so an entry is at least 12 bytes and what follows flags is read only
 * when the length says it is there (ACPI 6.0 5.2.12.10, Table 5-56).
 */
struct acpi_madt_lsapic {
	struct acpi_subtable_header h; /* length >= 12 */
	u8 processor_id;
	u8 sapic_id;
	u8 sapic_eid;
	u8 reserved[3];
	u32 flags;
} __packed;

struct acpi_madt_x2apic {
	struct acpi_subtable_header h; /* length 16 */
	u16 reserved;
	u32 x2apic_id;
	u32 flags;
	u32 uid;
} __packed;

/* SRAT */
struct acpi_srat {
	struct acpi_table_header header;
	u32 table_revision; /* 1 */
	u64 reserved;
} __packed;

#define ACPI_SRAT_CPU_AFFINITY 0
#define ACPI_SRAT_MEM_AFFINITY 1
#define ACPI_SRAT_X2APIC_AFFINITY 2
#define ACPI_SRAT_ENABLED (1U << 0)
#define ACPI_SRAT_HOTPLUGGABLE (1U << 1)
#define ACPI_SRAT_NONVOLATILE (1U << 2)

struct acpi_srat_cpu {
	struct acpi_subtable_header h; /* length 16 */
	u8 pxm_lo;
	u8 apic_id;
	u32 flags;
	u8 sapic_eid;
	u8 pxm_hi[3];
	u32 clock_domain;
} __packed;

struct acpi_srat_mem {
	struct acpi_subtable_header h; /* length 40 */
	u32 pxm;
	u16 reserved1;
	u32 base_lo, base_hi;
	u32 length_lo, length_hi;
	u32 reserved2;
	u32 flags;
	u64 reserved3;
} __packed;

struct acpi_srat_x2apic {
	struct acpi_subtable_header h; /* length 24 */
	u16 reserved1;
	u32 pxm;
	u32 x2apic_id;
	u32 flags;
	u32 clock_domain;
	u32 reserved2;
} __packed;

/* SLIT */
struct acpi_slit {
	struct acpi_table_header header;
	u64 locality_count;
	u8 entry[]; /* count * count */
} __packed;

_Static_assert(sizeof(struct acpi_rsdp) == 36, "RSDP layout");
_Static_assert(sizeof(struct acpi_table_header) == 36, "ACPI header layout");
_Static_assert(sizeof(struct acpi_srat_cpu) == 16, "SRAT CPU affinity layout");
_Static_assert(sizeof(struct acpi_srat_mem) == 40, "SRAT memory affinity layout");
_Static_assert(sizeof(struct acpi_srat_x2apic) == 24, "SRAT x2APIC affinity layout");
_Static_assert(sizeof(struct acpi_madt_x2apic) == 16, "MADT x2APIC layout");
_Static_assert(sizeof(struct acpi_madt_lsapic) == 12, "MADT local SAPIC (ACPI 2.0 part) layout");
_Static_assert(__builtin_offsetof(struct acpi_madt_lsapic, flags) == 8, "MADT local SAPIC flags");
_Static_assert(__builtin_offsetof(struct acpi_srat_cpu, sapic_eid) == 8, "SRAT CPU EID");
_Static_assert(__builtin_offsetof(struct acpi_srat_cpu, pxm_hi) == 9, "SRAT CPU pxm bits 8-31");
_Static_assert(__builtin_offsetof(struct acpi_srat_mem, base_lo) == 8, "SRAT memory base low");
_Static_assert(__builtin_offsetof(struct acpi_srat_mem, length_lo) == 16, "SRAT memory length");
_Static_assert(__builtin_offsetof(struct acpi_srat_mem, flags) == 28, "SRAT memory flags");
_Static_assert(__builtin_offsetof(struct acpi_srat_x2apic, pxm) == 4, "SRAT x2APIC pxm");

#define ACPI_MAX_TABLES 64

/* True when the len bytes at p sum to 0 (mod 256). */
bool acpi_checksum_ok(const void *p, size_t len);

/*
 * Validate the RSDP (a copy handed over by the loader, or found by the
 * arch) and walk its XSDT (preferred when present and valid) or RSDT,
 * remembering every table that passes the header checks. Tables are read
 * through mem (copied; a table not wholly inside it is not mapped).
 * Replaces what an earlier call found. Returns the number of valid tables,
 * or -ENOENT when the RSDP or both root tables are unusable (a line says
 * why).
 */
int acpi_tables_init(const struct acpi_rsdp *rsdp, const struct fw_window *mem);

/* The first valid table with this signature, mapped, or NULL. */
const struct acpi_table_header *acpi_find_table(const char *sig);

/*
 * How the NUMA tables are read; the caller knows the platform, the parser
 * never guesses it.
 * sapic: ia64 (DIG or SN2), where a CPU's id is (SAPIC id << 8) | EID,
 *	from MADT local SAPIC entries and the SRAT's EID field; otherwise
 *	local APIC / x2APIC ids.
 * sn2_prom_srat: the SGI SN2 PROM's SRAT, which says revision 1 but holds
 *	proximity domains (NASID >> 1) above 255: processor entries take bits
 *	8-15 from the first high byte and memory entries all 32 bits, where a
 *	revision 1 SRAT otherwise has 8-bit domains. Set by the SN2 caller
 *	only; it changes nothing for revision 2 and later.
 */
struct acpi_numa_opts {
	bool sapic;
	bool sn2_prom_srat;
};

/*
 * Read the MADT, SRAT and SLIT into d as opts says (source TOPO_SRC_ACPI
 * when the SRAT is used). Missing tables leave their part of d empty.
 */
void acpi_numa_describe_opts(struct topo_desc *d, const struct acpi_numa_opts *opts);

/* acpi_numa_describe_opts() with only .sapic set: x86 and ia64 DIG. */
void acpi_numa_describe(struct topo_desc *d, bool sapic);

/*
 * Put the CPU with firmware id hwid (the boot CPU) first in d's CPU list,
 * the others keeping their order. One the list leaves out is added, with
 * a line when the list was not empty; if the list is full, its last CPU
 * makes room (counted in cpus_dropped).
 */
void acpi_boot_cpu_first(struct topo_desc *d, u32 hwid);

/*
 * The single-table parsers behind it: 0, or -EINVAL after reporting.
 * SRAT proximity domains: 32 bits from revision 2 on; in revision 0 and 1
 * only the low 8 bits (the rest was reserved), or 16 and 32 bits with
 * opts->sn2_prom_srat. Set reserved bits are reported in one line and
 * ignored.
 */
int acpi_parse_madt(const struct acpi_table_header *t, struct topo_desc *d,
		    const struct acpi_numa_opts *opts);
int acpi_parse_srat(const struct acpi_table_header *t, struct topo_desc *d,
		    const struct acpi_numa_opts *opts);
int acpi_parse_slit(const struct acpi_table_header *t, struct topo_desc *d);

#endif /* HV_ACPI_H */
