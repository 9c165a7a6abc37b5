/*
 * The generic boot sequence, entered from the arch with the loader's data
 * already copied into a struct boot_info, on the boot CPU with interrupts
 * off. Owns the order of initialisation, the banner, the test-only fault
 * option, the built-in diagnostic keys, enabling virtualisation and
 * starting the boot domains, and the boot CPU's part of the run loop
 * (serving the debug keys).
 */
#include <hv/arch.h>
#include <hv/boot.h>
#include <hv/cmdline.h>
#include <hv/domain.h>
#include <hv/errno.h>
#include <hv/hvm.h>
#include <hv/keyhandler.h>
#include <hv/lib.h>
#include <hv/mm.h>
#include <hv/nodemask.h>
#include <hv/numa.h>
#include <hv/panic.h>
#include <hv/printk.h>
#include <hv/sched.h>
#include <hv/setup.h>
#include <hv/slab.h>
#include <hv/smp.h>

static struct boot_info *boot;
static struct arch_firmware firmware;
static const char *cmdline_opts;

static char test_fault[8];
static unsigned int hvm_cpus;

/* test_fault=<kind>: raise a CPU exception on purpose (SELFTEST builds). */
static int parse_test_fault(const char *v)
{
	static const char *const kinds[] = {"ud", "pf", "gp", "de", "bp"};
	size_t i;

	if (!IS_ENABLED(CONFIG_SELFTEST) || !v)
		return -EINVAL;
	for (i = 0; i < ARRAY_SIZE(kinds); i++) {
		if (strcmp(v, kinds[i]) == 0) {
			strlcpy(test_fault, v, sizeof(test_fault));
			return 0;
		}
	}
	return -EINVAL;
}
boot_param_custom("test_fault", parse_test_fault, "ud, pf, gp, de or bp", "none (no fault)");

static void print_version(void)
{
	printk(LOG_EMERG, "Proxima %s (%s) hypervisor for x86-64\n", PROXIMA_VERSION, PROXIMA_REV);
}

static void print_banner(void)
{
	printk(LOG_EMERG, "config: NR_CPUS=%d NUMA=%s NR_NODES=%d DEBUG=%s SELFTEST=%s loglvl=%d\n",
	       CONFIG_NR_CPUS, IS_ENABLED(CONFIG_NUMA) ? "y" : "n", MAX_NODES,
	       IS_ENABLED(CONFIG_DEBUG) ? "y" : "n", IS_ENABLED(CONFIG_SELFTEST) ? "y" : "n",
	       console_loglevel());
	printk(LOG_EMERG, "boot loader: %s (multiboot%s)\n",
	       boot->loader[0] ? boot->loader : "unknown", boot->protocol == 2 ? "2" : "");
	printk(LOG_EMERG, "command line: %s\n", cmdline_opts);
}

static void key_version(unsigned char key)
{
	print_version();
	print_banner();
}

static void key_memmap(unsigned char key)
{
	printk(LOG_EMERG, "boot memory map (%u range%s, %llu MiB RAM):\n", boot->nr_mem,
	       PLURAL_S(boot->nr_mem), memmap_ram_bytes(boot->mem, boot->nr_mem) >> 20);
	/* memmap_print prints at info level; make sure a key press shows it. */
	{
		int lvl = console_loglevel();

		console_set_loglevel(LOG_INFO > lvl ? LOG_INFO : lvl);
		memmap_print(boot->mem, boot->nr_mem);
		console_set_loglevel(lvl);
	}
}

static void key_registers(unsigned char key)
{
	arch_dump_cpu_state();
}

static void key_panic(unsigned char key)
{
	panic("'%c' pressed: panic requested from the console", key);
}

static void parse_cmdline(void)
{
	static const char builtin[] = CONFIG_CMDLINE;

	cmdline_opts = cmdline_skip_image(boot->cmdline);
	while (*cmdline_opts == ' ')
		cmdline_opts++;
	if (builtin[0])
		cmdline_parse(builtin, __start_hv_params, __stop_hv_params);
	cmdline_parse(cmdline_opts, __start_hv_params, __stop_hv_params);
	if (boot->cmdline_truncated)
		pr_warn("cmdline: longer than %d bytes; the rest was cut off\n",
			BOOT_CMDLINE_MAX - 1);
}

/* The boot CPU's part in the run loop: serve the debug keys. */
static void poll_console(void)
{
	int c;

	while ((c = arch_console_getc()) >= 0)
		keyhandler_dispatch((unsigned char)c);
}

static void hvm_enable(void)
{
	if (arch_hvm_enable_cpu())
		pr_err("hvm: CPU%u: no memory for its virtualisation state\n", arch_cpu_id());
	else
		__atomic_fetch_add(&hvm_cpus, 1, __ATOMIC_RELAXED);
}

/* Virtualisation on every CPU, then the domains of the command line. */
static void start_guests(void)
{
	bool ok = arch_hvm_detect();
	unsigned int online = cpumask_weight(&cpu_online_mask);

	if (ok) {
		smp_run_on_all(hvm_enable);
		ok = hvm_cpus == online;
		if (!ok)
			pr_err("hvm: enabled on %u of %u CPUs: guests disabled\n", hvm_cpus,
			       online);
	}
	domains_boot(boot, ok);
}

void start_hypervisor(struct boot_info *bi)
{
	boot = bi;
	print_version();
	parse_cmdline();
	print_banner();
	if (bi->mem_dropped)
		pr_warn("memory map: %u entries beyond the first %d were ignored\n",
			bi->mem_dropped, BOOT_MEMMAP_MAX);
	memmap_sanitize(bi->mem, &bi->nr_mem, BOOT_MEMMAP_MAX);
	pr_info("memory map from the boot loader (%u range%s):\n", bi->nr_mem,
		PLURAL_S(bi->nr_mem));
	memmap_print(bi->mem, bi->nr_mem);
	bootmod_print(bi);

	arch_setup_memory(bi);
	arch_describe_firmware(&firmware);
	numa_init(bi, &firmware);
	arch_init_irq();
	smp_init();
	heap_boot();
	if (IS_ENABLED(CONFIG_SELFTEST))
		heap_selftest();
	slab_init();
	if (IS_ENABLED(CONFIG_SELFTEST))
		slab_selftest();

	keyhandler_init();
	keyhandler_register('v', key_version, "version, configuration and command line", true);
	keyhandler_register('e', key_memmap, "boot memory map from the firmware", true);
	keyhandler_register('d', key_registers, "registers and stack of the boot CPU", true);
	keyhandler_register('C', key_panic, "panic on purpose (crash the hypervisor)", false);

	if (test_fault[0]) {
		pr_warn("test_fault=%s: raising the exception now\n", test_fault);
		arch_trigger_fault(test_fault);
		pr_info("test_fault=%s: handled, boot continues\n", test_fault);
	}

	start_guests();
	printk(LOG_EMERG, "Proxima: ready (press 'h' for debug keys)\n");
	domains_start();
	sched_loop(poll_console);
}
