/*
 * Freestanding string and formatting routines (hypervisor/lib/). The
 * hosted build uses the C library's string functions instead and the
 * real vsnprintf from hypervisor/lib/vsnprintf.c.
 */
#ifndef HV_LIB_H
#define HV_LIB_H

#include <hv/compiler.h>
#include <hv/types.h>

void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);
char *strstr(const char *s, const char *sub);

/*
 * Copy at most size-1 bytes of src into dst and always terminate (when
 * size > 0). Returns strlen(src), so truncation shows as a result >= size.
 */
size_t strlcpy(char *dst, const char *src, size_t size);

/*
 * Format like C99 vsnprintf: conversions d i u x X o c s p % with flags
 * "-0+ #", field width and precision (also as "*"), and length modifiers
 * hh h l ll z t j. %p prints 0x followed by 16 hex digits. Always
 * terminates when size > 0; returns the length the full output would have.
 */
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int snprintf(char *buf, size_t size, const char *fmt, ...) __printf(3, 4);

/*
 * Parse an unsigned number: decimal, 0x hex, or 0 octal prefix (base 0),
 * or in the given base (2..16). Sets *end past the last digit used.
 * Returns the value; on overflow returns UINT64_MAX and sets *end to the
 * start so callers see the error.
 */
u64 hv_strtoull(const char *s, const char **end, unsigned int base);

/*
 * For messages that quote what someone else wrote (the command line, a
 * guest): copy the n bytes at src, or up to its NUL, into dst as text
 * that stays on one line, each byte outside printable ASCII (0x20 to
 * 0x7e: newlines, other control characters, bytes above 0x7e) written
 * as '?'. size > 0; a copy that does not fit ends in "...". Returns dst.
 */
char *str_printable(char *dst, size_t size, const char *src, size_t n);

/* A byte count as people read it: "636 KiB", "2046 MiB", "12 GiB", "1 TiB". */
struct size_str {
	char s[24];
};

/*
 * The largest unit (bytes, KiB, MiB, GiB, TiB) that divides bytes; when
 * the number in it has five digits or more, the largest unit in which it
 * is still at least 1000, rounded down. Use the result within the
 * expression: printk("%s", size_str(n).s).
 */
struct size_str size_str(u64 bytes);

#endif /* HV_LIB_H */
