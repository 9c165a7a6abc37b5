/*
 * String helpers in portable C: strlcpy, str_printable and the number
 * parser behind the command line. Kept apart from the arch's mem and str routines
 * (arch/x86/string.c) so that the hosted tests can compile them next to
 * the C library.
 */
#include <hv/lib.h>

size_t strlcpy(char *dst, const char *src, size_t size)
{
	size_t len = strlen(src);

	if (size) {
		size_t n = len < size - 1 ? len : size - 1;

		memcpy(dst, src, n);
		dst[n] = '\0';
	}
	return len;
}

char *str_printable(char *dst, size_t size, const char *src, size_t n)
{
	size_t i;

	for (i = 0; i < n && src[i] && i + 1 < size; i++)
		dst[i] = (u8)src[i] >= 0x20 && (u8)src[i] <= 0x7e ? src[i] : '?';
	dst[i] = '\0';
	if (i < n && src[i] && size > 4)
		strlcpy(dst + size - 4, "...", 4);
	return dst;
}

/* Value of one digit character in any base up to 36, or 36 if none. */
static unsigned int digit_value(char c)
{
	if (c >= '0' && c <= '9')
		return (unsigned int)(c - '0');
	if (c >= 'a' && c <= 'z')
		return (unsigned int)(c - 'a') + 10;
	if (c >= 'A' && c <= 'Z')
		return (unsigned int)(c - 'A') + 10;
	return 36;
}

/*
 * No leading white space and no sign are accepted: the first character
 * must be a digit (or the 0x prefix in base 0 or 16). With no digit at
 * all, or a base outside 0 and 2..16, the result is 0 and *end is s.
 */
u64 hv_strtoull(const char *s, const char **end, unsigned int base)
{
	const char *p = s;
	const char *first;
	u64 val = 0;
	unsigned int d;

	if (end)
		*end = s;
	if (base == 1 || base > 16)
		return 0;

	/* "0x" only counts as a prefix when a hex digit follows it. */
	if ((base == 0 || base == 16) && p[0] == '0' && (p[1] == 'x' || p[1] == 'X') &&
	    digit_value(p[2]) < 16) {
		p += 2;
		base = 16;
	} else if (base == 0) {
		base = p[0] == '0' ? 8 : 10;
	}

	first = p;
	while ((d = digit_value(*p)) < base) {
		if (val > (UINT64_MAX - d) / base) {
			/* Overflow: the caller sees *end == s. */
			return UINT64_MAX;
		}
		val = val * base + d;
		p++;
	}
	if (p != first && end)
		*end = p;
	return val;
}

struct size_str size_str(u64 bytes)
{
	static const char *const unit[] = {"bytes", "KiB", "MiB", "GiB", "TiB"};
	struct size_str out = {""};
	unsigned int v = ARRAY_SIZE(unit) - 1;

	while (v > 0 && (bytes % (1ULL << (10 * v)) || bytes < (1ULL << (10 * v))))
		v--;
	/* Exact only in a unit that takes five digits or more: round down. */
	while (v + 1 < ARRAY_SIZE(unit) && (bytes >> (10 * v)) >= 10000 &&
	       (bytes >> (10 * (v + 1))) >= 1000)
		v++;
	snprintf(out.s, sizeof(out.s), "%llu %s", bytes >> (10 * v), unit[v]);
	return out;
}
