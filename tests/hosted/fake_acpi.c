/*
 * arch_acpi_map() for the hosted tests: one fake physical window, set by
 * the ACPI fixture (support_acpi.c) or by a fuzzer, and nothing else
 * mapped. The only definition of arch_acpi_map in the hosted binaries.
 * Single-threaded, like the tests.
 */
#include <hv/arch.h>

#include "support_acpi.h"

static struct {
	paddr_t base;
	const u8 *buf;
	size_t len;
} window;
static unsigned long map_calls;

void fake_acpi_map_window(paddr_t base, const void *buf, size_t len)
{
	window.base = base;
	window.buf = buf;
	window.len = len;
	map_calls = 0;
}

void fake_acpi_unmap(void)
{
	fake_acpi_map_window(0, NULL, 0);
}

unsigned long fake_acpi_map_calls(void)
{
	return map_calls;
}

const void *arch_acpi_map(paddr_t pa, size_t len)
{
	map_calls++;
	if (!window.buf || !pa || pa + len < pa)
		return NULL;
	if (pa < window.base || pa - window.base > window.len ||
	    len > window.len - (pa - window.base))
		return NULL;
	return window.buf + (pa - window.base);
}
