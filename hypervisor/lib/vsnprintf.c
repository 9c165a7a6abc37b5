/*
 * vsnprintf and snprintf: the one formatter behind every console and log
 * message. Pure portable C with no library calls and no floating point, so
 * the same file is built into the hypervisor and into the hosted tests.
 *
 * Supported: flags "-+ #0", field width and precision (digits or "*"),
 * length modifiers hh h l ll z t j, conversions d i u x X o c s p and %%.
 * Where C leaves a combination undefined this file chooses:
 *  - "0" is ignored for c, s and p, and whenever a precision is given
 *    for an integer conversion;
 *  - "+", " " and "#" are ignored where they have no meaning (a "#" on
 *    d i u c s, a sign flag on u x X o c s);
 *  - %p always prints "0x" and 16 lowercase hex digits; only the width
 *    and "-" apply to it;
 *  - %s of NULL prints "(null)", cut by the precision like any string;
 *  - length modifiers on c and s are ignored (no wide characters);
 *  - %% prints "%" whatever flags or width come before it;
 *  - an unknown conversion is copied to the output verbatim, from the
 *    "%" through the offending character (or the end of the format). Any
 *    "*" arguments read before it stay consumed.
 * A total length above INT_MAX returns -1; the buffer is still filled.
 */
#include <hv/lib.h>

#define FL_LEFT 0x01  /* "-": pad on the right */
#define FL_PLUS 0x02  /* "+": always print a sign */
#define FL_SPACE 0x04 /* " ": space in place of a plus sign */
#define FL_ALT 0x08   /* "#": 0x prefix, leading octal zero */
#define FL_ZERO 0x10  /* "0": pad with zeros */
#define FL_UPPER 0x20 /* X: upper-case hex digits and prefix */

#define INT_LIMIT 0x7fffffff /* INT_MAX without <limits.h> */

enum length {
	LEN_NONE,
	LEN_HH,
	LEN_H,
	LEN_L,
	LEN_LL,
	LEN_Z,
	LEN_T,
	LEN_J,
};

struct spec {
	unsigned int flags;
	int width; /* 0 when none */
	int prec;  /* -1 when none */
	enum length len;
};

/* Output cursor: len counts every byte, stored or not. */
struct out {
	char *buf;
	size_t size;
	size_t len;
};

static void out_char(struct out *o, char c)
{
	/* Keep the last byte of the buffer for the terminator. */
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

static void out_repeat(struct out *o, char c, size_t n)
{
	for (; n > 0; n--)
		out_char(o, c);
}

static void out_mem(struct out *o, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		out_char(o, s[i]);
}

/*
 * Print an already split number: prefix (sign and/or 0x), zeros to reach
 * the precision, then digits, all padded to the field width.
 */
static void out_number(struct out *o, const struct spec *sp, const char *prefix, int prefix_len,
		       const char *digits, int ndigits, int zeros)
{
	/* size_t: a precision near INT_MAX plus a sign overflows int. */
	size_t body = (size_t)prefix_len + (size_t)zeros + (size_t)ndigits;
	size_t pad = (size_t)sp->width > body ? (size_t)sp->width - body : 0;

	if (sp->flags & FL_LEFT) {
		out_mem(o, prefix, (size_t)prefix_len);
		out_repeat(o, '0', (size_t)zeros);
		out_mem(o, digits, (size_t)ndigits);
		out_repeat(o, ' ', pad);
	} else if (sp->flags & FL_ZERO) {
		out_mem(o, prefix, (size_t)prefix_len);
		out_repeat(o, '0', (size_t)zeros + pad);
		out_mem(o, digits, (size_t)ndigits);
	} else {
		out_repeat(o, ' ', pad);
		out_mem(o, prefix, (size_t)prefix_len);
		out_repeat(o, '0', (size_t)zeros);
		out_mem(o, digits, (size_t)ndigits);
	}
}

/*
 * Convert mag to text in base 8, 10 or 16 and print it. neg and the sign
 * flags only matter for signed conversions; the caller clears FL_PLUS and
 * FL_SPACE for unsigned ones.
 */
static void out_integer(struct out *o, struct spec sp, uintmax_t mag, bool neg, unsigned int base)
{
	static const char lower[] = "0123456789abcdef";
	static const char upper[] = "0123456789ABCDEF";
	const char *set = (sp.flags & FL_UPPER) ? upper : lower;
	char tmp[3 * sizeof(uintmax_t)]; /* enough for octal */
	char prefix[2];
	int prefix_len = 0;
	int ndigits = 0;
	int prec = sp.prec < 0 ? 1 : sp.prec;
	int zeros;
	uintmax_t v = mag;

	/* A given precision disables zero padding. */
	if (sp.prec >= 0)
		sp.flags &= ~FL_ZERO;

	/* Digits are produced backwards into the end of tmp. */
	while (v) {
		/* base is the conversion's: 8, 10 or 16, never 0. */
		/* cppcheck-suppress zerodivcond */
		tmp[sizeof(tmp) - 1 - (size_t)ndigits] = set[v % base];
		v /= base;
		ndigits++;
	}

	zeros = prec > ndigits ? prec - ndigits : 0;
	/*
	 * "#" with o: the first digit must be 0, which also makes a zero
	 * value with precision 0 print "0".
	 */
	if (base == 8 && (sp.flags & FL_ALT) && zeros == 0)
		zeros = 1;

	if (neg)
		prefix[prefix_len++] = '-';
	else if (sp.flags & FL_PLUS)
		prefix[prefix_len++] = '+';
	else if (sp.flags & FL_SPACE)
		prefix[prefix_len++] = ' ';
	if (base == 16 && (sp.flags & FL_ALT) && mag != 0) {
		prefix[prefix_len++] = '0';
		prefix[prefix_len++] = (sp.flags & FL_UPPER) ? 'X' : 'x';
	}

	out_number(o, &sp, prefix, prefix_len, tmp + sizeof(tmp) - (size_t)ndigits, ndigits, zeros);
}

static void out_pointer(struct out *o, const struct spec *sp, const void *p)
{
	static const char hex[] = "0123456789abcdef";
	uintmax_t v = (uintmax_t)(uintptr_t)p;
	char tmp[16];
	struct spec s = *sp;
	int i;

	for (i = 15; i >= 0; i--) {
		tmp[i] = hex[v & 0xf];
		v >>= 4;
	}
	s.flags &= FL_LEFT;
	out_number(o, &s, "0x", 2, tmp, 16, 0);
}

/* Print n bytes of s padded with spaces to the field width. */
static void out_padded(struct out *o, const struct spec *sp, const char *s, size_t n)
{
	size_t pad = (size_t)sp->width > n ? (size_t)sp->width - n : 0;

	if (!(sp->flags & FL_LEFT))
		out_repeat(o, ' ', pad);
	out_mem(o, s, n);
	if (sp->flags & FL_LEFT)
		out_repeat(o, ' ', pad);
}

static void out_string(struct out *o, const struct spec *sp, const char *s)
{
	size_t n = 0;

	if (!s)
		s = "(null)";
	/* Never look past the precision: the string may be unterminated. */
	if (sp->prec >= 0) {
		while (n < (size_t)sp->prec && s[n])
			n++;
	} else {
		while (s[n])
			n++;
	}
	out_padded(o, sp, s, n);
}

/* Read a decimal number, saturating at INT_LIMIT. */
static int parse_number(const char **fmt)
{
	const char *p = *fmt;
	int n = 0;

	while (*p >= '0' && *p <= '9') {
		int d = *p - '0';

		if (n > (INT_LIMIT - d) / 10)
			n = INT_LIMIT;
		else
			n = n * 10 + d;
		p++;
	}
	*fmt = p;
	return n;
}

/* Fetch a signed argument of the size given by the length modifier. */
static intmax_t fetch_signed(enum length len, va_list *ap)
{
	switch (len) {
	case LEN_HH:
		return (signed char)va_arg(*ap, int);
	case LEN_H:
		return (short)va_arg(*ap, int);
	case LEN_L:
		return va_arg(*ap, long);
	case LEN_LL:
		return va_arg(*ap, long long);
	case LEN_Z:
		/* The signed type matching size_t is passed the same way. */
		return (intmax_t)(ptrdiff_t)va_arg(*ap, size_t);
	case LEN_T:
		return va_arg(*ap, ptrdiff_t);
	case LEN_J:
		return va_arg(*ap, intmax_t);
	default:
		return va_arg(*ap, int);
	}
}

/* Fetch an unsigned argument of the size given by the length modifier. */
static uintmax_t fetch_unsigned(enum length len, va_list *ap)
{
	switch (len) {
	case LEN_HH:
		return (unsigned char)va_arg(*ap, unsigned int);
	case LEN_H:
		return (unsigned short)va_arg(*ap, unsigned int);
	case LEN_L:
		return va_arg(*ap, unsigned long);
	case LEN_LL:
		return va_arg(*ap, unsigned long long);
	case LEN_Z:
		return va_arg(*ap, size_t);
	case LEN_T:
		/* The unsigned type matching ptrdiff_t is size_t's width. */
		return (size_t)va_arg(*ap, ptrdiff_t);
	case LEN_J:
		return va_arg(*ap, uintmax_t);
	default:
		return va_arg(*ap, unsigned int);
	}
}

static enum length parse_length(const char **fmt)
{
	const char *p = *fmt;
	enum length len = LEN_NONE;

	switch (*p) {
	case 'h':
		if (p[1] == 'h') {
			len = LEN_HH;
			p++;
		} else {
			len = LEN_H;
		}
		p++;
		break;
	case 'l':
		if (p[1] == 'l') {
			len = LEN_LL;
			p++;
		} else {
			len = LEN_L;
		}
		p++;
		break;
	case 'z':
		len = LEN_Z;
		p++;
		break;
	case 't':
		len = LEN_T;
		p++;
		break;
	case 'j':
		len = LEN_J;
		p++;
		break;
	default:
		break;
	}
	*fmt = p;
	return len;
}

/* Flags come first in a spec, in any order and any number. */
static unsigned int parse_flags(const char **fmt)
{
	const char *p = *fmt;
	unsigned int flags = 0;

	for (;; p++) {
		if (*p == '-')
			flags |= FL_LEFT;
		else if (*p == '+')
			flags |= FL_PLUS;
		else if (*p == ' ')
			flags |= FL_SPACE;
		else if (*p == '#')
			flags |= FL_ALT;
		else if (*p == '0')
			flags |= FL_ZERO;
		else
			break;
	}
	*fmt = p;
	return flags;
}

/* Field width; a negative "*" means "-" and its magnitude. */
static int parse_width(const char **fmt, unsigned int *flags, va_list *ap)
{
	int w;

	if (**fmt != '*')
		return parse_number(fmt);
	w = va_arg(*ap, int);
	(*fmt)++;
	if (w >= 0)
		return w;
	*flags |= FL_LEFT;
	/* -INT_MIN does not fit: saturate. */
	return w < -INT_LIMIT ? INT_LIMIT : -w;
}

/* Precision, -1 when none; a negative "*" counts as none. */
static int parse_precision(const char **fmt, va_list *ap)
{
	int p;

	if (**fmt != '.')
		return -1;
	(*fmt)++;
	if (**fmt != '*')
		return parse_number(fmt);
	p = va_arg(*ap, int);
	(*fmt)++;
	return p < 0 ? -1 : p;
}

/*
 * Parse what follows a "%" up to the conversion character, which *fmt is
 * left on, reading the "*" arguments from ap.
 */
static struct spec parse_spec(const char **fmt, va_list *ap)
{
	struct spec sp;

	sp.flags = parse_flags(fmt);
	sp.width = parse_width(fmt, &sp.flags, ap);
	sp.prec = parse_precision(fmt, ap);
	sp.len = parse_length(fmt);

	if (sp.flags & FL_LEFT)
		sp.flags &= ~FL_ZERO;
	if (sp.flags & FL_PLUS)
		sp.flags &= ~FL_SPACE;
	return sp;
}

static void out_signed_conv(struct out *o, struct spec sp, va_list *ap)
{
	intmax_t sv;
	uintmax_t uv;

	sp.flags &= ~FL_ALT;
	sv = fetch_signed(sp.len, ap);
	/* Negate in unsigned arithmetic: INTMAX_MIN is fine. */
	uv = sv < 0 ? -(uintmax_t)sv : (uintmax_t)sv;
	out_integer(o, sp, uv, sv < 0, 10);
}

/* u, x, X or o: drop the flags that have no meaning for conv. */
static void out_unsigned_conv(struct out *o, struct spec sp, char conv, va_list *ap)
{
	unsigned int base = 16;

	sp.flags &= ~(FL_PLUS | FL_SPACE);
	if (conv == 'u') {
		sp.flags &= ~FL_ALT;
		base = 10;
	} else if (conv == 'o') {
		base = 8;
	} else if (conv == 'X') {
		sp.flags |= FL_UPPER;
	}
	out_integer(o, sp, fetch_unsigned(sp.len, ap), false, base);
}

/* Print one conversion; false when conv is not one we know. */
static bool out_conversion(struct out *o, const struct spec *sp, char conv, va_list *ap)
{
	char c;

	switch (conv) {
	case 'd':
	case 'i':
		out_signed_conv(o, *sp, ap);
		return true;
	case 'u':
	case 'x':
	case 'X':
	case 'o':
		out_unsigned_conv(o, *sp, conv, ap);
		return true;
	case 'c':
		c = (char)va_arg(*ap, int);
		out_padded(o, sp, &c, 1);
		return true;
	case 's':
		out_string(o, sp, va_arg(*ap, const char *));
		return true;
	case 'p':
		out_pointer(o, sp, va_arg(*ap, const void *));
		return true;
	case '%':
		out_char(o, '%');
		return true;
	default:
		return false;
	}
}

/* Copy a spec we cannot print, from its "%" up to end, as it stands. */
static void out_verbatim(struct out *o, const char *start, const char *end)
{
	out_mem(o, start, (size_t)(end - start));
}

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct out o = {.buf = buf, .size = size, .len = 0};
	va_list args;

	/* A copy, so that the helpers can take a pointer to it portably. */
	va_copy(args, ap);

	while (*fmt) {
		const char *start = fmt;
		struct spec sp;

		if (*fmt != '%') {
			out_char(&o, *fmt++);
			continue;
		}
		fmt++;
		sp = parse_spec(&fmt, &args);
		if (!*fmt) {
			/* Incomplete spec at the end: copy it, then stop. */
			out_verbatim(&o, start, fmt);
			break;
		}
		if (!out_conversion(&o, &sp, *fmt, &args))
			out_verbatim(&o, start, fmt + 1);
		fmt++;
	}

	va_end(args);
	if (size)
		buf[o.len < size ? o.len : size - 1] = '\0';
	return o.len > INT_LIMIT ? -1 : (int)o.len;
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return ret;
}
