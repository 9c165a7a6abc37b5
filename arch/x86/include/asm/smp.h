/* Secondary CPU start-up: where the trampoline runs and what it reads. */
#ifndef ASM_SMP_H
#define ASM_SMP_H

/* Physical address of the trampoline: page aligned, below 1 MiB. */
#define TRAMP_PA 0x8000

#ifndef __ASSEMBLY__
#include <hv/types.h>

/* The data block at the end of the trampoline (trampoline.S). */
struct tramp_data {
	u32 cr3;
	u32 cr4;
	u32 efer;
	u32 pad;
	u64 stack;
	u64 percpu;
	u64 entry;
};

extern const char tramp_start[], tramp_data[], tramp_end[];
#endif

#endif /* ASM_SMP_H */
