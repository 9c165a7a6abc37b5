/*
 * libFuzzer target for the whole firmware-to-topology path: ACPI tables
 * laid out from the input in the fake physical window of
 * tests/hosted/fake_acpi.c, found by acpi_tables_init(, fake_acpi_window()), read by
 * acpi_numa_describe(), turned into a struct topology by topo_build()
 * over one of several memory maps, and every invariant of the result
 * checked (topology_check.c); then the heap built over that topology and
 * a page taken for every CPU, as boot does (heap_startup.c). Owns the
 * input format and the window layout; the code under test is the real
 * hypervisor/acpi/ and mm/ code, built as for the hosted tests. A broken
 * invariant ends in fz_fail() (fuzz.h): the fuzzer prints the rule and
 * the console and aborts; tests/hosted/test_fuzz_replay.c includes this
 * file to replay the seed corpus, failing the seed's test instead.
 * FUZZ_CONSOLE=1 in the environment shows every input's console.
 * Single-threaded; all state is static and reset for every input.
 *
 * Input (little-endian):
 *   byte 0  flags: FZ_MADT, FZ_SRAT, FZ_SLIT (tables listed), FZ_FIXSUM
 *           (fix table checksums), FZ_RSDP2 (RSDP revision 2 and an
 *           XSDT), FZ_SAPIC (ia64 DIG ids), FZ_RAW (blobs are whole
 *           tables, header included, not bodies), FZ_PRINT (topo_print)
 *   byte 1  numa= options: bits 0-1 none/off/noslit/fake, bits 2-7 the
 *           fake node count (0 means 200, more than NR_NODES)
 *   byte 2  bits 0-2 the memory map (FZ_MAP_*), bits 3-7 root quirks
 *   byte 3  bits 0-2 the SRAT header revision (body mode), bits 3-6 an
 *           RSDP or root-table fault (FZ_RQ_*), bit 7: hand topo_print an
 *           array of free bytes
 *   then three blobs (MADT, SRAT, SLIT), each a u16 length and that many
 *   bytes, cut short by the end of the input; with FZ_MAP_INPUT the rest
 *   is memory map entries of FZ_MAP_ENTRY_LEN bytes (u64 start, u64 end,
 *   u8 type), sanitised by memmap_sanitize() first.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <hv/acpi.h>
#include <hv/boot.h>
#include <hv/lib.h>
#include <hv/printk.h>
#include <hv/topology.h>

#include "../hosted/fake_arch.h"
#include "../hosted/support_acpi.h"
#include "heap_startup.h"
#include "topology_check.h"

/* Byte 0 */
#define FZ_MADT 0x01
#define FZ_SRAT 0x02
#define FZ_SLIT 0x04
#define FZ_FIXSUM 0x08
#define FZ_RSDP2 0x10
#define FZ_SAPIC 0x20
#define FZ_RAW 0x40
#define FZ_PRINT 0x80

/* Byte 1 */
#define FZ_OPT_NONE 0
#define FZ_OPT_OFF 1
#define FZ_OPT_NOSLIT 2
#define FZ_OPT_FAKE 3
#define FZ_FAKE_TOO_MANY 200

/* Byte 2, bits 3-7: how the root tables list the tables. */
#define FZ_Q_UNMAPPED 0x08 /* one more entry, pointing outside the window */
#define FZ_Q_TWICE 0x10	   /* every table listed twice */
#define FZ_Q_BAD_XSDT 0x20 /* XSDT checksum broken: the RSDT is used */
#define FZ_Q_TRAILING 0x40 /* root tables end in a partial entry */
#define FZ_Q_REVERSE 0x80  /* tables laid out SLIT, SRAT, MADT */

/* Byte 3 */
#define FZ_REV_MASK 0x07
#define FZ_RQ_SHIFT 3
#define FZ_RQ_MASK 0x0f
#define FZ_PRINT_FREE 0x80

/* Byte 3, bits 3-6: one fault in the way to the tables. */
enum fz_rsdp_quirk {
	FZ_RQ_NONE,
	FZ_RQ_NULL, /* no RSDP at all */
	FZ_RQ_SIGNATURE,
	FZ_RQ_CHECKSUM,
	FZ_RQ_SHORT, /* revision 2 length below 36 */
	FZ_RQ_LONG,  /* revision 2 length above 36 */
	FZ_RQ_EXT_CHECKSUM,
	FZ_RQ_NO_XSDT, /* revision 2 with XSDT address 0 */
	FZ_RQ_RSDT_SIG,
	FZ_RQ_XSDT_SIG,
	FZ_RQ_RSDT_UNMAPPED,
	FZ_RQ_MANY, /* tables listed FZ_MANY times: more than ACPI_MAX_TABLES */
};

#define FZ_MANY 22

enum fz_map {
	FZ_MAP_QEMU_1G,	   /* QEMU pc, 1 GiB */
	FZ_MAP_4G_HOLE,	   /* 4 GiB: 2 GiB low, PCI hole, 2 GiB above 4 GiB */
	FZ_MAP_6G,	   /* 6 GiB: 3 GiB low, 3 GiB above 4 GiB */
	FZ_MAP_SPARSE,	   /* odd pieces up to the top of the address space */
	FZ_MAP_TINY,	   /* 4 MiB */
	FZ_MAP_FRAGMENTED, /* BOOT_MEMMAP_MAX RAM ranges with holes */
	FZ_MAP_NO_RAM,
	FZ_MAP_INPUT, /* from the input */
};

#define FZ_HDR_LEN 4
#define FZ_NR_BLOBS 3
#define FZ_MAP_ENTRY_LEN 17
#define FZ_BASE 0x7ff00000ULL /* physical address of the window */
#define FZ_ALIGN 8
#define FZ_GAP 16		/* poisoned bytes between regions */
#define FZ_UNMAPPED_OFF 0x10000 /* past the window's end */
#define FZ_HDR ((u32)sizeof(struct acpi_table_header))
#define FZ_NR_REGIONS (3 + FZ_NR_BLOBS)

struct fz_input {
	u8 flags, opt, quirks, srat_rev, rsdp_quirk;
	enum fz_map map;
	bool print_free;
	const u8 *blob[FZ_NR_BLOBS];
	size_t blob_len[FZ_NR_BLOBS];
	const u8 *rest;
	size_t rest_len;
};

/* A piece of the window: [off, off + len); reach is what a table claims. */
struct fz_region {
	size_t off, len, reach;
	bool used;
};

/* Regions in window order: RSDP, RSDT, XSDT, then the tables. */
enum { FZ_R_RSDP, FZ_R_RSDT, FZ_R_XSDT, FZ_R_TABLE };

static struct {
	u8 *buf;
	size_t len;
	struct fz_region r[FZ_NR_REGIONS];
	u64 entry[FZ_NR_BLOBS];
	unsigned int nr_entries;
} fz_win;

static struct topo_desc fz_desc;
static struct topology fz_topo;
static struct mem_range fz_map_buf[BOOT_MEMMAP_MAX];
static const char *const fz_sig[FZ_NR_BLOBS] = {"APIC", "SRAT", "SLIT"};

#define RAM(s, e)                 \
	{                         \
		(s), (e), MEM_RAM \
	}
#define RES(s, e)                      \
	{                              \
		(s), (e), MEM_RESERVED \
	}

static const struct mem_range fz_map_qemu_1g[] = {
    RAM(0, 0x9f000),
    RES(0x9fc00, 0xa0000),
    RES(0xf0000, 0x100000),
    RAM(0x100000, 0x3ffe0000),
    RES(0x3ffe0000, 0x40000000),
    RES(0xfeffc000, 0xff000000),
    RES(0xfffc0000, 0x100000000),
};

static const struct mem_range fz_map_4g_hole[] = {
    RAM(0, 0x9f000),
    RES(0x9fc00, 0xa0000),
    RES(0xf0000, 0x100000),
    RAM(0x100000, 0x7ffe0000),
    RES(0x7ffe0000, 0x80000000),
    RES(0xb0000000, 0xc0000000),
    RES(0xfed1c000, 0xfed20000),
    RES(0xfffc0000, 0x100000000),
    RAM(0x100000000, 0x180000000),
};

static const struct mem_range fz_map_6g[] = {
    RAM(0, 0x9f000),
    RES(0x9fc00, 0xa0000),
    RES(0xf0000, 0x100000),
    RAM(0x100000, 0xbffe0000),
    RES(0xbffe0000, 0xc0000000),
    RES(0xfffc0000, 0x100000000),
    RAM(0x100000000, 0x1c0000000),
};

static const struct mem_range fz_map_sparse[] = {
    RAM(0x1000, 0x9f000),
    RAM(0x200000, 0x800000),
    {0x800000, 0x801000, MEM_ACPI},
    RAM(0x801000, 0x10000000),
    RAM(0x1000000000, 0x1040000000),
    {0x800000000000, 0x800000100000, MEM_PMEM},
    RAM(0xfffffffffff00000, 0xfffffffffffff000),
};

static const struct mem_range fz_map_tiny[] = {
    RAM(0x100000, 0x500000),
};

static const struct mem_range fz_map_no_ram[] = {
    RES(0, 0xa0000),
    RES(0xf0000, 0x100000),
};

static u64 fz_le(const u8 *p, unsigned int n)
{
	u64 v = 0;

	while (n--)
		v = v << 8 | p[n];
	return v;
}

/* Split the input into header fields, three blobs and the rest. */
static bool fz_parse(const u8 *data, size_t size, struct fz_input *in)
{
	size_t off = FZ_HDR_LEN, len;
	unsigned int i;

	if (size < FZ_HDR_LEN)
		return false;
	in->flags = data[0];
	in->opt = data[1];
	in->map = (enum fz_map)(data[2] & 7);
	in->quirks = data[2] & ~7;
	in->srat_rev = data[3] & FZ_REV_MASK;
	in->rsdp_quirk = data[3] >> FZ_RQ_SHIFT & FZ_RQ_MASK;
	in->print_free = data[3] & FZ_PRINT_FREE;
	for (i = 0; i < FZ_NR_BLOBS; i++) {
		len = 0;
		if (size - off >= 2) {
			len = (size_t)fz_le(data + off, 2);
			off += 2;
		}
		len = MIN(len, size - off);
		in->blob[i] = data + off;
		in->blob_len[i] = len;
		off += len;
	}
	in->rest = data + off;
	in->rest_len = size - off;
	return true;
}

static void fz_opts(const struct fz_input *in, struct topo_opts *o)
{
	memset(o, 0, sizeof(*o));
	switch (in->opt & 3) {
	case FZ_OPT_OFF:
		o->off = true;
		break;
	case FZ_OPT_NOSLIT:
		o->noslit = true;
		break;
	case FZ_OPT_FAKE:
		o->fake = in->opt >> 2 ? in->opt >> 2 : FZ_FAKE_TOO_MANY;
		break;
	}
}

/* RAM pieces of 2 MiB every 4 MiB, as many as a boot map holds. */
static const struct mem_range *fz_map_fragmented(void)
{
	static struct mem_range map[BOOT_MEMMAP_MAX];
	unsigned int i;

	for (i = 0; i < BOOT_MEMMAP_MAX; i++) {
		map[i].start = MiB(4) * i + MiB(2);
		map[i].end = map[i].start + MiB(2);
		map[i].type = MEM_RAM;
	}
	return map;
}

/* Memory map entries from the input, sanitised as boot code would. */
static const struct mem_range *fz_map_input(const struct fz_input *in, unsigned int *nr)
{
	const u8 *p = in->rest;
	unsigned int n = 0;

	while (n < BOOT_MEMMAP_MAX && (size_t)(p - in->rest) + FZ_MAP_ENTRY_LEN <= in->rest_len) {
		fz_map_buf[n].start = fz_le(p, 8);
		fz_map_buf[n].end = fz_le(p + 8, 8);
		fz_map_buf[n].type = p[16];
		p += FZ_MAP_ENTRY_LEN;
		n++;
	}
	memmap_sanitize(fz_map_buf, &n, BOOT_MEMMAP_MAX);
	*nr = n;
	return fz_map_buf;
}

static const struct mem_range *fz_pick_map(const struct fz_input *in, unsigned int *nr)
{
	switch (in->map) {
	case FZ_MAP_QEMU_1G:
		*nr = ARRAY_SIZE(fz_map_qemu_1g);
		return fz_map_qemu_1g;
	case FZ_MAP_4G_HOLE:
		*nr = ARRAY_SIZE(fz_map_4g_hole);
		return fz_map_4g_hole;
	case FZ_MAP_6G:
		*nr = ARRAY_SIZE(fz_map_6g);
		return fz_map_6g;
	case FZ_MAP_SPARSE:
		*nr = ARRAY_SIZE(fz_map_sparse);
		return fz_map_sparse;
	case FZ_MAP_TINY:
		*nr = ARRAY_SIZE(fz_map_tiny);
		return fz_map_tiny;
	case FZ_MAP_FRAGMENTED:
		*nr = BOOT_MEMMAP_MAX;
		return fz_map_fragmented();
	case FZ_MAP_NO_RAM:
		*nr = ARRAY_SIZE(fz_map_no_ram);
		return fz_map_no_ram;
	default:
		return fz_map_input(in, nr);
	}
}

/* ---- the window -------------------------------------------------------- */

/* Blob i in window order (FZ_Q_REVERSE turns it around). */
static unsigned int fz_blob_at(const struct fz_input *in, unsigned int slot)
{
	return in->quirks & FZ_Q_REVERSE ? FZ_NR_BLOBS - 1 - slot : slot;
}

static size_t fz_table_len(const struct fz_input *in, unsigned int b)
{
	if (in->flags & FZ_RAW)
		return MAX(in->blob_len[b], (size_t)FZ_HDR);
	return FZ_HDR + in->blob_len[b];
}

/* How many times the root tables list each table. */
static unsigned int fz_times(const struct fz_input *in)
{
	if (in->rsdp_quirk == FZ_RQ_MANY)
		return FZ_MANY;
	return in->quirks & FZ_Q_TWICE ? 2 : 1;
}

/* Decide which regions exist and where; returns the window's length. */
static size_t fz_plan(const struct fz_input *in)
{
	unsigned int i, nt = 0, root_n;
	size_t off = 0;

	memset(fz_win.r, 0, sizeof(fz_win.r));
	for (i = 0; i < FZ_NR_BLOBS; i++)
		nt += !!(in->flags & (FZ_MADT << i));
	root_n = nt * fz_times(in) + !!(in->quirks & FZ_Q_UNMAPPED);
	fz_win.r[FZ_R_RSDP].len = sizeof(struct acpi_rsdp);
	fz_win.r[FZ_R_RSDT].len = FZ_HDR + 4 * root_n + (in->quirks & FZ_Q_TRAILING ? 3 : 0);
	if (in->flags & FZ_RSDP2)
		fz_win.r[FZ_R_XSDT].len =
		    FZ_HDR + 8 * root_n + (in->quirks & FZ_Q_TRAILING ? 5 : 0);
	for (i = 0; i < FZ_NR_BLOBS; i++)
		if (in->flags & (FZ_MADT << fz_blob_at(in, i)))
			fz_win.r[FZ_R_TABLE + i].len = fz_table_len(in, fz_blob_at(in, i));
	for (i = 0; i < FZ_NR_REGIONS; i++) {
		struct fz_region *r = &fz_win.r[i];

		if (!r->len)
			continue;
		r->used = true;
		if (off)
			off = ALIGN_UP(off + FZ_GAP, FZ_ALIGN);
		r->off = off;
		r->reach = r->len;
		off += r->len;
	}
	return off;
}

static void fz_header(u8 *p, const char *sig, u32 len, u8 rev)
{
	struct acpi_table_header h = {
	    .length = len,
	    .revision = rev,
	    .oem_revision = 1,
	    .creator_revision = 1,
	};

	memcpy(h.signature, sig, 4);
	memcpy(h.oem_id, "PROXFZ", 6);
	memcpy(h.oem_table_id, "FUZZTOPO", 8);
	memcpy(h.creator_id, "PXFZ", 4);
	memcpy(p, &h, sizeof(h));
}

static void fz_set_sum(u8 *p, size_t len, size_t sum_at)
{
	u8 sum = 0;
	size_t i;

	p[sum_at] = 0;
	for (i = 0; i < len; i++)
		sum += p[i];
	p[sum_at] = (u8)-sum;
}

/* Write the tables; note each one's address for the root tables. */
static void fz_put_tables(const struct fz_input *in)
{
	unsigned int i, b;

	fz_win.nr_entries = 0;
	for (i = 0; i < FZ_NR_BLOBS; i++) {
		struct fz_region *r = &fz_win.r[FZ_R_TABLE + i];
		u8 *p = fz_win.buf + r->off;
		u32 claimed;

		if (!r->used)
			continue;
		b = fz_blob_at(in, i);
		if (in->flags & FZ_RAW) {
			memcpy(p, in->blob[b], in->blob_len[b]);
		} else {
			fz_header(p, fz_sig[b], (u32)r->len, b == 1 ? in->srat_rev : 1);
			memcpy(p + FZ_HDR, in->blob[b], in->blob_len[b]);
		}
		claimed = (u32)fz_le(p + 4, 4);
		r->reach = MAX((size_t)MAX(claimed, FZ_HDR), r->len);
		fz_win.entry[fz_win.nr_entries++] = FZ_BASE + r->off;
	}
}

/* Fix each table's checksum over what it claims, last table first. */
static void fz_fix_table_sums(void)
{
	unsigned int i;

	for (i = FZ_NR_BLOBS; i-- > 0;) {
		const struct fz_region *r = &fz_win.r[FZ_R_TABLE + i];
		size_t len;

		if (!r->used)
			continue;
		len = MIN((size_t)fz_le(fz_win.buf + r->off + 4, 4), fz_win.len - r->off);
		if (len > offsetof(struct acpi_table_header, checksum))
			fz_set_sum(fz_win.buf + r->off, len,
				   offsetof(struct acpi_table_header, checksum));
	}
}

/* The RSDT or XSDT listing the entries (entry_size 4 or 8). */
static void fz_put_root(const struct fz_input *in, unsigned int reg, const char *sig,
			unsigned int entry_size)
{
	const struct fz_region *r = &fz_win.r[reg];
	u8 *p = fz_win.buf + r->off, *e;
	unsigned int i, nt = fz_win.nr_entries;
	u64 unmapped = FZ_BASE + fz_win.len + FZ_UNMAPPED_OFF;

	if (!r->used)
		return;
	fz_header(p, sig, (u32)r->len, 1);
	e = p + FZ_HDR;
	/* Little-endian: the low entry_size bytes of each address. */
	for (i = 0; i < nt * fz_times(in); i++, e += entry_size)
		memcpy(e, &fz_win.entry[i % nt], entry_size);
	if (in->quirks & FZ_Q_UNMAPPED)
		memcpy(e, &unmapped, entry_size);
	fz_set_sum(p, r->len, offsetof(struct acpi_table_header, checksum));
	if (reg == FZ_R_XSDT && (in->quirks & FZ_Q_BAD_XSDT))
		p[offsetof(struct acpi_table_header, checksum)]++;
}

/* The RSDP, with the fault byte 3 asks for; NULL for FZ_RQ_NULL. */
static const struct acpi_rsdp *fz_put_rsdp(const struct fz_input *in)
{
	struct acpi_rsdp *rsdp = (void *)(fz_win.buf + fz_win.r[FZ_R_RSDP].off);
	u8 q = in->rsdp_quirk;

	memcpy(rsdp->signature, q == FZ_RQ_SIGNATURE ? "RSD PTX " : "RSD PTR ", 8);
	memcpy(rsdp->oem_id, "PROXFZ", 6);
	rsdp->rsdt_address = (u32)(FZ_BASE + fz_win.r[FZ_R_RSDT].off);
	if (q == FZ_RQ_RSDT_UNMAPPED)
		rsdp->rsdt_address = (u32)(FZ_BASE + fz_win.len + FZ_UNMAPPED_OFF);
	if (in->flags & FZ_RSDP2) {
		rsdp->revision = 2;
		rsdp->length = sizeof(*rsdp);
		if (q == FZ_RQ_LONG)
			rsdp->length++;
		if (q == FZ_RQ_SHORT)
			rsdp->length = 20;
		if (q != FZ_RQ_NO_XSDT)
			rsdp->xsdt_address = FZ_BASE + fz_win.r[FZ_R_XSDT].off;
	}
	fz_set_sum((u8 *)rsdp, 20, offsetof(struct acpi_rsdp, checksum));
	if (in->flags & FZ_RSDP2)
		fz_set_sum((u8 *)rsdp, sizeof(*rsdp), offsetof(struct acpi_rsdp, ext_checksum));
	rsdp->checksum += q == FZ_RQ_CHECKSUM;
	rsdp->ext_checksum += q == FZ_RQ_EXT_CHECKSUM;
	return q == FZ_RQ_NULL ? NULL : rsdp;
}

/*
 * Poison the gaps between regions that no table claims to cover, so a
 * parser reading past a table's length is caught even though the window
 * goes on. A gap a table's length field reaches into is mapped memory
 * the parser may legally read (it is then that table's tail).
 */
static void fz_poison_gaps(void)
{
	unsigned int i, j;

	for (i = 0; i < FZ_NR_REGIONS; i++) {
		size_t s = fz_win.r[i].off + fz_win.r[i].len, e = fz_win.len;
		bool claimed = false;

		if (!fz_win.r[i].used)
			continue;
		for (j = i + 1; j < FZ_NR_REGIONS; j++) {
			if (fz_win.r[j].used) {
				e = fz_win.r[j].off;
				break;
			}
		}
		for (j = 0; j <= i; j++)
			claimed |= fz_win.r[j].used && fz_win.r[j].off + fz_win.r[j].reach > s;
		if (e > s && !claimed)
			fz_poison(fz_win.buf + s, e - s);
	}
}

static void fz_release(void)
{
	if (!fz_win.buf)
		return;
	fake_acpi_unmap();
	fz_unpoison(fz_win.buf, fz_win.len);
	free(fz_win.buf);
	fz_win.buf = NULL;
}

/* Lay the tables out in a fresh window and map it; returns the RSDP. */
static const struct acpi_rsdp *fz_layout(const struct fz_input *in)
{
	const struct acpi_rsdp *rsdp;

	fz_win.len = fz_plan(in);
	fz_win.buf = calloc(1, fz_win.len);
	if (!fz_win.buf)
		abort();
	fz_put_tables(in);
	if (in->flags & FZ_FIXSUM)
		fz_fix_table_sums();
	fz_put_root(in, FZ_R_RSDT, in->rsdp_quirk == FZ_RQ_RSDT_SIG ? "RSDX" : "RSDT", 4);
	fz_put_root(in, FZ_R_XSDT, in->rsdp_quirk == FZ_RQ_XSDT_SIG ? "XSDX" : "XSDT", 8);
	rsdp = fz_put_rsdp(in);
	fz_poison_gaps();
	fake_acpi_map_window(FZ_BASE, fz_win.buf, fz_win.len);
	return rsdp;
}

/* ---- the run -------------------------------------------------------------- */

static void fz_print(const struct topology *t, const struct mem_range *map, unsigned int nr,
		     bool with_free)
{
	static u64 free_bytes[MAX_NODES];
	unsigned int n;

	for (n = 0; n < t->nr_nodes; n++)
		free_bytes[n] = t->node[n].present / 2;
	memmap_print(map, nr);
	topo_print(t, with_free ? free_bytes : NULL);
	FZ_CHECK(console_has("NUMA: "), "topo_print printed no summary line");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct acpi_rsdp *rsdp;
	const struct mem_range *map;
	struct topo_opts opts;
	struct fz_input in;
	unsigned int nr_map;
	int nr_tables;

	/* A replayed input that failed may have left its window or heap behind. */
	fz_release();
	fz_heap_release();
	console_clear();
	console_set_loglevel(LOG_DEBUG);
	if (!fz_parse(data, size, &in))
		return 0;
	fz_opts(&in, &opts);
	map = fz_pick_map(&in, &nr_map);
	rsdp = fz_layout(&in);
	memset(&fz_desc, 0, sizeof(fz_desc));
	nr_tables = acpi_tables_init(rsdp, fake_acpi_window());
	FZ_CHECK(nr_tables <= ACPI_MAX_TABLES, "acpi_tables_init: %d tables", nr_tables);
	if (nr_tables >= 0)
		acpi_numa_describe(&fz_desc, in.flags & FZ_SAPIC);
	fz_check_desc(&fz_desc);
	topo_build(&fz_desc, map, nr_map, &opts, &fz_topo);
	fz_check_topology(&fz_topo, &fz_desc, &opts, map, nr_map);
	if (in.flags & FZ_PRINT)
		fz_print(&fz_topo, map, nr_map, in.print_free);
	fz_check_heap_startup(&fz_topo, map, nr_map);
	fz_show_console();
	fz_release();
	return 0;
}
