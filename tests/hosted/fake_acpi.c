/*
 * The fake physical window the hosted tests and the fuzzer hand to the
 * ACPI code as the arch would (struct fw_window in struct arch_firmware):
 * set by the ACPI fixture (support_acpi.c) or by a fuzzer, and nothing
 * else readable. Single-threaded, like the tests.
 */
#include <hv/arch.h>

#include "support_acpi.h"

static struct fw_window window;

void fake_acpi_map_window(paddr_t base, const void *buf, size_t len)
{
	window.base = base;
	window.len = buf ? len : 0;
	window.virt = buf;
}

void fake_acpi_unmap(void)
{
	fake_acpi_map_window(0, NULL, 0);
}

const struct fw_window *fake_acpi_window(void)
{
	return &window;
}
