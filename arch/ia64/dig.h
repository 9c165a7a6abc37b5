/*
 * The ia64 DIG backend: a machine described by ACPI (MADT local SAPIC
 * entries, SRAT, SLIT). Portable C over firmware data; see dig.c.
 */
#ifndef IA64_DIG_H
#define IA64_DIG_H

#include <hv/acpi.h>
#include <hv/topology.h>

/*
 * Find the ACPI tables from rsdp, reading physical memory through mem, and
 * describe the machine into d (zeroed by the caller): CPUs from the MADT's
 * local SAPIC entries, affinity from the SRAT, distances from the SLIT. A
 * CPU's id is (SAPIC id << 8) | EID. Reports and skips what it cannot
 * read; never fails. Boot CPU, once.
 */
void ia64_dig_describe(const struct acpi_rsdp *rsdp, const struct fw_window *mem,
		       struct topo_desc *d);

#endif /* IA64_DIG_H */
