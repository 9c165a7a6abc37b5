/*
 * ACPI tables for the hosted tests and fuzzers (support_acpi.c), laid out
 * in a fake physical memory window that arch_acpi_map() serves
 * (fake_acpi.c): an RSDP (revision 0 or 2), an RSDT and/or XSDT listing
 * every table added, MADT, SRAT and SLIT builders, and raw subtables and
 * root entries for crafting bad ones. Every table gets a correct length
 * and checksum when it is closed, so a test that wants a broken table
 * changes a byte afterwards and, if the checksum should still pass, calls
 * acpi_fx_fix_checksum(). Pointers into the window stay valid until
 * acpi_fx_end().
 *
 *	struct acpi_fixture fx;
 *	const struct acpi_rsdp *rsdp;
 *
 *	acpi_fx_begin(&fx, 2, ACPI_FX_BOTH);
 *	acpi_fx_srat_begin(&fx, 3);
 *	acpi_fx_srat_mem(&fx, 0, 0, MiB(512), ACPI_SRAT_ENABLED);
 *	acpi_fx_table_end(&fx);
 *	rsdp = acpi_fx_finish(&fx);
 *	... acpi_tables_init(rsdp) ...
 *	acpi_fx_end(&fx);
 *
 * Misuse (no room, no open table) fails the running cmocka test.
 */
#ifndef HOSTED_SUPPORT_ACPI_H
#define HOSTED_SUPPORT_ACPI_H

#include <hv/acpi.h>
#include <hv/types.h>

#define ACPI_FX_BASE 0x7fe00000ULL	/* physical address of the window */
#define ACPI_FX_SIZE (1U << 20)		/* room in the window */
#define ACPI_FX_MAX_ENTRIES 128		/* root-table entries */

/* Root tables: which ones acpi_fx_begin() builds, which ones list an entry. */
#define ACPI_FX_RSDT (1U << 0)
#define ACPI_FX_XSDT (1U << 1)
#define ACPI_FX_BOTH (ACPI_FX_RSDT | ACPI_FX_XSDT)

struct acpi_fx_entry {
	paddr_t pa;
	unsigned int roots;	/* ACPI_FX_RSDT / ACPI_FX_XSDT: where it is listed */
};

struct acpi_fixture {
	u8 *mem;			/* the window: ACPI_FX_SIZE bytes at base */
	paddr_t base;
	size_t used;			/* bytes laid out (the mapped part after finish) */
	u8 rsdp_revision;
	unsigned int roots;		/* root tables to build */
	struct acpi_table_header *open;	/* table being built, or NULL */
	u32 next_uid;			/* next MADT processor id / UID */
	unsigned int nr_entries;
	struct acpi_fx_entry entry[ACPI_FX_MAX_ENTRIES];
	/* Set by acpi_fx_finish(). */
	struct acpi_rsdp *rsdp;
	struct acpi_table_header *rsdt, *xsdt;	/* NULL when not built */
};

/*
 * Start an empty window. rsdp_revision: 0 (ACPI 1.0, 20 bytes, RSDT only)
 * or 2 (36 bytes, XSDT address). roots: the root tables to build; an XSDT
 * built under a revision 0 RSDP is laid out but not pointed to.
 */
void acpi_fx_begin(struct acpi_fixture *fx, u8 rsdp_revision, unsigned int roots);
/* Free the window and unmap it from arch_acpi_map(). */
void acpi_fx_end(struct acpi_fixture *fx);

/*
 * Open a table (header with sig, revision and OEM "PROXFX") at the next
 * 8-byte boundary. Later appends add to it; acpi_fx_table_end() sets its
 * length and checksum and lists it in every root table built.
 */
struct acpi_table_header *acpi_fx_table_begin(struct acpi_fixture *fx, const char *sig,
					      u8 revision);
/* len zeroed bytes at the end of the open table. */
void *acpi_fx_append(struct acpi_fixture *fx, size_t len);
struct acpi_table_header *acpi_fx_table_end(struct acpi_fixture *fx);
/* A whole table: header plus len bytes of body (zeroes if body is NULL). */
struct acpi_table_header *acpi_fx_add_table(struct acpi_fixture *fx, const char *sig,
					    const void *body, size_t len);

/* A subtable of any type and length (>= 2) in the open table: header filled, rest zero. */
void *acpi_fx_sub(struct acpi_fixture *fx, u8 type, u8 len);

/* MADT ("APIC", revision 4; local APIC address 0xfee00000, PC-AT flag). */
struct acpi_madt *acpi_fx_madt_begin(struct acpi_fixture *fx);
/* Processor ids (and UIDs) count up from 0 across the three kinds. */
struct acpi_madt_lapic *acpi_fx_madt_lapic(struct acpi_fixture *fx, u8 apic_id, u32 flags);
struct acpi_madt_x2apic *acpi_fx_madt_x2apic(struct acpi_fixture *fx, u32 x2apic_id, u32 flags);
/* 17 bytes: the 16-byte structure and an empty UID string. */
struct acpi_madt_lsapic *acpi_fx_madt_lsapic(struct acpi_fixture *fx, u8 sapic_id, u8 eid,
					     u32 flags);

/* SRAT; revision is the header's (pxm_hi and memory pxm bits 8-31 count from 2). */
struct acpi_srat *acpi_fx_srat_begin(struct acpi_fixture *fx, u8 revision);
/* pxm is split into pxm_lo and pxm_hi[] whatever the revision. */
struct acpi_srat_cpu *acpi_fx_srat_cpu(struct acpi_fixture *fx, u32 pxm, u8 apic_id, u8 eid,
				       u32 flags);
struct acpi_srat_x2apic *acpi_fx_srat_x2apic(struct acpi_fixture *fx, u32 pxm, u32 x2apic_id,
					     u32 flags);
struct acpi_srat_mem *acpi_fx_srat_mem(struct acpi_fixture *fx, u32 pxm, u64 base, u64 len,
				       u32 flags);

/*
 * A whole SLIT (revision 1): count, then the count * count bytes of matrix
 * (row-major; zeroes if matrix is NULL).
 */
struct acpi_slit *acpi_fx_slit(struct acpi_fixture *fx, u64 count, const u8 *matrix);

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
void acpi_fx_list_in(struct acpi_fixture *fx, const struct acpi_table_header *t,
		     unsigned int roots);

/*
 * Lay out the root tables and the RSDP with correct checksums, and map the
 * window [base, base + used) for arch_acpi_map(). Returns the RSDP (in
 * the window: a test may corrupt it through fx->rsdp).
 */
const struct acpi_rsdp *acpi_fx_finish(struct acpi_fixture *fx);

/* Make t's bytes (t->length of them, at most to the end of what is laid out) sum to 0. */
void acpi_fx_fix_checksum(struct acpi_fixture *fx, struct acpi_table_header *t);
/* Recompute both RSDP checksums. */
void acpi_fx_fix_rsdp(struct acpi_fixture *fx);
/* Physical address of a pointer into the window, and back. */
paddr_t acpi_fx_pa(const struct acpi_fixture *fx, const void *p);
void *acpi_fx_ptr(const struct acpi_fixture *fx, paddr_t pa);
/* The first table added with this signature, or NULL. */
struct acpi_table_header *acpi_fx_find(const struct acpi_fixture *fx, const char *sig);

/*
 * fake_acpi.c: arch_acpi_map() serves [base, base + len) from buf, and
 * nothing else: NULL outside it, for physical address 0 and for ranges
 * that wrap. One window at a time; a fuzzer may map its own buffer.
 */
void fake_acpi_map_window(paddr_t base, const void *buf, size_t len);
void fake_acpi_unmap(void);
/* arch_acpi_map() calls since the last window change. */
unsigned long fake_acpi_map_calls(void);

#endif /* HOSTED_SUPPORT_ACPI_H */
