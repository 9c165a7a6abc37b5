/*
 * Where the hosted tests pretend the hypervisor image lies, for
 * arch/x86/boot/multiboot.c, which keeps boot modules off it: a fixed
 * [0x200000, 0x280000), 512 KiB at the image's link address (HV_LOAD_ADDR),
 * about the size of a debug build. The multiboot tests place modules
 * against these two numbers. No state.
 */
#include <asm/boot.h>
#include <asm/setup.h>

void x86_image_range(paddr_t *start, paddr_t *end)
{
	*start = HV_LOAD_ADDR;
	*end = HV_LOAD_ADDR + 0x80000;
}
