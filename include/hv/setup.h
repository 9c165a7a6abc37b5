/* The generic boot sequence (hypervisor/setup.c). */
#ifndef HV_SETUP_H
#define HV_SETUP_H

#include <hv/boot.h>
#include <hv/compiler.h>

/*
 * Run the rest of boot and then the idle loop; never returns. Called by
 * the arch once, on the boot CPU, with interrupts off, the console usable
 * and bi filled in.
 */
void start_hypervisor(struct boot_info *bi) __noreturn;

#endif /* HV_SETUP_H */
