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
#include <hv/boot.h>
#include <hv/cmdline.h>
#include <hv/domain_config.h>
#include <hv/errno.h>
#include <hv/lib.h>
#include <hv/nodemask.h>
#include <hv/printk.h>

_Static_assert(MAX_NODES <= DOMAIN_NODE_MAX + 1, "node= takes every node id the build may have");
_Static_assert(DOMAIN_ARGS_MAX >= DOMAIN_TEXT_MAX, "args= can hold any value the text holds");

enum dom_key {
	KEY_NAME,
	KEY_MEM,
	KEY_VCPUS,
	KEY_NODE,
	KEY_POLICY,
	KEY_IMAGE,
	KEY_ARGS,
	KEY_VNODES,
	KEY_NODES,
	KEY_MAXMEM,
	KEY_CONTROL,
	KEY_INITRD,
	NR_KEYS
};

static const char *const key_name[NR_KEYS] = {
    [KEY_NAME] = "name",     [KEY_MEM] = "mem",		[KEY_VCPUS] = "vcpus",
    [KEY_NODE] = "node",     [KEY_POLICY] = "policy",	[KEY_IMAGE] = "image",
    [KEY_ARGS] = "args",     [KEY_VNODES] = "vnodes",	[KEY_NODES] = "nodes",
    [KEY_MAXMEM] = "maxmem", [KEY_CONTROL] = "control", [KEY_INITRD] = "initrd",
};

/* A key's value split at '+': one part per virtual node. */
struct parts {
	unsigned int nr;
	u64 v[DOMAIN_MAX_VNODES];
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
	struct span seen[NR_KEYS];	/* .s != NULL: the key was given, with this value */
	struct parts mem, vcpus, nodes; /* as given; spread over the virtual nodes at the end */
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

/* A size of at least 2M; -EINVAL with err set (what names the value in messages). */
static int parse_size(struct parse_state *ps, const char *key, const char *v, const char *what,
		      u64 *out)
{
	u64 n = 0;
	int rc = cmdline_parse_number(v, true, &n);

	if (rc == -EINVAL)
		snprintf(ps->err, ps->errlen, "%s: bad size \"%s\"%s (a number with K, M, G or T)",
			 key, v, what);
	else if (rc)
		snprintf(ps->err, ps->errlen, "%s: bad size \"%s\"%s (more than 64 bits of bytes)",
			 key, v, what);
	else if (n < DOMAIN_MEM_MIN)
		snprintf(ps->err, ps->errlen, "%s: bad size \"%s\"%s (at least %lluM)", key, v,
			 what, DOMAIN_MEM_MIN >> 20);
	if (rc || n < DOMAIN_MEM_MIN)
		return -EINVAL;
	*out = n;
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

/*
 * Split v at '+' into p, each part checked by one(): mem=256M+768M,
 * vcpus=2+2, nodes=1+3. At most DOMAIN_MAX_VNODES parts, none empty.
 */
static int parse_parts(struct parse_state *ps, enum dom_key k, const char *v, struct parts *p,
		       int (*one)(struct parse_state *ps, enum dom_key k, const char *part,
				  const char *what, u64 *out))
{
	const char *s = v;

	p->nr = 0;
	for (;;) {
		const char *plus = strchr(s, '+');
		size_t len = plus ? (size_t)(plus - s) : strlen(s);
		char part[DOMAIN_TEXT_MAX], what[48];

		if (p->nr == DOMAIN_MAX_VNODES) {
			snprintf(ps->err, ps->errlen, "%s: more than %d parts in \"%s\"",
				 key_name[k], DOMAIN_MAX_VNODES, v);
			return -EINVAL;
		}
		memcpy(part, s, len);
		part[len] = '\0';
		what[0] = '\0';
		if (plus || p->nr)
			snprintf(what, sizeof(what), " (part %u of \"%.24s\")", p->nr, v);
		if (!len && (plus || p->nr)) {
			snprintf(ps->err, ps->errlen, "%s: empty part %u in \"%s\"", key_name[k],
				 p->nr, v);
			return -EINVAL;
		}
		if (one(ps, k, part, what, &p->v[p->nr]))
			return -EINVAL;
		p->nr++;
		if (!plus)
			return 0;
		s = plus + 1;
	}
}

static int one_size(struct parse_state *ps, enum dom_key k, const char *part, const char *what,
		    u64 *out)
{
	return parse_size(ps, key_name[k], part, what, out);
}

static int one_vcpus(struct parse_state *ps, enum dom_key k, const char *part, const char *what,
		     u64 *out)
{
	if (parse_uint(part, 1, DOMAIN_MAX_VCPUS, out)) {
		snprintf(ps->err, ps->errlen, "vcpus: bad count \"%s\"%s (1 to %d)", part, what,
			 DOMAIN_MAX_VCPUS);
		return -EINVAL;
	}
	return 0;
}

static int one_node(struct parse_state *ps, enum dom_key k, const char *part, const char *what,
		    u64 *out)
{
	if (parse_uint(part, 0, DOMAIN_NODE_MAX, out)) {
		snprintf(ps->err, ps->errlen, "%s: bad node id \"%s\"%s (a number from 0 to %d)",
			 key_name[k], part, what, DOMAIN_NODE_MAX);
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
		return parse_parts(ps, k, v, &ps->mem, one_size);
	case KEY_VCPUS:
		return parse_parts(ps, k, v, &ps->vcpus, one_vcpus);
	case KEY_NODE:
		if (one_node(ps, k, v, "", &n))
			return -EINVAL;
		ps->nodes.nr = 1;
		ps->nodes.v[0] = n;
		return 0;
	case KEY_NODES:
		return parse_parts(ps, k, v, &ps->nodes, one_node);
	case KEY_VNODES:
		if (parse_uint(v, 1, DOMAIN_MAX_VNODES, &n)) {
			snprintf(ps->err, ps->errlen, "vnodes: bad count \"%s\" (1 to %d)", v,
				 DOMAIN_MAX_VNODES);
			return -EINVAL;
		}
		ps->cfg.vnodes = (unsigned int)n;
		return 0;
	case KEY_MAXMEM:
		return parse_size(ps, "maxmem", v, "", &ps->cfg.maxmem);
	case KEY_CONTROL:
		if (strcmp(v, "0") != 0 && strcmp(v, "1") != 0) {
			snprintf(ps->err, ps->errlen, "control: bad value \"%s\" (0 or 1)", v);
			return -EINVAL;
		}
		ps->cfg.control = v[0] == '1';
		return 0;
	case KEY_POLICY:
		return set_policy(ps, v);
	case KEY_IMAGE:
	case KEY_INITRD:
		if (parse_uint(v, 0, DOMAIN_IMAGE_MAX, &n)) {
			snprintf(ps->err, ps->errlen,
				 "%s: bad module index \"%s\" (a number from 0 to %d)", key_name[k],
				 v, DOMAIN_IMAGE_MAX);
			return -EINVAL;
		}
		*(k == KEY_IMAGE ? &ps->cfg.image : &ps->cfg.initrd) = (int)n;
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
			 "%.*s: unknown key in \"%.*s\" (keys: name, vnodes, mem, maxmem, vcpus, "
			 "node, nodes, policy, control, image, initrd, args)",
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

/*
 * A list key given with a number of parts other than the virtual nodes';
 * false (err set) if so.
 */
static bool parts_match(struct parse_state *ps, enum dom_key k, const struct parts *p)
{
	unsigned int k_vn = ps->cfg.vnodes;

	if (!ps->seen[k].s || p->nr == 1 || p->nr == k_vn)
		return true;
	snprintf(ps->err, ps->errlen,
		 "%s: %u parts in \"%.*s\" for vnodes=%u (one per virtual node)", key_name[k],
		 p->nr, (int)ps->seen[k].len, ps->seen[k].s, k_vn);
	return false;
}

/* node= and nodes= against vnodes=; sets vnode_node[]. */
static int spread_nodes(struct parse_state *ps)
{
	struct domain_config *c = &ps->cfg;
	unsigned int k = c->vnodes, v;

	if (ps->seen[KEY_NODE].s && ps->seen[KEY_NODES].s) {
		snprintf(ps->err, ps->errlen, "node: given with nodes= (use one of them)");
		return -EINVAL;
	}
	if (ps->seen[KEY_NODE].s && k > 1) {
		snprintf(ps->err, ps->errlen,
			 "node: one node for vnodes=%u (use nodes=, one per virtual node)", k);
		return -EINVAL;
	}
	if (ps->seen[KEY_NODES].s && ps->nodes.nr != k) {
		snprintf(ps->err, ps->errlen,
			 "nodes: %u node%s in \"%.*s\" for vnodes=%u (one per virtual node)",
			 ps->nodes.nr, PLURAL_S(ps->nodes.nr), (int)ps->seen[KEY_NODES].len,
			 ps->seen[KEY_NODES].s, k);
		return -EINVAL;
	}
	for (v = 0; v < k; v++)
		c->vnode_node[v] = ps->nodes.nr ? (int)ps->nodes.v[v] : -1;
	return 0;
}

/* Memory: as given per virtual node, or split in 2 MiB units (a rest to vnode 0). */
static int spread_mem(struct parse_state *ps)
{
	struct domain_config *c = &ps->cfg;
	unsigned int k = c->vnodes, v;
	u64 units, total = 0;

	if (ps->mem.nr > 1) {
		for (v = 0; v < k; v++) {
			c->vnode_mem[v] = ps->mem.v[v];
			if (total + c->vnode_mem[v] < total) {
				snprintf(ps->err, ps->errlen,
					 "mem: the parts add up to more than 64 bits");
				return -EINVAL;
			}
			total += c->vnode_mem[v];
		}
	} else {
		total = ps->mem.nr ? ps->mem.v[0] : DOMAIN_MEM_DFLT;
		units = total / DOMAIN_MEM_MIN;
		if (units < k) {
			snprintf(ps->err, ps->errlen,
				 "mem: %llu KiB cannot give %u virtual nodes %lluM each",
				 total >> 10, k, DOMAIN_MEM_MIN >> 20);
			return -EINVAL;
		}
		for (v = 0; v < k; v++)
			c->vnode_mem[v] = (units / k + (v < units % k)) * DOMAIN_MEM_MIN;
		c->vnode_mem[0] += total % DOMAIN_MEM_MIN;
	}
	c->mem = total;
	return 0;
}

/* vCPUs: as given per virtual node, or split evenly, lower ones first. */
static int spread_vcpus(struct parse_state *ps)
{
	struct domain_config *c = &ps->cfg;
	unsigned int k = c->vnodes, v;

	if (ps->vcpus.nr > 1) {
		c->vcpus = 0;
		for (v = 0; v < k; v++) {
			c->vnode_vcpus[v] = (unsigned int)ps->vcpus.v[v];
			c->vcpus += c->vnode_vcpus[v];
		}
		if (c->vcpus > DOMAIN_MAX_VCPUS) {
			snprintf(ps->err, ps->errlen, "vcpus: %u in all (at most %d)", c->vcpus,
				 DOMAIN_MAX_VCPUS);
			return -EINVAL;
		}
		return 0;
	}
	c->vcpus = ps->vcpus.nr ? (unsigned int)ps->vcpus.v[0] : k;
	if (c->vcpus < k) {
		snprintf(ps->err, ps->errlen,
			 "vcpus: %u for vnodes=%u (at least one per virtual node)", c->vcpus, k);
		return -EINVAL;
	}
	for (v = 0; v < k; v++)
		c->vnode_vcpus[v] = c->vcpus / k + (v < c->vcpus % k);
	return 0;
}

/* Spread mem, vCPUs and nodes over the virtual nodes; check how they combine. */
static int finish(struct parse_state *ps)
{
	struct domain_config *c = &ps->cfg;

	if (spread_nodes(ps))
		return -EINVAL;
	if (!parts_match(ps, KEY_MEM, &ps->mem) || !parts_match(ps, KEY_VCPUS, &ps->vcpus))
		return -EINVAL;
	if (spread_mem(ps) || spread_vcpus(ps))
		return -EINVAL;
	if (!ps->seen[KEY_MAXMEM].s) {
		c->maxmem = c->mem;
	} else if (c->maxmem < c->mem) {
		snprintf(ps->err, ps->errlen, "maxmem: %llu MiB is below mem (%llu MiB)",
			 c->maxmem >> 20, c->mem >> 20);
		return -EINVAL;
	}
	return 0;
}

static int parse_value(const char *value, struct domain_config *cfg, char *err, size_t errlen)
{
	static const struct domain_config dflt = {
	    .vnodes = 1,
	    .policy = DOM_POLICY_PREFER,
	    .image = -1,
	    .initrd = -1,
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
	if (finish(&ps))
		return -EINVAL;
	*cfg = ps.cfg;
	return 0;
}

int domcfg_parse(const char *value, struct domain_config *cfg, char *err, size_t errlen)
{
	int rc = parse_value(value, cfg, err, errlen);

	/* The reason quotes the value, which may hold a newline: keep it one line. */
	if (rc && errlen)
		str_printable(err, errlen, err, errlen);
	return rc;
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

/* A domain= value as written, for a message: one line (boot CPU only, as the table). */
static const char *value_shown(const char *value)
{
	static char buf[BOOT_CMDLINE_MAX];

	return str_printable(buf, sizeof(buf), value, strlen(value));
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
		pr_err("domain=%s: more than %d domains; ignored\n", value_shown(value),
		       DOMAIN_CONFIG_MAX);
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
		pr_err("domain=%s: %s\n", value_shown(value), err);
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
