/*
 * x86 side of the firmware topology: find the ACPI RSDP (the copy a
 * multiboot2 loader hands over, else a scan of the BIOS areas), let the
 * generic ACPI code read MADT/SRAT/SLIT, and put the boot CPU first in the
 * CPU list. Owns nothing after boot. Boot CPU only.
 */
#include <asm/cpu.h>
#include <asm/page.h>
#include <asm/setup.h>
#include <hv/acpi.h>
#include <hv/arch.h>
#include <hv/lib.h>
#include <hv/printk.h>

const void *arch_acpi_map(paddr_t pa, size_t len)
{
	if (!pa || pa + len < pa || pa + len > x86_directmap_end())
		return NULL;
	return maddr_to_virt(pa);
}

static const struct acpi_rsdp *scan_for_rsdp(paddr_t start, paddr_t end)
{
	paddr_t pa;

	for (pa = ALIGN_UP(start, 16); pa + 20 <= end; pa += 16) {
		const struct acpi_rsdp *r = arch_acpi_map(pa, 20);

		if (r && memcmp(r->signature, "RSD PTR ", 8) == 0 && acpi_checksum_ok(r, 20))
			return r;
	}
	return NULL;
}

/* The RSDP: from the loader, else the EBDA's first KiB, else 0xE0000-0xFFFFF. */
static const struct acpi_rsdp *find_rsdp(const struct boot_info *bi)
{
	const u16 *ebda_seg = arch_acpi_map(0x40e, 2);
	const struct acpi_rsdp *r = NULL;

	if (bi->rsdp_len >= 20)
		return (const struct acpi_rsdp *)bi->rsdp_copy;
	if (ebda_seg && *ebda_seg)
		r = scan_for_rsdp((paddr_t)*ebda_seg << 4, ((paddr_t)*ebda_seg << 4) + 1024);
	if (!r)
		r = scan_for_rsdp(0xe0000, 0x100000);
	return r;
}

/* The boot CPU's local APIC id, from CPUID (x2APIC id when it has one). */
static u32 boot_cpu_apic_id(void)
{
	if (cpuid(0, 0).eax >= 0xb && cpuid(0xb, 0).ebx)
		return cpuid(0xb, 0).edx;
	return cpuid(1, 0).ebx >> 24;
}

static void boot_cpu_first(struct topo_desc *d)
{
	u32 bsp = boot_cpu_apic_id();
	unsigned int i;

	for (i = 0; i < d->nr_cpus; i++) {
		if (d->cpu_hwid[i] == bsp) {
			memmove(&d->cpu_hwid[1], &d->cpu_hwid[0], i * sizeof(d->cpu_hwid[0]));
			d->cpu_hwid[0] = bsp;
			return;
		}
	}
	if (d->nr_cpus)
		pr_warn("ACPI MADT: the boot CPU (APIC id %u) is not listed; adding it\n", bsp);
	if (d->nr_cpus == CONFIG_NR_CPUS) {
		d->nr_cpus--;
		d->cpus_dropped++;
	}
	memmove(&d->cpu_hwid[1], &d->cpu_hwid[0], d->nr_cpus * sizeof(d->cpu_hwid[0]));
	d->cpu_hwid[0] = bsp;
	d->nr_cpus++;
}

void arch_describe_topology(struct topo_desc *d)
{
	const struct acpi_rsdp *rsdp = find_rsdp(&x86_boot_info);

	if (!rsdp)
		pr_warn("ACPI: no RSDP found; one node, boot CPU only\n");
	else if (acpi_tables_init(rsdp) >= 0)
		acpi_numa_describe(d, false);
	boot_cpu_first(d);
}
