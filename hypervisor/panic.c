/*
 * panic() and failed assertions: the one way Proxima stops on an error of
 * its own. Owns the "qemu-exit" option. The first CPU to panic reports;
 * a CPU that panics while another already is just stops, so reports never
 * interleave and a panic inside panic cannot loop.
 */
#include <hv/arch.h>
#include <hv/cmdline.h>
#include <hv/lib.h>
#include <hv/panic.h>
#include <hv/printk.h>

/* Status passed to isa-debug-exit: QEMU exits with (code << 1) | 1. */
#define QEMU_EXIT_PANIC 1

static bool qemu_exit;
boot_param_bool("qemu-exit", qemu_exit);

static int panicking;

bool qemu_exit_enabled(void)
{
	return qemu_exit;
}

bool panic_in_progress(void)
{
	return __atomic_load_n(&panicking, __ATOMIC_RELAXED) != 0;
}

static void __noreturn vpanic(bool trace, const char *fmt, va_list ap)
{
	static char msg[256];

	arch_irq_disable();
	if (__atomic_exchange_n(&panicking, 1, __ATOMIC_ACQ_REL))
		arch_halt_all(QEMU_EXIT_PANIC);
	console_force_unlock();
	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (trace)
		arch_dump_stack();
	printk(LOG_EMERG, "\n****************************************\n");
	printk(LOG_EMERG, "Panic on CPU %u:\n%s\n", arch_cpu_id(), msg);
	printk(LOG_EMERG, "****************************************\n");
	printk(LOG_EMERG, "%s\n",
	       qemu_exit ? "Exiting QEMU (qemu-exit)." : "System halted. Reboot the machine.");
	arch_halt_all(QEMU_EXIT_PANIC);
}

void panic(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vpanic(true, fmt, ap);
	/* vpanic() does not return, so there is no va_end() to reach. */
	/* cppcheck-suppress va_end_missing */
}

void panic_nostack(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vpanic(false, fmt, ap);
	/* As panic(): vpanic() does not return. */
	/* cppcheck-suppress va_end_missing */
}

void assert_failed(const char *expr, const char *why, const char *file, int line)
{
	panic("Assertion '%s' failed at %s:%d: %s", expr, file, line, why);
}
