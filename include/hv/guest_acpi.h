/*
 * A guest's firmware tables: the ACPI RSDP, XSDT, MADT, SRAT and SLIT that
 * describe its virtual NUMA layout, and the FADT and DSDT of a
 * hardware-reduced platform that powers off through its sleep control
 * register and has COM1 without an interrupt (hypervisor/guest_acpi.c). Pure code:
 * it lays the tables out in a buffer for a given guest-physical address
 * and neither maps nor copies them into the guest, nor prints. The
 * description is guest configuration and is checked in full before a
 * byte is written. Layouts follow ACPI 6.2 (MADT revision 4, SRAT
 * revision 3, FADT revision 6); the builder has its own layout structs, separate from the
 * parser's in <hv/acpi.h>, so the hosted tests can play one against the
 * other.
 */
#ifndef HV_GUEST_ACPI_H
#define HV_GUEST_ACPI_H

#include <hv/types.h>

#define GUEST_ACPI_MAX_VNODES 64
#define GUEST_ACPI_MAX_VCPUS 64
#define GUEST_ACPI_MAX_RANGES 128

/*
 * The FADT's sleep control and status registers, one byte each in I/O
 * space (ACPI 6.2 §4.8.3.7-8): a write of SLP_EN (bit 5) with SLP_TYP
 * (bits 2-4) GUEST_ACPI_S5_TYPE is the guest powering off. The DSDT's
 * \_S5 names that type.
 */
#define GUEST_ACPI_SLEEP_CONTROL_PORT 0x600
#define GUEST_ACPI_SLEEP_STATUS_PORT 0x601
#define GUEST_ACPI_S5_TYPE 5

/* Guest RAM [start, end) of a virtual node; hotplug: memory that may be added later. */
struct guest_acpi_range {
	u64 start, end;
	u8 vnode;
	bool hotplug;
};

/* A guest's virtual NUMA layout: vnode v is ACPI proximity domain v. */
struct guest_vnuma {
	unsigned int nr_vnodes, nr_vcpus, nr_ranges;
	u8 vcpu_vnode[GUEST_ACPI_MAX_VCPUS]; /* vCPU i's virtual node; its APIC id is i */
	struct guest_acpi_range range[GUEST_ACPI_MAX_RANGES];
	u8 distance[GUEST_ACPI_MAX_VNODES][GUEST_ACPI_MAX_VNODES]; /* SLIT values */
};

/*
 * Lay out RSDP (revision 2, at offset 0), XSDT, MADT, SRAT, SLIT, FADT
 * and DSDT, in that order, each at an 8-byte boundary, in buf (size bytes), which the
 * guest will see at guest-physical address base (16-byte aligned, the
 * tables wholly below 4 GiB). Every pointer inside the tables is a
 * guest-physical address computed from base.
 *
 * Returns 0 and sets *used to the bytes laid out; -EINVAL when v or base
 * is unusable (counts 0 or above the maxima, a vCPU or range naming a
 * vnode >= nr_vnodes, an empty or overlapping range, distance[i][i] !=
 * 10, an off-diagonal distance below 11, base not 16-byte aligned or the
 * tables reaching past 4 GiB), or -ENOSPC when buf is too small. On error
 * err (errlen bytes; may be NULL when errlen is 0) gets a one-line reason
 * and neither buf nor *used is written.
 */
int guest_acpi_build(const struct guest_vnuma *v, u64 base, void *buf, size_t size, size_t *used,
		     char *err, size_t errlen);

#endif /* HV_GUEST_ACPI_H */
