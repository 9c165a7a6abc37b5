/*
 * The firmware memory map: sanitising and printing. Owns no state; works
 * on the boot_info copy the arch boot code filled. Firmware maps may be
 * unsorted, overlapping and not page aligned; after memmap_sanitize() the
 * ranges are sorted, disjoint, merged, and RAM ranges are whole pages.
 */
#include <hv/boot.h>
#include <hv/errno.h>
#include <hv/lib.h>
#include <hv/printk.h>

const char *mem_type_name(u32 type)
{
	switch (type) {
	case MEM_RAM:
		return "RAM";
	case MEM_RESERVED:
		return "reserved";
	case MEM_ACPI:
		return "ACPI data";
	case MEM_NVS:
		return "ACPI NVS";
	case MEM_UNUSABLE:
		return "unusable";
	case MEM_DISABLED:
		return "disabled";
	case MEM_PMEM:
		return "persistent";
	default:
		return "unknown";
	}
}

/* Where two ranges overlap, the type with the higher rank wins. */
static int type_rank(u32 type)
{
	switch (type) {
	case MEM_RAM:
		return 0;
	case MEM_ACPI:
		return 1;
	case MEM_PMEM:
		return 2;
	case MEM_NVS:
		return 3;
	case MEM_UNUSABLE:
		return 5;
	default:
		return 4; /* reserved, disabled and unknown kinds */
	}
}

static void sort_u64(u64 *a, unsigned int n)
{
	unsigned int i, j;

	for (i = 1; i < n; i++) {
		u64 v = a[i];

		for (j = i; j > 0 && a[j - 1] > v; j--)
			a[j] = a[j - 1];
		a[j] = v;
	}
}

/* The winning type over [s, e), or 0 when no range covers it. */
static u32 type_over(const struct mem_range *map, unsigned int nr, u64 s, u64 e)
{
	u32 best = 0;
	unsigned int i;

	for (i = 0; i < nr; i++) {
		if (map[i].start > s || map[i].end < e)
			continue;
		if (!best || type_rank(map[i].type) > type_rank(best))
			best = map[i].type;
	}
	return best;
}

int memmap_sanitize(struct mem_range *map, unsigned int *nr, unsigned int max)
{
	static u64 cut[2 * BOOT_MEMMAP_MAX];
	static struct mem_range out[2 * BOOT_MEMMAP_MAX];
	unsigned int i, n = 0, nout = 0, ncut = 0;

	if (*nr > BOOT_MEMMAP_MAX)
		return -E2BIG;
	for (i = 0; i < *nr; i++) {
		if (map[i].end <= map[i].start)
			continue;
		cut[ncut++] = map[i].start;
		cut[ncut++] = map[i].end;
	}
	sort_u64(cut, ncut);
	for (i = 0; i + 1 < ncut; i++) {
		u64 s = cut[i], e = cut[i + 1];
		u32 type;

		if (s == e)
			continue;
		type = type_over(map, *nr, s, e);
		if (!type)
			continue;
		if (n && out[n - 1].end == s && out[n - 1].type == type) {
			out[n - 1].end = e;
			continue;
		}
		out[n].start = s;
		out[n].end = e;
		out[n].type = type;
		n++;
	}
	/* RAM in whole pages only; the cut-off bytes become a hole. */
	for (i = 0; i < n; i++) {
		if (out[i].type == MEM_RAM) {
			u64 s = ALIGN_UP(out[i].start, PAGE_SIZE);
			u64 e = ALIGN_DOWN(out[i].end, PAGE_SIZE);

			if (s < out[i].start || e <= s)
				continue;
			out[i].start = s;
			out[i].end = e;
		}
		out[nout++] = out[i];
	}
	if (nout > max) {
		/* Keep a consistent map: the lowest ranges, the rest reported. */
		u64 lost = memmap_ram_bytes(out + max, nout - max);

		pr_err("memory map: %u range%s after resolving overlaps, room for %u; "
		       "ignoring those from 0x%llx up (%llu KiB of RAM)\n",
		       nout, PLURAL_S(nout), max, out[max].start, lost >> 10);
		memcpy(map, out, max * sizeof(*map));
		*nr = max;
		return -ENOSPC;
	}
	memcpy(map, out, nout * sizeof(*map));
	*nr = nout;
	return 0;
}

u64 memmap_ram_bytes(const struct mem_range *map, unsigned int nr)
{
	u64 sum = 0;
	unsigned int i;

	for (i = 0; i < nr; i++)
		if (map[i].type == MEM_RAM)
			sum += map[i].end - map[i].start;
	return sum;
}

void memmap_print(const struct mem_range *map, unsigned int nr)
{
	unsigned int i;

	for (i = 0; i < nr; i++) {
		u64 len = map[i].end - map[i].start;

		pr_info("  0x%016llx-0x%016llx %-10s %s\n", map[i].start, map[i].end,
			mem_type_name(map[i].type), size_str(len).s);
	}
}
