/*
 * The ACPI table builder behind support_acpi.h: lays tables out one after
 * another in a calloc'd window, closes each with its length and checksum,
 * and at finish writes the root tables and the RSDP and maps the window
 * through fake_acpi.c. Bytes of the window past what was laid out are
 * poisoned under ASan, so a parser that reads past the mapped part is
 * caught even though the buffer goes on. One fixture in use at a time.
 * Every field is written byte by byte at the specification's offset (the
 * FX_* constants in support_acpi.h); nothing here includes <hv/acpi.h>.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "support_acpi.h"

#if defined(__SANITIZE_ADDRESS__)
#define FX_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define FX_ASAN 1
#endif
#endif

#ifdef FX_ASAN
#include <sanitizer/asan_interface.h>
#define fx_poison(p, n) ASAN_POISON_MEMORY_REGION(p, n)
#define fx_unpoison(p, n) ASAN_UNPOISON_MEMORY_REGION(p, n)
#else
#define fx_poison(p, n) ((void)(p), (void)(n))
#define fx_unpoison(p, n) ((void)(p), (void)(n))
#endif

#define FX_ALIGN 8

void acpi_fx_w8(void *p, size_t off, u8 v)
{
	((u8 *)p)[off] = v;
}

void acpi_fx_w16(void *p, size_t off, u16 v)
{
	acpi_fx_w8(p, off, (u8)v);
	acpi_fx_w8(p, off + 1, (u8)(v >> 8));
}

void acpi_fx_w32(void *p, size_t off, u32 v)
{
	acpi_fx_w16(p, off, (u16)v);
	acpi_fx_w16(p, off + 2, (u16)(v >> 16));
}

void acpi_fx_w64(void *p, size_t off, u64 v)
{
	acpi_fx_w32(p, off, (u32)v);
	acpi_fx_w32(p, off + 4, (u32)(v >> 32));
}

u8 acpi_fx_r8(const void *p, size_t off)
{
	return ((const u8 *)p)[off];
}

u32 acpi_fx_r32(const void *p, size_t off)
{
	return (u32)acpi_fx_r8(p, off) | (u32)acpi_fx_r8(p, off + 1) << 8 |
	       (u32)acpi_fx_r8(p, off + 2) << 16 | (u32)acpi_fx_r8(p, off + 3) << 24;
}

u64 acpi_fx_r64(const void *p, size_t off)
{
	return (u64)acpi_fx_r32(p, off) | (u64)acpi_fx_r32(p, off + 4) << 32;
}

static u8 sum_bytes(const void *p, size_t len)
{
	const u8 *b = p;
	u8 sum = 0;

	while (len--)
		sum += *b++;
	return sum;
}

/* Write the checksum byte at off so that the len bytes at p sum to 0. */
static void set_checksum(void *p, size_t len, size_t off)
{
	acpi_fx_w8(p, off, 0);
	acpi_fx_w8(p, off, (u8)-sum_bytes(p, len));
}

void acpi_fx_begin(struct acpi_fixture *fx, u8 rsdp_revision, unsigned int roots)
{
	memset(fx, 0, sizeof(*fx));
	fx->mem = calloc(1, ACPI_FX_SIZE);
	if (!fx->mem)
		fail_msg("acpi_fx_begin: out of memory");
	fx->base = ACPI_FX_BASE;
	fx->rsdp_revision = rsdp_revision;
	fx->roots = roots;
	/* The RSDP comes first; acpi_fx_finish() fills it in. */
	fx->used = FX_RSDP_V2_SIZE;
	fake_acpi_unmap();
}

void acpi_fx_end(struct acpi_fixture *fx)
{
	fake_acpi_unmap();
	if (fx->mem) {
		fx_unpoison(fx->mem, ACPI_FX_SIZE);
		free(fx->mem);
	}
	memset(fx, 0, sizeof(*fx));
}

/* len zeroed bytes at the end of the window, aligned to align. */
static void *fx_alloc(struct acpi_fixture *fx, size_t len, size_t align)
{
	size_t at = (fx->used + align - 1) & ~(align - 1);

	if (at > ACPI_FX_SIZE || len > ACPI_FX_SIZE - at)
		fail_msg("acpi fixture: no room for %zu bytes", len);
	if (fx->rsdp)
		fail_msg("acpi fixture: adding after acpi_fx_finish()");
	fx->used = at + len;
	return fx->mem + at;
}

paddr_t acpi_fx_pa(const struct acpi_fixture *fx, const void *p)
{
	return fx->base + (paddr_t)((const u8 *)p - fx->mem);
}

void *acpi_fx_ptr(const struct acpi_fixture *fx, paddr_t pa)
{
	if (pa < fx->base || pa - fx->base >= ACPI_FX_SIZE)
		fail_msg("acpi_fx_ptr(0x%llx): outside the window", pa);
	return fx->mem + (pa - fx->base);
}

void acpi_fx_add_entry(struct acpi_fixture *fx, paddr_t pa, unsigned int roots)
{
	if (fx->nr_entries == ACPI_FX_MAX_ENTRIES)
		fail_msg("acpi fixture: more than %d root entries", ACPI_FX_MAX_ENTRIES);
	fx->entry[fx->nr_entries].pa = pa;
	fx->entry[fx->nr_entries].roots = roots;
	fx->nr_entries++;
}

void acpi_fx_list_in(struct acpi_fixture *fx, const void *t, unsigned int roots)
{
	paddr_t pa = acpi_fx_pa(fx, t);
	unsigned int i;

	for (i = 0; i < fx->nr_entries; i++)
		if (fx->entry[i].pa == pa)
			fx->entry[i].roots = roots;
}

u32 acpi_fx_table_length(const void *t)
{
	return acpi_fx_r32(t, FX_HDR_LENGTH);
}

void *acpi_fx_table_begin(struct acpi_fixture *fx, const char *sig, u8 revision)
{
	u8 *t;

	if (fx->open)
		fail_msg("acpi fixture: table %.4s still open", (const char *)fx->open);
	t = fx_alloc(fx, FX_HDR_SIZE, FX_ALIGN);
	memcpy(t + FX_HDR_SIGNATURE, sig, 4);
	acpi_fx_w32(t, FX_HDR_LENGTH, FX_HDR_SIZE);
	acpi_fx_w8(t, FX_HDR_REVISION, revision);
	memcpy(t + FX_HDR_OEM_ID, "PROXFX", 6);
	memcpy(t + FX_HDR_OEM_TABLE_ID, "HOSTED  ", 8);
	acpi_fx_w32(t, FX_HDR_OEM_REVISION, 1);
	memcpy(t + FX_HDR_CREATOR_ID, "PXFX", 4);
	acpi_fx_w32(t, FX_HDR_CREATOR_REVISION, 1);
	fx->open = t;
	return t;
}

void *acpi_fx_append(struct acpi_fixture *fx, size_t len)
{
	void *p;

	if (!fx->open)
		fail_msg("acpi fixture: append with no table open");
	p = fx_alloc(fx, len, 1);
	acpi_fx_w32(fx->open, FX_HDR_LENGTH, (u32)(fx->used - (size_t)(fx->open - fx->mem)));
	return p;
}

void *acpi_fx_table_end(struct acpi_fixture *fx)
{
	u8 *t = fx->open;

	if (!t)
		fail_msg("acpi fixture: no table open");
	set_checksum(t, acpi_fx_table_length(t), FX_HDR_CHECKSUM);
	fx->open = NULL;
	acpi_fx_add_entry(fx, acpi_fx_pa(fx, t), ACPI_FX_BOTH);
	return t;
}

void *acpi_fx_add_table(struct acpi_fixture *fx, const char *sig, const void *body, size_t len)
{
	void *p;

	acpi_fx_table_begin(fx, sig, 1);
	p = acpi_fx_append(fx, len);
	if (body)
		memcpy(p, body, len);
	return acpi_fx_table_end(fx);
}

void *acpi_fx_sub(struct acpi_fixture *fx, u8 type, u8 len)
{
	u8 *h;

	if (len < 2)
		fail_msg("acpi_fx_sub: length %u cannot hold the type and length", len);
	h = acpi_fx_append(fx, len);
	acpi_fx_w8(h, FX_SUB_TYPE, type);
	acpi_fx_w8(h, FX_SUB_LENGTH, len);
	return h;
}

void *acpi_fx_find(const struct acpi_fixture *fx, const char *sig)
{
	unsigned int i;

	for (i = 0; i < fx->nr_entries; i++) {
		paddr_t pa = fx->entry[i].pa;
		u8 *t;

		if (pa < fx->base || pa - fx->base + FX_HDR_SIZE > fx->used)
			continue;
		t = acpi_fx_ptr(fx, pa);
		if (!memcmp(t + FX_HDR_SIGNATURE, sig, 4))
			return t;
	}
	return NULL;
}

void acpi_fx_fix_checksum(struct acpi_fixture *fx, void *t)
{
	size_t room = fx->used - (size_t)((u8 *)t - fx->mem);
	size_t len = acpi_fx_table_length(t);

	set_checksum(t, len < room ? len : room, FX_HDR_CHECKSUM);
}

void acpi_fx_fix_rsdp(struct acpi_fixture *fx)
{
	u8 *r = fx->rsdp;

	set_checksum(r, FX_RSDP_V1_SIZE, FX_RSDP_CHECKSUM);
	if (acpi_fx_r8(r, FX_RSDP_REVISION) >= 2)
		set_checksum(r, FX_RSDP_V2_SIZE, FX_RSDP_EXT_CHECKSUM);
}

/* Lay out one root table listing the entries marked with root. */
static void *fx_root(struct acpi_fixture *fx, unsigned int root)
{
	bool xsdt = root == ACPI_FX_XSDT;
	size_t esize = xsdt ? 8 : 4;
	u8 *t;
	unsigned int i;

	t = acpi_fx_table_begin(fx, xsdt ? "XSDT" : "RSDT", 1);
	for (i = 0; i < fx->nr_entries; i++) {
		u8 *e;

		if (!(fx->entry[i].roots & root))
			continue;
		e = acpi_fx_append(fx, esize);
		if (xsdt)
			acpi_fx_w64(e, 0, fx->entry[i].pa);
		else
			acpi_fx_w32(e, 0, (u32)fx->entry[i].pa);
	}
	set_checksum(t, acpi_fx_table_length(t), FX_HDR_CHECKSUM);
	fx->open = NULL;
	return t;
}

const void *acpi_fx_finish(struct acpi_fixture *fx)
{
	u8 *r = fx->mem;

	if (fx->open)
		fail_msg("acpi fixture: table %.4s still open", (const char *)fx->open);
	if (fx->roots & ACPI_FX_RSDT)
		fx->rsdt = fx_root(fx, ACPI_FX_RSDT);
	if (fx->roots & ACPI_FX_XSDT)
		fx->xsdt = fx_root(fx, ACPI_FX_XSDT);
	memcpy(r + FX_RSDP_SIGNATURE, "RSD PTR ", 8);
	memcpy(r + FX_RSDP_OEM_ID, "PROXFX", 6);
	acpi_fx_w8(r, FX_RSDP_REVISION, fx->rsdp_revision);
	if (fx->rsdt)
		acpi_fx_w32(r, FX_RSDP_RSDT, (u32)acpi_fx_pa(fx, fx->rsdt));
	if (fx->rsdp_revision >= 2) {
		acpi_fx_w32(r, FX_RSDP_LENGTH, FX_RSDP_V2_SIZE);
		if (fx->xsdt)
			acpi_fx_w64(r, FX_RSDP_XSDT, acpi_fx_pa(fx, fx->xsdt));
	}
	fx->rsdp = r;
	acpi_fx_fix_rsdp(fx);
	fx_poison(fx->mem + fx->used, ACPI_FX_SIZE - fx->used);
	fake_acpi_map_window(fx->base, fx->mem, fx->used);
	return r;
}

/* ---- MADT, SRAT, SLIT --------------------------------------------------------- */

void *acpi_fx_madt_begin(struct acpi_fixture *fx)
{
	u8 *m = acpi_fx_table_begin(fx, "APIC", 4);

	acpi_fx_append(fx, FX_MADT_SIZE - FX_HDR_SIZE);
	acpi_fx_w32(m, FX_MADT_LAPIC_ADDRESS, 0xfee00000);
	acpi_fx_w32(m, FX_MADT_FLAGS, 1); /* PCAT_COMPAT */
	fx->next_uid = 0;
	return m;
}

void *acpi_fx_madt_lapic(struct acpi_fixture *fx, u8 apic_id, u32 flags)
{
	u8 *e = acpi_fx_sub(fx, FX_MADT_LAPIC, FX_LAPIC_SIZE);

	acpi_fx_w8(e, FX_LAPIC_UID, (u8)fx->next_uid++);
	acpi_fx_w8(e, FX_LAPIC_ID, apic_id);
	acpi_fx_w32(e, FX_LAPIC_FLAGS, flags);
	return e;
}

void *acpi_fx_madt_x2apic(struct acpi_fixture *fx, u32 x2apic_id, u32 flags)
{
	u8 *e = acpi_fx_sub(fx, FX_MADT_X2APIC, FX_X2APIC_SIZE);

	acpi_fx_w32(e, FX_X2APIC_ID, x2apic_id);
	acpi_fx_w32(e, FX_X2APIC_FLAGS, flags);
	acpi_fx_w32(e, FX_X2APIC_UID, fx->next_uid++);
	return e;
}

static u8 *fx_lsapic(struct acpi_fixture *fx, u8 len, u8 sapic_id, u8 eid, u32 flags)
{
	u8 *e = acpi_fx_sub(fx, FX_MADT_LSAPIC, len);

	acpi_fx_w8(e, FX_LSAPIC_PROCESSOR_ID, (u8)fx->next_uid);
	acpi_fx_w8(e, FX_LSAPIC_ID, sapic_id);
	acpi_fx_w8(e, FX_LSAPIC_EID, eid);
	acpi_fx_w32(e, FX_LSAPIC_FLAGS, flags);
	return e;
}

void *acpi_fx_madt_lsapic(struct acpi_fixture *fx, u8 sapic_id, u8 eid, u32 flags)
{
	/* The UID value, then the UID string: just its NUL. */
	u8 *e = fx_lsapic(fx, FX_LSAPIC_UID_STRING + 1, sapic_id, eid, flags);

	acpi_fx_w32(e, FX_LSAPIC_UID, fx->next_uid++);
	return e;
}

void *acpi_fx_madt_lsapic_acpi2(struct acpi_fixture *fx, u8 sapic_id, u8 eid, u32 flags)
{
	u8 *e = fx_lsapic(fx, FX_LSAPIC_ACPI2_SIZE, sapic_id, eid, flags);

	fx->next_uid++;
	return e;
}

void *acpi_fx_srat_begin(struct acpi_fixture *fx, u8 revision)
{
	u8 *s = acpi_fx_table_begin(fx, "SRAT", revision);

	acpi_fx_append(fx, FX_SRAT_SIZE - FX_HDR_SIZE);
	acpi_fx_w32(s, FX_SRAT_RESERVED1, 1);
	return s;
}

void *acpi_fx_srat_cpu(struct acpi_fixture *fx, u32 pxm, u8 apic_id, u8 eid, u32 flags)
{
	u8 *e = acpi_fx_sub(fx, FX_SRAT_CPU, FX_SRAT_CPU_SIZE);

	acpi_fx_w8(e, FX_SRAT_CPU_PXM_LO, (u8)pxm);
	acpi_fx_w8(e, FX_SRAT_CPU_APIC_ID, apic_id);
	acpi_fx_w32(e, FX_SRAT_CPU_FLAGS, flags);
	acpi_fx_w8(e, FX_SRAT_CPU_EID, eid);
	acpi_fx_w8(e, FX_SRAT_CPU_PXM_HI, (u8)(pxm >> 8));
	acpi_fx_w8(e, FX_SRAT_CPU_PXM_HI + 1, (u8)(pxm >> 16));
	acpi_fx_w8(e, FX_SRAT_CPU_PXM_HI + 2, (u8)(pxm >> 24));
	return e;
}

void *acpi_fx_srat_x2apic(struct acpi_fixture *fx, u32 pxm, u32 x2apic_id, u32 flags)
{
	u8 *e = acpi_fx_sub(fx, FX_SRAT_X2APIC, FX_SRAT_X2APIC_SIZE);

	acpi_fx_w32(e, FX_SRAT_X2APIC_PXM, pxm);
	acpi_fx_w32(e, FX_SRAT_X2APIC_ID, x2apic_id);
	acpi_fx_w32(e, FX_SRAT_X2APIC_FLAGS, flags);
	return e;
}

void *acpi_fx_srat_mem(struct acpi_fixture *fx, u32 pxm, u64 base, u64 len, u32 flags)
{
	u8 *e = acpi_fx_sub(fx, FX_SRAT_MEM, FX_SRAT_MEM_SIZE);

	acpi_fx_w32(e, FX_SRAT_MEM_PXM, pxm);
	acpi_fx_w32(e, FX_SRAT_MEM_BASE_LO, (u32)base);
	acpi_fx_w32(e, FX_SRAT_MEM_BASE_HI, (u32)(base >> 32));
	acpi_fx_w32(e, FX_SRAT_MEM_LENGTH_LO, (u32)len);
	acpi_fx_w32(e, FX_SRAT_MEM_LENGTH_HI, (u32)(len >> 32));
	acpi_fx_w32(e, FX_SRAT_MEM_FLAGS, flags);
	return e;
}

void *acpi_fx_slit(struct acpi_fixture *fx, u64 count, const u8 *matrix)
{
	u8 *s = acpi_fx_table_begin(fx, "SLIT", 1);

	acpi_fx_append(fx, FX_SLIT_SIZE - FX_HDR_SIZE);
	acpi_fx_w64(s, FX_SLIT_COUNT, count);
	if (count) {
		void *p = acpi_fx_append(fx, count * count);

		if (matrix)
			memcpy(p, matrix, count * count);
	}
	acpi_fx_table_end(fx);
	return s;
}

/* ---- a QEMU-like machine ------------------------------------------------------ */

/* SRAT memory entries for RAM offsets [a, b) of node pxm, split at the low-memory top. */
static void qemu_mem(struct acpi_fixture *fx, u32 pxm, u64 a, u64 b)
{
	const u64 high = 1ULL << 32;

	if (a >= b)
		return;
	const u64 low = ACPI_FX_QEMU_LOWMEM;

	if (a < low)
		acpi_fx_srat_mem(fx, pxm, a, (b < low ? b : low) - a, FX_SRAT_MEM_ENABLED);
	if (b > low) {
		u64 s = a > low ? a : low;

		acpi_fx_srat_mem(fx, pxm, high + s - low, b - s, FX_SRAT_MEM_ENABLED);
	}
}

void acpi_fx_add_qemu(struct acpi_fixture *fx, const u64 *node_mem, const unsigned int *cpus,
		      unsigned int nr, unsigned int pad_disabled, const u8 *slit)
{
	unsigned int i, j, id = 0;
	u64 at = 0;

	/* 244 bytes, the size of an ACPI 2.0 FADT (§5.2.9); nothing reads it. */
	acpi_fx_add_table(fx, "FACP", NULL, 244 - FX_HDR_SIZE);
	acpi_fx_madt_begin(fx);
	for (i = 0; i < nr; i++)
		for (j = 0; j < cpus[i]; j++)
			acpi_fx_madt_lapic(fx, (u8)id++, FX_MADT_ENABLED);
	acpi_fx_table_end(fx);

	acpi_fx_srat_begin(fx, 1);
	for (i = 0, id = 0; i < nr; i++)
		for (j = 0; j < cpus[i]; j++)
			acpi_fx_srat_cpu(fx, i, (u8)id++, 0, FX_SRAT_CPU_ENABLED);
	for (i = 0; i < nr; i++) {
		u64 end = at + node_mem[i];

		if (i == 0 && end > 0x100000) {
			qemu_mem(fx, 0, 0, 0xa0000);
			at = 0x100000;
		}
		qemu_mem(fx, i, at, end);
		at = end;
	}
	for (i = 0; i < pad_disabled; i++)
		acpi_fx_srat_mem(fx, 0, 0, 0, 0);
	acpi_fx_table_end(fx);
	if (slit)
		acpi_fx_slit(fx, nr, slit);
}
