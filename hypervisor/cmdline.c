/*
 * Boot command line parsing. Owns the syntax (see <hv/cmdline.h>) and the
 * reporting of bad options; each option's meaning belongs to the file that
 * declares it. Runs once on the boot CPU before anything else reads an
 * option, so there is no locking. A bad option never changes its variable:
 * values are parsed completely before anything is stored.
 */
#include <hv/boot.h>
#include <hv/cmdline.h>
#include <hv/errno.h>
#include <hv/lib.h>
#include <hv/printk.h>

#define NAME_MAX 64
#define VALUE_MAX 256

struct token {
	char name[NAME_MAX];
	char value[VALUE_MAX];
	bool has_value;
	const char *text; /* the token as written, for messages */
	int text_len;
};

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static const char *skip_spaces(const char *p)
{
	while (*p && is_space(*p))
		p++;
	return p;
}

/* Append c to t's value, or note that the value is too long. */
static void value_put(struct token *t, size_t *n, char c, const char **err)
{
	if (*n + 1 < VALUE_MAX)
		t->value[(*n)++] = c;
	else if (!*err)
		*err = "value too long";
}

/*
 * Cut the next token out of p into t. Returns the position after it, and
 * sets *err to a reason when the token is unusable (it is still skipped).
 * A value that starts with a quote runs to the closing quote, which is
 * dropped. Inside an unquoted value, a quote with a closing quote after it
 * opens a run that may hold spaces, and both quotes stay in the value, so
 * options with values of their own (domain=name=t,args="a b") see them; a
 * quote with no closing quote after it is an ordinary character.
 */
static const char *next_token(const char *p, struct token *t, const char **err)
{
	size_t n = 0;

	*err = NULL;
	t->text = p;
	t->has_value = false;
	t->value[0] = '\0';
	while (*p && !is_space(*p) && *p != '=') {
		if (n + 1 < NAME_MAX)
			t->name[n++] = *p;
		else
			*err = "option name too long";
		p++;
	}
	t->name[n] = '\0';
	if (*p == '=') {
		bool quoted = false;

		p++;
		t->has_value = true;
		n = 0;
		if (*p == '"') {
			quoted = true;
			p++;
		}
		while (*p && (quoted ? *p != '"' : !is_space(*p))) {
			const char *close = !quoted && *p == '"' ? strchr(p + 1, '"') : NULL;
			const char *stop = close ? close + 1 : p + 1;

			while (p < stop)
				value_put(t, &n, *p++, err);
		}
		t->value[n] = '\0';
		if (quoted) {
			if (*p == '"')
				p++;
			else if (!*err)
				*err = "unterminated quote";
		}
	}
	t->text_len = (int)(p - t->text);
	return p;
}

static const struct boot_param *find_param(const char *name, const struct boot_param *first,
					   const struct boot_param *last)
{
	const struct boot_param *prm;

	for (prm = first; prm < last; prm++)
		if (strcmp(prm->name, name) == 0)
			return prm;
	return NULL;
}

static int parse_bool(const char *v, bool *out)
{
	static const char *const yes[] = {"1", "on", "yes", "true"};
	static const char *const no[] = {"0", "off", "no", "false"};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(yes); i++) {
		if (strcmp(v, yes[i]) == 0) {
			*out = true;
			return 0;
		}
		if (strcmp(v, no[i]) == 0) {
			*out = false;
			return 0;
		}
	}
	return -EINVAL;
}

int cmdline_parse_number(const char *v, bool sized, u64 *out)
{
	const char *end;
	u64 n, mult = 1;

	if (*v < '0' || *v > '9')
		return -EINVAL;
	/* Decimal, or hex after 0x; a leading 0 does not mean octal here. */
	if (v[0] == '0' && (v[1] == 'x' || v[1] == 'X'))
		n = hv_strtoull(v, &end, 16);
	else
		n = hv_strtoull(v, &end, 10);
	if (end == v)
		return n == UINT64_MAX ? -ERANGE : -EINVAL;
	if (sized && *end) {
		switch (*end) {
		case 'k':
		case 'K':
			mult = KiB(1);
			break;
		case 'm':
		case 'M':
			mult = MiB(1);
			break;
		case 'g':
		case 'G':
			mult = GiB(1);
			break;
		case 't':
		case 'T':
			mult = GiB(1024);
			break;
		default:
			return -EINVAL;
		}
		end++;
	}
	if (*end)
		return -EINVAL;
	if (n > UINT64_MAX / mult)
		return -ERANGE;
	*out = n * mult;
	return 0;
}

/*
 * A token as written, for a message: one line whatever it holds (a quoted
 * value may hold a newline). Boot CPU only; valid until the next call.
 */
static const char *shown(const struct token *t)
{
	static char buf[BOOT_CMDLINE_MAX];

	return str_printable(buf, sizeof(buf), t->text, (size_t)t->text_len);
}

static void report_bad(const struct token *t, const char *why, const char *dflt)
{
	pr_warn("cmdline: option '%s': %s; using default %s\n", shown(t), why, dflt);
}

/* Store t's value into prm's variable, or report why not. Returns 0 or -EINVAL. */
static int apply_param(const struct boot_param *prm, const struct token *t, bool negate)
{
	char dflt[32], shown_v[28];
	u64 n = 0;
	bool b = !negate;
	int rc;

	switch (prm->type) {
	case PARAM_BOOL:
		snprintf(dflt, sizeof(dflt), "%s", *(bool *)prm->var ? "on" : "off");
		if (t->has_value && (negate || parse_bool(t->value, &b))) {
			report_bad(t, "expected on/off, yes/no, true/false or 1/0", dflt);
			return -EINVAL;
		}
		*(bool *)prm->var = b;
		return 0;
	case PARAM_UINT:
	case PARAM_SIZE:
		if (prm->type == PARAM_UINT)
			snprintf(dflt, sizeof(dflt), "%u", *(unsigned int *)prm->var);
		else
			snprintf(dflt, sizeof(dflt), "%llu", *(u64 *)prm->var);
		if (negate || !t->has_value) {
			report_bad(t, "needs a value", dflt);
			return -EINVAL;
		}
		rc = cmdline_parse_number(t->value, prm->type == PARAM_SIZE, &n);
		if (rc || n < prm->min || n > prm->max) {
			char why[96];

			snprintf(why, sizeof(why), "%s, expected %s%llu..%llu",
				 rc == -EINVAL ? "not a number" : "out of range",
				 prm->type == PARAM_SIZE ? "a size in bytes (K/M/G/T suffix) in "
							 : "",
				 prm->min, prm->max);
			report_bad(t, why, dflt);
			return -EINVAL;
		}
		if (prm->type == PARAM_UINT)
			*(unsigned int *)prm->var = (unsigned int)n;
		else
			*(u64 *)prm->var = n;
		return 0;
	case PARAM_STR:
		if (negate || !t->has_value || strlen(t->value) >= prm->len) {
			char why[48];

			snprintf(why, sizeof(why),
				 negate || !t->has_value ? "needs a value"
							 : "value longer than %zu characters",
				 prm->len - 1);
			/* The value kept may come from an earlier option: one line too. */
			snprintf(dflt, sizeof(dflt), "\"%s\"",
				 str_printable(shown_v, sizeof(shown_v), prm->var, prm->len));
			report_bad(t, why, dflt);
			return -EINVAL;
		}
		strlcpy(prm->var, t->value, prm->len);
		return 0;
	case PARAM_CUSTOM:
		if (negate || prm->parse(t->has_value ? t->value : NULL)) {
			char why[128];

			snprintf(why, sizeof(why), "invalid value%s%s",
				 prm->forms ? ", expected " : "", prm->forms ? prm->forms : "");
			report_bad(t, why, prm->dflt ? prm->dflt : "(unchanged)");
			return -EINVAL;
		}
		return 0;
	}
	return -EINVAL;
}

int cmdline_parse(const char *line, const struct boot_param *first, const struct boot_param *last)
{
	static struct token t; /* boot CPU only; keeps the stack small */
	const struct boot_param *prm;
	const char *p = line, *err;
	int problems = 0;

	if (!line)
		return 0;
	for (p = skip_spaces(p); *p; p = skip_spaces(p)) {
		bool negate = false;

		p = next_token(p, &t, &err);
		if (err) {
			pr_warn("cmdline: option '%s': %s; ignored\n", shown(&t), err);
			problems++;
			continue;
		}
		if (!t.name[0]) {
			pr_warn("cmdline: '%s': no option name; ignored\n", shown(&t));
			problems++;
			continue;
		}
		prm = find_param(t.name, first, last);
		if (!prm && strncmp(t.name, "no-", 3) == 0) {
			prm = find_param(t.name + 3, first, last);
			negate = prm != NULL;
		}
		if (!prm) {
			pr_warn("cmdline: unknown option '%s' ignored\n", shown(&t));
			problems++;
			continue;
		}
		if (negate && prm->type != PARAM_BOOL) {
			pr_warn("cmdline: option '%s': 'no-' applies to on/off options only; "
				"ignored\n",
				shown(&t));
			problems++;
			continue;
		}
		if (apply_param(prm, &t, negate))
			problems++;
	}
	return problems;
}

const char *cmdline_skip_image(const char *line)
{
	const char *p, *q;
	bool slash = false;

	if (!line)
		return line;
	p = skip_spaces(line);
	/* A path may be longer than any option name: scan, don't tokenise. */
	for (q = p; *q && !is_space(*q); q++) {
		if (*q == '=' || *q == '"')
			return line;
		if (*q == '/')
			slash = true;
	}
	return slash ? q : line;
}
