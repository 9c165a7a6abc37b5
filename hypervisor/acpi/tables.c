/*
 * ACPI static tables: validates the RSDP, walks the XSDT (or the RSDT)
 * and keeps every table that passes the header checks, for
 * acpi_find_table(). What the tables say is read elsewhere (numa.c).
 * Physical memory is read through the window the arch handed over, never
 * by calling the arch. Runs on the boot CPU before other CPUs start: no
 * locking.
 * Invariants: each kept table lies wholly inside the window, is at least
 * a header long, and sums to 0; nr_tables <= ACPI_MAX_TABLES.
 */
#include <hv/acpi.h>
#include <hv/errno.h>
#include <hv/lib.h>
#include <hv/printk.h>

#define HDR_LEN ((u32)sizeof(struct acpi_table_header))
#define RSDP_V1_LEN 20 /* bytes the first checksum covers */
#define RSDP_V2_LEN ((u32)sizeof(struct acpi_rsdp))

#define NO_ACPI "no ACPI tables used: one node, boot CPU only"
#define USE_RSDT "using the RSDT"

struct acpi_table {
	paddr_t pa;
	const struct acpi_table_header *hdr;
};

static struct acpi_table tables[ACPI_MAX_TABLES];
static unsigned int nr_tables;
static struct fw_window window;

/* len bytes at physical pa, or NULL when they are not all inside the window (or pa is 0). */
static const void *map(paddr_t pa, size_t len)
{
	if (!window.virt || !pa || pa + len < pa)
		return NULL;
	if (pa < window.base || pa - window.base > window.len ||
	    len > window.len - (pa - window.base))
		return NULL;
	return (const u8 *)window.virt + (pa - window.base);
}

bool acpi_checksum_ok(const void *p, size_t len)
{
	const u8 *b = p;
	u8 sum = 0;

	while (len--)
		sum += *b++;
	return sum == 0;
}

/* Copy n firmware characters into out as printable text ('?' for the rest). */
static void printable(char *out, const char *in, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		out[i] = in[i] >= 0x20 && in[i] < 0x7f ? in[i] : '?';
	out[n] = '\0';
}

/* The name a table goes by in messages: MADT for "APIC", else its signature. */
static void table_name(char out[5], const char *sig)
{
	if (!memcmp(sig, "APIC", 4))
		memcpy(out, "MADT", 5);
	else
		printable(out, sig, 4);
}

/* What ignoring a table listed in the root table leaves the system with. */
static const char *table_fallback(const char *sig)
{
	if (!memcmp(sig, "SRAT", 4))
		return "ignoring SRAT: one node with all memory and CPUs";
	if (!memcmp(sig, "SLIT", 4))
		return "ignoring SLIT: distances 10 local, 20 remote";
	if (!memcmp(sig, "APIC", 4))
		return "ignoring MADT: boot CPU only";
	return "ignoring the table";
}

/*
 * Map the whole table at pa, its header first, then check its length and
 * checksum. name is what messages call it; NULL for a root-table entry,
 * named after its own signature once that is readable. fallback ends a
 * rejection line; NULL picks the one for the table's signature. Returns
 * the table, or NULL after one line.
 */
static const struct acpi_table_header *map_table(paddr_t pa, const char *name, const char *fallback)
{
	const struct acpi_table_header *t = map(pa, HDR_LEN);
	char tname[5];
	u32 len;

	if (!t) {
		if (name)
			pr_warn("ACPI %s: header at 0x%llx is not mapped; %s\n", name, pa,
				fallback);
		else
			pr_warn("ACPI: table at 0x%llx is not mapped; ignoring the table\n", pa);
		return NULL;
	}
	if (name)
		memcpy(tname, name, 5);
	else
		table_name(tname, t->signature);
	if (!fallback)
		fallback = table_fallback(t->signature);
	len = t->length;
	if (len < HDR_LEN) {
		pr_warn("ACPI %s: length %u shorter than the header; %s\n", tname, len, fallback);
		return NULL;
	}
	t = map(pa, len);
	if (!t) {
		pr_warn("ACPI %s: length %u runs past mapped memory; %s\n", tname, len, fallback);
		return NULL;
	}
	if (!acpi_checksum_ok(t, len)) {
		pr_warn("ACPI %s: bad checksum; %s\n", tname, fallback);
		return NULL;
	}
	return t;
}

/* Map and check a root table (RSDT or XSDT), signature included. */
static const struct acpi_table_header *map_root(paddr_t pa, const char *sig, const char *fallback)
{
	const struct acpi_table_header *t = map(pa, HDR_LEN);
	char found[5];

	if (t && memcmp(t->signature, sig, 4)) {
		printable(found, t->signature, 4);
		pr_warn("ACPI %s: bad signature \"%s\" at 0x%llx; %s\n", sig, found, pa, fallback);
		return NULL;
	}
	return map_table(pa, sig, fallback);
}

/*
 * Keep the table at pa (a root-table entry) if it passes the checks.
 * -ENOSPC once the list is full and another valid table shows up.
 */
static int add_table(paddr_t pa)
{
	const struct acpi_table_header *t = map_table(pa, NULL, NULL);
	char sig[5], oem[7];

	if (!t)
		return 0;
	if (nr_tables == ACPI_MAX_TABLES) {
		pr_warn("ACPI: more than %d valid tables; ignoring the rest\n", ACPI_MAX_TABLES);
		return -ENOSPC;
	}
	tables[nr_tables].pa = pa;
	tables[nr_tables].hdr = t;
	nr_tables++;
	printable(sig, t->signature, 4);
	printable(oem, t->oem_id, 6);
	pr_info("ACPI: %s at 0x%llx, %u bytes, OEM %s\n", sig, pa, t->length, oem);
	return 0;
}

/* Keep the valid tables a checked root table lists (4- or 8-byte entries). */
static void walk_root(const struct acpi_table_header *root, paddr_t pa, u32 entry_size)
{
	const u8 *entry = (const u8 *)root + HDR_LEN;
	u32 nr = (root->length - HDR_LEN) / entry_size;
	u32 extra = (root->length - HDR_LEN) % entry_size;
	u32 i;

	pr_info("ACPI: using the %.4s at 0x%llx, %u entr%s\n", root->signature, pa, nr,
		nr == 1 ? "y" : "ies");
	if (extra)
		pr_warn("ACPI %.4s: length %u leaves %u bytes after the last entry; "
			"ignoring them\n",
			root->signature, root->length, extra);
	for (i = 0; i < nr; i++, entry += entry_size) {
		u64 epa = 0;

		/* Entries are little-endian and only 4-byte aligned. */
		memcpy(&epa, entry, entry_size);
		if (add_table(epa))
			break;
	}
}

/*
 * Check the RSDP's 2.0 part. true when the XSDT may be used; otherwise
 * says why (if the part is broken) and the RSDT stays the way in.
 */
static bool rsdp_xsdt_usable(const struct acpi_rsdp *rsdp)
{
	if (rsdp->revision < 2)
		return false;
	if (rsdp->length < RSDP_V2_LEN) {
		pr_warn("ACPI RSDP: length %u shorter than %u; %s\n", rsdp->length, RSDP_V2_LEN,
			USE_RSDT);
		return false;
	}
	/* Only the 36 bytes of struct acpi_rsdp are known to be readable. */
	if (rsdp->length > RSDP_V2_LEN) {
		pr_warn("ACPI RSDP: length %u longer than the %u bytes handed over; %s\n",
			rsdp->length, RSDP_V2_LEN, USE_RSDT);
		return false;
	}
	if (!acpi_checksum_ok(rsdp, rsdp->length)) {
		pr_warn("ACPI RSDP: bad extended checksum; %s\n", USE_RSDT);
		return false;
	}
	return rsdp->xsdt_address != 0;
}

int acpi_tables_init(const struct acpi_rsdp *rsdp, const struct fw_window *mem)
{
	const struct acpi_table_header *root;

	nr_tables = 0;
	window = mem ? *mem : (struct fw_window){0};
	if (!rsdp) {
		pr_info("ACPI: no RSDP; " NO_ACPI "\n");
		return -ENOENT;
	}
	if (memcmp(rsdp->signature, "RSD PTR ", 8)) {
		pr_warn("ACPI RSDP: bad signature; " NO_ACPI "\n");
		return -ENOENT;
	}
	if (!acpi_checksum_ok(rsdp, RSDP_V1_LEN)) {
		pr_warn("ACPI RSDP: bad checksum; " NO_ACPI "\n");
		return -ENOENT;
	}
	if (rsdp_xsdt_usable(rsdp)) {
		root = map_root(rsdp->xsdt_address, "XSDT", USE_RSDT);
		if (root) {
			walk_root(root, rsdp->xsdt_address, sizeof(u64));
			return (int)nr_tables;
		}
	}
	root = map_root(rsdp->rsdt_address, "RSDT", NO_ACPI);
	if (!root)
		return -ENOENT;
	walk_root(root, rsdp->rsdt_address, sizeof(u32));
	return (int)nr_tables;
}

const struct acpi_table_header *acpi_find_table(const char *sig)
{
	unsigned int i;

	if (!sig || strnlen(sig, 5) != 4)
		return NULL;
	for (i = 0; i < nr_tables; i++)
		if (!memcmp(tables[i].hdr->signature, sig, 4))
			return tables[i].hdr;
	return NULL;
}
