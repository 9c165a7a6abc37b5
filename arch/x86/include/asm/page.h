/*
 * x86-64 page tables and the hypervisor's virtual layout:
 *   0x0000000000200000  the image, identity mapped (text RX, rodata R, data RW)
 *   0xffff800000000000  the direct map: every physical address below the
 *                       top of the firmware memory map, at this offset
 * The first 2 MiB of virtual space stay unmapped so NULL dereferences fault.
 */
#ifndef ASM_PAGE_H
#define ASM_PAGE_H

#include <hv/types.h>

#define DIRECTMAP_BASE 0xffff800000000000UL
#define DIRECTMAP_SIZE (1ULL << 46) /* 64 TiB of physical address space */

#define PTE_P (1UL << 0)
#define PTE_W (1UL << 1)
#define PTE_U (1UL << 2)
#define PTE_PWT (1UL << 3)
#define PTE_PCD (1UL << 4)
#define PTE_A (1UL << 5)
#define PTE_D (1UL << 6)
#define PTE_PS (1UL << 7)
#define PTE_G (1UL << 8)
#define PTE_NX (1UL << 63)
#define PTE_ADDR 0x000ffffffffff000UL

static inline void *maddr_to_virt(paddr_t pa)
{
	return (void *)(pa + DIRECTMAP_BASE);
}

static inline paddr_t virt_to_maddr(const void *v)
{
	unsigned long va = (unsigned long)v;

	return va >= DIRECTMAP_BASE ? va - DIRECTMAP_BASE : va;
}

#endif /* ASM_PAGE_H */
