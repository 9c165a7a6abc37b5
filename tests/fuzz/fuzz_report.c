/*
 * fz_fail() and fz_show_console() for the fuzzer binaries (fuzz.h):
 * a broken invariant prints the target's name, the rule and the console
 * on stderr, then abort()s, which libFuzzer records as a crash and saves
 * the input. Written with write(2), so nothing is lost in a buffer.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <hv/printk.h>

#include "../hosted/fake_arch.h"
#include "fuzz.h"

static void fz_write(const char *s, size_t n)
{
	ssize_t done = write(2, s, n);

	(void)done; /* nothing better to do on a failed diagnostic */
}

void fz_fail(const char *fmt, ...)
{
	static const char head[] = ": invariant violated: ";
	static const char cons[] = "\n--- console ---\n";
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fz_write(program_invocation_short_name, strlen(program_invocation_short_name));
	fz_write(head, sizeof(head) - 1);
	fz_write(msg, strlen(msg));
	fz_write(cons, sizeof(cons) - 1);
	fz_write(console_text(), console_len());
	abort();
}

void fz_show_console(void)
{
	static int show = -1;

	if (show < 0)
		show = getenv("FUZZ_CONSOLE") != NULL;
	if (show)
		fz_write(console_text(), console_len());
}
