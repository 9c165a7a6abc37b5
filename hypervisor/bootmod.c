/*
 * The boot modules on the console: one line per module that the arch kept
 * in struct boot_info, and a warning for those it had no room for. Owns
 * no state; the modules' memory is reserved by the arch and read by the
 * guest image loader, not here.
 */
#include <hv/boot.h>
#include <hv/lib.h>
#include <hv/printk.h>

void bootmod_print(const struct boot_info *bi)
{
	unsigned int i;

	for (i = 0; i < bi->nr_modules; i++) {
		const struct boot_module *m = &bi->modules[i];

		pr_info("module %u: 0x%016llx-0x%016llx %s \"%s\"%s\n", i, m->start, m->end,
			size_str(m->end - m->start).s, m->cmdline,
			m->cmdline_truncated ? " (command line cut)" : "");
	}
	if (bi->modules_dropped)
		pr_warn("modules: %u beyond the first %d were ignored\n", bi->modules_dropped,
			BOOT_MODULES_MAX);
}
