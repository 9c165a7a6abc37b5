/*
 * libFuzzer target for the boot command line: the input, cut at its
 * first NUL, is a command line for cmdline_parse() (hypervisor/cmdline.c)
 * over a table of every option type (on/off, number, size, string, a
 * custom parser) and the real domain= option (domcfg_add(),
 * hypervisor/domain_config.c); the same bytes are also one domain=
 * value for domcfg_parse(), a first word for cmdline_skip_image(), and
 * each of their words a number for cmdline_parse_number(). What must hold
 * comes from the contracts in include/hv/cmdline.h and
 * include/hv/domain_config.h:
 *
 *   - every problem is reported on one console line of its own, and the
 *     count returned is the number of those lines; nothing else prints
 *     but the domain= option's own lines;
 *   - an option's variable holds its default or a value within its
 *     limits, and changes only if the line names the option;
 *   - parsing is deterministic (the same line over the same defaults
 *     gives the same values, count and console), and what it took can be
 *     written back as a line that gives the same values without a
 *     problem;
 *   - a refused domain= value leaves the config untouched and gives a
 *     reason; a taken one is within every documented limit, adds up, and
 *     domcfg_parse() of its text gives the same config;
 *   - a number parsed can be written in decimal and read back; a refused
 *     one leaves the output untouched.
 *
 * Owns the option table and its variables; everything is reset for every
 * input. tests/hosted/test_fuzz_replay_cmdline.c replays the seeds.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <hv/cmdline.h>
#include <hv/domain_config.h>
#include <hv/errno.h>
#include <hv/lib.h>
#include <hv/printk.h>

#include "../hosted/fake_arch.h"
#include "fuzz.h"

#define FZ_LINE_MAX 4096
#define FZ_LABEL_LEN 8
#define FZ_COUNT_MIN 1
#define FZ_COUNT_MAX 100
#define FZ_MEM_MIN 4096ULL
#define FZ_MEM_MAX (1ULL << 40)

/* The options' variables; fz_defaults() sets them. */
static struct {
	bool flag;
	unsigned int count;
	u64 mem;
	char label[FZ_LABEL_LEN];
	char pick; /* 0: none, else 'a', 'b' or 'c' */
} fz_v;

static void fz_defaults(void)
{
	memset(&fz_v, 0, sizeof(fz_v));
	fz_v.count = 7;
	fz_v.mem = MiB(1);
	strcpy(fz_v.label, "dflt");
	domcfg_reset();
}

/* A custom option: a, b or c. */
static int fz_parse_pick(const char *v)
{
	if (!v || strlen(v) != 1 || v[0] < 'a' || v[0] > 'c')
		return -EINVAL;
	fz_v.pick = v[0];
	return 0;
}

static const struct boot_param fz_params[] = {
    {.name = "flag", .type = PARAM_BOOL, .var = &fz_v.flag},
    {.name = "count",
     .type = PARAM_UINT,
     .var = &fz_v.count,
     .min = FZ_COUNT_MIN,
     .max = FZ_COUNT_MAX},
    {.name = "mem", .type = PARAM_SIZE, .var = &fz_v.mem, .min = FZ_MEM_MIN, .max = FZ_MEM_MAX},
    {.name = "label", .type = PARAM_STR, .var = fz_v.label, .len = FZ_LABEL_LEN},
    {.name = "pick",
     .type = PARAM_CUSTOM,
     .parse = fz_parse_pick,
     .forms = "a, b or c",
     .dflt = "none"},
    {.name = "domain",
     .type = PARAM_CUSTOM,
     .parse = domcfg_add,
     .forms = "name=NAME,key=value,...",
     .dflt = "no domain"},
};

static char fz_line[FZ_LINE_MAX + 1];

/* ---- the console ---------------------------------------------------------------- */

/* Lines on the console, and those starting with prefix. */
static unsigned int fz_count_lines(const char *prefix, unsigned int *with_prefix)
{
	const char *p = console_text(), *end = p + console_len();
	unsigned int n = 0;

	*with_prefix = 0;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));

		FZ_CHECK(nl, "a console line without its newline: \"%.*s\"", (int)(end - p), p);
		n++;
		*with_prefix += !strncmp(p, prefix, strlen(prefix));
		p = nl + 1;
	}
	return n;
}

/* ---- domain configs ------------------------------------------------------------- */

static bool fz_terminated(const char *s, size_t len)
{
	return memchr(s, '\0', len) != NULL;
}

/* Every documented limit of a config domcfg_parse() took. */
static void fz_check_cfg(const struct domain_config *c)
{
	u64 mem = 0;
	unsigned int i, vcpus = 0, pinned = 0;
	size_t n;

	FZ_CHECK(fz_terminated(c->name, sizeof(c->name)), "name not terminated");
	n = strlen(c->name);
	FZ_CHECK(n >= 1 && n <= 15, "name \"%s\": %zu characters", c->name, n);
	for (i = 0; i < n; i++)
		FZ_CHECK((c->name[i] >= 'a' && c->name[i] <= 'z') ||
			     (c->name[i] >= '0' && c->name[i] <= '9') || c->name[i] == '_' ||
			     c->name[i] == '-',
			 "name \"%s\": character 0x%02x", c->name, (u8)c->name[i]);
	FZ_CHECK(c->vnodes >= 1 && c->vnodes <= DOMAIN_MAX_VNODES, "%s: vnodes %u", c->name,
		 c->vnodes);
	for (i = 0; i < c->vnodes; i++) {
		FZ_CHECK(c->vnode_mem[i] >= DOMAIN_MEM_MIN, "%s: vnode %u has %llu bytes", c->name,
			 i, c->vnode_mem[i]);
		FZ_CHECK(c->vnode_vcpus[i] >= 1, "%s: vnode %u has no vCPU", c->name, i);
		FZ_CHECK(c->vnode_node[i] >= -1 && c->vnode_node[i] <= DOMAIN_NODE_MAX,
			 "%s: vnode %u on node %d", c->name, i, c->vnode_node[i]);
		FZ_CHECK(mem + c->vnode_mem[i] >= mem, "%s: memory overflows", c->name);
		mem += c->vnode_mem[i];
		vcpus += c->vnode_vcpus[i];
		pinned += c->vnode_node[i] >= 0;
	}
	FZ_CHECK(mem == c->mem, "%s: mem %llu, its virtual nodes %llu", c->name, c->mem, mem);
	FZ_CHECK(vcpus == c->vcpus, "%s: vcpus %u, its virtual nodes %u", c->name, c->vcpus, vcpus);
	FZ_CHECK(c->vcpus >= 1 && c->vcpus <= DOMAIN_MAX_VCPUS, "%s: vcpus %u", c->name, c->vcpus);
	FZ_CHECK(c->maxmem >= c->mem, "%s: maxmem %llu below mem %llu", c->name, c->maxmem, c->mem);
	FZ_CHECK(pinned == 0 || pinned == c->vnodes, "%s: %u of %u virtual nodes placed", c->name,
		 pinned, c->vnodes);
	FZ_CHECK(c->policy == DOM_POLICY_PREFER || c->policy == DOM_POLICY_STRICT, "%s: policy %d",
		 c->name, (int)c->policy);
	FZ_CHECK(c->image >= -1 && c->image <= DOMAIN_IMAGE_MAX, "%s: image %d", c->name, c->image);
	FZ_CHECK(c->initrd >= -1 && c->initrd <= DOMAIN_IMAGE_MAX, "%s: initrd %d", c->name,
		 c->initrd);
	FZ_CHECK(fz_terminated(c->args, sizeof(c->args)), "%s: args not terminated", c->name);
	FZ_CHECK(fz_terminated(c->text, sizeof(c->text)), "%s: text not terminated", c->name);
	FZ_CHECK(c->state == DOMCFG_OK, "%s: state %d", c->name, (int)c->state);
}

/* domcfg_parse() of a taken config's text gives that config again. */
static void fz_check_cfg_again(const struct domain_config *c)
{
	static struct domain_config again;
	char err[DOMCFG_ERR_MAX];
	int rc;

	memset(&again, 0x5a, sizeof(again));
	rc = domcfg_parse(c->text, &again, err, sizeof(err));
	FZ_CHECK(rc == 0, "domain=%s taken, but its text is refused: %s", c->text, err);
	FZ_CHECK(!memcmp(&again, c, sizeof(again)), "domain=%s: parsing its text again differs",
		 c->text);
}

/* The input as one domain= value. */
static void fz_domcfg(const char *value)
{
	static struct domain_config cfg, before;
	char err[DOMCFG_ERR_MAX];
	int rc;

	memset(&cfg, 0xa5, sizeof(cfg));
	memcpy(&before, &cfg, sizeof(cfg));
	memset(err, 0, sizeof(err));
	console_clear();
	rc = domcfg_parse(value, &cfg, err, sizeof(err));
	FZ_CHECK(console_len() == 0, "domcfg_parse printed (it is pure)");
	if (rc) {
		FZ_CHECK(rc == -EINVAL, "domcfg_parse returned %d", rc);
		FZ_CHECK(!memcmp(&cfg, &before, sizeof(cfg)), "a refused value changed the config");
		FZ_CHECK(fz_terminated(err, sizeof(err)) && err[0], "a refusal without a reason");
		FZ_CHECK(!strchr(err, '\n'), "the reason \"%s\" is not one line", err);
		return;
	}
	fz_check_cfg(&cfg);
	FZ_CHECK(!strcmp(cfg.text, value), "text \"%s\", the value was \"%s\"", cfg.text, value);
	fz_check_cfg_again(&cfg);
}

/* ---- the command line ----------------------------------------------------------- */

/* Whether the option name occurs in line as a word's name ("name=", "no-name"). */
static bool fz_names(const char *line, const char *name)
{
	return strstr(line, name) != NULL;
}

static void fz_check_values(const char *line, bool in_line)
{
	FZ_CHECK(fz_v.count == 7 || (fz_v.count >= FZ_COUNT_MIN && fz_v.count <= FZ_COUNT_MAX),
		 "count %u out of its limits", fz_v.count);
	FZ_CHECK(fz_v.mem == MiB(1) || (fz_v.mem >= FZ_MEM_MIN && fz_v.mem <= FZ_MEM_MAX),
		 "mem %llu out of its limits", fz_v.mem);
	FZ_CHECK(fz_terminated(fz_v.label, sizeof(fz_v.label)), "label not terminated");
	FZ_CHECK(!fz_v.pick || (fz_v.pick >= 'a' && fz_v.pick <= 'c'), "pick 0x%02x",
		 (u8)fz_v.pick);
	if (!in_line)
		return;
	FZ_CHECK(!fz_v.flag || fz_names(line, "flag"), "flag set by a line without it");
	FZ_CHECK(fz_v.count == 7 || fz_names(line, "count"), "count set by a line without it");
	FZ_CHECK(fz_v.mem == MiB(1) || fz_names(line, "mem"), "mem set by a line without it");
	FZ_CHECK(!strcmp(fz_v.label, "dflt") || fz_names(line, "label"),
		 "label set by a line without it");
	FZ_CHECK(!fz_v.pick || fz_names(line, "pick"), "pick set by a line without it");
	FZ_CHECK(domcfg_count() + domcfg_failed_count() == 0 || fz_names(line, "domain"),
		 "a domain from a line without domain=");
}

/* Parse line over the defaults; returns the count, having checked the console. */
static int fz_parse_line(const char *line)
{
	const struct boot_param *first = fz_params, *last = fz_params + ARRAY_SIZE(fz_params);
	unsigned int lines, reported, domain_lines;
	int problems;

	fz_defaults();
	console_clear();
	problems = cmdline_parse(line, first, last);
	FZ_CHECK(problems >= 0, "cmdline_parse returned %d", problems);
	lines = fz_count_lines("cmdline: ", &reported);
	FZ_CHECK((unsigned int)problems == reported, "%d problems, %u reported", problems,
		 reported);
	fz_count_lines("domain", &domain_lines);
	FZ_CHECK(lines == reported + domain_lines, "%u console lines: %u problems, %u domains",
		 lines, reported, domain_lines);
	FZ_CHECK(domain_lines == domcfg_failed_count(), "%u domain lines, %u domains refused",
		 domain_lines, domcfg_failed_count());
	return problems;
}

static void fz_check_domains(void)
{
	unsigned int i, j;

	for (i = 0; i < domcfg_count(); i++) {
		const struct domain_config *c = domcfg_get(i);

		FZ_CHECK(c, "domcfg_get(%u) of %u is NULL", i, domcfg_count());
		fz_check_cfg(c);
		fz_check_cfg_again(c);
		for (j = 0; j < i; j++)
			FZ_CHECK(strcmp(domcfg_get(j)->name, c->name), "two domains named %s",
				 c->name);
	}
	FZ_CHECK(!domcfg_get(domcfg_count()), "domcfg_get past the count");
}

/* What the line set, written back as a line; "" for what cannot be written. */
static void fz_write_back(char *out, size_t len)
{
	size_t n;

	n = (size_t)snprintf(out, len, "flag=%s count=%u mem=%llu", fz_v.flag ? "on" : "off",
			     fz_v.count, fz_v.mem);
	/* A quoted value ends at the next quote: a label holding one cannot be written. */
	if (!strchr(fz_v.label, '"'))
		n += (size_t)snprintf(out + n, len - n, " label=\"%s\"", fz_v.label);
	if (fz_v.pick)
		snprintf(out + n, len - n, " pick=%c", fz_v.pick);
}

static void fz_cmdline(const char *line)
{
	static char text[2][1 << 16];
	static char back[256];
	char label[FZ_LABEL_LEN];
	bool flag, label_written;
	unsigned int count, i;
	char pick;
	u64 mem;
	int problems;

	problems = fz_parse_line(line);
	fz_check_values(line, true);
	fz_check_domains();
	snprintf(text[0], sizeof(text[0]), "%.*s", (int)console_len(), console_text());
	flag = fz_v.flag;
	count = fz_v.count;
	mem = fz_v.mem;
	pick = fz_v.pick;
	memcpy(label, fz_v.label, sizeof(label));
	fz_write_back(back, sizeof(back));
	label_written = !strchr(label, '"');

	/* The same line again: the same values, count and console. */
	FZ_CHECK(fz_parse_line(line) == problems, "a second parse counts differently");
	snprintf(text[1], sizeof(text[1]), "%.*s", (int)console_len(), console_text());
	FZ_CHECK(!strcmp(text[0], text[1]), "a second parse prints differently");
	FZ_CHECK(fz_v.flag == flag && fz_v.count == count && fz_v.mem == mem && fz_v.pick == pick &&
		     !memcmp(fz_v.label, label, sizeof(label)),
		 "a second parse gives other values");

	/* What it took, written back: the same values, no problem. */
	FZ_CHECK(fz_parse_line(back) == 0, "the line written back, \"%s\", has problems", back);
	fz_check_values(back, false);
	FZ_CHECK(fz_v.flag == flag && fz_v.count == count && fz_v.mem == mem && fz_v.pick == pick,
		 "\"%s\" gives other values", back);
	if (label_written)
		FZ_CHECK(!strcmp(fz_v.label, label), "\"%s\" gives label \"%s\", not \"%s\"", back,
			 fz_v.label, label);
	for (i = 0; i < 2; i++)
		text[i][0] = '\0';
}

/* cmdline_skip_image(line): line, or past a first word that is a path. */
static void fz_skip_image(const char *line)
{
	const char *p = cmdline_skip_image(line), *w = line;

	if (p == line)
		return;
	FZ_CHECK(p > line && p <= line + strlen(line), "skipped to outside the line");
	FZ_CHECK(*p == '\0' || *p == ' ' || *p == '\t' || *p == '\n' || *p == '\r',
		 "skipped to the middle of a word");
	while (*w == ' ' || *w == '\t' || *w == '\n' || *w == '\r')
		w++;
	FZ_CHECK(memchr(w, '/', (size_t)(p - w)), "skipped a first word without a '/'");
	FZ_CHECK(!memchr(w, '=', (size_t)(p - w)) && !memchr(w, '"', (size_t)(p - w)),
		 "skipped a first word with '=' or '\"'");
}

/* Each word (up to 64 bytes) as a number, plain and sized. */
static void fz_numbers(const char *line)
{
	const char *p = line;

	while (*p) {
		char word[65], again[32];
		size_t n = strcspn(p, " \t\r\n");
		unsigned int sized;

		if (n && n < sizeof(word)) {
			memcpy(word, p, n);
			word[n] = '\0';
			for (sized = 0; sized < 2; sized++) {
				u64 v = 0x1234567890abcdefULL, w = 0;
				int rc = cmdline_parse_number(word, sized, &v);

				if (rc) {
					FZ_CHECK(rc == -EINVAL || rc == -ERANGE,
						 "\"%s\": returned %d", word, rc);
					FZ_CHECK(v == 0x1234567890abcdefULL,
						 "\"%s\": refused, but the output changed", word);
					continue;
				}
				snprintf(again, sizeof(again), "%llu", v);
				FZ_CHECK(!cmdline_parse_number(again, false, &w) && w == v,
					 "\"%s\" is %llu, but \"%s\" reads back as %llu", word, v,
					 again, w);
			}
		}
		p += n;
		p += strspn(p, " \t\r\n");
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t n = MIN(size, (size_t)FZ_LINE_MAX);

	memcpy(fz_line, data, n);
	fz_line[n] = '\0';
	console_set_loglevel(LOG_DEBUG);
	fz_cmdline(fz_line);
	fz_domcfg(fz_line);
	fz_skip_image(fz_line);
	fz_numbers(fz_line);
	fz_show_console();
	fz_defaults();
	console_clear();
	return 0;
}
