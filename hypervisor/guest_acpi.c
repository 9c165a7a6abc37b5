/*
 * Builds a guest's ACPI tables (RSDP, XSDT, MADT, SRAT, SLIT, FADT, DSDT) from its
 * virtual NUMA layout, into a caller's buffer for a given guest-physical
 * address. Owns only the layout of those tables; mapping them into the
 * guest is someone else's job. No state, no locks, no printing.
 *
 * Invariants: the description is checked in full, and the size needed
 * computed, before the first byte of buf is written, so every error
 * leaves buf as it was. The layout structs below are the builder's own,
 * written from the ACPI 6.2 specification (section numbers are 6.2's),
 * and deliberately not the parser's in <hv/acpi.h>: the hosted tests read
 * the result at the specification's byte offsets and through the parser,
 * so a wrong field in either shows up.
 */
#include <hv/compiler.h>
#include <hv/errno.h>
#include <hv/guest_acpi.h>
#include <hv/lib.h>

/* §5.2.6 System Description Table Header */
struct ga_header {
	char signature[4];
	u32 length;
	u8 revision;
	u8 checksum;
	char oem_id[6];
	char oem_table_id[8];
	u32 oem_revision;
	char creator_id[4];
	u32 creator_revision;
} __packed;

/* §5.2.5.3 Root System Description Pointer, revision 2 */
struct ga_rsdp {
	char signature[8];
	u8 checksum; /* bytes 0..19 */
	char oem_id[6];
	u8 revision;
	u32 rsdt_address;
	u32 length;
	u64 xsdt_address;
	u8 ext_checksum; /* all 36 bytes */
	u8 reserved[3];
} __packed;

/* §5.2.8 Extended System Description Table: our four tables (the DSDT hangs off the FADT). */
#define GA_NR_TABLES 4
struct ga_xsdt {
	struct ga_header h;
	u64 entry[GA_NR_TABLES];
} __packed;

/* §5.2.12 Multiple APIC Description Table */
struct ga_madt {
	struct ga_header h;
	u32 lapic_address;
	u32 flags; /* bit 0 PCAT_COMPAT */
} __packed;

/* §5.2.12.2 Processor Local APIC Structure */
struct ga_madt_lapic {
	u8 type; /* 0 */
	u8 length;
	u8 processor_uid;
	u8 apic_id;
	u32 flags; /* bit 0 Enabled */
} __packed;

/* §5.2.16 System Resource Affinity Table */
struct ga_srat {
	struct ga_header h;
	u32 reserved1; /* 1, for compatibility */
	u64 reserved2;
} __packed;

/* §5.2.16.1 Processor Local APIC/SAPIC Affinity Structure */
struct ga_srat_cpu {
	u8 type; /* 0 */
	u8 length;
	u8 pxm_lo; /* proximity domain [7:0] */
	u8 apic_id;
	u32 flags; /* bit 0 Enabled */
	u8 sapic_eid;
	u8 pxm_hi[3]; /* proximity domain [31:8] */
	u32 clock_domain;
} __packed;

/* §5.2.16.2 Memory Affinity Structure */
struct ga_srat_mem {
	u8 type; /* 1 */
	u8 length;
	u32 pxm;
	u16 reserved1;
	u64 base;
	u64 len;
	u32 reserved2;
	u32 flags; /* bit 0 Enabled */
	u64 reserved3;
} __packed;

/* §5.2.3.2 Generic Address Structure */
struct ga_gas {
	u8 space_id; /* 1: system I/O */
	u8 bit_width;
	u8 bit_offset;
	u8 access_size; /* 1: byte */
	u64 address;
} __packed;

/*
 * §5.2.9 Fixed ACPI Description Table, revision 6, of a hardware-reduced
 * platform (§4.1): no fixed hardware, no SCI, no SMI command port; what
 * is left are the DSDT and the sleep control and status registers (§4.8.3.7,
 * §4.8.3.8), by which the guest powers itself off.
 */
struct ga_fadt {
	struct ga_header h;
	u32 firmware_ctrl;
	u32 dsdt;
	u8 reserved1;
	u8 preferred_pm_profile;
	u16 sci_int;
	u32 smi_cmd;
	u8 acpi_enable, acpi_disable, s4bios_req, pstate_cnt;
	u32 pm1a_evt_blk, pm1b_evt_blk, pm1a_cnt_blk, pm1b_cnt_blk;
	u32 pm2_cnt_blk, pm_tmr_blk, gpe0_blk, gpe1_blk;
	u8 pm1_evt_len, pm1_cnt_len, pm2_cnt_len, pm_tmr_len;
	u8 gpe0_blk_len, gpe1_blk_len, gpe1_base, cst_cnt;
	u16 p_lvl2_lat, p_lvl3_lat, flush_size, flush_stride;
	u8 duty_offset, duty_width, day_alrm, mon_alrm, century;
	u16 iapc_boot_arch;
	u8 reserved2;
	u32 flags;
	struct ga_gas reset_reg;
	u8 reset_value;
	u16 arm_boot_arch;
	u8 minor_version;
	u64 x_firmware_ctrl;
	u64 x_dsdt;
	struct ga_gas x_pm1a_evt_blk, x_pm1b_evt_blk, x_pm1a_cnt_blk, x_pm1b_cnt_blk;
	struct ga_gas x_pm2_cnt_blk, x_pm_tmr_blk, x_gpe0_blk, x_gpe1_blk;
	struct ga_gas sleep_control_reg, sleep_status_reg;
	u64 hypervisor_vendor_id;
} __packed;

/*
 * §5.2.11.1 Differentiated System Description Table: a header and the
 * AML (§20) of this ASL, compiled with iasl and checked with iasl -d:
 *
 *   Name (_S5, Package (2) { 5, 5 })
 *   Scope (\_SB) {
 *     Device (COM1) {
 *       Name (_HID, EisaId ("PNP0501"))
 *       Name (_UID, 1)
 *       Name (_CRS, ResourceTemplate () { IO (Decode16, 0x3F8, 0x3F8, 1, 8) })
 *     }
 *   }
 *
 * The S5 sleep type is what the guest writes to power off. COM1 is
 * described with its ports and no interrupt, as the domain's 16550 has
 * none: an operating system then polls it (Linux's 8250 driver runs a
 * timer for a port of IRQ 0) instead of waiting for an IRQ 4 that never
 * comes, so its user space can write to the console too.
 */
static const u8 ga_dsdt_aml[] = {
    /* NameOp "_S5_" PackageOp PkgLength 6, 2 elements: BytePrefix 5, BytePrefix 5 */
    0x08, '_', 'S', '5', '_', 0x12, 0x06, 0x02, 0x0a, 0x05, 0x0a, 0x05,
    /* ScopeOp PkgLength 0x2f "_SB_" */
    0x10, 0x2f, '_', 'S', 'B', '_',
    /* DeviceOp (ExtOpPrefix 0x5b 0x82) PkgLength 0x28 "COM1" */
    0x5b, 0x82, 0x28, 'C', 'O', 'M', '1',
    /* Name _HID DWordPrefix 0x0105d041: EISA id PNP0501 (a 16550A-compatible port) */
    0x08, '_', 'H', 'I', 'D', 0x0c, 0x41, 0xd0, 0x05, 0x01,
    /* Name _UID OneOp */
    0x08, '_', 'U', 'I', 'D', 0x01,
    /* Name _CRS BufferOp PkgLength 0x0d, size 10: an I/O port descriptor (§6.4.2.5:
     * 0x47, 16-bit decode, minimum and maximum 0x3f8, alignment 1, length 8) and
     * the end tag (§6.4.2.9: 0x79, checksum 0) */
    0x08, '_', 'C', 'R', 'S', 0x11, 0x0d, 0x0a, 0x0a, 0x47, 0x01, 0xf8, 0x03, 0xf8, 0x03, 0x01,
    0x08, 0x79, 0x00};

/* §5.2.17 System Locality Distance Information Table */
struct ga_slit {
	struct ga_header h;
	u64 locality_count; /* count * count bytes follow */
} __packed;

_Static_assert(sizeof(struct ga_header) == 36, "ACPI header layout");
_Static_assert(sizeof(struct ga_rsdp) == 36, "RSDP layout");
_Static_assert(__builtin_offsetof(struct ga_rsdp, xsdt_address) == 24, "RSDP XSDT address");
_Static_assert(__builtin_offsetof(struct ga_rsdp, ext_checksum) == 32, "RSDP ext checksum");
_Static_assert(sizeof(struct ga_xsdt) == 36 + 8 * GA_NR_TABLES, "XSDT layout");
_Static_assert(sizeof(struct ga_madt) == 44, "MADT layout");
_Static_assert(sizeof(struct ga_madt_lapic) == 8, "MADT local APIC layout");
_Static_assert(sizeof(struct ga_srat) == 48, "SRAT layout");
_Static_assert(sizeof(struct ga_srat_cpu) == 16, "SRAT CPU affinity layout");
_Static_assert(__builtin_offsetof(struct ga_srat_cpu, pxm_hi) == 9, "SRAT CPU pxm [31:8]");
_Static_assert(sizeof(struct ga_srat_mem) == 40, "SRAT memory affinity layout");
_Static_assert(__builtin_offsetof(struct ga_srat_mem, base) == 8, "SRAT memory base");
_Static_assert(__builtin_offsetof(struct ga_srat_mem, flags) == 28, "SRAT memory flags");
_Static_assert(sizeof(struct ga_slit) == 44, "SLIT layout");
_Static_assert(sizeof(struct ga_gas) == 12, "GAS layout");
_Static_assert(sizeof(struct ga_fadt) == 276, "FADT layout");
_Static_assert(__builtin_offsetof(struct ga_fadt, iapc_boot_arch) == 109, "FADT IAPC_BOOT_ARCH");
_Static_assert(__builtin_offsetof(struct ga_fadt, flags) == 112, "FADT flags");
_Static_assert(__builtin_offsetof(struct ga_fadt, minor_version) == 131, "FADT minor version");
_Static_assert(__builtin_offsetof(struct ga_fadt, x_dsdt) == 140, "FADT X_DSDT");
_Static_assert(__builtin_offsetof(struct ga_fadt, sleep_control_reg) == 244, "FADT sleep control");
_Static_assert(__builtin_offsetof(struct ga_fadt, sleep_status_reg) == 256, "FADT sleep status");

#define GA_RSDP_V1_LEN 20 /* what the RSDP's first checksum covers */
#define GA_LAPIC_ADDRESS 0xfee00000U
#define GA_ENABLED 1U
#define GA_HOTPLUG 2U /* SRAT memory affinity: Hot Pluggable */
#define GA_DIST_LOCAL 10
#define GA_DIST_MIN_REMOTE 11 /* 0..9 reserved, 10 local */
#define GA_BELOW_4G 0x100000000ULL
#define GA_FADT_HW_REDUCED (1U << 20)
#define GA_FADT_PWR_BUTTON (1U << 4) /* the power button: not a fixed feature */
#define GA_FADT_SLP_BUTTON (1U << 5) /* nor the sleep button */
#define GA_BOOT_VGA_NOT_PRESENT (1U << 2)
#define GA_BOOT_CMOS_RTC_NOT_PRESENT (1U << 5)
#define GA_GAS_SYSTEM_IO 1
#define GA_GAS_BYTE 1

/* Where each table goes: offsets from the start of the buffer. */
struct ga_layout {
	size_t xsdt, madt, srat, slit, fadt, dsdt, end;
};

static void ga_layout(const struct guest_vnuma *v, struct ga_layout *l)
{
	size_t n = v->nr_vnodes;

	l->xsdt = ALIGN_UP(sizeof(struct ga_rsdp), 8);
	l->madt = ALIGN_UP(l->xsdt + sizeof(struct ga_xsdt), 8);
	l->srat = ALIGN_UP(
	    l->madt + sizeof(struct ga_madt) + v->nr_vcpus * sizeof(struct ga_madt_lapic), 8);
	l->slit =
	    ALIGN_UP(l->srat + sizeof(struct ga_srat) + v->nr_vcpus * sizeof(struct ga_srat_cpu) +
			 v->nr_ranges * sizeof(struct ga_srat_mem),
		     8);
	l->fadt = ALIGN_UP(l->slit + sizeof(struct ga_slit) + n * n, 8);
	l->dsdt = ALIGN_UP(l->fadt + sizeof(struct ga_fadt), 8);
	l->end = l->dsdt + sizeof(struct ga_header) + sizeof(ga_dsdt_aml);
}

/* Write a one-line reason to err (errlen bytes, 0: none) and return rc. */
static int __printf(4, 5) ga_fail(char *err, size_t errlen, int rc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return rc;
}

/* -EINVAL with a reason, or 0 when the ranges are non-empty and disjoint. */
static int ga_check_ranges(const struct guest_vnuma *v, char *err, size_t errlen)
{
	unsigned int i, j;

	for (i = 0; i < v->nr_ranges; i++) {
		const struct guest_acpi_range *r = &v->range[i];

		if (r->vnode >= v->nr_vnodes)
			return ga_fail(err, errlen, -EINVAL, "range %u: vnode %u >= nr_vnodes %u",
				       i, r->vnode, v->nr_vnodes);
		if (r->start >= r->end)
			return ga_fail(err, errlen, -EINVAL, "range %u: empty [%#llx, %#llx)", i,
				       (unsigned long long)r->start, (unsigned long long)r->end);
		for (j = 0; j < i; j++) {
			const struct guest_acpi_range *o = &v->range[j];

			if (r->start < o->end && o->start < r->end)
				return ga_fail(err, errlen, -EINVAL, "range %u overlaps range %u",
					       i, j);
		}
	}
	return 0;
}

static int ga_check(const struct guest_vnuma *v, u64 base, char *err, size_t errlen)
{
	unsigned int i, j;

	if (!v->nr_vnodes || v->nr_vnodes > GUEST_ACPI_MAX_VNODES)
		return ga_fail(err, errlen, -EINVAL, "nr_vnodes %u not in 1..%u", v->nr_vnodes,
			       GUEST_ACPI_MAX_VNODES);
	if (!v->nr_vcpus || v->nr_vcpus > GUEST_ACPI_MAX_VCPUS)
		return ga_fail(err, errlen, -EINVAL, "nr_vcpus %u not in 1..%u", v->nr_vcpus,
			       GUEST_ACPI_MAX_VCPUS);
	if (!v->nr_ranges || v->nr_ranges > GUEST_ACPI_MAX_RANGES)
		return ga_fail(err, errlen, -EINVAL, "nr_ranges %u not in 1..%u", v->nr_ranges,
			       GUEST_ACPI_MAX_RANGES);
	if (base & 15)
		return ga_fail(err, errlen, -EINVAL, "base %#llx not 16-byte aligned",
			       (unsigned long long)base);
	for (i = 0; i < v->nr_vcpus; i++)
		if (v->vcpu_vnode[i] >= v->nr_vnodes)
			return ga_fail(err, errlen, -EINVAL, "vcpu %u: vnode %u >= nr_vnodes %u", i,
				       v->vcpu_vnode[i], v->nr_vnodes);
	for (i = 0; i < v->nr_vnodes; i++)
		for (j = 0; j < v->nr_vnodes; j++) {
			u8 d = v->distance[i][j];

			if (i == j && d != GA_DIST_LOCAL)
				return ga_fail(err, errlen, -EINVAL,
					       "distance[%u][%u] = %u, not 10", i, j, d);
			if (i != j && d < GA_DIST_MIN_REMOTE)
				return ga_fail(err, errlen, -EINVAL,
					       "distance[%u][%u] = %u, below 11", i, j, d);
		}
	return ga_check_ranges(v, err, errlen);
}

/* The value that makes len bytes at p sum to 0, its own byte counted as 0. */
static u8 ga_checksum(const void *p, size_t len)
{
	const u8 *b = p;
	u8 sum = 0;

	while (len--)
		sum += *b++;
	return (u8)-sum;
}

static void ga_header(struct ga_header *h, const char *sig, u32 length, u8 revision)
{
	memcpy(h->signature, sig, 4);
	h->length = length;
	h->revision = revision;
	memcpy(h->oem_id, "PRXIMA", 6);
	memcpy(h->oem_table_id, "PROXIMA ", 8);
	h->oem_revision = 1;
	memcpy(h->creator_id, "PRXM", 4);
	h->creator_revision = 1;
}

/* Close a table laid out from h: its checksum over its length. */
static void ga_seal(struct ga_header *h)
{
	h->checksum = 0;
	h->checksum = ga_checksum(h, h->length);
}

static void ga_build_madt(const struct guest_vnuma *v, u8 *t)
{
	struct ga_madt *m = (struct ga_madt *)t;
	struct ga_madt_lapic *e = (struct ga_madt_lapic *)(m + 1);
	unsigned int i;

	ga_header(&m->h, "APIC", sizeof(*m) + v->nr_vcpus * sizeof(*e), 4);
	m->lapic_address = GA_LAPIC_ADDRESS;
	m->flags = 0; /* no 8259 PICs */
	for (i = 0; i < v->nr_vcpus; i++, e++) {
		e->type = 0;
		e->length = sizeof(*e);
		e->processor_uid = (u8)i;
		e->apic_id = (u8)i;
		e->flags = GA_ENABLED;
	}
	ga_seal(&m->h);
}

static void ga_build_srat(const struct guest_vnuma *v, u8 *t)
{
	struct ga_srat *s = (struct ga_srat *)t;
	struct ga_srat_cpu *c = (struct ga_srat_cpu *)(s + 1);
	struct ga_srat_mem *m = (struct ga_srat_mem *)(c + v->nr_vcpus);
	unsigned int i;

	ga_header(&s->h, "SRAT", sizeof(*s) + v->nr_vcpus * sizeof(*c) + v->nr_ranges * sizeof(*m),
		  3);
	s->reserved1 = 1;
	for (i = 0; i < v->nr_vcpus; i++, c++) {
		c->type = 0;
		c->length = sizeof(*c);
		c->pxm_lo = v->vcpu_vnode[i]; /* vnodes < 64: pxm_hi stays 0 */
		c->apic_id = (u8)i;
		c->flags = GA_ENABLED;
	}
	for (i = 0; i < v->nr_ranges; i++, m++) {
		m->type = 1;
		m->length = sizeof(*m);
		m->pxm = v->range[i].vnode;
		m->base = v->range[i].start;
		m->len = v->range[i].end - v->range[i].start;
		m->flags = GA_ENABLED | (v->range[i].hotplug ? GA_HOTPLUG : 0);
	}
	ga_seal(&s->h);
}

static void ga_build_slit(const struct guest_vnuma *v, u8 *t)
{
	struct ga_slit *s = (struct ga_slit *)t;
	u8 *row = (u8 *)(s + 1);
	unsigned int n = v->nr_vnodes, i;

	ga_header(&s->h, "SLIT", sizeof(*s) + n * n, 1);
	s->locality_count = n;
	for (i = 0; i < n; i++, row += n)
		memcpy(row, v->distance[i], n);
	ga_seal(&s->h);
}

static void ga_gas_port(struct ga_gas *g, u16 port)
{
	g->space_id = GA_GAS_SYSTEM_IO;
	g->bit_width = 8;
	g->bit_offset = 0;
	g->access_size = GA_GAS_BYTE;
	g->address = port;
}

static void ga_build_fadt(u8 *t, u64 dsdt)
{
	struct ga_fadt *f = (struct ga_fadt *)t;

	ga_header(&f->h, "FACP", sizeof(*f), 6);
	f->flags = GA_FADT_HW_REDUCED | GA_FADT_PWR_BUTTON | GA_FADT_SLP_BUTTON;
	/* No ISA legacy devices, no 8042, no VGA, no CMOS clock. */
	f->iapc_boot_arch = GA_BOOT_VGA_NOT_PRESENT | GA_BOOT_CMOS_RTC_NOT_PRESENT;
	f->minor_version = 2; /* ACPI 6.2 */
	f->x_dsdt = dsdt;
	ga_gas_port(&f->sleep_control_reg, GUEST_ACPI_SLEEP_CONTROL_PORT);
	ga_gas_port(&f->sleep_status_reg, GUEST_ACPI_SLEEP_STATUS_PORT);
	ga_seal(&f->h);
}

static void ga_build_dsdt(u8 *t)
{
	struct ga_header *h = (struct ga_header *)t;

	ga_header(h, "DSDT", sizeof(*h) + sizeof(ga_dsdt_aml), 2); /* 2: 64-bit integers */
	memcpy(h + 1, ga_dsdt_aml, sizeof(ga_dsdt_aml));
	ga_seal(h);
}

int guest_acpi_build(const struct guest_vnuma *v, u64 base, void *buf, size_t size, size_t *used,
		     char *err, size_t errlen)
{
	struct ga_layout l;
	struct ga_rsdp *rsdp = buf;
	struct ga_xsdt *xsdt;
	u8 *p = buf;
	int rc;

	if (!err)
		errlen = 0;
	rc = ga_check(v, base, err, errlen);
	if (rc)
		return rc;
	ga_layout(v, &l);
	if (base >= GA_BELOW_4G || l.end > GA_BELOW_4G - base)
		return ga_fail(err, errlen, -EINVAL, "tables at %#llx + %zu reach past 4 GiB",
			       (unsigned long long)base, l.end);
	if (size < l.end)
		return ga_fail(err, errlen, -ENOSPC, "tables need %zu bytes, buffer has %zu", l.end,
			       size);

	memset(buf, 0, l.end);
	ga_build_madt(v, p + l.madt);
	ga_build_srat(v, p + l.srat);
	ga_build_slit(v, p + l.slit);
	ga_build_fadt(p + l.fadt, base + l.dsdt);
	ga_build_dsdt(p + l.dsdt);

	xsdt = (struct ga_xsdt *)(p + l.xsdt);
	ga_header(&xsdt->h, "XSDT", sizeof(*xsdt), 1);
	xsdt->entry[0] = base + l.madt;
	xsdt->entry[1] = base + l.srat;
	xsdt->entry[2] = base + l.slit;
	xsdt->entry[3] = base + l.fadt;
	ga_seal(&xsdt->h);

	memcpy(rsdp->signature, "RSD PTR ", 8);
	memcpy(rsdp->oem_id, "PRXIMA", 6);
	rsdp->revision = 2;
	rsdp->rsdt_address = 0;
	rsdp->length = sizeof(*rsdp);
	rsdp->xsdt_address = base + l.xsdt;
	rsdp->checksum = ga_checksum(rsdp, GA_RSDP_V1_LEN);
	rsdp->ext_checksum = ga_checksum(rsdp, sizeof(*rsdp));

	*used = l.end;
	return 0;
}
