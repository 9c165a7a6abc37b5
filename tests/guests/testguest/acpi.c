/*
 * The guest's ACPI tables as Proxima lays them out: the RSDP (revision 2)
 * on a 16-byte boundary in 0xE0000-0xFFFFF, the XSDT, and through it the
 * MADT, SRAT and SLIT. Finds and checks them (signatures, checksums,
 * lengths, and the rules that tie them to each other, to CPUID, to the
 * multiboot memory map and, booted the Multiboot2 way, to the RSDP copies
 * of the MBI2) and keeps what they say in guest_numa for the rest of the
 * guest. The tables are under test: a broken rule crashes the domain with
 * a line that names it; nothing falls back.
 *
 * Owns guest_numa, written by vCPU 0 in acpi_init() before any other vCPU
 * starts and only read afterwards. The tables must lie below 4 GiB, in
 * head.S's map. Layouts are ACPI 6.2's, written here from the
 * specification; every field is read through a packed struct.
 */
#include "guest.h"

#define RSDP_AREA_START ((u64)0xe0000)
#define RSDP_AREA_END ((u64)0x100000)
#define TABLES_END (4 * GIB)
#define TABLE_MAX_LEN MIB /* a longer table is a broken length field */
#define SLIT_LOCAL 10

#define MADT_LAPIC 0
#define SRAT_CPU 0
#define SRAT_MEM 1
#define ACPI_ENABLED (1u << 0)
#define SRAT_MEM_HOTPLUG (1u << 1)
#define MAX_APIC_IDS 256 /* a u8 APIC id */

/* §5.2.5.3 Root System Description Pointer */
struct acpi_rsdp {
	char signature[8];
	u8 checksum;
	char oem_id[6];
	u8 revision;
	u32 rsdt_address;
	u32 length;
	u64 xsdt_address;
	u8 ext_checksum;
	u8 reserved[3];
} __attribute__((packed));

/* §5.2.6 System Description Table Header */
struct acpi_header {
	char signature[4];
	u32 length;
	u8 revision;
	u8 checksum;
	char oem_id[6];
	char oem_table_id[8];
	u32 oem_revision;
	u32 creator_id;
	u32 creator_revision;
} __attribute__((packed));

/* §5.2.12 MADT, before its entries */
struct acpi_madt {
	struct acpi_header h;
	u32 lapic_address;
	u32 flags;
} __attribute__((packed));

/* §5.2.12.2 Processor Local APIC */
struct acpi_madt_lapic {
	u8 type, length;
	u8 processor_uid;
	u8 apic_id;
	u32 flags;
} __attribute__((packed));

/* §5.2.16 SRAT, before its entries */
struct acpi_srat {
	struct acpi_header h;
	u32 reserved1;
	u64 reserved2;
} __attribute__((packed));

/* §5.2.16.1 Processor Local APIC/SAPIC Affinity */
struct acpi_srat_cpu {
	u8 type, length;
	u8 pxm_lo; /* proximity domain bits 7:0 */
	u8 apic_id;
	u32 flags;
	u8 sapic_eid;
	u8 pxm_hi[3]; /* proximity domain bits 31:8 */
	u32 clock_domain;
} __attribute__((packed));

/* §5.2.16.2 Memory Affinity */
struct acpi_srat_mem {
	u8 type, length;
	u32 pxm;
	u16 reserved1;
	u64 base, len;
	u32 reserved2;
	u32 flags;
	u64 reserved3;
} __attribute__((packed));

/* §5.2.17 SLIT, before its matrix of localities * localities bytes */
struct acpi_slit {
	struct acpi_header h;
	u64 localities;
} __attribute__((packed));

_Static_assert(sizeof(struct acpi_rsdp) == RSDP_V2_LEN, "RSDP layout");
_Static_assert(__builtin_offsetof(struct acpi_rsdp, length) == RSDP_V1_LEN, "RSDP v1 part");
_Static_assert(__builtin_offsetof(struct acpi_rsdp, xsdt_address) == 24, "RSDP layout");
_Static_assert(sizeof(struct acpi_header) == 36, "ACPI header layout");
_Static_assert(sizeof(struct acpi_madt) == 44, "MADT layout");
_Static_assert(sizeof(struct acpi_madt_lapic) == 8, "MADT local APIC layout");
_Static_assert(sizeof(struct acpi_srat) == 48, "SRAT layout");
_Static_assert(sizeof(struct acpi_srat_cpu) == 16, "SRAT processor affinity layout");
_Static_assert(__builtin_offsetof(struct acpi_srat_cpu, pxm_hi) == 9, "SRAT pxm bits 31:8");
_Static_assert(sizeof(struct acpi_srat_mem) == 40, "SRAT memory affinity layout");
_Static_assert(__builtin_offsetof(struct acpi_srat_mem, base) == 8, "SRAT memory base");
_Static_assert(__builtin_offsetof(struct acpi_srat_mem, flags) == 28, "SRAT memory flags");
_Static_assert(sizeof(struct acpi_slit) == 44, "SLIT layout");

/* The tables the XSDT points at that the guest reads. */
struct acpi_tables {
	const struct acpi_header *madt, *srat, *slit;
};

struct guest_numa guest_numa;

/* Zero for a table whose checksum is right. */
static u8 sum_bytes(const void *p, u64 len)
{
	const u8 *b = p;
	u8 sum = 0;

	while (len--)
		sum += *b++;
	return sum;
}

static bool bytes_equal(const void *a, const void *b, size_t n)
{
	const u8 *x = a, *y = b;

	while (n--)
		if (*x++ != *y++)
			return false;
	return true;
}

/* A signature as a printable string, for messages about tables that may be garbage. */
static const char *sig_str(const struct acpi_header *h, char out[5])
{
	unsigned int i;

	for (i = 0; i < 4; i++)
		out[i] = h->signature[i] > ' ' && h->signature[i] < 0x7f ? h->signature[i] : '?';
	out[4] = '\0';
	return out;
}

static const struct acpi_rsdp *find_rsdp(void)
{
	u64 p;

	for (p = RSDP_AREA_START; p + sizeof(struct acpi_rsdp) <= RSDP_AREA_END; p += 16) {
		const struct acpi_rsdp *r = (const void *)p;

		if (!bytes_equal(r->signature, "RSD PTR ", 8))
			continue;
		if (sum_bytes(r, RSDP_V1_LEN))
			crash("guest: rsdp at 0x%lx: checksum of its first 20 bytes is wrong\n", p);
		if (r->revision < 2)
			crash("guest: rsdp at 0x%lx: revision %u has no xsdt\n", p, r->revision);
		if (r->length < sizeof(*r) || r->length > RSDP_AREA_END - p)
			crash("guest: rsdp at 0x%lx: length %u\n", p, r->length);
		if (sum_bytes(r, r->length))
			crash("guest: rsdp at 0x%lx: extended checksum is wrong\n", p);
		return r;
	}
	crash("guest: no rsdp in 0x%lx-0x%lx\n", RSDP_AREA_START, RSDP_AREA_END);
}

/*
 * The MBI2's copy of the RSDP (tag 15, which mem_init() made sure of) is
 * an RSDP by itself: signature, revision 2 with 36 bytes, both checksums.
 */
static void check_mbi_rsdp(void)
{
	const struct acpi_rsdp *c = (const void *)guest_mem.rsdp_v2;

	if (!bytes_equal(c->signature, "RSD PTR ", 8))
		crash("guest: multiboot2 rsdp copy (tag 15) has no RSD PTR signature\n");
	if (sum_bytes(c, RSDP_V1_LEN))
		crash("guest: multiboot2 rsdp copy (tag 15): checksum of its first 20 bytes is "
		      "wrong\n");
	if (c->revision < 2 || c->length != sizeof(*c))
		crash("guest: multiboot2 rsdp copy (tag 15): revision %u length %u, not 2 and 36\n",
		      c->revision, c->length);
	if (sum_bytes(c, sizeof(*c)))
		crash("guest: multiboot2 rsdp copy (tag 15): extended checksum is wrong\n");
}

/* The MBI2's copies equal the RSDP the scan found: all 36 bytes (tag 15), the first 20 (14). */
static void compare_mbi_rsdp(const struct acpi_rsdp *r)
{
	if (!bytes_equal(guest_mem.rsdp_v2, r, RSDP_V2_LEN))
		crash("guest: rsdp 0x%lx differs from the multiboot2 copy (tag 15)\n", (u64)r);
	if (guest_mem.has_rsdp_v1 && !bytes_equal(guest_mem.rsdp_v1, r, RSDP_V1_LEN))
		crash("guest: rsdp 0x%lx: first 20 bytes differ from the tag 14 copy\n", (u64)r);
	gprintf("guest: rsdp 0x%lx also in the multiboot information\n", (u64)r);
}

/* The table at addr, once its place, length and checksum are right. */
static const struct acpi_header *get_table(u64 addr, const char *from)
{
	const struct acpi_header *h = (const void *)addr;
	char sig[5];

	if (!addr || addr >= TABLES_END || TABLES_END - addr < sizeof(*h))
		crash("guest: table at 0x%lx (from the %s) is 0 or not below 4 GiB\n", addr, from);
	if (h->length < sizeof(*h) || h->length > TABLE_MAX_LEN || h->length > TABLES_END - addr)
		crash("guest: %s at 0x%lx: length %u\n", sig_str(h, sig), addr, h->length);
	if (sum_bytes(h, h->length))
		crash("guest: %s at 0x%lx: checksum is wrong\n", sig_str(h, sig), addr);
	return h;
}

static bool has_sig(const struct acpi_header *h, const char *sig)
{
	return bytes_equal(h->signature, sig, 4);
}

/* Where the XSDT entry h (a table the guest reads) goes; NULL for other tables. */
static const struct acpi_header **table_slot(struct acpi_tables *t, const struct acpi_header *h)
{
	if (has_sig(h, "APIC"))
		return &t->madt;
	if (has_sig(h, "SRAT"))
		return &t->srat;
	if (has_sig(h, "SLIT"))
		return &t->slit;
	return NULL;
}

static void find_tables(const struct acpi_rsdp *rsdp, struct acpi_tables *t)
{
	const struct acpi_header *xsdt = get_table(rsdp->xsdt_address, "rsdp");
	u32 off;
	char sig[5];

	if (!has_sig(xsdt, "XSDT"))
		crash("guest: rsdp points at %s, not XSDT\n", sig_str(xsdt, sig));
	if ((xsdt->length - sizeof(*xsdt)) % 8)
		crash("guest: XSDT length %u is not a header and 8-byte entries\n", xsdt->length);
	for (off = sizeof(*xsdt); off < xsdt->length; off += 8) {
		/* Every table the XSDT names is checked, read or not. */
		const struct acpi_header *h = get_table(get_u64(xsdt, off), "XSDT");
		const struct acpi_header **slot = table_slot(t, h);

		if (!slot)
			continue;
		if (*slot)
			crash("guest: two %s tables in the XSDT\n", sig_str(h, sig));
		*slot = h;
	}
	if (!t->madt)
		crash("guest: no MADT (APIC) in the XSDT\n");
	if (!t->srat || !t->slit)
		crash("guest: no %s in the XSDT: no NUMA layout\n", t->srat ? "SLIT" : "SRAT");
}

/* Sets nr_vnodes and distance[][]: localities 1..GUEST_MAX_VNODES, 10 on the diagonal only. */
static void read_slit(const struct acpi_header *h)
{
	const struct acpi_slit *s = (const void *)h;
	const u8 *m = (const u8 *)(s + 1);
	u64 k, i, j;

	if (h->length < sizeof(*s))
		crash("guest: SLIT length %u is short\n", h->length);
	k = s->localities;
	if (!k || k > GUEST_MAX_VNODES)
		crash("guest: SLIT has %lu localities, not 1..%u\n", k, GUEST_MAX_VNODES);
	if (h->length < sizeof(*s) + k * k)
		crash("guest: SLIT length %u is short for %lu localities\n", h->length, k);
	for (i = 0; i < k; i++)
		for (j = 0; j < k; j++) {
			u8 d = m[i * k + j];

			if (i == j && d != SLIT_LOCAL)
				crash("guest: SLIT distance of %lu to itself is %u, not 10\n", i,
				      d);
			/* 0-9 are reserved; 10 means local. */
			if (i != j && d <= SLIT_LOCAL)
				crash("guest: SLIT distance %lu to %lu is %u, not above 10\n", i, j,
				      d);
			guest_numa.distance[i][j] = d;
		}
	guest_numa.nr_vnodes = (unsigned int)k;
}

/*
 * The entry of table h (named name) at *off, once it fits in the table;
 * advances *off past it. NULL at the table's end.
 */
static const u8 *next_entry(const struct acpi_header *h, const char *name, u32 *off)
{
	const u8 *e = (const u8 *)h + *off;

	if (*off >= h->length)
		return NULL;
	if (h->length - *off < 2 || e[1] < 2 || e[1] > h->length - *off)
		crash("guest: %s entry at +%u does not fit the table\n", name, *off);
	*off += e[1];
	return e;
}

/* Sets nr_vcpus: the enabled local APICs, whose ids must be 0 .. n - 1 (the vCPU ids). */
static void read_madt(const struct acpi_header *h, unsigned int cpuid_vcpus)
{
	bool seen[MAX_APIC_IDS] = {false};
	u32 off = sizeof(struct acpi_madt);
	unsigned int n = 0, id;
	const u8 *e;

	if (h->length < off)
		crash("guest: MADT length %u is short\n", h->length);
	while ((e = next_entry(h, "MADT", &off))) {
		const struct acpi_madt_lapic *l = (const void *)e;

		if (l->type != MADT_LAPIC)
			continue;
		if (l->length != sizeof(*l))
			crash("guest: MADT local APIC entry of length %u, not 8\n", l->length);
		if (!(l->flags & ACPI_ENABLED))
			continue;
		if (seen[l->apic_id])
			crash("guest: MADT lists APIC id %u twice\n", l->apic_id);
		seen[l->apic_id] = true;
		n++;
	}
	for (id = n; id < MAX_APIC_IDS; id++)
		if (seen[id])
			crash("guest: MADT has APIC id %u among %u cpus: not a vcpu id\n", id, n);
	if (n != cpuid_vcpus)
		crash("guest: MADT has %u enabled cpus, cpuid %u vcpus\n", n, cpuid_vcpus);
	guest_numa.nr_vcpus = n;
}

static void srat_cpu(const struct acpi_srat_cpu *c, bool *has_cpu, bool *has_pxm)
{
	u32 pxm =
	    c->pxm_lo | (u32)c->pxm_hi[0] << 8 | (u32)c->pxm_hi[1] << 16 | (u32)c->pxm_hi[2] << 24;

	if (c->length != sizeof(*c))
		crash("guest: SRAT processor entry of length %u, not 16\n", c->length);
	if (!(c->flags & ACPI_ENABLED))
		return;
	if (c->apic_id >= guest_numa.nr_vcpus)
		crash("guest: SRAT names APIC id %u, not an enabled MADT cpu\n", c->apic_id);
	if (pxm >= guest_numa.nr_vnodes)
		crash("guest: SRAT puts vcpu %u in proximity domain %u; SLIT has %u localities\n",
		      c->apic_id, pxm, guest_numa.nr_vnodes);
	if (has_cpu[c->apic_id])
		crash("guest: SRAT lists vcpu %u twice\n", c->apic_id);
	has_cpu[c->apic_id] = true;
	has_pxm[pxm] = true;
	if (c->apic_id < GUEST_MAX_VCPUS)
		guest_numa.vcpu_vnode[c->apic_id] = (u8)pxm;
}

static void srat_mem(const struct acpi_srat_mem *m, bool *has_pxm)
{
	struct numa_range *r;

	if (m->length != sizeof(*m))
		crash("guest: SRAT memory entry of length %u, not 40\n", m->length);
	if (!(m->flags & ACPI_ENABLED))
		return;
	if (m->pxm >= guest_numa.nr_vnodes)
		crash("guest: SRAT puts memory at 0x%lx in proximity domain %u; SLIT has %u "
		      "localities\n",
		      m->base, m->pxm, guest_numa.nr_vnodes);
	if (!m->len || m->base + m->len < m->base)
		crash("guest: SRAT memory entry 0x%lx length 0x%lx is empty or wraps\n", m->base,
		      m->len);
	if (guest_numa.nr_ranges == GUEST_MAX_NUMA_RANGES)
		crash("guest: more than %u SRAT memory entries\n", GUEST_MAX_NUMA_RANGES);
	has_pxm[m->pxm] = true;
	r = &guest_numa.range[guest_numa.nr_ranges++];
	r->start = m->base;
	r->end = m->base + m->len;
	r->vnode = m->pxm;
	r->hotplug = (m->flags & SRAT_MEM_HOTPLUG) != 0;
}

/*
 * Sets vcpu_vnode[] and range[]: every vCPU in exactly one proximity
 * domain, and exactly domains 0 .. nr_vnodes - 1 named.
 */
static void read_srat(const struct acpi_header *h)
{
	bool has_cpu[MAX_APIC_IDS] = {false}, has_pxm[GUEST_MAX_VNODES] = {false};
	u32 off = sizeof(struct acpi_srat);
	unsigned int i, nr_pxm = 0;
	const u8 *e;

	if (h->length < off)
		crash("guest: SRAT length %u is short\n", h->length);
	while ((e = next_entry(h, "SRAT", &off))) {
		if (e[0] == SRAT_CPU)
			srat_cpu((const struct acpi_srat_cpu *)e, has_cpu, has_pxm);
		else if (e[0] == SRAT_MEM)
			srat_mem((const struct acpi_srat_mem *)e, has_pxm);
	}
	for (i = 0; i < guest_numa.nr_vcpus; i++)
		if (!has_cpu[i])
			crash("guest: SRAT has no processor entry for vcpu %u\n", i);
	for (i = 0; i < guest_numa.nr_vnodes; i++)
		nr_pxm += has_pxm[i];
	if (nr_pxm != guest_numa.nr_vnodes)
		crash("guest: SRAT names %u proximity domains, SLIT has %u localities\n", nr_pxm,
		      guest_numa.nr_vnodes);
}

/* Whether RAM of the memory map overlaps [start, end). */
static bool overlaps_ram(u64 start, u64 end)
{
	unsigned int i;

	for (i = 0; i < guest_mem.nr_ram; i++)
		if (start < guest_mem.ram[i].end && guest_mem.ram[i].start < end)
			return true;
	return false;
}

/*
 * The SRAT's memory entries are disjoint, its RAM is the map's RAM (all
 * of it: the sums agree), and no hot-plug range is RAM yet.
 */
static void check_ranges(void)
{
	const struct numa_range *r = guest_numa.range;
	unsigned int i, j;

	for (i = 0; i < guest_numa.nr_ranges; i++) {
		for (j = 0; j < i; j++)
			if (r[i].start < r[j].end && r[j].start < r[i].end)
				crash("guest: SRAT memory 0x%lx-0x%lx overlaps 0x%lx-0x%lx\n",
				      r[i].start, r[i].end, r[j].start, r[j].end);
		if (!r[i].hotplug && !is_ram(r[i].start, r[i].end))
			crash("guest: SRAT memory 0x%lx-0x%lx (vnode %u) is not RAM in the memory "
			      "map\n",
			      r[i].start, r[i].end, r[i].vnode);
		if (r[i].hotplug && overlaps_ram(r[i].start, r[i].end))
			crash("guest: SRAT hot-plug range 0x%lx-0x%lx (vnode %u) is RAM already\n",
			      r[i].start, r[i].end, r[i].vnode);
	}
	if (guest_numa.ram_bytes != guest_mem.ram_bytes)
		crash("guest: SRAT has 0x%lx bytes of RAM, the memory map 0x%lx\n",
		      guest_numa.ram_bytes, guest_mem.ram_bytes);
}

/* Widens [*start, *end) (empty while *end is 0) to take in r. */
static void widen(u64 *start, u64 *end, const struct numa_range *r)
{
	if (!*end || r->start < *start)
		*start = r->start;
	if (r->end > *end)
		*end = r->end;
}

static void sum_vnodes(void)
{
	unsigned int i;

	for (i = 0; i < guest_numa.nr_ranges; i++) {
		const struct numa_range *r = &guest_numa.range[i];
		struct vnode_info *vi = &guest_numa.vnode[r->vnode];

		if (r->hotplug) {
			widen(&vi->hp_start, &vi->hp_end, r);
			continue;
		}
		widen(&vi->ram_start, &vi->ram_end, r);
		vi->ram_bytes += r->end - r->start;
		guest_numa.ram_bytes += r->end - r->start;
	}
}

void acpi_init(unsigned int cpuid_vcpus)
{
	struct acpi_tables t = {NULL, NULL, NULL};
	const struct acpi_rsdp *rsdp;

	if (guest_mem.mb2)
		check_mbi_rsdp();
	rsdp = find_rsdp();
	if (guest_mem.mb2)
		compare_mbi_rsdp(rsdp);
	find_tables(rsdp, &t);
	read_slit(t.slit);
	read_madt(t.madt, cpuid_vcpus);
	read_srat(t.srat);
	sum_vnodes();
	check_ranges();
}

static void print_vnode(unsigned int v)
{
	const struct vnode_info *vi = &guest_numa.vnode[v];
	unsigned int i, n = guest_numa.nr_vcpus;
	bool cpus[GUEST_MAX_VCPUS];
	struct line l = {.len = 0};

	if (n > GUEST_MAX_VCPUS)
		n = GUEST_MAX_VCPUS;
	for (i = 0; i < n; i++)
		cpus[i] = guest_numa.vcpu_vnode[i] == v;
	line_add(&l, "guest: vnode %u: range ", v);
	if (vi->ram_end)
		line_add(&l, "0x%lx-0x%lx", vi->ram_start, vi->ram_end);
	else
		line_add(&l, "none");
	line_add(&l, " cpus ");
	line_add_ids(&l, cpus, n);
	line_add(&l, "\n");
	line_print(&l);

	if (vi->hp_end)
		gprintf("guest: vnode %u: hotplug 0x%lx-0x%lx\n", v, vi->hp_start, vi->hp_end);

	l.len = 0;
	line_add(&l, "guest: vnode %u: distance", v);
	for (i = 0; i < guest_numa.nr_vnodes; i++)
		line_add(&l, " %u", guest_numa.distance[v][i]);
	line_add(&l, "\n");
	line_print(&l);
}

void acpi_print(void)
{
	unsigned int v;

	gprintf("guest: vnodes %u vcpus %u memory %lu MiB\n", guest_numa.nr_vnodes,
		guest_numa.nr_vcpus, guest_numa.ram_bytes >> 20);
	for (v = 0; v < guest_numa.nr_vnodes; v++)
		print_vnode(v);
}

int numa_hotplug_vnode(u64 start, u64 end)
{
	unsigned int i;

	for (i = 0; i < guest_numa.nr_ranges; i++) {
		const struct numa_range *r = &guest_numa.range[i];

		if (r->hotplug && r->start <= start && end <= r->end)
			return (int)r->vnode;
	}
	return -1;
}
