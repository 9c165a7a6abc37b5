/*
 * ACPI tables for the hosted tests and fuzzers (support_acpi.c), laid out
 * in a fake physical memory window that the tests hand to the parser
 * (fake_acpi.c): an RSDP (revision 0 or 2), an RSDT and/or XSDT listing
 * every table added, MADT, SRAT and SLIT builders, and raw subtables and
 * root entries for crafting bad ones. Every table gets a correct length
 * and checksum when it is closed, so a test that wants a broken table
 * changes a byte afterwards and, if the checksum should still pass, calls
 * acpi_fx_fix_checksum(). Pointers into the window stay valid until
 * acpi_fx_end().
 *
 * The fixture is an independent witness of the table layouts: every byte
 * is written at a literal offset from the ACPI specification (the FX_*
 * constants below, each with its source), never through the structs of
 * <hv/acpi.h> or any code under test, so a wrong struct in the parser
 * makes the tests fail instead of agreeing with itself. Tests change
 * fields the same way (acpi_fx_w8() ... acpi_fx_w64() and FX_*).
 * Section numbers are ACPI 6.0's; layouts only ever grew at the end.
 *
 *	struct acpi_fixture fx;
 *
 *	acpi_fx_begin(&fx, 2, ACPI_FX_BOTH);
 *	acpi_fx_srat_begin(&fx, 3);
 *	acpi_fx_srat_mem(&fx, 0, 0, MiB(512), FX_SRAT_MEM_ENABLED);
 *	acpi_fx_table_end(&fx);
 *	rsdp = acpi_fx_finish(&fx);
 *	... acpi_tables_init(rsdp, fake_acpi_window()) ...
 *	acpi_fx_end(&fx);
 *
 * Misuse (no room, no open table) fails the running cmocka test.
 */
#ifndef HOSTED_SUPPORT_ACPI_H
#define HOSTED_SUPPORT_ACPI_H

#include <hv/types.h>

#define ACPI_FX_BASE 0x7fe00000ULL /* physical address of the window */
#define ACPI_FX_SIZE (1U << 20)	   /* room in the window */
#define ACPI_FX_MAX_ENTRIES 128	   /* root-table entries */

/* Root tables: which ones acpi_fx_begin() builds, which ones list an entry. */
#define ACPI_FX_RSDT (1U << 0)
#define ACPI_FX_XSDT (1U << 1)
#define ACPI_FX_BOTH (ACPI_FX_RSDT | ACPI_FX_XSDT)

/* ---- the specification's layouts: byte offsets (all little-endian) ------------ */

/* §5.2.5.3 Root System Description Pointer (RSDP) Structure */
#define FX_RSDP_SIGNATURE 0	/* 8 bytes, "RSD PTR " */
#define FX_RSDP_CHECKSUM 8	/* 1: bytes 0..19 sum to 0 */
#define FX_RSDP_OEM_ID 9	/* 6 */
#define FX_RSDP_REVISION 15	/* 1: 0 = ACPI 1.0, 2 = ACPI 2.0+ */
#define FX_RSDP_RSDT 16		/* 4: RSDT address */
#define FX_RSDP_LENGTH 20	/* 4: whole RSDP (revision 2+) */
#define FX_RSDP_XSDT 24		/* 8: XSDT address (revision 2+) */
#define FX_RSDP_EXT_CHECKSUM 32 /* 1: all bytes sum to 0 (revision 2+) */
#define FX_RSDP_V1_SIZE 20	/* what the first checksum covers */
#define FX_RSDP_V2_SIZE 36	/* 3 reserved bytes at 33 */

/* §5.2.6 System Description Table Header */
#define FX_HDR_SIGNATURE 0	   /* 4 */
#define FX_HDR_LENGTH 4		   /* 4: whole table, header included */
#define FX_HDR_REVISION 8	   /* 1 */
#define FX_HDR_CHECKSUM 9	   /* 1: all length bytes sum to 0 */
#define FX_HDR_OEM_ID 10	   /* 6 */
#define FX_HDR_OEM_TABLE_ID 16	   /* 8 */
#define FX_HDR_OEM_REVISION 24	   /* 4 */
#define FX_HDR_CREATOR_ID 28	   /* 4 */
#define FX_HDR_CREATOR_REVISION 32 /* 4 */
#define FX_HDR_SIZE 36
/* §5.2.7 RSDT: 4-byte entries from 36; §5.2.8 XSDT: 8-byte entries from 36. */

/* Every MADT and SRAT subtable (§5.2.12, §5.2.16): type, then length. */
#define FX_SUB_TYPE 0	/* 1 */
#define FX_SUB_LENGTH 1 /* 1: whole subtable */

/* §5.2.12 Multiple APIC Description Table (MADT), signature "APIC" */
#define FX_MADT_LAPIC_ADDRESS 36 /* 4: Local Interrupt Controller Address */
#define FX_MADT_FLAGS 40	 /* 4: bit 0 PCAT_COMPAT */
#define FX_MADT_SIZE 44		 /* interrupt controller structures follow */
/* Local APIC/SAPIC/x2APIC Flags (§5.2.12.2): bit 0 Enabled, bit 1 Online Capable (6.3) */
#define FX_MADT_ENABLED 0x1
#define FX_MADT_ONLINE_CAPABLE 0x2

/* §5.2.12.2 Processor Local APIC Structure: type 0, length 8 */
#define FX_MADT_LAPIC 0
#define FX_LAPIC_SIZE 8
#define FX_LAPIC_UID 2	 /* 1: ACPI Processor UID */
#define FX_LAPIC_ID 3	 /* 1: APIC ID */
#define FX_LAPIC_FLAGS 4 /* 4 */

/*
 * §5.2.12.10 Processor Local SAPIC Structure (Table 5-56): type 7. ACPI 2.0
 * ends it after Flags (length 12); ACPI 3.0 added the UID value at 12 and a
 * NUL-terminated UID string at 16 (length >= 17).
 */
#define FX_MADT_LSAPIC 7
#define FX_LSAPIC_ACPI2_SIZE 12
#define FX_LSAPIC_PROCESSOR_ID 2 /* 1: ACPI Processor ID */
#define FX_LSAPIC_ID 3		 /* 1: Local SAPIC ID */
#define FX_LSAPIC_EID 4		 /* 1: Local SAPIC EID */
#define FX_LSAPIC_FLAGS 8	 /* 4: after 3 reserved bytes */
#define FX_LSAPIC_UID 12	 /* 4: ACPI Processor UID Value (3.0) */
#define FX_LSAPIC_UID_STRING 16	 /* >= 1: ACPI Processor UID String (3.0) */

/* §5.2.12.12 Processor Local x2APIC Structure: type 9, length 16 */
#define FX_MADT_X2APIC 9
#define FX_X2APIC_SIZE 16
#define FX_X2APIC_ID 4	  /* 4: after 2 reserved bytes */
#define FX_X2APIC_FLAGS 8 /* 4 */
#define FX_X2APIC_UID 12  /* 4: ACPI Processor UID */

/* §5.2.16 System Resource Affinity Table (SRAT) */
#define FX_SRAT_RESERVED1 36 /* 4: "must be 1", for compatibility */
#define FX_SRAT_SIZE 48	     /* 8 more reserved bytes at 40 */

/* §5.2.16.1 Processor Local APIC/SAPIC Affinity Structure: type 0, length 16 */
#define FX_SRAT_CPU 0
#define FX_SRAT_CPU_SIZE 16
#define FX_SRAT_CPU_PXM_LO 2  /* 1: Proximity Domain [7:0] */
#define FX_SRAT_CPU_APIC_ID 3 /* 1: APIC ID, or SAPIC ID */
#define FX_SRAT_CPU_FLAGS 4   /* 4: bit 0 Enabled */
#define FX_SRAT_CPU_EID 8     /* 1: Local SAPIC EID */
#define FX_SRAT_CPU_PXM_HI 9  /* 3: Proximity Domain [31:8] (reserved before 3.0) */
#define FX_SRAT_CPU_CLOCK 12  /* 4: Clock Domain */
#define FX_SRAT_CPU_ENABLED 0x1

/* §5.2.16.2 Memory Affinity Structure (Table 5-73): type 1, length 40 */
#define FX_SRAT_MEM 1
#define FX_SRAT_MEM_SIZE 40
#define FX_SRAT_MEM_PXM 2	 /* 4: Proximity Domain (8 bits before 3.0) */
#define FX_SRAT_MEM_BASE_LO 8	 /* 4: Base Address Low, after 2 reserved bytes */
#define FX_SRAT_MEM_BASE_HI 12	 /* 4: Base Address High */
#define FX_SRAT_MEM_LENGTH_LO 16 /* 4: Length Low */
#define FX_SRAT_MEM_LENGTH_HI 20 /* 4: Length High */
#define FX_SRAT_MEM_FLAGS 28	 /* 4: after 4 reserved bytes; 8 reserved follow */
/* Table 5-74 Flags - Memory Affinity Structure */
#define FX_SRAT_MEM_ENABLED 0x1
#define FX_SRAT_MEM_HOTPLUGGABLE 0x2
#define FX_SRAT_MEM_NONVOLATILE 0x4

/* §5.2.16.3 Processor Local x2APIC Affinity Structure: type 2, length 24 */
#define FX_SRAT_X2APIC 2
#define FX_SRAT_X2APIC_SIZE 24
#define FX_SRAT_X2APIC_PXM 4	/* 4: after 2 reserved bytes */
#define FX_SRAT_X2APIC_ID 8	/* 4 */
#define FX_SRAT_X2APIC_FLAGS 12 /* 4: bit 0 Enabled */
#define FX_SRAT_X2APIC_CLOCK 16 /* 4; 4 reserved follow */

/* §5.2.16.4 GICC Affinity Structure: type 3, length 18 (not read by the parser) */
#define FX_SRAT_GICC 3
#define FX_SRAT_GICC_SIZE 18

/* §5.2.17 System Locality Distance Information Table (SLIT) */
#define FX_SLIT_COUNT 36 /* 8: Number of System Localities */
#define FX_SLIT_SIZE 44	 /* count * count one-byte entries follow */

/* Little-endian fields at byte offset off of p. */
void acpi_fx_w8(void *p, size_t off, u8 v);
void acpi_fx_w16(void *p, size_t off, u16 v);
void acpi_fx_w32(void *p, size_t off, u32 v);
void acpi_fx_w64(void *p, size_t off, u64 v);
u8 acpi_fx_r8(const void *p, size_t off);
u32 acpi_fx_r32(const void *p, size_t off);
u64 acpi_fx_r64(const void *p, size_t off);

/* ---- the fixture -------------------------------------------------------------- */

struct acpi_fx_entry {
	paddr_t pa;
	unsigned int roots; /* ACPI_FX_RSDT / ACPI_FX_XSDT: where it is listed */
};

struct acpi_fixture {
	u8 *mem; /* the window: ACPI_FX_SIZE bytes at base */
	paddr_t base;
	size_t used; /* bytes laid out (the mapped part after finish) */
	u8 rsdp_revision;
	unsigned int roots; /* root tables to build */
	u8 *open;	    /* table being built, or NULL */
	u32 next_uid;	    /* next MADT processor id / UID */
	unsigned int nr_entries;
	struct acpi_fx_entry entry[ACPI_FX_MAX_ENTRIES];
	/* Set by acpi_fx_finish(); void * so they can be handed to the parsers. */
	void *rsdp;
	void *rsdt, *xsdt; /* NULL when not built */
};

/*
 * Start an empty window. rsdp_revision: 0 (ACPI 1.0, 20 bytes, RSDT only)
 * or 2 (36 bytes, XSDT address). roots: the root tables to build; an XSDT
 * built under a revision 0 RSDP is laid out but not pointed to.
 */
void acpi_fx_begin(struct acpi_fixture *fx, u8 rsdp_revision, unsigned int roots);
/* Free the window and unmap it (fake_acpi_window() is empty again). */
void acpi_fx_end(struct acpi_fixture *fx);

/*
 * Open a table (header with sig, revision and OEM "PROXFX") at the next
 * 8-byte boundary. Later appends add to it; acpi_fx_table_end() sets its
 * length and checksum and lists it in every root table built.
 */
void *acpi_fx_table_begin(struct acpi_fixture *fx, const char *sig, u8 revision);
/* len zeroed bytes at the end of the open table. */
void *acpi_fx_append(struct acpi_fixture *fx, size_t len);
void *acpi_fx_table_end(struct acpi_fixture *fx);
/* A whole table: header plus len bytes of body (zeroes if body is NULL). */
void *acpi_fx_add_table(struct acpi_fixture *fx, const char *sig, const void *body, size_t len);
/* A table's length field. */
u32 acpi_fx_table_length(const void *t);

/* A subtable of any type and length (>= 2) in the open table: header filled, rest zero. */
void *acpi_fx_sub(struct acpi_fixture *fx, u8 type, u8 len);

/* MADT ("APIC", revision 4; local APIC address 0xfee00000, PCAT_COMPAT). */
void *acpi_fx_madt_begin(struct acpi_fixture *fx);
/* Processor ids (and UIDs) count up from 0 across the kinds. */
void *acpi_fx_madt_lapic(struct acpi_fixture *fx, u8 apic_id, u32 flags);
void *acpi_fx_madt_x2apic(struct acpi_fixture *fx, u32 x2apic_id, u32 flags);
/* ACPI 3.0 and later: 17 bytes, the UID value and an empty UID string. */
void *acpi_fx_madt_lsapic(struct acpi_fixture *fx, u8 sapic_id, u8 eid, u32 flags);
/* ACPI 2.0: 12 bytes, no UID. */
void *acpi_fx_madt_lsapic_acpi2(struct acpi_fixture *fx, u8 sapic_id, u8 eid, u32 flags);

/*
 * SRAT; revision is the header's. The builders write every bit they are
 * given, whatever the revision: pxm is split into Proximity Domain [7:0]
 * and [31:8] for processor entries, all 32 bits for memory entries.
 */
void *acpi_fx_srat_begin(struct acpi_fixture *fx, u8 revision);
void *acpi_fx_srat_cpu(struct acpi_fixture *fx, u32 pxm, u8 apic_id, u8 eid, u32 flags);
void *acpi_fx_srat_x2apic(struct acpi_fixture *fx, u32 pxm, u32 x2apic_id, u32 flags);
void *acpi_fx_srat_mem(struct acpi_fixture *fx, u32 pxm, u64 base, u64 len, u32 flags);

/*
 * A whole SLIT (revision 1): count, then the count * count bytes of matrix
 * (row-major; zeroes if matrix is NULL).
 */
void *acpi_fx_slit(struct acpi_fixture *fx, u64 count, const u8 *matrix);

/*
 * A QEMU-like pc machine: nodes[i] bytes of memory and cpus[i] CPUs on
 * node i (pxm i), nodes laid out one after another from address 0. Adds
 * an FACP, a MADT (one enabled local APIC per CPU, ids 0, 1, ...), an
 * SRAT (revision 1: CPUs first, then memory, node 0 split around the
 * 640 KiB - 1 MiB hole and every range split at ACPI_FX_QEMU_LOWMEM with
 * the rest moved to 4 GiB, then pad_disabled disabled zero-length memory
 * entries) and, when slit is not NULL, a SLIT with that nr * nr matrix.
 */
#define ACPI_FX_QEMU_LOWMEM 0x80000000ULL
void acpi_fx_add_qemu(struct acpi_fixture *fx, const u64 *node_mem, const unsigned int *cpus,
		      unsigned int nr, unsigned int pad_disabled, const u8 *slit);

/* Another root-table entry (any address: unmapped, 0, above 4 GiB...). */
void acpi_fx_add_entry(struct acpi_fixture *fx, paddr_t pa, unsigned int roots);
/* List the table t only in these root tables (0: in none). Before finish. */
void acpi_fx_list_in(struct acpi_fixture *fx, const void *t, unsigned int roots);

/*
 * Lay out the root tables and the RSDP with correct checksums, and map the
 * window [base, base + used) as fake_acpi_window(). Returns the RSDP (in
 * the window: a test may corrupt it through fx->rsdp).
 */
const void *acpi_fx_finish(struct acpi_fixture *fx);

/* Make t's bytes (its length of them, at most to the end of what is laid out) sum to 0. */
void acpi_fx_fix_checksum(struct acpi_fixture *fx, void *t);
/* Recompute both RSDP checksums. */
void acpi_fx_fix_rsdp(struct acpi_fixture *fx);
/* Physical address of a pointer into the window, and back. */
paddr_t acpi_fx_pa(const struct acpi_fixture *fx, const void *p);
void *acpi_fx_ptr(const struct acpi_fixture *fx, paddr_t pa);
/* The first table added with this signature, or NULL. */
void *acpi_fx_find(const struct acpi_fixture *fx, const char *sig);

/*
 * fake_acpi.c: the window of fake physical memory the tests hand to
 * acpi_tables_init() (as the arch does in struct arch_firmware): [base,
 * base + len) read from buf, and nothing else. One window at a time; a
 * fuzzer may map its own buffer. fake_acpi_window() is the current one
 * (empty after fake_acpi_unmap(): nothing is readable).
 */
void fake_acpi_map_window(paddr_t base, const void *buf, size_t len);
void fake_acpi_unmap(void);
const struct fw_window *fake_acpi_window(void);

#endif /* HOSTED_SUPPORT_ACPI_H */
