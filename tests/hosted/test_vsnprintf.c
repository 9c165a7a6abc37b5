/*
 * Hosted tests for hypervisor/lib/vsnprintf.c. The build renames the
 * project's functions to hv_vsnprintf/hv_snprintf; __builtin_snprintf is
 * left alone and reaches the C library, which serves as the reference for
 * every combination C defines. What C leaves undefined or the project
 * defines differently (%p, NULL %s, unknown conversions) is checked
 * against the behaviour documented in include/hv/lib.h and vsnprintf.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include <hv/lib.h>

#define BUF_LEN 512
#define FILL 0x5a

/* What one call produced: return value and the whole buffer. */
struct result {
	int ret;
	char buf[BUF_LEN];
};

/* How the single value argument of a generated format is passed. */
enum kind {
	K_INT,
	K_UINT,
	K_LONG,
	K_ULONG,
	K_LLONG,
	K_ULLONG,
	K_SSIZE, /* %zd: the signed type of size_t's width */
	K_SIZE,
	K_PTRDIFF,
	K_UPTRDIFF, /* %tu: the unsigned type of ptrdiff_t's width */
	K_INTMAX,
	K_UINTMAX,
	K_STR,
	K_NONE, /* no value argument */
};

/* An argument of any kind, for run_fmt(). */
struct arg {
	enum kind kind;
	uintmax_t v;
	const char *s;
};

static void fill(struct result *r)
{
	memset(r->buf, FILL, sizeof(r->buf));
	r->ret = -12345;
}

/*
 * Call the project's (ref == false) or the library's snprintf with fmt,
 * nstar leading int arguments (for "*" width/precision) and one value.
 */
#define CALL_STARS(ref, r, size, fmt, nstar, s1, s2, a)                                \
	do {                                                                           \
		if (ref && (nstar) == 0)                                               \
			(r)->ret = __builtin_snprintf((r)->buf, size, fmt, a);         \
		else if (ref && (nstar) == 1)                                          \
			(r)->ret = __builtin_snprintf((r)->buf, size, fmt, s1, a);     \
		else if (ref)                                                          \
			(r)->ret = __builtin_snprintf((r)->buf, size, fmt, s1, s2, a); \
		else if ((nstar) == 0)                                                 \
			(r)->ret = hv_snprintf((r)->buf, size, fmt, a);                \
		else if ((nstar) == 1)                                                 \
			(r)->ret = hv_snprintf((r)->buf, size, fmt, s1, a);            \
		else                                                                   \
			(r)->ret = hv_snprintf((r)->buf, size, fmt, s1, s2, a);        \
	} while (0)

static void run_fmt(bool ref, struct result *r, size_t size, const char *fmt, int nstar, int s1,
		    int s2, const struct arg *a)
{
	uintmax_t v = a->v;

	fill(r);
	switch (a->kind) {
	case K_INT:
		CALL_STARS(ref, r, size, fmt, nstar, s1, s2, (int)v);
		break;
	case K_UINT:
		CALL_STARS(ref, r, size, fmt, nstar, s1, s2, (unsigned int)v);
		break;
	case K_LONG:
		CALL_STARS(ref, r, size, fmt, nstar, s1, s2, (long)v);
		break;
	case K_ULONG:
		CALL_STARS(ref, r, size, fmt, nstar, s1, s2, (unsigned long)v);
		break;
	case K_LLONG:
		CALL_STARS(ref, r, size, fmt, nstar, s1, s2, (long long)v);
		break;
	case K_ULLONG:
		CALL_STARS(ref, r, size, fmt, nstar, s1, s2, (unsigned long long)v);
		break;
	case K_SSIZE:
		CALL_STARS(ref, r, size, fmt, nstar, s1, s2, (ptrdiff_t)v);
		break;
	case K_SIZE:
		CALL_STARS(ref, r, size, fmt, nstar, s1, s2, (size_t)v);
		break;
	case K_PTRDIFF:
		CALL_STARS(ref, r, size, fmt, nstar, s1, s2, (ptrdiff_t)v);
		break;
	case K_UPTRDIFF:
		CALL_STARS(ref, r, size, fmt, nstar, s1, s2, (size_t)v);
		break;
	case K_INTMAX:
		CALL_STARS(ref, r, size, fmt, nstar, s1, s2, (intmax_t)v);
		break;
	case K_UINTMAX:
		CALL_STARS(ref, r, size, fmt, nstar, s1, s2, (uintmax_t)v);
		break;
	case K_STR:
		CALL_STARS(ref, r, size, fmt, nstar, s1, s2, a->s);
		break;
	case K_NONE:
		/* Pass a harmless unused int so the macro has an argument. */
		CALL_STARS(ref, r, size, fmt, nstar, s1, s2, 0);
		break;
	}
}

/* Print a buffer with non-printing bytes escaped, for failure messages. */
static void show(const char *what, const struct result *r, size_t size)
{
	char text[4 * BUF_LEN + 1];
	size_t i, n = 0;
	size_t lim = size < BUF_LEN ? size : BUF_LEN;

	for (i = 0; i < lim; i++) {
		unsigned char c = (unsigned char)r->buf[i];

		if (c >= 0x20 && c < 0x7f && c != '\\') {
			text[n++] = (char)c;
		} else {
			static const char hex[] = "0123456789abcdef";

			text[n++] = '\\';
			text[n++] = 'x';
			text[n++] = hex[c >> 4];
			text[n++] = hex[c & 15];
		}
		if (c == 0)
			break;
	}
	text[n] = '\0';
	print_error("  %-4s ret=%d buf=\"%s\"\n", what, r->ret, text);
}

static void print_arg(const char *fmt, size_t size, int nstar, int s1, int s2, const struct arg *a)
{
	print_error("format \"%s\" size %zu", fmt, size);
	if (nstar > 0)
		print_error(" star1 %d", s1);
	if (nstar > 1)
		print_error(" star2 %d", s2);
	if (a->kind == K_STR)
		print_error(" string \"%s\"\n", a->s ? a->s : "NULL");
	else
		print_error(" value %#jx kind %d\n", a->v, (int)a->kind);
}

/*
 * Run fmt through both implementations and demand the same return value
 * and byte-identical buffers, including the untouched bytes after size.
 */
static void compare_at(const char *file, int line, const char *fmt, size_t size, int nstar, int s1,
		       int s2, const struct arg *a)
{
	struct result hv, ref;

	run_fmt(false, &hv, size, fmt, nstar, s1, s2, a);
	run_fmt(true, &ref, size, fmt, nstar, s1, s2, a);
	if (hv.ret == ref.ret && memcmp(hv.buf, ref.buf, BUF_LEN) == 0)
		return;
	print_arg(fmt, size, nstar, s1, s2, a);
	show("hv", &hv, BUF_LEN);
	show("libc", &ref, BUF_LEN);
	_fail(file, line);
}

#define COMPARE(fmt, size, nstar, s1, s2, a) \
	compare_at(__FILE__, __LINE__, fmt, size, nstar, s1, s2, a)

/* Check the project's output against a fixed expected string. */
static void expect_at(const char *file, int line, const struct result *r, size_t size,
		      const char *fmt, const char *want)
{
	size_t n = strlen(want);
	size_t stored = size ? (n < size - 1 ? n : size - 1) : 0;
	bool ok = r->ret == (int)n;
	size_t i;

	if (size) {
		ok = ok && memcmp(r->buf, want, stored) == 0 && r->buf[stored] == '\0';
		stored++;
	}
	for (i = stored; i < BUF_LEN; i++)
		ok = ok && r->buf[i] == (char)FILL;
	if (ok)
		return;
	print_error("format \"%s\" size %zu: want ret=%zu \"%s\"\n", fmt, size, n, want);
	show("hv", r, BUF_LEN);
	_fail(file, line);
}

#define EXPECT(r, size, fmt, want) expect_at(__FILE__, __LINE__, r, size, fmt, want)

/* ---------------------------------------------------------------------- */
/* Literal formats: checked by -Wformat at compile time, then compared.  */

#define SAME(...)                                                                           \
	do {                                                                                \
		struct result h_, l_;                                                       \
                                                                                            \
		fill(&h_);                                                                  \
		fill(&l_);                                                                  \
		h_.ret = hv_snprintf(h_.buf, BUF_LEN, __VA_ARGS__);                         \
		l_.ret = __builtin_snprintf(l_.buf, BUF_LEN, __VA_ARGS__);                  \
		if (h_.ret != l_.ret || memcmp(h_.buf, l_.buf, BUF_LEN) != 0) {             \
			print_error("call snprintf(buf, %d, %s)\n", BUF_LEN, #__VA_ARGS__); \
			show("hv", &h_, BUF_LEN);                                           \
			show("libc", &l_, BUF_LEN);                                         \
			fail();                                                             \
		}                                                                           \
	} while (0)

static void test_literal_formats_match_libc(void **state)
{
	SAME("plain text, no conversions");
	SAME("%s", "");
	SAME("%d %i %u %x %X %o", 42, -42, 42u, 0xbeefu, 0xbeefu, 8u);
	SAME("[%d] [%5d] [%-5d] [%05d] [%+d] [% d]", 7, 7, 7, 7, 7, 7);
	SAME("[%d] [%5d] [%-5d] [%05d] [%+d] [% d]", -7, -7, -7, -7, -7, -7);
	SAME("[%.0d] [%.0u] [%.0x] [%.0o] [%#.0x] [%#.0o]", 0, 0u, 0u, 0u, 0u, 0u);
	SAME("[%+.0d] [% .0d] [%5.0d] [%-5.0d|]", 0, 0, 0, 0);
	SAME("[%#x] [%#X] [%#o] [%#x] [%#o]", 255u, 255u, 8u, 0u, 0u);
	SAME("[%#10x] [%#-10x|] [%#010x] [%#10.6x]", 1u, 1u, 1u, 1u);
	SAME("[%8.3d] [%-8.3d|] [%+08d] [% 08d] [%+d]", -5, -5, 5, 5, 5);
	SAME("%lld %lld %llu", (long long)INT64_MIN, (long long)INT64_MAX,
	     (unsigned long long)UINT64_MAX);
	SAME("%jd %ju %jx %jo", INTMAX_MIN, UINTMAX_MAX, UINTMAX_MAX, UINTMAX_MAX);
	SAME("%ld %lu %lx %lX %lo", (long)INT64_MIN, (unsigned long)UINT64_MAX,
	     (unsigned long)UINT64_MAX, 0xabcdefUL, 0777UL);
	SAME("%zu %zx %td %tx", (size_t)SIZE_MAX, (size_t)4096, (ptrdiff_t)PTRDIFF_MIN,
	     (size_t)0x1000);
	SAME("%hhd %hhu %hhx %hd %hu %hx", (signed char)-100, (unsigned char)200,
	     (unsigned char)0xff, (short)-30000, (unsigned short)60000, (unsigned short)0xabcd);
	SAME("%d %d %u %x", INT32_MIN, INT32_MAX, UINT32_MAX, UINT32_MAX);
	SAME("%c%c%c [%3c] [%-3c|]", 'a', 'b', 'c', 'x', 'y');
	SAME("[%s] [%10s] [%-10s|] [%.2s] [%10.2s] [%-10.2s|]", "hello", "hello", "hello", "hello",
	     "hello", "hello");
	SAME("[%.0s] [%.10s] [%3s]", "abc", "abc", "abcdef");
	SAME("[%*d] [%-*d|] [%*d]", 6, 42, 6, 42, -6, 42);
	SAME("[%.*d] [%.*d] [%*.*d] [%-*.*x|]", 4, 42, -1, 42, 8, 3, 42, -8, 3, 42u);
	SAME("[%0*d] [%0*d]", 6, -42, -6, -42);
	SAME("[%*s] [%-*s|] [%.*s] [%*.*s]", 8, "ab", 8, "ab", 1, "ab", -5, 1, "xyz");
	SAME("100%% [%%] %d%%", 50);
	SAME("%s=%d, %s=%#lx, %c%c, %5.1s|%-4u|%+i", "a", 1, "b", 0x1234UL, '<', '>', "zzz", 9u, 0);
	SAME("%x%o%X%u%d%i%c%s", 1u, 2u, 3u, 4u, 5, 6, '7', "8");
	SAME("%08x:%08x:%016llx", 0xdeadu, 0xbeefu, 0x0123456789abcdefULL);
	SAME("%-+8d|%-+8d|%- 8d|%- 8d|", 3, -3, 3, -3);
	SAME("%+5.3d|%+-7.3d|% 7.3d|%#8.3o|%#-8.3o|", 12, -12, 12, 012u, 012u);
	SAME("%.20d|%.20u|%.20x|%.25o", INT32_MIN, 1u, 1u, 1u);
	SAME("%30lld|%-30llu|%030lld", (long long)INT64_MIN, (unsigned long long)UINT64_MAX,
	     (long long)INT64_MIN);
	SAME("%#llo|%#llx|%#llX", (unsigned long long)UINT64_MAX, (unsigned long long)UINT64_MAX,
	     (unsigned long long)UINT64_MAX);
}

/* ---------------------------------------------------------------------- */
/* Generated matrix of integer conversions.                               */

static const char *const flag_chars = "-+ #0";

/* Append the flag subset given by the bits of mask to p. */
static char *put_flags(char *p, unsigned int mask)
{
	unsigned int i;

	for (i = 0; i < 5; i++) {
		if (mask & (1u << i))
			*p++ = flag_chars[i];
	}
	return p;
}

static char *put_str(char *p, const char *s)
{
	while (*s)
		*p++ = *s++;
	return p;
}

struct length_case {
	const char *mod;
	enum kind sig; /* kind for d and i */
	enum kind uns; /* kind for u x X o */
};

static const struct length_case lengths[] = {
    {"", K_INT, K_UINT},	  {"hh", K_INT, K_UINT},      {"h", K_INT, K_UINT},
    {"l", K_LONG, K_ULONG},	  {"ll", K_LLONG, K_ULLONG},  {"z", K_SSIZE, K_SIZE},
    {"t", K_PTRDIFF, K_UPTRDIFF}, {"j", K_INTMAX, K_UINTMAX},
};

/*
 * Values given as 64-bit patterns; narrower kinds take the low bits, and
 * hh/h also see int values out of their range, as C converts them.
 */
static const uintmax_t int_values[] = {
    0,
    1,
    7,
    8,
    42,
    100,
    127,
    128,
    255,
    256,
    300,
    32767,
    32768,
    65535,
    70000,
    0x7fffffff,
    0x80000000,
    0xffffffff,
    0x123456789,
    (uintmax_t)-1,
    (uintmax_t)-42,
    (uintmax_t)-129,
    (uintmax_t)-32769,
    (uintmax_t)INT32_MIN,
    (uintmax_t)INT64_MAX,
    (uintmax_t)INT64_MIN,
    UINT64_MAX - 1,
};

static const char *const int_convs = "diuxXo";

static void test_integer_flag_width_precision_match_libc(void **state)
{
	static const char *const widths[] = {"", "1", "6", "24"};
	static const char *const precs[] = {"", ".", ".0", ".1", ".4", ".22"};
	unsigned int mask, w, pr, l, c, v;
	char fmt[64];

	for (mask = 0; mask < 32; mask++)
		for (w = 0; w < ARRAY_SIZE(widths); w++)
			for (pr = 0; pr < ARRAY_SIZE(precs); pr++)
				for (l = 0; l < ARRAY_SIZE(lengths); l++)
					for (c = 0; int_convs[c]; c++) {
						char conv = int_convs[c];
						bool sig = conv == 'd' || conv == 'i';
						char *p = fmt;

						p = put_str(p, "<");
						*p++ = '%';
						p = put_flags(p, mask);
						p = put_str(p, widths[w]);
						p = put_str(p, precs[pr]);
						p = put_str(p, lengths[l].mod);
						*p++ = conv;
						p = put_str(p, ">");
						*p = '\0';

						for (v = 0; v < ARRAY_SIZE(int_values); v++) {
							struct arg a = {
							    .kind = sig ? lengths[l].sig
									: lengths[l].uns,
							    .v = int_values[v],
							};

							COMPARE(fmt, BUF_LEN, 0, 0, 0, &a);
						}
					}
}

/* Width and precision from "*", including negative values. */
static void test_star_width_and_precision_match_libc(void **state)
{
	static const int stars[] = {0, 1, 3, 7, 21, -1, -3, -7, -21};
	static const char *const fmts[] = {
	    "[%*d]", "[%-*d]", "[%0*d]", "[%+*d]", "[%*u]", "[%#*x]", "[%#0*o]", "[%*s]", "[%-*s]",
	};
	static const char *const fmts2[] = {
	    "[%*.*d]",	 "[%-*.*d]", "[%0*.*d]", "[% *.*i]", "[%*.*u]",	   "[%#*.*x]",
	    "[%#0*.*X]", "[%#*.*o]", "[%*.*s]",	 "[%-*.*s]", "[%0*.*lld]",
	};
	static const char *const fmts_prec[] = {
	    "[%.*d]", "[%0.*d]", "[%010.*d]", "[%#.*x]", "[%#.*o]", "[%.*s]", "[%8.*s]",
	};
	static const uintmax_t vals[] = {
	    0, 5, 42, 123456, (uintmax_t)-1, (uintmax_t)-98765,
	};
	static const char *const strs[] = {"", "a", "abcd", "long string"};
	unsigned int f, i, j, v;

	for (f = 0; f < ARRAY_SIZE(fmts); f++)
		for (i = 0; i < ARRAY_SIZE(stars); i++)
			for (v = 0; v < ARRAY_SIZE(vals); v++) {
				struct arg a = {.kind = K_INT, .v = vals[v]};
				const char *fmt = fmts[f];

				if (fmt[strlen(fmt) - 2] == 's') {
					a.kind = K_STR;
					a.s = strs[v % ARRAY_SIZE(strs)];
				}
				COMPARE(fmt, BUF_LEN, 1, stars[i], 0, &a);
			}

	for (f = 0; f < ARRAY_SIZE(fmts2); f++)
		for (i = 0; i < ARRAY_SIZE(stars); i++)
			for (j = 0; j < ARRAY_SIZE(stars); j++)
				for (v = 0; v < ARRAY_SIZE(vals); v++) {
					struct arg a = {.kind = K_INT, .v = vals[v]};
					const char *fmt = fmts2[f];
					size_t n = strlen(fmt);

					if (fmt[n - 2] == 's') {
						a.kind = K_STR;
						a.s = strs[v % ARRAY_SIZE(strs)];
					} else if (fmt[n - 3] == 'l') {
						a.kind = K_LLONG;
					}
					COMPARE(fmt, BUF_LEN, 2, stars[i], stars[j], &a);
				}

	for (f = 0; f < ARRAY_SIZE(fmts_prec); f++)
		for (i = 0; i < ARRAY_SIZE(stars); i++)
			for (v = 0; v < ARRAY_SIZE(vals); v++) {
				struct arg a = {.kind = K_INT, .v = vals[v]};
				const char *fmt = fmts_prec[f];

				if (fmt[strlen(fmt) - 2] == 's') {
					a.kind = K_STR;
					a.s = strs[v % ARRAY_SIZE(strs)];
				}
				COMPARE(fmt, BUF_LEN, 1, stars[i], 0, &a);
			}
}

/* The extreme values of every length, in every integer conversion. */
static void test_extreme_values_every_length_match_libc(void **state)
{
	static const uintmax_t vals[] = {
	    (uintmax_t)INT64_MIN,
	    (uintmax_t)INT64_MAX,
	    UINT64_MAX,
	    (uintmax_t)INT32_MIN,
	    (uintmax_t)INT32_MAX,
	    UINT32_MAX,
	    (uintmax_t)INT16_MIN,
	    (uintmax_t)INT16_MAX,
	    UINT16_MAX,
	    (uintmax_t)INT8_MIN,
	    (uintmax_t)INT8_MAX,
	    UINT8_MAX,
	    0,
	};
	unsigned int l, c, v;
	char fmt[16];

	for (l = 0; l < ARRAY_SIZE(lengths); l++)
		for (c = 0; int_convs[c]; c++) {
			char conv = int_convs[c];
			bool sig = conv == 'd' || conv == 'i';
			char *p = fmt;

			*p++ = '%';
			p = put_str(p, lengths[l].mod);
			*p++ = conv;
			*p = '\0';
			for (v = 0; v < ARRAY_SIZE(vals); v++) {
				struct arg a = {
				    .kind = sig ? lengths[l].sig : lengths[l].uns,
				    .v = vals[v],
				};

				COMPARE(fmt, BUF_LEN, 0, 0, 0, &a);
			}
		}
}

/* %s and %c with every defined flag, width and precision. */
static void test_string_and_char_matrix_match_libc(void **state)
{
	static const char *const strs[] = {
	    "", "x", "abc", "hello, world", "a string longer than widths",
	};
	static const char *const widths[] = {"", "0", "1", "5", "30"};
	static const char *const precs[] = {"", ".", ".0", ".1", ".4", ".40"};
	static const int chars[] = {'a', ' ', '%', 0x7e, 0x80, 0xff, 0x1ff};
	unsigned int left, w, pr, i;
	char fmt[32];

	for (left = 0; left < 2; left++)
		for (w = 0; w < ARRAY_SIZE(widths); w++) {
			for (pr = 0; pr < ARRAY_SIZE(precs); pr++) {
				char *p = fmt;

				p = put_str(p, left ? "(%-" : "(%");
				p = put_str(p, widths[w]);
				p = put_str(p, precs[pr]);
				p = put_str(p, "s)");
				*p = '\0';
				for (i = 0; i < ARRAY_SIZE(strs); i++) {
					struct arg a = {.kind = K_STR, .s = strs[i]};

					COMPARE(fmt, BUF_LEN, 0, 0, 0, &a);
				}
			}

			{
				char *p = fmt;

				p = put_str(p, left ? "(%-" : "(%");
				p = put_str(p, widths[w]);
				p = put_str(p, "c)");
				*p = '\0';
			}
			for (i = 0; i < ARRAY_SIZE(chars); i++) {
				struct arg a = {
				    .kind = K_INT,
				    .v = (uintmax_t)chars[i],
				};

				COMPARE(fmt, BUF_LEN, 0, 0, 0, &a);
			}
		}
}

/* A NUL from %c is stored like any byte and counted. */
static void test_char_nul_is_stored_and_counted(void **state)
{
	struct arg a = {.kind = K_INT, .v = 0};

	COMPARE("a%cb", BUF_LEN, 0, 0, 0, &a);
	COMPARE("[%3c]", BUF_LEN, 0, 0, 0, &a);
	COMPARE("[%-3c]", BUF_LEN, 0, 0, 0, &a);
}

/* ---------------------------------------------------------------------- */
/* Truncation and the returned length.                                    */

static void test_truncation_every_size_matches_libc(void **state)
{
	static const struct {
		const char *fmt;
		struct arg a;
	} cases[] = {
	    {"hello %d world", {K_INT, 12345, NULL}},
	    {"%-20s|", {K_STR, 0, "truncate me"}},
	    {"%20s|", {K_STR, 0, "truncate me"}},
	    {"%.3s", {K_STR, 0, "abcdef"}},
	    {"%lld", {K_LLONG, (uintmax_t)INT64_MIN, NULL}},
	    {"%#llo", {K_ULLONG, UINT64_MAX, NULL}},
	    {"%#llx", {K_ULLONG, UINT64_MAX, NULL}},
	    {"%+08.5d!", {K_INT, 42, NULL}},
	    {"%-8d!", {K_INT, (uintmax_t)-42, NULL}},
	    {"%08d!", {K_INT, (uintmax_t)-42, NULL}},
	    {"x%cy", {K_INT, 'c', NULL}},
	    {"100%%", {K_NONE, 0, NULL}},
	    {"", {K_NONE, 0, NULL}},
	    {"%s", {K_STR, 0, ""}},
	    {"%300d", {K_INT, 1, NULL}},
	    {"%-300d|", {K_INT, 1, NULL}},
	    {"%.300u", {K_UINT, 1, NULL}},
	};
	unsigned int i;
	size_t size;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		struct result full;

		run_fmt(true, &full, BUF_LEN, cases[i].fmt, 0, 0, 0, &cases[i].a);
		assert_true(full.ret >= 0 && full.ret < BUF_LEN - 2);
		for (size = 0; size <= (size_t)full.ret + 2; size++)
			COMPARE(cases[i].fmt, size, 0, 0, 0, &cases[i].a);
	}
}

static void test_size_zero_writes_nothing_returns_length(void **state)
{
	const char *volatile empty = "";
	struct result r;

	fill(&r);
	r.ret = hv_snprintf(r.buf, 0, "%s-%d", "abc", 12345);
	EXPECT(&r, 0, "%s-%d", "abc-12345");
	assert_int_equal(r.buf[0], FILL);

	assert_int_equal(hv_snprintf(NULL, 0, "%s-%d", "abc", 12345), 9);
	assert_int_equal(hv_snprintf(NULL, 0, "%300d", 1), 300);
	assert_int_equal(hv_snprintf(NULL, 0, "%p", (void *)0), 18);
	assert_int_equal(hv_snprintf(NULL, 0, empty, 0), 0);
}

static void test_size_one_stores_only_terminator(void **state)
{
	struct result r;

	fill(&r);
	r.ret = hv_snprintf(r.buf, 1, "%d%s", -77, "tail");
	EXPECT(&r, 1, "%d%s", "-77tail");
	assert_int_equal(r.buf[0], '\0');
	assert_int_equal(r.buf[1], FILL);
}

/* A long output into a small buffer keeps exactly size-1 bytes. */
static void test_output_longer_than_buffer(void **state)
{
	char small[8];
	char big[2100];
	int ret;

	memset(small, FILL, sizeof(small));
	ret = hv_snprintf(small, sizeof(small), "%2000d|%s", 5, "end");
	assert_int_equal(ret, 2004);
	assert_memory_equal(small, "       ", 8);

	ret = hv_snprintf(big, sizeof(big), "%-2000d|%s", 5, "end");
	assert_int_equal(ret, 2004);
	assert_int_equal(big[0], '5');
	assert_int_equal(big[1999], ' ');
	assert_string_equal(big + 2000, "|end");
}

/* ---------------------------------------------------------------------- */
/* Behaviour the project defines itself.                                  */

static void test_pointer_prints_0x_and_16_hex_digits(void **state)
{
	struct result r;
	char want[64];
	int x;
	void *p = &x;

	fill(&r);
	r.ret = hv_snprintf(r.buf, BUF_LEN, "%p", (void *)0);
	EXPECT(&r, BUF_LEN, "%p", "0x0000000000000000");

	fill(&r);
	r.ret = hv_snprintf(r.buf, BUF_LEN, "%p", (void *)0x1234);
	EXPECT(&r, BUF_LEN, "%p", "0x0000000000001234");

	fill(&r);
	r.ret = hv_snprintf(r.buf, BUF_LEN, "%p", (void *)UINTPTR_MAX);
	EXPECT(&r, BUF_LEN, "%p", "0xffffffffffffffff");

	fill(&r);
	r.ret = hv_snprintf(r.buf, BUF_LEN, "%p", (void *)(uintptr_t)0xfedcba9876543210ULL);
	EXPECT(&r, BUF_LEN, "%p", "0xfedcba9876543210");

	/* A real pointer agrees with the library's %016lx of its value. */
	__builtin_snprintf(want, sizeof(want), "0x%016lx", (unsigned long)(uintptr_t)p);
	fill(&r);
	r.ret = hv_snprintf(r.buf, BUF_LEN, "%p", p);
	EXPECT(&r, BUF_LEN, "%p", want);

	/* Width and "-" apply; spaces only. */
	fill(&r);
	r.ret = hv_snprintf(r.buf, BUF_LEN, "[%22p]", (void *)0xab);
	EXPECT(&r, BUF_LEN, "[%22p]", "[    0x00000000000000ab]");

	fill(&r);
	r.ret = hv_snprintf(r.buf, BUF_LEN, "[%-22p]", (void *)0xab);
	EXPECT(&r, BUF_LEN, "[%-22p]", "[0x00000000000000ab    ]");

	fill(&r);
	r.ret = hv_snprintf(r.buf, BUF_LEN, "[%4p]", (void *)0xab);
	EXPECT(&r, BUF_LEN, "[%4p]", "[0x00000000000000ab]");

	fill(&r);
	r.ret = hv_snprintf(r.buf, BUF_LEN, "[%*p]", -20, (void *)1);
	EXPECT(&r, BUF_LEN, "[%*p]", "[0x0000000000000001  ]");

	/* Truncated %p still counts all 18 characters. */
	fill(&r);
	r.ret = hv_snprintf(r.buf, 5, "%p", (void *)0x1234);
	EXPECT(&r, 5, "%p", "0x0000000000001234");
}

/* Undefined-in-C flags on %p are ignored rather than misprinted. */
static void test_pointer_ignores_0_plus_space_hash_prec(void **state)
{
	static const char *const fmts[] = {
	    "[%022p]", "[%+22p]", "[% 22p]", "[%#22p]", "[%.30p]", "[%22.2p]",
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(fmts); i++) {
		struct result r;

		fill(&r);
		r.ret = hv_snprintf(r.buf, BUF_LEN, fmts[i], (void *)0xab);
		EXPECT(&r, BUF_LEN, fmts[i],
		       i < 4	? "[    0x00000000000000ab]"
		       : i == 4 ? "[0x00000000000000ab]"
				: "[    0x00000000000000ab]");
	}
}

static void test_null_string_prints_null(void **state)
{
	static const struct {
		const char *fmt;
		const char *want;
	} cases[] = {
	    {"%s", "(null)"},	 {"[%8s]", "[  (null)]"}, {"[%-8s]", "[(null)  ]"},
	    {"[%.3s]", "[(nu]"}, {"[%.10s]", "[(null)]"},
	};
	const char *volatile null = NULL;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		struct result r;

		fill(&r);
		r.ret = hv_snprintf(r.buf, BUF_LEN, cases[i].fmt, null);
		EXPECT(&r, BUF_LEN, cases[i].fmt, cases[i].want);
	}
}

/* Precision bounds the read: the argument need not be terminated. */
static void test_string_precision_never_reads_past_limit(void **state)
{
	/*
	 * Exactly 4 bytes and no NUL. Plain malloc, not test_malloc (which
	 * adds guard bytes), so that ASan traps any read beyond them.
	 */
	char *raw = malloc(4);
	struct result r;

	assert_non_null(raw);
	memcpy(raw, "wxyz", 4);
	fill(&r);
	r.ret = hv_snprintf(r.buf, BUF_LEN, "[%.4s][%.2s][%6.4s]", raw, raw, raw);
	EXPECT(&r, BUF_LEN, "[%.4s][%.2s][%6.4s]", "[wxyz][wx][  wxyz]");
	free(raw);
}

static void test_unknown_conversion_copied_verbatim(void **state)
{
	static const struct {
		const char *fmt;
		const char *want;
	} cases[] = {
	    {"a%yb", "a%yb"},
	    {"[%5k]", "[%5k]"},
	    {"[%-08.3w]", "[%-08.3w]"},
	    {"%Lf", "%Lf"},
	    {"%hy", "%hy"},
	    {"%llq!", "%llq!"},
	    {"%n", "%n"},
	    {"%f %e %g %a", "%f %e %g %a"},
	    {"%b", "%b"},
	    {"%B", "%B"},
	    {"%C%S", "%C%S"},
	    {"%m", "%m"},
	    {"tail %", "tail %"},
	    {"tail %-5", "tail %-5"},
	    {"tail %.3l", "tail %.3l"},
	    {"%%%", "%%"},
	    {"%5%", "%"},
	    {"%-+ #0%", "%"},
	    {"%%d", "%d"},
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		struct result r;

		fill(&r);
		r.ret = hv_snprintf(r.buf, BUF_LEN, cases[i].fmt, 1, 2, 3);
		EXPECT(&r, BUF_LEN, cases[i].fmt, cases[i].want);
	}
}

/* An unknown conversion consumes no argument: later ones still line up. */
static void test_unknown_conversion_consumes_no_argument(void **state)
{
	const char *fmt = "%d %y %d %s";
	struct result r;

	fill(&r);
	r.ret = hv_snprintf(r.buf, BUF_LEN, fmt, 1, 2, "three");
	EXPECT(&r, BUF_LEN, fmt, "1 %y 2 three");
}

/* Undefined-in-C flag combinations get the documented choices. */
static void test_meaningless_flags_are_ignored(void **state)
{
	static const struct {
		const char *fmt;
		int v;
		const char *want;
	} cases[] = {
	    {"[%#d]", 42, "[42]"},	{"[%#i]", -42, "[-42]"}, {"[%#u]", 42, "[42]"},
	    {"[%+u]", 42, "[42]"},	{"[% x]", 42, "[2a]"},	 {"[%+o]", 8, "[10]"},
	    {"[%05c]", 'q', "[    q]"}, {"[%+c]", 'q', "[q]"},	 {"[%.0c]", 'q', "[q]"},
	    {"[%lc]", 'q', "[q]"},
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		struct result r;

		fill(&r);
		r.ret = hv_snprintf(r.buf, BUF_LEN, cases[i].fmt, cases[i].v);
		EXPECT(&r, BUF_LEN, cases[i].fmt, cases[i].want);
	}

	{
		const char *fmt = "[%05s][%+s][%#s][%ls]";
		struct result r;

		fill(&r);
		r.ret = hv_snprintf(r.buf, BUF_LEN, fmt, "ab", "cd", "ef", "gh");
		EXPECT(&r, BUF_LEN, fmt, "[   ab][cd][ef][gh]");
	}
}

/* vsnprintf takes a va_list that the caller may have partly consumed. */
static int __printf(3, 4) call_after_skip(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	(void)va_arg(ap, int); /* a caller-specific leading argument */
	ret = hv_vsnprintf(buf, size, fmt + 2, ap);
	va_end(ap);
	return ret;
}

static void test_vsnprintf_uses_the_callers_va_list(void **state)
{
	struct result r;

	fill(&r);
	r.ret = call_after_skip(r.buf, BUF_LEN, "%d%s/%lld/%c", 99, "first", -5LL, 'z');
	EXPECT(&r, BUF_LEN, "%s/%lld/%c", "first/-5/z");
}

/* Many mixed conversions in one call keep their arguments in order. */
static void test_many_mixed_arguments_in_one_call(void **state)
{
	SAME("%hhd|%hd|%d|%ld|%lld|%zd|%td|%jd|%s|%c|%u|%#x|%o", (signed char)-1, (short)-2, -3,
	     -4L, -5LL, (ptrdiff_t)-6, (ptrdiff_t)-7, (intmax_t)-8, "nine", 'X', 11u, 12u, 13u);
	SAME("%*d|%-*.*s|%.*x|%0*lld", 4, 1, 6, 2, "abc", 5, 0xfu, 10, -1234567890123LL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_literal_formats_match_libc),
	    cmocka_unit_test(test_integer_flag_width_precision_match_libc),
	    cmocka_unit_test(test_star_width_and_precision_match_libc),
	    cmocka_unit_test(test_extreme_values_every_length_match_libc),
	    cmocka_unit_test(test_string_and_char_matrix_match_libc),
	    cmocka_unit_test(test_char_nul_is_stored_and_counted),
	    cmocka_unit_test(test_truncation_every_size_matches_libc),
	    cmocka_unit_test(test_size_zero_writes_nothing_returns_length),
	    cmocka_unit_test(test_size_one_stores_only_terminator),
	    cmocka_unit_test(test_output_longer_than_buffer),
	    cmocka_unit_test(test_pointer_prints_0x_and_16_hex_digits),
	    cmocka_unit_test(test_pointer_ignores_0_plus_space_hash_prec),
	    cmocka_unit_test(test_null_string_prints_null),
	    cmocka_unit_test(test_string_precision_never_reads_past_limit),
	    cmocka_unit_test(test_unknown_conversion_copied_verbatim),
	    cmocka_unit_test(test_unknown_conversion_consumes_no_argument),
	    cmocka_unit_test(test_meaningless_flags_are_ignored),
	    cmocka_unit_test(test_vsnprintf_uses_the_callers_va_list),
	    cmocka_unit_test(test_many_mixed_arguments_in_one_call),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
