/*
 * The ia64 DIG topology backend: DIG (Developer's Interface Guide) ia64
 * machines describe themselves with ACPI, like x86, so this is the shared
 * parser run in SAPIC mode. The difference is the CPU id: an ia64 CPU is
 * named by its local SAPIC id and EID (extended id), which together form
 * its interrupt address, so a CPU's firmware id is (SAPIC id << 8) | EID,
 * built from the MADT local SAPIC entries and from the SRAT CPU affinity
 * entries' apic_id and sapic_eid fields alike. x2APIC entries mean
 * nothing here and are skipped.
 *
 * No ia64 image is built: this is compiled for the hosted tests only. An
 * ia64 image would not call this: its arch_describe_firmware() would hand
 * the core the RSDP the EFI system table points to, with acpi_sapic set
 * (struct arch_firmware), and the core would read the tables just so.
 * SN2 machines without usable tables hand over sn2_describe()'s result.
 */
#include "dig.h"

void ia64_dig_describe(const struct acpi_rsdp *rsdp, const struct fw_window *mem,
		       struct topo_desc *d)
{
	if (acpi_tables_init(rsdp, mem) < 0)
		return;
	acpi_numa_describe(d, true);
}
