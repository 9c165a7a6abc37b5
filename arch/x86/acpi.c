/*
 * x86 side of the firmware hand-over: find the ACPI RSDP (the copy a
 * multiboot2 loader hands over, else a scan of the BIOS areas), say where
 * the tables can be read (the direct map) and which CPU is booting. The
 * core reads the tables; nothing here parses them or calls back into it.
 * Owns nothing after boot. Boot CPU only.
 */
#include <asm/cpu.h>
#include <asm/page.h>
#include <asm/setup.h>
#include <hv/acpi.h>
#include <hv/arch.h>
#include <hv/lib.h>

/* len bytes at physical pa through the direct map, or NULL beyond it. */
static const void *bios_map(paddr_t pa, size_t len)
{
	if (!pa || pa + len < pa || pa + len > x86_directmap_end())
		return NULL;
	return maddr_to_virt(pa);
}

static const struct acpi_rsdp *scan_for_rsdp(paddr_t start, paddr_t end)
{
	paddr_t pa;

	for (pa = ALIGN_UP(start, 16); pa + 20 <= end; pa += 16) {
		const struct acpi_rsdp *r = bios_map(pa, 20);

		if (r && memcmp(r->signature, "RSD PTR ", 8) == 0 && acpi_checksum_ok(r, 20))
			return r;
	}
	return NULL;
}

/* The RSDP: from the loader, else the EBDA's first KiB, else 0xE0000-0xFFFFF. */
static const struct acpi_rsdp *find_rsdp(const struct boot_info *bi)
{
	const u16 *ebda_seg = bios_map(0x40e, 2);
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

void arch_describe_firmware(struct arch_firmware *fw)
{
	fw->rsdp = find_rsdp(&x86_boot_info);
	fw->acpi_mem.base = 0;
	fw->acpi_mem.len = x86_directmap_end();
	fw->acpi_mem.virt = maddr_to_virt(0);
	fw->boot_cpu_hwid = boot_cpu_apic_id();
}
