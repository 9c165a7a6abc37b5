/*
 * Console logging. printk() formats one message and writes it to the
 * console if its level is at or below the console log level (CONFIG_LOG_LEVEL,
 * overridden by "loglvl=" on the command line). Safe from any context,
 * including exception handlers; lines from different CPUs never interleave.
 */
#ifndef HV_PRINTK_H
#define HV_PRINTK_H

#include <hv/compiler.h>
#include <hv/types.h>

#define LOG_EMERG 0
#define LOG_ALERT 1
#define LOG_CRIT 2
#define LOG_ERR 3
#define LOG_WARNING 4
#define LOG_NOTICE 5
#define LOG_INFO 6
#define LOG_DEBUG 7

void printk(int level, const char *fmt, ...) __printf(2, 3);
void vprintk(int level, const char *fmt, va_list ap);

#define pr_emerg(...) printk(LOG_EMERG, __VA_ARGS__)
#define pr_crit(...) printk(LOG_CRIT, __VA_ARGS__)
#define pr_err(...) printk(LOG_ERR, __VA_ARGS__)
#define pr_warn(...) printk(LOG_WARNING, __VA_ARGS__)
#define pr_notice(...) printk(LOG_NOTICE, __VA_ARGS__)
#define pr_info(...) printk(LOG_INFO, __VA_ARGS__)
#define pr_debug(...) printk(LOG_DEBUG, __VA_ARGS__)

/* The current console log level (0..7). */
int console_loglevel(void);
void console_set_loglevel(int level);

/*
 * Take the console lock away from whoever holds it: used once by panic so
 * that a CPU that died while printing cannot silence the crash report.
 */
void console_force_unlock(void);

#endif /* HV_PRINTK_H */
