/*
 * The ACPI table builder behind support_acpi.h: lays tables out one after
 * another in a calloc'd window, closes each with its length and checksum,
 * and at finish writes the root tables and the RSDP and maps the window
 * through fake_acpi.c. Bytes of the window past what was laid out are
 * poisoned under ASan, so a parser that reads past the mapped part is
 * caught even though the buffer goes on. One fixture in use at a time.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

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
#define HDR_LEN sizeof(struct acpi_table_header)

static u8 sum_bytes(const void *p, size_t len)
{
	const u8 *b = p;
	u8 sum = 0;

	while (len--)
		sum += *b++;
	return sum;
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
	fx->used = sizeof(struct acpi_rsdp);
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
		fail_msg("acpi_fx_ptr(0x%llx): outside the window", (unsigned long long)pa);
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

void acpi_fx_list_in(struct acpi_fixture *fx, const struct acpi_table_header *t,
		     unsigned int roots)
{
	paddr_t pa = acpi_fx_pa(fx, t);
	unsigned int i;

	for (i = 0; i < fx->nr_entries; i++)
		if (fx->entry[i].pa == pa)
			fx->entry[i].roots = roots;
}

struct acpi_table_header *acpi_fx_table_begin(struct acpi_fixture *fx, const char *sig,
					      u8 revision)
{
	struct acpi_table_header *t;

	if (fx->open)
		fail_msg("acpi fixture: table %.4s still open", fx->open->signature);
	t = fx_alloc(fx, HDR_LEN, FX_ALIGN);
	memcpy(t->signature, sig, 4);
	t->revision = revision;
	memcpy(t->oem_id, "PROXFX", 6);
	memcpy(t->oem_table_id, "HOSTED  ", 8);
	t->oem_revision = 1;
	memcpy(t->creator_id, "PXFX", 4);
	t->creator_revision = 1;
	t->length = HDR_LEN;
	fx->open = t;
	return t;
}

void *acpi_fx_append(struct acpi_fixture *fx, size_t len)
{
	void *p;

	if (!fx->open)
		fail_msg("acpi fixture: append with no table open");
	p = fx_alloc(fx, len, 1);
	fx->open->length = (u32)(fx->used - (size_t)((u8 *)fx->open - fx->mem));
	return p;
}

struct acpi_table_header *acpi_fx_table_end(struct acpi_fixture *fx)
{
	struct acpi_table_header *t = fx->open;

	if (!t)
		fail_msg("acpi fixture: no table open");
	t->checksum = 0;
	t->checksum = (u8)-sum_bytes(t, t->length);
	fx->open = NULL;
	acpi_fx_add_entry(fx, acpi_fx_pa(fx, t), ACPI_FX_BOTH);
	return t;
}

struct acpi_table_header *acpi_fx_add_table(struct acpi_fixture *fx, const char *sig,
					    const void *body, size_t len)
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
	struct acpi_subtable_header *h;

	if (len < sizeof(*h))
		fail_msg("acpi_fx_sub: length %u cannot hold the header", len);
	h = acpi_fx_append(fx, len);
	h->type = type;
	h->length = len;
	return h;
}

struct acpi_table_header *acpi_fx_find(const struct acpi_fixture *fx, const char *sig)
{
	unsigned int i;

	for (i = 0; i < fx->nr_entries; i++) {
		paddr_t pa = fx->entry[i].pa;
		struct acpi_table_header *t;

		if (pa < fx->base || pa - fx->base + HDR_LEN > fx->used)
			continue;
		t = acpi_fx_ptr(fx, pa);
		if (!memcmp(t->signature, sig, 4))
			return t;
	}
	return NULL;
}

void acpi_fx_fix_checksum(struct acpi_fixture *fx, struct acpi_table_header *t)
{
	size_t room = fx->used - (size_t)((u8 *)t - fx->mem);
	size_t len = t->length < room ? t->length : room;

	t->checksum = 0;
	t->checksum = (u8)-sum_bytes(t, len);
}

void acpi_fx_fix_rsdp(struct acpi_fixture *fx)
{
	struct acpi_rsdp *r = fx->rsdp;

	r->checksum = 0;
	r->checksum = (u8)-sum_bytes(r, 20);
	if (r->revision >= 2) {
		r->ext_checksum = 0;
		r->ext_checksum = (u8)-sum_bytes(r, sizeof(*r));
	}
}

/* Lay out one root table listing the entries marked with root. */
static struct acpi_table_header *fx_root(struct acpi_fixture *fx, unsigned int root)
{
	bool xsdt = root == ACPI_FX_XSDT;
	size_t esize = xsdt ? 8 : 4;
	struct acpi_table_header *t;
	unsigned int i;

	t = acpi_fx_table_begin(fx, xsdt ? "XSDT" : "RSDT", 1);
	for (i = 0; i < fx->nr_entries; i++) {
		u64 pa = fx->entry[i].pa;

		if (fx->entry[i].roots & root)
			memcpy(acpi_fx_append(fx, esize), &pa, esize);
	}
	t->checksum = (u8)-sum_bytes(t, t->length);
	fx->open = NULL;
	return t;
}

const struct acpi_rsdp *acpi_fx_finish(struct acpi_fixture *fx)
{
	struct acpi_rsdp *r = (struct acpi_rsdp *)fx->mem;

	if (fx->open)
		fail_msg("acpi fixture: table %.4s still open", fx->open->signature);
	if (fx->roots & ACPI_FX_RSDT)
		fx->rsdt = fx_root(fx, ACPI_FX_RSDT);
	if (fx->roots & ACPI_FX_XSDT)
		fx->xsdt = fx_root(fx, ACPI_FX_XSDT);
	memcpy(r->signature, "RSD PTR ", 8);
	memcpy(r->oem_id, "PROXFX", 6);
	r->revision = fx->rsdp_revision;
	if (fx->rsdt)
		r->rsdt_address = (u32)acpi_fx_pa(fx, fx->rsdt);
	if (fx->rsdp_revision >= 2) {
		r->length = sizeof(*r);
		if (fx->xsdt)
			r->xsdt_address = acpi_fx_pa(fx, fx->xsdt);
	}
	fx->rsdp = r;
	acpi_fx_fix_rsdp(fx);
	fx_poison(fx->mem + fx->used, ACPI_FX_SIZE - fx->used);
	fake_acpi_map_window(fx->base, fx->mem, fx->used);
	return r;
}

/* ---- MADT, SRAT, SLIT --------------------------------------------------------- */

struct acpi_madt *acpi_fx_madt_begin(struct acpi_fixture *fx)
{
	struct acpi_madt *m = (void *)acpi_fx_table_begin(fx, "APIC", 4);

	acpi_fx_append(fx, sizeof(*m) - HDR_LEN);
	m->lapic_address = 0xfee00000;
	m->flags = 1;
	fx->next_uid = 0;
	return m;
}

struct acpi_madt_lapic *acpi_fx_madt_lapic(struct acpi_fixture *fx, u8 apic_id, u32 flags)
{
	struct acpi_madt_lapic *e = acpi_fx_sub(fx, ACPI_MADT_LAPIC, sizeof(*e));

	e->processor_id = (u8)fx->next_uid++;
	e->apic_id = apic_id;
	e->flags = flags;
	return e;
}

struct acpi_madt_x2apic *acpi_fx_madt_x2apic(struct acpi_fixture *fx, u32 x2apic_id, u32 flags)
{
	struct acpi_madt_x2apic *e = acpi_fx_sub(fx, ACPI_MADT_X2APIC, sizeof(*e));

	e->x2apic_id = x2apic_id;
	e->flags = flags;
	e->uid = fx->next_uid++;
	return e;
}

struct acpi_madt_lsapic *acpi_fx_madt_lsapic(struct acpi_fixture *fx, u8 sapic_id, u8 eid,
					     u32 flags)
{
	struct acpi_madt_lsapic *e = acpi_fx_sub(fx, ACPI_MADT_LSAPIC, sizeof(*e) + 1);

	e->processor_id = (u8)fx->next_uid;
	e->sapic_id = sapic_id;
	e->sapic_eid = eid;
	e->flags = flags;
	e->uid = fx->next_uid++;
	return e;
}

struct acpi_srat *acpi_fx_srat_begin(struct acpi_fixture *fx, u8 revision)
{
	struct acpi_srat *s = (void *)acpi_fx_table_begin(fx, "SRAT", revision);

	acpi_fx_append(fx, sizeof(*s) - HDR_LEN);
	s->table_revision = 1;
	return s;
}

struct acpi_srat_cpu *acpi_fx_srat_cpu(struct acpi_fixture *fx, u32 pxm, u8 apic_id, u8 eid,
				       u32 flags)
{
	struct acpi_srat_cpu *e = acpi_fx_sub(fx, ACPI_SRAT_CPU_AFFINITY, sizeof(*e));

	e->pxm_lo = (u8)pxm;
	e->pxm_hi[0] = (u8)(pxm >> 8);
	e->pxm_hi[1] = (u8)(pxm >> 16);
	e->pxm_hi[2] = (u8)(pxm >> 24);
	e->apic_id = apic_id;
	e->sapic_eid = eid;
	e->flags = flags;
	return e;
}

struct acpi_srat_x2apic *acpi_fx_srat_x2apic(struct acpi_fixture *fx, u32 pxm, u32 x2apic_id,
					     u32 flags)
{
	struct acpi_srat_x2apic *e = acpi_fx_sub(fx, ACPI_SRAT_X2APIC_AFFINITY, sizeof(*e));

	e->pxm = pxm;
	e->x2apic_id = x2apic_id;
	e->flags = flags;
	return e;
}

struct acpi_srat_mem *acpi_fx_srat_mem(struct acpi_fixture *fx, u32 pxm, u64 base, u64 len,
				       u32 flags)
{
	struct acpi_srat_mem *e = acpi_fx_sub(fx, ACPI_SRAT_MEM_AFFINITY, sizeof(*e));

	e->pxm = pxm;
	e->base_lo = (u32)base;
	e->base_hi = (u32)(base >> 32);
	e->length_lo = (u32)len;
	e->length_hi = (u32)(len >> 32);
	e->flags = flags;
	return e;
}

struct acpi_slit *acpi_fx_slit(struct acpi_fixture *fx, u64 count, const u8 *matrix)
{
	struct acpi_slit *s = (void *)acpi_fx_table_begin(fx, "SLIT", 1);

	acpi_fx_append(fx, sizeof(s->locality_count));
	s->locality_count = count;
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
		acpi_fx_srat_mem(fx, pxm, a, (b < low ? b : low) - a, ACPI_SRAT_ENABLED);
	if (b > low) {
		u64 s = a > low ? a : low;

		acpi_fx_srat_mem(fx, pxm, high + s - low, b - s, ACPI_SRAT_ENABLED);
	}
}

void acpi_fx_add_qemu(struct acpi_fixture *fx, const u64 *node_mem, const unsigned int *cpus,
		      unsigned int nr, unsigned int pad_disabled, const u8 *slit)
{
	unsigned int i, j, id = 0;
	u64 at = 0;

	acpi_fx_add_table(fx, "FACP", NULL, 244 - HDR_LEN);
	acpi_fx_madt_begin(fx);
	for (i = 0; i < nr; i++)
		for (j = 0; j < cpus[i]; j++)
			acpi_fx_madt_lapic(fx, (u8)id++, ACPI_MADT_ENABLED);
	acpi_fx_table_end(fx);

	acpi_fx_srat_begin(fx, 1);
	for (i = 0, id = 0; i < nr; i++)
		for (j = 0; j < cpus[i]; j++)
			acpi_fx_srat_cpu(fx, i, (u8)id++, 0, ACPI_SRAT_ENABLED);
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
