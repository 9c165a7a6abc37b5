/*
 * Freestanding memory and string routines for the hypervisor image:
 * mem{cpy,move,set,cmp} and str{len,nlen,cmp,ncmp,chr}, declared in
 * <hv/lib.h>. Portable helpers that the hosted tests compile too live in
 * hypervisor/lib/strutil.c; the hosted tests use the C library's.
 *
 * The bulk copy and fill routines use "rep movsb"/"rep stosb" so that the
 * compiler cannot recognise a byte loop and turn it back into a call to
 * the very function being defined: x86-64 code, hence its place here.
 */
#include <hv/lib.h>

void *memcpy(void *dst, const void *src, size_t n)
{
	void *ret = dst;

	__asm__ __volatile__("rep movsb" : "+D"(dst), "+S"(src), "+c"(n) : : "memory");
	return ret;
}

void *memmove(void *dst, const void *src, size_t n)
{
	void *ret = dst;
	char *d;
	const char *s;

	if (dst == src || n == 0)
		return ret;

	/*
	 * Unsigned distance: when dst is below src it wraps to a huge value,
	 * so a forward copy is used both for dst < src and for buffers that
	 * do not overlap at all.
	 */
	if ((uintptr_t)dst - (uintptr_t)src >= n)
		return memcpy(dst, src, n);

	/* dst overlaps the tail of src: copy from the last byte down. */
	d = (char *)dst + n - 1;
	s = (const char *)src + n - 1;
	__asm__ __volatile__("std\n\t"
			     "rep movsb\n\t"
			     "cld"
			     : "+D"(d), "+S"(s), "+c"(n)
			     :
			     : "memory", "cc");
	return ret;
}

void *memset(void *dst, int c, size_t n)
{
	void *ret = dst;

	__asm__ __volatile__("rep stosb" : "+D"(dst), "+c"(n) : "a"(c) : "memory");
	return ret;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *p = a;
	const unsigned char *q = b;
	size_t i;

	for (i = 0; i < n; i++) {
		if (p[i] != q[i])
			return p[i] < q[i] ? -1 : 1;
	}
	return 0;
}

size_t strlen(const char *s)
{
	const char *p = s;

	while (*p)
		p++;
	return (size_t)(p - s);
}

size_t strnlen(const char *s, size_t max)
{
	size_t i;

	for (i = 0; i < max && s[i]; i++)
		;
	return i;
}

int strcmp(const char *a, const char *b)
{
	const unsigned char *p = (const unsigned char *)a;
	const unsigned char *q = (const unsigned char *)b;

	while (*p && *p == *q) {
		p++;
		q++;
	}
	if (*p == *q)
		return 0;
	return *p < *q ? -1 : 1;
}

int strncmp(const char *a, const char *b, size_t n)
{
	const unsigned char *p = (const unsigned char *)a;
	const unsigned char *q = (const unsigned char *)b;
	size_t i;

	for (i = 0; i < n; i++) {
		if (p[i] != q[i])
			return p[i] < q[i] ? -1 : 1;
		if (!p[i])
			break;
	}
	return 0;
}

char *strchr(const char *s, int c)
{
	char ch = (char)c;

	for (;; s++) {
		if (*s == ch)
			return (char *)s;
		if (!*s)
			return NULL;
	}
}

char *strstr(const char *s, const char *sub)
{
	size_t n = strlen(sub);

	for (; *s; s++)
		if (strncmp(s, sub, n) == 0)
			return (char *)s;
	return n ? NULL : (char *)s;
}
