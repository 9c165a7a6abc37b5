/*
 * printk and the console lock. Owns message formatting and level
 * filtering; the device itself is the arch's (arch_console_write).
 * Lock order: the console lock is a leaf, taken with interrupts off so a
 * handler that prints cannot deadlock against the code it interrupted.
 * A message longer than PRINTK_LINE_MAX is cut and ends in "...".
 */
#include <hv/arch.h>
#include <hv/cmdline.h>
#include <hv/lib.h>
#include <hv/printk.h>
#include <hv/spinlock.h>

#define PRINTK_LINE_MAX 512

static DEFINE_SPINLOCK(console_lock);
static unsigned int loglevel = CONFIG_LOG_LEVEL;
boot_param_uint("loglvl", loglevel, 0, 7);

int console_loglevel(void)
{
	return (int)loglevel;
}

void console_set_loglevel(int level)
{
	if (level >= LOG_EMERG && level <= LOG_DEBUG)
		loglevel = (unsigned int)level;
}

void console_force_unlock(void)
{
	spin_lock_init(&console_lock);
}

void vprintk(int level, const char *fmt, va_list ap)
{
	static char buf[PRINTK_LINE_MAX]; /* guarded by console_lock */
	unsigned long flags;
	int n;

	if (level > (int)loglevel)
		return;
	flags = spin_lock_irqsave(&console_lock);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	if (n < 0 || n >= (int)sizeof(buf)) {
		n = sizeof(buf) - 1;
		memcpy(buf + n - 4, "...\n", 4);
	}
	arch_console_write(buf, (size_t)n);
	spin_unlock_irqrestore(&console_lock, flags);
}

void printk(int level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintk(level, fmt, ap);
	va_end(ap);
}
