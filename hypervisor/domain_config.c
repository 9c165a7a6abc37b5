/*
 * The domain= boot option: the syntax of one domain's configuration
 * (domcfg_parse(), pure, for the tests and for re-creating a domain from
 * its text) and the table of configurations the command line fills.
 * Owns the syntax checks and the uniqueness of names; it does not know the
 * machine (placement.c and domain creation check nodes, memory, CPUs and
 * modules). The table is written only by the command line parser on the
 * boot CPU, before anything reads it, so it takes no lock. Invariant: the
 * table holds at most DOMAIN_CONFIG_MAX entries, and no two DOMCFG_OK
 * entries share a name.
 */
#include <hv/cmdline.h>
#include <hv/domain_config.h>
#include <hv/errno.h>
#include <hv/lib.h>
#include <hv/nodemask.h>
#include <hv/printk.h>

_Static_assert(MAX_NODES <= DOMAIN_NODE_MAX + 1, "node= takes every node id the build may have");
_Static_assert(DOMAIN_ARGS_MAX >= DOMAIN_TEXT_MAX, "args= can hold any value the text holds");

enum dom_key { KEY_NAME, KEY_MEM, KEY_VCPUS, KEY_NODE, KEY_POLICY, KEY_IMAGE, KEY_ARGS, NR_KEYS };

static const char *const key_name[NR_KEYS] = {
    [KEY_NAME] = "name",     [KEY_MEM] = "mem",	    [KEY_VCPUS] = "vcpus", [KEY_NODE] = "node",
    [KEY_POLICY] = "policy", [KEY_IMAGE] = "image", [KEY_ARGS] = "args",
};

/* A piece of the option's text: not terminated. */
struct span {
	const char *s;
	size_t len;
};

/* One key=value item, cut out of the option's text. */
struct item {
	struct span text;  /* the whole item as written */
	struct span key;   /* before the '=' */
	struct span value; /* after the '=', without the quotes of a quoted value */
	bool has_value;	   /* there was a '=' */
};

/* The work of one domcfg_parse(): the result and what each key was given. */
struct parse_state {
	struct domain_config cfg;
	struct span seen[NR_KEYS]; /* .s != NULL: the key was given, with this value */
	char *err;
	size_t errlen;
};

static bool span_is(struct span sp, const char *s)
{
	return strlen(s) == sp.len && strncmp(sp.s, s, sp.len) == 0;
}

/*
 * The end of an unquoted value starting at p: the next comma, except in a
 * quoted run (a quote with a closing quote after it), as next_token() in
 * cmdline.c reads a value's spaces.
 */
static const char *unquoted_end(const char *p)
{
	while (*p && *p != ',') {
		const char *close = *p == '"' ? strchr(p + 1, '"') : NULL;

		p = close ? close + 1 : p + 1;
	}
	return p;
}

/* Cut the item at p into it; returns the position after it, or NULL with err set. */
static const char *next_item(const char *p, struct item *it, struct parse_state *ps)
{
	it->text.s = it->key.s = p;
	while (*p && *p != '=' && *p != ',')
		p++;
	it->key.len = (size_t)(p - it->key.s);
	it->has_value = *p == '=';
	it->value.s = p;
	it->value.len = 0;
	if (it->has_value && p[1] == '"') {
		const char *close = strchr(p + 2, '"');

		if (!close) {
			snprintf(ps->err, ps->errlen, "%.*s: no closing quote in %s",
				 (int)it->key.len, it->key.s, p + 1);
			return NULL;
		}
		it->value.s = p + 2;
		it->value.len = (size_t)(close - (p + 2));
		p = close + 1;
		if (*p && *p != ',') {
			const char *end = unquoted_end(p);

			snprintf(ps->err, ps->errlen, "%.*s: text after the closing quote in %.*s",
				 (int)it->key.len, it->key.s, (int)(end - (it->value.s - 1)),
				 it->value.s - 1);
			return NULL;
		}
	} else if (it->has_value) {
		it->value.s = p + 1;
		p = unquoted_end(p + 1);
		it->value.len = (size_t)(p - it->value.s);
	}
	it->text.len = (size_t)(p - it->text.s);
	return p;
}

static bool is_name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
}

static int set_name(struct parse_state *ps, const char *v)
{
	size_t len = strlen(v), i;

	if (len >= DOMAIN_NAME_MAX) {
		snprintf(ps->err, ps->errlen, "name: bad name \"%s\" (at most %d characters)", v,
			 DOMAIN_NAME_MAX - 1);
		return -EINVAL;
	}
	for (i = 0; i < len; i++)
		if (!is_name_char(v[i]))
			break;
	if (!len || i < len) {
		snprintf(ps->err, ps->errlen, "name: bad name \"%s\" (only a-z, 0-9, _ and -)", v);
		return -EINVAL;
	}
	strlcpy(ps->cfg.name, v, sizeof(ps->cfg.name));
	return 0;
}

static int set_mem(struct parse_state *ps, const char *v)
{
	u64 n = 0;
	int rc = cmdline_parse_number(v, true, &n);

	if (rc == -EINVAL)
		snprintf(ps->err, ps->errlen, "mem: bad size \"%s\" (a number with K, M, G or T)",
			 v);
	else if (rc)
		snprintf(ps->err, ps->errlen, "mem: bad size \"%s\" (more than 64 bits of bytes)",
			 v);
	else if (n < DOMAIN_MEM_MIN)
		snprintf(ps->err, ps->errlen, "mem: bad size \"%s\" (at least %lluM)", v,
			 DOMAIN_MEM_MIN >> 20);
	if (rc || n < DOMAIN_MEM_MIN)
		return -EINVAL;
	ps->cfg.mem = n;
	return 0;
}

/* A number in [lo, hi]; -EINVAL for anything else (the caller words the reason). */
static int parse_uint(const char *v, u64 lo, u64 hi, u64 *out)
{
	u64 n = 0;

	if (cmdline_parse_number(v, false, &n) == 0 && n >= lo && n <= hi) {
		*out = n;
		return 0;
	}
	return -EINVAL;
}

static int set_policy(struct parse_state *ps, const char *v)
{
	if (strcmp(v, "prefer") == 0) {
		ps->cfg.policy = DOM_POLICY_PREFER;
	} else if (strcmp(v, "strict") == 0) {
		ps->cfg.policy = DOM_POLICY_STRICT;
	} else {
		snprintf(ps->err, ps->errlen, "policy: bad policy \"%s\" (prefer or strict)", v);
		return -EINVAL;
	}
	return 0;
}

/* Store the value v (terminated, quotes of a quoted value removed) of key k. */
static int set_key(struct parse_state *ps, enum dom_key k, const char *v)
{
	u64 n = 0;

	switch (k) {
	case KEY_NAME:
		return set_name(ps, v);
	case KEY_MEM:
		return set_mem(ps, v);
	case KEY_VCPUS:
		if (parse_uint(v, 1, DOMAIN_MAX_VCPUS, &n)) {
			snprintf(ps->err, ps->errlen, "vcpus: bad count \"%s\" (1 to %d)", v,
				 DOMAIN_MAX_VCPUS);
			return -EINVAL;
		}
		ps->cfg.vcpus = (unsigned int)n;
		return 0;
	case KEY_NODE:
		if (parse_uint(v, 0, DOMAIN_NODE_MAX, &n)) {
			snprintf(ps->err, ps->errlen,
				 "node: bad node id \"%s\" (a number from 0 to %d)", v,
				 DOMAIN_NODE_MAX);
			return -EINVAL;
		}
		ps->cfg.node = (int)n;
		return 0;
	case KEY_POLICY:
		return set_policy(ps, v);
	case KEY_IMAGE:
		if (parse_uint(v, 0, DOMAIN_IMAGE_MAX, &n)) {
			snprintf(ps->err, ps->errlen,
				 "image: bad module index \"%s\" (a number from 0 to %d)", v,
				 DOMAIN_IMAGE_MAX);
			return -EINVAL;
		}
		ps->cfg.image = (int)n;
		return 0;
	case KEY_ARGS:
		strlcpy(ps->cfg.args, v, sizeof(ps->cfg.args));
		return 0;
	case NR_KEYS:
		break;
	}
	return -EINVAL;
}

/* Check and apply one item. */
static int take_item(struct parse_state *ps, const struct item *it)
{
	char v[DOMAIN_TEXT_MAX];
	unsigned int k;

	if (!it->key.len && !it->has_value) {
		snprintf(ps->err, ps->errlen, "empty item (a stray comma)");
		return -EINVAL;
	}
	if (!it->key.len) {
		snprintf(ps->err, ps->errlen, "missing key in \"%.*s\"", (int)it->text.len,
			 it->text.s);
		return -EINVAL;
	}
	for (k = 0; k < NR_KEYS; k++)
		if (span_is(it->key, key_name[k]))
			break;
	if (k == NR_KEYS) {
		snprintf(ps->err, ps->errlen,
			 "%.*s: unknown key in \"%.*s\" (keys: name, mem, vcpus, node, policy, "
			 "image, args)",
			 (int)it->key.len, it->key.s, (int)it->text.len, it->text.s);
		return -EINVAL;
	}
	if (ps->seen[k].s) {
		snprintf(ps->err, ps->errlen, "%s: given twice (\"%.*s\", then \"%.*s\")",
			 key_name[k], (int)ps->seen[k].len, ps->seen[k].s, (int)it->value.len,
			 it->value.s);
		return -EINVAL;
	}
	/* Only an unquoted empty value is "empty": args="" is an empty line. */
	if (!it->has_value || it->text.len == it->key.len + 1) {
		snprintf(ps->err, ps->errlen, "%s: empty value", key_name[k]);
		return -EINVAL;
	}
	ps->seen[k] = it->value;
	/* The whole text is shorter than DOMAIN_TEXT_MAX, so the value fits. */
	memcpy(v, it->value.s, it->value.len);
	v[it->value.len] = '\0';
	return set_key(ps, k, v);
}

int domcfg_parse(const char *value, struct domain_config *cfg, char *err, size_t errlen)
{
	static const struct domain_config dflt = {
	    .mem = DOMAIN_MEM_DFLT,
	    .vcpus = 1,
	    .node = -1,
	    .policy = DOM_POLICY_PREFER,
	    .image = -1,
	    .state = DOMCFG_OK,
	};
	struct parse_state ps = {.cfg = dflt, .err = err, .errlen = errlen};
	const char *p = value ? value : "";
	size_t len = strlen(p);

	if (errlen)
		err[0] = '\0';
	if (len >= DOMAIN_TEXT_MAX) {
		snprintf(err, errlen, "too long (%zu characters, at most %d)", len,
			 DOMAIN_TEXT_MAX - 1);
		return -EINVAL;
	}
	strlcpy(ps.cfg.text, p, sizeof(ps.cfg.text));
	while (*p) {
		struct item it;

		p = next_item(p, &it, &ps);
		if (!p || take_item(&ps, &it))
			return -EINVAL;
		if (*p == ',' && !*++p) {
			snprintf(err, errlen, "empty item (a stray comma)");
			return -EINVAL;
		}
	}
	if (!ps.seen[KEY_NAME].s) {
		snprintf(err, errlen, "name: missing (every domain needs name=)");
		return -EINVAL;
	}
	*cfg = ps.cfg;
	return 0;
}

/* ---- the table the command line fills ------------------------------------ */

static struct domain_config table[DOMAIN_CONFIG_MAX];
static unsigned int nr_table;	/* entries used, good and failed */
static unsigned int nr_good;	/* DOMCFG_OK entries */
static unsigned int nr_refused; /* failed entries plus options the table had no room for */

static bool name_taken(const char *name)
{
	unsigned int i;

	for (i = 0; i < nr_table; i++)
		if (table[i].state == DOMCFG_OK && strcmp(table[i].name, name) == 0)
			return true;
	return false;
}

int domcfg_add(const char *value)
{
	struct domain_config *cfg;
	char err[DOMCFG_ERR_MAX];
	int rc;

	if (!value) {
		pr_err("domain: no value (domain=name=NAME,key=value,...); ignored\n");
		nr_refused++;
		return 0;
	}
	if (nr_table == DOMAIN_CONFIG_MAX) {
		pr_err("domain=%s: more than %d domains; ignored\n", value, DOMAIN_CONFIG_MAX);
		nr_refused++;
		return 0;
	}
	cfg = &table[nr_table];
	rc = domcfg_parse(value, cfg, err, sizeof(err));
	if (rc == 0 && name_taken(cfg->name)) {
		snprintf(err, sizeof(err), "name: duplicate name \"%s\" (an earlier domain has it)",
			 cfg->name);
		rc = -EINVAL;
	}
	if (rc) {
		memset(cfg, 0, sizeof(*cfg));
		strlcpy(cfg->text, value, sizeof(cfg->text));
		cfg->state = DOMCFG_FAILED;
		pr_err("domain=%s: %s\n", value, err);
		nr_refused++;
	} else {
		nr_good++;
	}
	nr_table++;
	return 0;
}
boot_param_custom("domain", domcfg_add, "name=NAME,key=value,...", "no domain");

unsigned int domcfg_count(void)
{
	return nr_good;
}

const struct domain_config *domcfg_get(unsigned int i)
{
	unsigned int k;

	for (k = 0; k < nr_table; k++)
		if (table[k].state == DOMCFG_OK && i-- == 0)
			return &table[k];
	return NULL;
}

unsigned int domcfg_failed_count(void)
{
	return nr_refused;
}

void domcfg_reset(void)
{
	memset(table, 0, sizeof(table));
	nr_table = 0;
	nr_good = 0;
	nr_refused = 0;
}
