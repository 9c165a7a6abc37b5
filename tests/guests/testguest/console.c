/*
 * The guest's console: a small formatter and line output through the
 * console_write hypercall, plus the few string functions the compiler may
 * call. Buffers live on the caller's stack, so every vCPU prints at once
 * without a lock (Proxima keeps each vCPU's partial line apart).
 */
#include "guest.h"

struct out {
	char *buf;
	size_t size, len; /* len counts what did not fit too */
};

static void put(struct out *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

/* One number in base 10 or 16, at least width digits (zero- or space-padded). */
static void put_num(struct out *o, u64 v, unsigned int base, bool neg, unsigned int width, char pad)
{
	char tmp[24];
	unsigned int n = 0;

	do {
		tmp[n++] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	if (neg)
		width = width ? width - 1 : 0;
	if (neg && pad == '0')
		put(o, '-');
	for (; width > n; width--)
		put(o, pad);
	if (neg && pad != '0')
		put(o, '-');
	while (n)
		put(o, tmp[--n]);
}

int vformat(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct out o = {buf, size, 0};

	for (; *fmt; fmt++) {
		unsigned int width = 0;
		char pad = ' ', lmod = 0;
		const char *s;
		u64 v;

		if (*fmt != '%') {
			put(&o, *fmt);
			continue;
		}
		if (*++fmt == '0')
			pad = '0';
		while (*fmt >= '0' && *fmt <= '9')
			width = width * 10 + (unsigned int)(*fmt++ - '0');
		while (*fmt == 'l' || *fmt == 'z')
			lmod = *fmt++;
		switch (*fmt) {
		case 'd':
			if (lmod)
				v = (u64)va_arg(ap, long);
			else
				v = (u64)(long)va_arg(ap, int);
			put_num(&o, (long)v < 0 ? -v : v, 10, (long)v < 0, width, pad);
			break;
		case 'u':
		case 'x':
			v = lmod ? va_arg(ap, u64) : va_arg(ap, unsigned int);
			put_num(&o, v, *fmt == 'u' ? 10 : 16, false, width, pad);
			break;
		case 'c':
			put(&o, (char)va_arg(ap, int));
			break;
		case 's':
			for (s = va_arg(ap, const char *); *s; s++)
				put(&o, *s);
			break;
		case '\0':
			fmt--;
			break;
		default:
			put(&o, *fmt);
			break;
		}
	}
	if (size)
		buf[o.len < size ? o.len : size - 1] = '\0';
	return (int)o.len;
}

void gprintf(const char *fmt, ...)
{
	char buf[CONSOLE_LINE_MAX];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vformat(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	console_write(buf, n < CONSOLE_LINE_MAX ? (u64)n : CONSOLE_LINE_MAX - 1);
}

void line_add(struct line *l, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vformat(l->buf + l->len, sizeof(l->buf) - l->len, fmt, ap);
	va_end(ap);
	l->len += (size_t)n;
	if (l->len >= sizeof(l->buf))
		l->len = sizeof(l->buf) - 1;
}

void line_add_ids(struct line *l, const bool *set, unsigned int n)
{
	unsigned int i = 0, j;
	bool first = true;

	while (i < n) {
		if (!set[i]) {
			i++;
			continue;
		}
		for (j = i; j + 1 < n && set[j + 1]; j++)
			;
		if (!first)
			line_add(l, ",");
		if (j > i)
			line_add(l, "%u-%u", i, j);
		else
			line_add(l, "%u", i);
		first = false;
		i = j + 1;
	}
	if (first)
		line_add(l, "none");
}

void line_print(const struct line *l)
{
	console_write(l->buf, l->len);
}

void crash(const char *fmt, ...)
{
	char buf[CONSOLE_LINE_MAX];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vformat(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	console_write(buf, n < CONSOLE_LINE_MAX ? (u64)n : CONSOLE_LINE_MAX - 1);
	shutdown(PRX_SHUTDOWN_CRASH);
}

/* rep movsb/stosb: a C loop here could be turned back into a call to itself. */
void *memset(void *s, int c, size_t n)
{
	void *d = s;

	__asm__ volatile("rep stosb" : "+D"(d), "+c"(n) : "a"(c) : "memory");
	return s;
}

void *memcpy(void *d, const void *s, size_t n)
{
	void *p = d;

	__asm__ volatile("rep movsb" : "+D"(p), "+S"(s), "+c"(n) : : "memory");
	return d;
}

size_t strlen(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}
