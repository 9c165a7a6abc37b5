/*
 * The ACPI NUMA tables read into a struct topo_desc: the MADT (which CPUs
 * are present), the SRAT (CPU and memory affinity) and the SLIT (raw
 * distances). Checks structure only: every subtable's length before a
 * field of it is read, and the description's capacities. Whether the
 * values make sense (pxms, overlaps, wraps, the distance rules) is decided
 * by mm/topology.c. A table that breaks a rule is rejected whole, in one
 * line: its part of the description is left empty, never half filled.
 * What the caller knows about the platform comes in struct acpi_numa_opts
 * (SAPIC ids, the SN2 PROM's SRAT); nothing here guesses it.
 * Boot CPU only, no locking. A table handed in must be readable for
 * t->length bytes, as acpi_find_table() returns them.
 */
#include <hv/acpi.h>
#include <hv/errno.h>
#include <hv/lib.h>
#include <hv/printk.h>

#define MADT_FALLBACK "ignoring MADT: boot CPU only"
#define SRAT_FALLBACK "ignoring SRAT: one node with all memory and CPUs"
#define SLIT_FALLBACK "ignoring SLIT: distances 10 local, 20 remote"

#define RULE_MAX 128

_Static_assert(sizeof(struct acpi_madt) == 44, "MADT layout");
_Static_assert(sizeof(struct acpi_madt_lapic) == 8, "MADT local APIC layout");
_Static_assert(sizeof(struct acpi_srat) == 48, "SRAT layout");
_Static_assert(sizeof(struct acpi_slit) == 44, "SLIT layout");

/*
 * The length a subtable type must have (exactly, or at least), for the
 * types this file reads (ACPI 6.0 5.2.12 and 5.2.16; others: any length).
 */
struct sub_rule {
	u8 type;
	u8 len;
	bool at_least;
};

static const struct sub_rule madt_rules[] = {
    {ACPI_MADT_LAPIC, sizeof(struct acpi_madt_lapic), false},
    {ACPI_MADT_LSAPIC, sizeof(struct acpi_madt_lsapic), true}, /* 12 + UID (3.0) */
    {ACPI_MADT_X2APIC, sizeof(struct acpi_madt_x2apic), false},
};

static const struct sub_rule srat_rules[] = {
    {ACPI_SRAT_CPU_AFFINITY, sizeof(struct acpi_srat_cpu), false},
    {ACPI_SRAT_MEM_AFFINITY, sizeof(struct acpi_srat_mem), false},
    {ACPI_SRAT_X2APIC_AFFINITY, sizeof(struct acpi_srat_x2apic), false},
};

/* Print "ACPI <name>: <rule>; <fallback>" and return -EINVAL. */
static int __printf(3, 4) reject(const char *name, const char *fallback, const char *fmt, ...)
{
	char rule[RULE_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(rule, sizeof(rule), fmt, ap);
	va_end(ap);
	pr_warn("ACPI %s: %s; %s\n", name, rule, fallback);
	return -EINVAL;
}

static const struct sub_rule *find_rule(const struct sub_rule *rules, unsigned int nr, u8 type)
{
	unsigned int i;

	for (i = 0; i < nr; i++)
		if (rules[i].type == type)
			return &rules[i];
	return NULL;
}

/*
 * Check every subtable from offset start to the end of t: header inside
 * the table, length at least a header and inside the table, and the
 * length its type needs (types without a rule: any). 0, or -EINVAL after
 * one line naming the first bad subtable.
 */
static int check_subtables(const struct acpi_table_header *t, u32 start,
			   const struct sub_rule *rules, unsigned int nr_rules, const char *name,
			   const char *fallback)
{
	const u8 *base = (const u8 *)t;
	u32 end = t->length, off = start;

	while (off < end) {
		const struct acpi_subtable_header *h = (const void *)(base + off);
		const struct sub_rule *r;

		if (end - off < sizeof(*h))
			return reject(name, fallback,
				      "subtable header at offset %u runs past the end at %u", off,
				      end);
		if (h->length < sizeof(*h))
			return reject(name, fallback, "subtable at offset %u has length %u", off,
				      h->length);
		if (h->length > end - off)
			return reject(name, fallback,
				      "subtable at offset %u (length %u) runs past the end at %u",
				      off, h->length, end);
		r = find_rule(rules, nr_rules, h->type);
		if (r && (r->at_least ? h->length < r->len : h->length != r->len))
			return reject(
			    name, fallback, "type %u subtable at offset %u has length %u, not %s%u",
			    h->type, off, h->length, r->at_least ? "at least " : "", r->len);
		off += h->length;
	}
	return 0;
}

/* ---- MADT ----------------------------------------------------------------- */

struct madt_state {
	struct topo_desc *d;
	unsigned int nr;      /* recorded in d->cpu_hwid[] */
	unsigned int dropped; /* enabled, beyond CONFIG_NR_CPUS */
	unsigned int offline; /* disabled but online-capable */
	unsigned int dups;
	u32 dup_id, dup_off; /* the first duplicate */
};

/* Record one CPU entry of the MADT (at offset off), unless disabled or known. */
static void madt_add_cpu(struct madt_state *s, u32 hwid, u32 flags, u32 off)
{
	unsigned int i;

	if (!(flags & ACPI_MADT_ENABLED)) {
		if (flags & ACPI_MADT_ONLINE_CAPABLE)
			s->offline++;
		return;
	}
	for (i = 0; i < s->nr; i++) {
		if (s->d->cpu_hwid[i] != hwid)
			continue;
		if (!s->dups++) {
			s->dup_id = hwid;
			s->dup_off = off;
		}
		return;
	}
	if (s->nr == CONFIG_NR_CPUS) {
		s->dropped++;
		return;
	}
	s->d->cpu_hwid[s->nr++] = hwid;
}

/* Read one checked MADT subtable: the CPU kinds this mode uses, nothing else. */
static void madt_entry(struct madt_state *s, const struct acpi_subtable_header *h, u32 off,
		       bool sapic)
{
	if (sapic && h->type == ACPI_MADT_LSAPIC) {
		/* The ACPI 2.0 part (12 bytes); the 3.0 UID after it is not used. */
		const struct acpi_madt_lsapic *e = (const void *)h;

		madt_add_cpu(s, (u32)e->sapic_id << 8 | e->sapic_eid, e->flags, off);
	} else if (!sapic && h->type == ACPI_MADT_LAPIC) {
		const struct acpi_madt_lapic *e = (const void *)h;

		madt_add_cpu(s, e->apic_id, e->flags, off);
	} else if (!sapic && h->type == ACPI_MADT_X2APIC) {
		const struct acpi_madt_x2apic *e = (const void *)h;

		madt_add_cpu(s, e->x2apic_id, e->flags, off);
	}
}

static void madt_report(const struct madt_state *s)
{
	pr_info("ACPI MADT: %u CPU%s present\n", s->nr, PLURAL_S(s->nr));
	if (s->offline)
		pr_info("ACPI MADT: %u online-capable CPUs are disabled; not used\n", s->offline);
	if (s->dups)
		pr_warn("ACPI MADT: %u duplicate CPU entries (first: id 0x%x at offset %u); "
			"ignoring them\n",
			s->dups, s->dup_id, s->dup_off);
	if (s->dropped)
		pr_warn("ACPI MADT: %u CPUs beyond NR_CPUS=%d are not used\n", s->dropped,
			CONFIG_NR_CPUS);
}

int acpi_parse_madt(const struct acpi_table_header *t, struct topo_desc *d,
		    const struct acpi_numa_opts *opts)
{
	struct madt_state s = {.d = d};
	const struct acpi_subtable_header *h;
	const u8 *base = (const u8 *)t;
	u32 off;

	d->nr_cpus = 0;
	d->cpus_dropped = 0;
	if (t->length < sizeof(struct acpi_madt))
		return reject("MADT", MADT_FALLBACK, "length %u shorter than %zu", t->length,
			      sizeof(struct acpi_madt));
	if (check_subtables(t, sizeof(struct acpi_madt), madt_rules, ARRAY_SIZE(madt_rules), "MADT",
			    MADT_FALLBACK))
		return -EINVAL;
	for (off = sizeof(struct acpi_madt); off < t->length; off += h->length) {
		h = (const void *)(base + off);
		madt_entry(&s, h, off, opts->sapic);
	}
	d->nr_cpus = s.nr;
	d->cpus_dropped = s.dropped;
	madt_report(&s);
	return 0;
}

/* ---- SRAT ----------------------------------------------------------------- */

struct srat_state {
	struct topo_desc *d;
	bool sapic;
	u32 cpu_pxm_mask; /* proximity domain bits this revision defines */
	u32 mem_pxm_mask;
	unsigned int nr_mem, nr_aff; /* filled so far; committed at the end */
	unsigned int x2apic_skipped;
	unsigned int pxm_cut; /* entries with reserved pxm bits set */
	u32 cut_pxm, cut_off; /* the first of them, as written */
};

/*
 * Which proximity domain bits the SRAT defines. Revision 2 (ACPI 3.0) made
 * them 32 bits; before, only the low byte was defined. The SN2 PROM writes
 * revision 1 with wider domains: the first high byte of processor entries
 * and the whole memory field (as Linux reads it on sn2).
 */
static void srat_pxm_masks(struct srat_state *s, u8 revision, const struct acpi_numa_opts *o)
{
	if (revision >= 2) {
		s->cpu_pxm_mask = 0xffffffff;
		s->mem_pxm_mask = 0xffffffff;
	} else if (o->sn2_prom_srat) {
		s->cpu_pxm_mask = 0xffff;
		s->mem_pxm_mask = 0xffffffff;
	} else {
		s->cpu_pxm_mask = 0xff;
		s->mem_pxm_mask = 0xff;
	}
}

/* The defined bits of pxm (as written at offset off); counts entries that set others. */
static u32 srat_pxm(struct srat_state *s, u32 pxm, u32 mask, u32 off)
{
	if (pxm & ~mask && !s->pxm_cut++) {
		s->cut_pxm = pxm;
		s->cut_off = off;
	}
	return pxm & mask;
}

static int srat_add_cpu(struct srat_state *s, u32 hwid, u32 pxm)
{
	if (s->nr_aff == TOPO_MAX_AFF)
		return reject("SRAT", SRAT_FALLBACK, "more than %d CPU affinity entries",
			      TOPO_MAX_AFF);
	s->d->aff[s->nr_aff].hwid = hwid;
	s->d->aff[s->nr_aff].pxm = pxm;
	s->nr_aff++;
	return 0;
}

static int srat_cpu(struct srat_state *s, const struct acpi_srat_cpu *e, u32 off)
{
	u32 pxm = e->pxm_lo;
	u32 hwid = e->apic_id;

	if (!(e->flags & ACPI_SRAT_ENABLED))
		return 0;
	pxm |= (u32)e->pxm_hi[0] << 8 | (u32)e->pxm_hi[1] << 16 | (u32)e->pxm_hi[2] << 24;
	if (s->sapic)
		hwid = hwid << 8 | e->sapic_eid;
	return srat_add_cpu(s, hwid, srat_pxm(s, pxm, s->cpu_pxm_mask, off));
}

static int srat_x2apic(struct srat_state *s, const struct acpi_srat_x2apic *e)
{
	if (!(e->flags & ACPI_SRAT_ENABLED))
		return 0;
	if (s->sapic) {
		s->x2apic_skipped++;
		return 0;
	}
	return srat_add_cpu(s, e->x2apic_id, e->pxm);
}

/* Memory affinity, as given: the core judges wraps and empty ranges. */
static int srat_mem(struct srat_state *s, const struct acpi_srat_mem *e, u32 off)
{
	struct topo_mem *m;

	if (!(e->flags & ACPI_SRAT_ENABLED))
		return 0;
	if (s->nr_mem == TOPO_MAX_MEM)
		return reject("SRAT", SRAT_FALLBACK, "more than %d memory ranges", TOPO_MAX_MEM);
	m = &s->d->mem[s->nr_mem++];
	m->start = (paddr_t)e->base_hi << 32 | e->base_lo;
	m->len = (u64)e->length_hi << 32 | e->length_lo;
	m->pxm = srat_pxm(s, e->pxm, s->mem_pxm_mask, off);
	m->flags = 0;
	if (e->flags & ACPI_SRAT_HOTPLUGGABLE)
		m->flags |= TOPO_MEM_HOTPLUG;
	if (e->flags & ACPI_SRAT_NONVOLATILE)
		m->flags |= TOPO_MEM_NONVOLATILE;
	return 0;
}

/* Read one checked SRAT subtable; other types are skipped. */
static int srat_entry(struct srat_state *s, const struct acpi_subtable_header *h, u32 off)
{
	switch (h->type) {
	case ACPI_SRAT_CPU_AFFINITY:
		return srat_cpu(s, (const void *)h, off);
	case ACPI_SRAT_MEM_AFFINITY:
		return srat_mem(s, (const void *)h, off);
	case ACPI_SRAT_X2APIC_AFFINITY:
		return srat_x2apic(s, (const void *)h);
	default:
		return 0;
	}
}

static int srat_fail(struct topo_desc *d)
{
	d->nr_mem = 0;
	d->nr_aff = 0;
	d->have_affinity = false;
	d->affinity_rejected = true;
	return -EINVAL;
}

static void srat_report(const struct srat_state *s, u8 revision)
{
	pr_info("ACPI SRAT: %u CPU and %u memory affinity entr%s\n", s->nr_aff, s->nr_mem,
		s->nr_aff + s->nr_mem == 1 ? "y" : "ies");
	if (s->x2apic_skipped)
		pr_warn("ACPI SRAT: %u x2APIC affinity entries on a SAPIC system; ignoring them\n",
			s->x2apic_skipped);
	if (s->pxm_cut)
		pr_warn("ACPI SRAT: %u entr%s set proximity domain bits that revision %u "
			"reserves (first: 0x%x at offset %u); ignoring those bits\n",
			s->pxm_cut, s->pxm_cut == 1 ? "y" : "ies", revision, s->cut_pxm,
			s->cut_off);
}

int acpi_parse_srat(const struct acpi_table_header *t, struct topo_desc *d,
		    const struct acpi_numa_opts *opts)
{
	struct srat_state s = {.d = d, .sapic = opts->sapic};
	const struct acpi_subtable_header *h;
	const u8 *base = (const u8 *)t;
	u32 off;

	d->nr_mem = 0;
	d->nr_aff = 0;
	if (t->length < sizeof(struct acpi_srat)) {
		reject("SRAT", SRAT_FALLBACK, "length %u shorter than %zu", t->length,
		       sizeof(struct acpi_srat));
		return srat_fail(d);
	}
	if (check_subtables(t, sizeof(struct acpi_srat), srat_rules, ARRAY_SIZE(srat_rules), "SRAT",
			    SRAT_FALLBACK))
		return srat_fail(d);
	srat_pxm_masks(&s, t->revision, opts);
	for (off = sizeof(struct acpi_srat); off < t->length; off += h->length) {
		h = (const void *)(base + off);
		if (srat_entry(&s, h, off))
			return srat_fail(d);
	}
	d->nr_mem = s.nr_mem;
	d->nr_aff = s.nr_aff;
	d->have_affinity = true;
	d->affinity_rejected = false;
	srat_report(&s, t->revision);
	return 0;
}

/* ---- SLIT ----------------------------------------------------------------- */

static int slit_fail(struct topo_desc *d)
{
	d->nr_localities = 0;
	d->distances_rejected = true;
	return -EINVAL;
}

int acpi_parse_slit(const struct acpi_table_header *t, struct topo_desc *d)
{
	const struct acpi_slit *slit = (const void *)t;
	u64 count, want;

	d->nr_localities = 0;
	if (t->length < sizeof(*slit)) {
		reject("SLIT", SLIT_FALLBACK, "length %u shorter than %zu", t->length,
		       sizeof(*slit));
		return slit_fail(d);
	}
	count = slit->locality_count;
	if (!count) {
		reject("SLIT", SLIT_FALLBACK, "no localities");
		return slit_fail(d);
	}
	if (count > TOPO_MAX_LOCALITIES) {
		reject("SLIT", SLIT_FALLBACK, "more than %d localities (%llu)", TOPO_MAX_LOCALITIES,
		       count);
		return slit_fail(d);
	}
	want = sizeof(*slit) + count * count;
	if (t->length != want) {
		reject("SLIT", SLIT_FALLBACK, "length %u does not match %zu + count^2 = %llu",
		       t->length, sizeof(*slit), want);
		return slit_fail(d);
	}
	memcpy(d->dist, slit->entry, count * count);
	d->nr_localities = (u32)count;
	d->distances_rejected = false;
	pr_info("ACPI SLIT: %u localit%s\n", d->nr_localities, d->nr_localities == 1 ? "y" : "ies");
	return 0;
}

/* ---- all three ------------------------------------------------------------ */

void acpi_numa_describe_opts(struct topo_desc *d, const struct acpi_numa_opts *opts)
{
	const struct acpi_table_header *t;

	t = acpi_find_table("APIC");
	if (t)
		acpi_parse_madt(t, d, opts);
	else
		pr_info("ACPI: no MADT; boot CPU only\n");
	t = acpi_find_table("SRAT");
	if (!t) {
		pr_info("ACPI: no SRAT; one node\n");
	} else if (!acpi_parse_srat(t, d, opts)) {
		d->source = TOPO_SRC_ACPI;
	}
	t = acpi_find_table("SLIT");
	if (t)
		acpi_parse_slit(t, d);
	else if (d->have_affinity)
		pr_info("ACPI: no SLIT; distances 10 local, 20 remote\n");
}

void acpi_numa_describe(struct topo_desc *d, bool sapic)
{
	const struct acpi_numa_opts opts = {.sapic = sapic};

	acpi_numa_describe_opts(d, &opts);
}

void acpi_boot_cpu_first(struct topo_desc *d, u32 hwid)
{
	unsigned int i;

	for (i = 0; i < d->nr_cpus; i++) {
		if (d->cpu_hwid[i] == hwid) {
			memmove(&d->cpu_hwid[1], &d->cpu_hwid[0], i * sizeof(d->cpu_hwid[0]));
			d->cpu_hwid[0] = hwid;
			return;
		}
	}
	if (d->nr_cpus)
		pr_warn("ACPI MADT: the boot CPU (APIC id %u) is not listed; adding it\n", hwid);
	if (d->nr_cpus == CONFIG_NR_CPUS) {
		d->nr_cpus--;
		d->cpus_dropped++;
	}
	memmove(&d->cpu_hwid[1], &d->cpu_hwid[0], d->nr_cpus * sizeof(d->cpu_hwid[0]));
	d->cpu_hwid[0] = hwid;
	d->nr_cpus++;
}
