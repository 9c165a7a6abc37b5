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

#define FL_LEFT		0x01	/* "-": pad on the right */
#define FL_PLUS		0x02	/* "+": always print a sign */
#define FL_SPACE	0x04	/* " ": space in place of a plus sign */
#define FL_ALT		0x08	/* "#": 0x prefix, leading octal zero */
#define FL_ZERO		0x10	/* "0": pad with zeros */
#define FL_UPPER	0x20	/* X: upper-case hex digits and prefix */

#define INT_LIMIT	0x7fffffff	/* INT_MAX without <limits.h> */

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
	int width;		/* 0 when none */
	int prec;		/* -1 when none */
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
static void out_number(struct out *o, const struct spec *sp,
		       const char *prefix, int prefix_len,
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
static void out_integer(struct out *o, struct spec sp, uintmax_t mag,
			bool neg, unsigned int base)
{
	static const char lower[] = "0123456789abcdef";
	static const char upper[] = "0123456789ABCDEF";
	const char *set = (sp.flags & FL_UPPER) ? upper : lower;
	char tmp[3 * sizeof(uintmax_t)];	/* enough for octal */
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

	out_number(o, &sp, prefix, prefix_len,
		   tmp + sizeof(tmp) - (size_t)ndigits, ndigits, zeros);
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
static void out_padded(struct out *o, const struct spec *sp, const char *s,
		       size_t n)
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

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct out o = { .buf = buf, .size = size, .len = 0 };
	va_list args;

	/* A copy, so that fetch_*() can take a pointer portably. */
	va_copy(args, ap);

	while (*fmt) {
		const char *start;
		struct spec sp = { .flags = 0, .width = 0, .prec = -1 };
		intmax_t sv;
		uintmax_t uv;

		if (*fmt != '%') {
			out_char(&o, *fmt++);
			continue;
		}
		start = fmt++;

		/* Flags. */
		for (;; fmt++) {
			if (*fmt == '-')
				sp.flags |= FL_LEFT;
			else if (*fmt == '+')
				sp.flags |= FL_PLUS;
			else if (*fmt == ' ')
				sp.flags |= FL_SPACE;
			else if (*fmt == '#')
				sp.flags |= FL_ALT;
			else if (*fmt == '0')
				sp.flags |= FL_ZERO;
			else
				break;
		}

		/* Field width; a negative "*" means "-" and its magnitude. */
		if (*fmt == '*') {
			int w = va_arg(args, int);

			fmt++;
			if (w < 0) {
				sp.flags |= FL_LEFT;
				/* -INT_MIN does not fit: saturate. */
				sp.width = w < -INT_LIMIT ? INT_LIMIT : -w;
			} else {
				sp.width = w;
			}
		} else {
			sp.width = parse_number(&fmt);
		}

		/* Precision; a negative "*" counts as none. */
		if (*fmt == '.') {
			fmt++;
			if (*fmt == '*') {
				int p = va_arg(args, int);

				fmt++;
				sp.prec = p < 0 ? -1 : p;
			} else {
				sp.prec = parse_number(&fmt);
			}
		}

		sp.len = parse_length(&fmt);

		if (sp.flags & FL_LEFT)
			sp.flags &= ~FL_ZERO;
		if (sp.flags & FL_PLUS)
			sp.flags &= ~FL_SPACE;

		switch (*fmt) {
		case 'd':
		case 'i':
			sp.flags &= ~FL_ALT;
			sv = fetch_signed(sp.len, &args);
			/* Negate in unsigned arithmetic: INTMAX_MIN is fine. */
			uv = sv < 0 ? -(uintmax_t)sv : (uintmax_t)sv;
			out_integer(&o, sp, uv, sv < 0, 10);
			break;
		case 'u':
			sp.flags &= ~(FL_ALT | FL_PLUS | FL_SPACE);
			out_integer(&o, sp, fetch_unsigned(sp.len, &args),
				    false, 10);
			break;
		case 'X':
			sp.flags |= FL_UPPER;
			/* fall through */
		case 'x':
			sp.flags &= ~(FL_PLUS | FL_SPACE);
			out_integer(&o, sp, fetch_unsigned(sp.len, &args),
				    false, 16);
			break;
		case 'o':
			sp.flags &= ~(FL_PLUS | FL_SPACE);
			out_integer(&o, sp, fetch_unsigned(sp.len, &args),
				    false, 8);
			break;
		case 'c': {
			char c = (char)va_arg(args, int);

			out_padded(&o, &sp, &c, 1);
			break;
		}
		case 's':
			out_string(&o, &sp, va_arg(args, const char *));
			break;
		case 'p':
			out_pointer(&o, &sp, va_arg(args, const void *));
			break;
		case '%':
			out_char(&o, '%');
			break;
		case '\0':
			/* Incomplete spec at the end: copy it, then stop. */
			out_mem(&o, start, (size_t)(fmt - start));
			continue;
		default:
			out_mem(&o, start, (size_t)(fmt - start) + 1);
			break;
		}
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
