/*
 * init for the stock Linux guest: PID 1 of the initramfs that
 * scripts/mkinitramfs packs. It reports the NUMA topology the guest kernel
 * found, touches memory on every node, prints a summary and powers off.
 * It owns no state beyond its output channel (out, set once); everything
 * it learns it reads from sysfs into one struct report on main()'s stack.
 *
 * Every line starts with "init: ". As PID 1 each line is one write() of
 * "<6>init: ..." to /dev/kmsg, so it reaches the serial console as a kernel
 * message; /dev/console, then stdout, are the fallbacks. Run by hand (not
 * PID 1) it mounts nothing, prints to stdout, caps the touch at 16 MiB per
 * node, exits 0 when all is well and 1 otherwise, and never powers off.
 *
 * The lines, in order. The first block is what numactl 2.0.16 prints for
 * --hardware, in its layout, except that trailing spaces are trimmed (from
 * every line); MB is kB / 1024, rounded down.
 *   init: hello from /dev/console              (as PID 1, written to
 *                                               /dev/console, not /dev/kmsg)
 *   init: available: <count> nodes (<online node list>)
 *   init: node <N> cpus: <cpu> <cpu> ...       (once per online node: cpus,
 *   init: node <N> size: <MemTotal> MB          size, free)
 *   init: node <N> free: <MemFree> MB
 *   init: node distances:
 *   init: node   0   1                         ("node " then "%3d " per node)
 *   init:   0:  10  31                         ("%3d: " then "%3d " per node)
 *   init: cpus online: <online cpu list>
 *   init: node <N>: touched <M> MB (<pages> pages) from cpu <C>: pattern ok,
 *         <K> pages on other nodes            (once per node, on one line)
 *   init: summary: <count> nodes, <count> cpus, distances <row> / <row>,
 *         memory touched on every node: ok    (or: FAILED (<first failure>))
 *   init: holding <s> s before power-off (proxima.hold)   (with the option)
 *   init: powering off
 * A row of distances is its values joined by spaces ("10 31 / 31 10"). A
 * node without cpus is touched from the first online cpu and its line says
 * "from cpu 0 (node has no cpus)"; a node without memory prints "node <N>:
 * no memory, nothing to touch", which is not a failure. Anything that could
 * not be read or done is said on its own line (numactl's "<not available>"
 * for a size, "ERROR: ..." otherwise, "FAILED" for a touch) and the first
 * such failure is named in the summary. Lists are in the kernel's range
 * form ("0,2-3").
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

/* Linux UAPI values (include/uapi/linux/mempolicy.h); no libnuma here. */
#define MPOL_DEFAULT 0
#define MPOL_BIND 2

#define MAX_NODES 64
#define MAX_CPUS 4096
#define BITS_PER_LONG (8 * (int)sizeof(unsigned long))
#define LONGS(bits) (((bits) + BITS_PER_LONG - 1) / BITS_PER_LONG)
#define PAGE_SIZE 4096UL
#define MIB (1024UL * 1024)
#define TOUCH_CAP_GUEST (256 * MIB)
#define TOUCH_CAP_HOST (16 * MIB)
/* Pages asked about per move_pages() call. */
#define QUERY_BATCH 512
/* /dev/kmsg refuses records longer than 992 bytes (6.1's LOG_LINE_MAX). */
#define LINE_MAX_LEN 960
#define FAIL_MAX 200
#define SYSFS_NODE "/sys/devices/system/node"

struct node_info {
	int id;
	int nr_cpus;	     /* -1: the cpu list could not be read */
	int first_cpu;	     /* -1: none */
	long long total_kb;  /* -1: unknown */
	long long free_kb;   /* -1: unknown */
	bool has_dist;	     /* dist[] holds one value per online node */
	int dist[MAX_NODES]; /* by online index, as sysfs lists them */
};

struct report {
	bool pid1;
	int nr_nodes; /* -1: the online list could not be read */
	int nr_cpus;  /* -1: the online list could not be read */
	int first_online_cpu;
	struct node_info node[MAX_NODES];
	char failure[FAIL_MAX]; /* the first failure; empty while all is well */
};

/* The one piece of global state: where lines go, chosen once at start. */
static struct {
	int fd;
	bool kmsg;
} out = {.fd = STDOUT_FILENO};

/* A line built in pieces; appends past the end are dropped. */
struct line {
	char text[LINE_MAX_LEN];
	size_t len;
};

static void write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		buf += n;
		len -= (size_t)n;
	}
}

/* Keeps one byte spare after the text, for the newline say() adds. */
static void vline_add(struct line *l, const char *fmt, va_list ap)
{
	size_t room = sizeof(l->text) - 1 - l->len;
	int n = vsnprintf(l->text + l->len, room, fmt, ap);

	if (n < 0)
		return;
	if ((size_t)n >= room) {
		/* Mark the cut so nobody mistakes it for the whole line. */
		l->len = sizeof(l->text) - 2;
		memcpy(l->text + l->len - 3, "...", 3);
		return;
	}
	l->len += (size_t)n;
}

__attribute__((format(printf, 2, 3))) static void line_add(struct line *l, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vline_add(l, fmt, ap);
	va_end(ap);
}

/* Print one line: one write(), so /dev/kmsg makes it one record. */
__attribute__((format(printf, 1, 2))) static void say(const char *fmt, ...)
{
	struct line l = {.len = 0};
	va_list ap;

	line_add(&l, "%sinit: ", out.kmsg ? "<6>" : "");
	va_start(ap, fmt);
	vline_add(&l, fmt, ap);
	va_end(ap);
	while (l.len > 0 && l.text[l.len - 1] == ' ')
		l.len--;
	l.text[l.len++] = '\n';
	write_all(out.fd, l.text, l.len);
}

/* Remember the first failure for the summary; later ones have their own lines. */
__attribute__((format(printf, 2, 3))) static void fail(struct report *r, const char *fmt, ...)
{
	va_list ap;

	if (r->failure[0])
		return;
	va_start(ap, fmt);
	vsnprintf(r->failure, sizeof(r->failure), fmt, ap);
	va_end(ap);
}

static void out_open(bool pid1)
{
	static const char *const paths[] = {"/dev/kmsg", "/dev/console"};

	if (!pid1)
		return;
	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		int fd = open(paths[i], O_WRONLY | O_NOCTTY | O_CLOEXEC);

		if (fd >= 0) {
			out.fd = fd;
			out.kmsg = i == 0;
			return;
		}
	}
}

/* Read a small sysfs file whole; on failure record it and return false. */
static bool read_text(struct report *r, const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0) {
		fail(r, "cannot read %s: %s", path, strerror(errno));
		return false;
	}
	n = read(fd, buf, size - 1);
	if (n < 0)
		fail(r, "cannot read %s: %s", path, strerror(errno));
	close(fd);
	if (n < 0)
		return false;
	buf[n] = '\0';
	return true;
}

static bool test_bit(const unsigned long *bits, int n)
{
	return bits[n / BITS_PER_LONG] >> (n % BITS_PER_LONG) & 1;
}

static void set_bit(unsigned long *bits, int n)
{
	bits[n / BITS_PER_LONG] |= 1UL << (n % BITS_PER_LONG);
}

/*
 * Parse a kernel list ("0", "0-1", "0,2-3", or empty) into a bitmap of nbits.
 * Returns how many bits are set, or -1 when the text is not such a list or
 * names a bit past nbits.
 */
static int parse_list(const char *s, unsigned long *bits, int nbits)
{
	int count = 0;

	memset(bits, 0, LONGS(nbits) * sizeof(*bits));
	while (*s && *s != '\n') {
		char *end;
		long lo = strtol(s, &end, 10);
		long hi = lo;

		if (end == s || lo < 0)
			return -1;
		if (*end == '-') {
			s = end + 1;
			hi = strtol(s, &end, 10);
			if (end == s || hi < lo)
				return -1;
		}
		if (hi >= nbits)
			return -1;
		for (long i = lo; i <= hi; i++) {
			count += !test_bit(bits, (int)i);
			set_bit(bits, (int)i);
		}
		if (*end != ',' && *end && *end != '\n')
			return -1;
		s = *end == ',' ? end + 1 : end;
	}
	return count;
}

/* Append a bitmap in the kernel's range form, as numactl prints the node list. */
static void add_list(struct line *l, const unsigned long *bits, int nbits)
{
	const char *sep = "";

	for (int i = 0; i < nbits; i++) {
		int j = i;

		if (!test_bit(bits, i))
			continue;
		while (j + 1 < nbits && test_bit(bits, j + 1))
			j++;
		if (j > i)
			line_add(l, "%s%d-%d", sep, i, j);
		else
			line_add(l, "%s%d", sep, i);
		sep = ",";
		i = j;
	}
}

static int first_bit(const unsigned long *bits, int nbits)
{
	for (int i = 0; i < nbits; i++)
		if (test_bit(bits, i))
			return i;
	return -1;
}

/* The kB count after a "Node N <field>" key in a node's meminfo, or -1. */
static long long meminfo_kb(const char *text, const char *field)
{
	const char *p = strstr(text, field);
	char *end;
	long long kb;

	if (!p)
		return -1;
	kb = strtoll(p + strlen(field), &end, 10);
	return end == p + strlen(field) || kb < 0 ? -1 : kb;
}

static void read_meminfo(struct report *r, struct node_info *n)
{
	char path[64];
	char text[4096];

	n->total_kb = -1;
	n->free_kb = -1;
	snprintf(path, sizeof(path), SYSFS_NODE "/node%d/meminfo", n->id);
	if (!read_text(r, path, text, sizeof(text)))
		return;
	n->total_kb = meminfo_kb(text, "MemTotal:");
	n->free_kb = meminfo_kb(text, "MemFree:");
	if (n->total_kb < 0 || n->free_kb < 0)
		fail(r, "%s: no MemTotal or MemFree", path);
}

/* numactl's "node N cpus:" line: every cpu on its own, not ranges. */
static void print_node_cpus(struct report *r, struct node_info *n)
{
	unsigned long cpus[LONGS(MAX_CPUS)];
	char path[64];
	char text[4096];
	struct line l = {.len = 0};

	n->nr_cpus = -1;
	n->first_cpu = -1;
	line_add(&l, "node %d cpus:", n->id);
	snprintf(path, sizeof(path), SYSFS_NODE "/node%d/cpulist", n->id);
	if (!read_text(r, path, text, sizeof(text))) {
		say("%s ERROR: cannot read %s", l.text, path);
		return;
	}
	n->nr_cpus = parse_list(text, cpus, MAX_CPUS);
	if (n->nr_cpus < 0) {
		fail(r, "%s: not a cpu list below %d", path, MAX_CPUS);
		say("%s ERROR: %s is not a cpu list", l.text, path);
		return;
	}
	n->first_cpu = first_bit(cpus, MAX_CPUS);
	for (int cpu = 0; cpu < MAX_CPUS; cpu++)
		if (test_bit(cpus, cpu))
			line_add(&l, " %d", cpu);
	say("%s", l.text);
}

static void print_node(struct report *r, struct node_info *n)
{
	print_node_cpus(r, n);
	read_meminfo(r, n);
	/* numactl's own words for a size it could not read. */
	if (n->total_kb < 0)
		say("node %d size: <not available>", n->id);
	else
		say("node %d size: %lld MB", n->id, n->total_kb / 1024);
	if (n->free_kb < 0)
		say("node %d free: <not available>", n->id);
	else
		say("node %d free: %lld MB", n->id, n->free_kb / 1024);
}

/* Fill r->node[] ids from the online list and print numactl's first line. */
static bool read_online_nodes(struct report *r)
{
	unsigned long nodes[LONGS(MAX_NODES)];
	char text[512];
	struct line l = {.len = 0};
	int i = 0;

	r->nr_nodes = -1;
	if (!read_text(r, SYSFS_NODE "/online", text, sizeof(text))) {
		say("available: ERROR: cannot read " SYSFS_NODE "/online");
		return false;
	}
	r->nr_nodes = parse_list(text, nodes, MAX_NODES);
	if (r->nr_nodes <= 0) {
		fail(r, SYSFS_NODE "/online: not a node list below %d", MAX_NODES);
		say("available: ERROR: " SYSFS_NODE "/online is not a node list below %d",
		    MAX_NODES);
		r->nr_nodes = -1;
		return false;
	}
	for (int node = 0; node < MAX_NODES; node++)
		if (test_bit(nodes, node))
			r->node[i++].id = node;
	add_list(&l, nodes, MAX_NODES);
	say("available: %d nodes (%s)", r->nr_nodes, l.text);
	return true;
}

static void read_online_cpus(struct report *r)
{
	unsigned long cpus[LONGS(MAX_CPUS)];
	char text[4096];
	const char *path = "/sys/devices/system/cpu/online";
	struct line l = {.len = 0};

	r->nr_cpus = -1;
	r->first_online_cpu = -1;
	if (!read_text(r, path, text, sizeof(text))) {
		say("cpus online: ERROR: cannot read %s", path);
		return;
	}
	r->nr_cpus = parse_list(text, cpus, MAX_CPUS);
	if (r->nr_cpus <= 0) {
		fail(r, "%s: not a cpu list below %d", path, MAX_CPUS);
		say("cpus online: ERROR: %s is not a cpu list below %d", path, MAX_CPUS);
		r->nr_cpus = -1;
		return;
	}
	r->first_online_cpu = first_bit(cpus, MAX_CPUS);
	add_list(&l, cpus, MAX_CPUS);
	say("cpus online: %s", l.text);
}

/*
 * A node's distance file holds one value per online node, in node order.
 * Returns NULL, or why n->dist[] could not be filled.
 */
static const char *read_distances(struct report *r, struct node_info *n)
{
	char path[64];
	char text[4096];
	const char *s = text;
	int i;

	n->has_dist = false;
	snprintf(path, sizeof(path), SYSFS_NODE "/node%d/distance", n->id);
	if (!read_text(r, path, text, sizeof(text)))
		return "cannot read";
	for (i = 0; i < r->nr_nodes; i++) {
		char *end;
		long d = strtol(s, &end, 10);

		if (end == s || d < 0 || d > 255)
			break;
		n->dist[i] = (int)d;
		s = end;
	}
	while (*s == ' ' || *s == '\n')
		s++;
	if (i < r->nr_nodes || *s) {
		fail(r, "%s: not %d distances", path, r->nr_nodes);
		return "not one distance per online node in";
	}
	n->has_dist = true;
	return NULL;
}

/* numactl 2.0.16's matrix: "% 3d" is "%3d" for distances, which are never negative. */
static void print_distances(struct report *r)
{
	struct line l = {.len = 0};

	say("node distances:");
	line_add(&l, "node ");
	for (int i = 0; i < r->nr_nodes; i++)
		line_add(&l, "%3d ", r->node[i].id);
	say("%s", l.text);
	for (int i = 0; i < r->nr_nodes; i++) {
		struct node_info *n = &r->node[i];
		const char *err = read_distances(r, n);

		l.len = 0;
		line_add(&l, "%3d: ", n->id);
		if (err)
			line_add(&l, "ERROR: %s " SYSFS_NODE "/node%d/distance", err, n->id);
		for (int k = 0; n->has_dist && k < r->nr_nodes; k++)
			line_add(&l, "%3d ", n->dist[k]);
		say("%s", l.text);
	}
}

/* What one node's touch found; err is an errno from the step named by what. */
struct touch {
	size_t pages;
	size_t bad; /* pages whose pattern did not read back */
	size_t first_bad;
	size_t elsewhere; /* pages not on the wanted node */
	size_t first_stray;
	int stray_status; /* that page's node, or -errno from move_pages */
	int err;
	const char *what;
};

/* Depends on the page, so a page mapped twice or swapped with another shows. */
static unsigned long pattern(size_t page, size_t word)
{
	return (unsigned long)page * 0x9e3779b97f4a7c15UL ^ word;
}

static void fill_pages(unsigned long *mem, size_t pages)
{
	const size_t words = PAGE_SIZE / sizeof(*mem);

	for (size_t p = 0; p < pages; p++)
		for (size_t w = 0; w < words; w++)
			mem[p * words + w] = pattern(p, w);
}

/* Volatile so the compiler cannot answer the reads from what it just wrote. */
static void check_pages(const volatile unsigned long *mem, struct touch *t)
{
	const size_t words = PAGE_SIZE / sizeof(*mem);

	for (size_t p = 0; p < t->pages; p++) {
		for (size_t w = 0; w < words; w++) {
			if (mem[p * words + w] != pattern(p, w)) {
				t->first_bad = t->bad ? t->first_bad : p;
				t->bad++;
				break;
			}
		}
	}
}

/* Ask where k pages are, the first being page first; count those not on node. */
static bool locate_batch(void **addr, size_t k, size_t first, int node, struct touch *t)
{
	int status[QUERY_BATCH];

	/* With no target nodes move_pages() moves nothing, only reports. */
	if (syscall(SYS_move_pages, 0, k, addr, NULL, status, 0) < 0) {
		t->err = errno;
		t->what = "move_pages";
		return false;
	}
	for (size_t i = 0; i < k; i++) {
		if (status[i] == node)
			continue;
		if (!t->elsewhere) {
			t->first_stray = first + i;
			t->stray_status = status[i];
		}
		t->elsewhere++;
	}
	return true;
}

static void locate_pages(char *mem, int node, struct touch *t)
{
	void *addr[QUERY_BATCH];
	size_t k = 0;

	for (size_t p = 0; p < t->pages; p++) {
		addr[k++] = mem + p * PAGE_SIZE;
		if (k < QUERY_BATCH && p + 1 < t->pages)
			continue;
		if (!locate_batch(addr, k, p + 1 - k, node, t))
			return;
		k = 0;
	}
}

/* Run on the cpu asked for, with allocations bound to node. */
static int bind_to(int cpu, int node, struct touch *t)
{
	unsigned long mask[LONGS(MAX_NODES)] = {0};
	cpu_set_t cpus;

	if (cpu < 0 || cpu >= CPU_SETSIZE) {
		t->what = "no cpu to run on";
		return t->err = EINVAL;
	}
	CPU_ZERO(&cpus);
	CPU_SET(cpu, &cpus);
	if (sched_setaffinity(0, sizeof(cpus), &cpus) < 0) {
		t->what = "sched_setaffinity";
		return t->err = errno;
	}
	set_bit(mask, node);
	/* The kernel counts maxnode one past the bits it reads. */
	if (syscall(SYS_set_mempolicy, MPOL_BIND, mask, MAX_NODES + 1) < 0) {
		t->what = "set_mempolicy";
		return t->err = errno;
	}
	return 0;
}

static void touch_region(int node, size_t bytes, struct touch *t)
{
	char *mem = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (mem == MAP_FAILED) {
		t->err = errno;
		t->what = "mmap";
		return;
	}
	t->pages = bytes / PAGE_SIZE;
	fill_pages((unsigned long *)mem, t->pages);
	check_pages((const volatile unsigned long *)mem, t);
	locate_pages(mem, node, t);
	munmap(mem, bytes);
}

/* Half the node's free memory in whole pages, capped, at least one page. */
static size_t touch_bytes(const struct report *r, const struct node_info *n)
{
	unsigned long long bytes = (unsigned long long)n->free_kb * 1024 / 2;
	unsigned long long cap = r->pid1 ? TOUCH_CAP_GUEST : TOUCH_CAP_HOST;

	bytes = (bytes < cap ? bytes : cap) & ~(unsigned long long)(PAGE_SIZE - 1);
	return bytes ? (size_t)bytes : PAGE_SIZE;
}

/* Why the touch ran from a cpu that is not the node's own. */
static const char *cpus_note(const struct node_info *n)
{
	if (n->nr_cpus < 0)
		return " (node's cpus unknown)";
	return n->first_cpu < 0 ? " (node has no cpus)" : "";
}

static void report_touch(struct report *r, const struct node_info *n, int cpu,
			 const struct touch *t)
{
	struct line l = {.len = 0};

	line_add(&l, "node %d: touched %zu MB (%zu pages) from cpu %d%s: ", n->id,
		 t->pages * PAGE_SIZE / MIB, t->pages, cpu, cpus_note(n));
	if (t->bad) {
		line_add(&l, "pattern FAILED on %zu pages (first: page %zu)", t->bad, t->first_bad);
		fail(r, "node %d: pattern wrong on %zu pages", n->id, t->bad);
	} else {
		line_add(&l, "pattern ok");
	}
	line_add(&l, ", %zu pages on other nodes", t->elsewhere);
	if (t->elsewhere) {
		line_add(&l, " (first: page %zu, %s %d)", t->first_stray,
			 t->stray_status < 0 ? "error" : "node", t->stray_status);
		fail(r, "node %d: %zu pages on other nodes", n->id, t->elsewhere);
	}
	say("%s", l.text);
}

static void touch_node(struct report *r, const struct node_info *n)
{
	struct touch t = {.pages = 0};
	int cpu = n->first_cpu >= 0 ? n->first_cpu : r->first_online_cpu;
	unsigned int on_cpu = 0;

	if (n->free_kb < 0 || n->total_kb < 0) {
		say("node %d: not touched: its free memory is unknown", n->id);
		return;
	}
	if (n->total_kb == 0) {
		say("node %d: no memory, nothing to touch", n->id);
		return;
	}
	if (bind_to(cpu, n->id, &t) == 0) {
		/* The raw call, not the vDSO: what the kernel says we run on. */
		if (syscall(SYS_getcpu, &on_cpu, NULL, NULL) == 0 && (int)on_cpu != cpu) {
			say("node %d: pinned to cpu %d, running on cpu %u", n->id, cpu, on_cpu);
			fail(r, "node %d: pinned to cpu %d, ran on cpu %u", n->id, cpu, on_cpu);
		}
		touch_region(n->id, touch_bytes(r, n), &t);
	}
	syscall(SYS_set_mempolicy, MPOL_DEFAULT, NULL, 0);
	if (t.err) {
		say("node %d: touch FAILED: %s: %s", n->id, t.what, strerror(t.err));
		fail(r, "node %d: %s: %s", n->id, t.what, strerror(t.err));
		return;
	}
	report_touch(r, n, cpu, &t);
}

static void print_summary(struct report *r)
{
	struct line dist = {.len = 0};
	struct line l = {.len = 0};

	for (int i = 0; i < r->nr_nodes; i++) {
		const struct node_info *n = &r->node[i];

		line_add(&dist, "%s", i ? " / " : "");
		for (int k = 0; k < r->nr_nodes; k++) {
			line_add(&dist, "%s", k ? " " : "");
			if (n->has_dist)
				line_add(&dist, "%d", n->dist[k]);
			else
				line_add(&dist, "?");
		}
	}
	/* A full matrix of many nodes would push the verdict past the line's end. */
	if (dist.len > LINE_MAX_LEN / 2 || r->nr_nodes <= 0) {
		dist.len = 0;
		line_add(&dist, r->nr_nodes <= 0 ? "unknown" : "(too many to list)");
	}
	if (r->nr_nodes >= 0)
		line_add(&l, "summary: %d nodes, ", r->nr_nodes);
	else
		line_add(&l, "summary: ? nodes, ");
	if (r->nr_cpus >= 0)
		line_add(&l, "%d cpus, ", r->nr_cpus);
	else
		line_add(&l, "? cpus, ");
	line_add(&l, "distances %s, memory touched on every node: ", dist.text);
	if (r->failure[0])
		line_add(&l, "FAILED (%s)", r->failure);
	else
		line_add(&l, "ok");
	say("%s", l.text);
}

/* Mount what init reads; returns 0 or an errno. Already mounted is fine. */
static int mount_fs(const char *type, const char *dir)
{
	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		return errno;
	if (mount(type, dir, type, 0, NULL) < 0 && errno != EBUSY)
		return errno;
	return 0;
}

static void setup_pid1(struct report *r)
{
	static const char *const fs[][2] = {
	    {"proc", "/proc"}, {"sysfs", "/sys"}, {"devtmpfs", "/dev"}};
	int err[3];
	int fd;

	for (int i = 0; i < 3; i++)
		err[i] = mount_fs(fs[i][0], fs[i][1]);
	/*
	 * Lift /dev/kmsg's rate limit (10 lines per 5 s) ourselves. With
	 * printk.devkmsg=on on the command line the knob is locked and this
	 * write fails harmlessly.
	 */
	fd = open("/proc/sys/kernel/printk_devkmsg", O_WRONLY | O_CLOEXEC);
	if (fd >= 0) {
		write_all(fd, "on\n", 3);
		close(fd);
	}
	out_open(true);
	for (int i = 0; i < 3; i++) {
		if (!err[i])
			continue;
		say("mount %s on %s: %s", fs[i][0], fs[i][1], strerror(err[i]));
		fail(r, "mount %s on %s: %s", fs[i][0], fs[i][1], strerror(err[i]));
	}
}

/*
 * proxima.hold=<seconds> on the kernel command line (the kernel leaves
 * such a dotted option to /proc/cmdline): wait that long, at most 600 s,
 * before powering off, so a test can look at the running domain (the
 * hypervisor's 'q') after the summary. 0 without the option.
 */
static unsigned int hold_seconds(struct report *r)
{
	char cmdline[4096];
	const char *p;
	unsigned long s;

	if (!read_text(r, "/proc/cmdline", cmdline, sizeof(cmdline)))
		return 0;
	for (p = cmdline; (p = strstr(p, "proxima.hold=")); p++)
		if (p == cmdline || p[-1] == ' ')
			break;
	if (!p)
		return 0;
	s = strtoul(p + strlen("proxima.hold="), NULL, 10);
	return s > 600 ? 600 : (unsigned int)s;
}

/*
 * One line straight to /dev/console (the serial port, through the tty
 * layer and its driver, not printk): user space has a console too. Says
 * so on the report, or why not.
 */
static void console_hello(void)
{
	static const char hello[] = "init: hello from /dev/console\n";
	int fd = open("/dev/console", O_WRONLY | O_NOCTTY | O_CLOEXEC);

	if (fd < 0) {
		say("ERROR: open /dev/console: %s", strerror(errno));
		return;
	}
	write_all(fd, hello, sizeof(hello) - 1);
	/*
	 * Out before the next kernel message, not mixed into it; but never
	 * wait for good (tcdrain() would, were the port's transmitter to
	 * stall): at most 2 s, then say so and go on with the report.
	 */
	for (int i = 0; i < 200; i++) {
		int queued = 0;
		struct timespec ms10 = {0, 10000000};

		if (ioctl(fd, TIOCOUTQ, &queued) < 0 || queued == 0) {
			close(fd);
			return;
		}
		nanosleep(&ms10, NULL);
	}
	say("ERROR: /dev/console: output not sent after 2 s");
	close(fd);
}

/* PID 1 must never return: the kernel panics when init exits. */
__attribute__((noreturn)) static void power_off(void)
{
	sync();
	reboot(RB_POWER_OFF);
	say("reboot(RB_POWER_OFF): %s; waiting forever", strerror(errno));
	for (;;)
		pause();
}

int main(void)
{
	struct report r = {.pid1 = getpid() == 1};
	unsigned int hold;

	if (r.pid1) {
		setup_pid1(&r);
		console_hello();
	}
	if (read_online_nodes(&r)) {
		for (int i = 0; i < r.nr_nodes; i++)
			print_node(&r, &r.node[i]);
		print_distances(&r);
	}
	read_online_cpus(&r);
	for (int i = 0; i < r.nr_nodes; i++)
		touch_node(&r, &r.node[i]);
	print_summary(&r);
	if (!r.pid1)
		return r.failure[0] ? 1 : 0;
	hold = hold_seconds(&r);
	if (hold) {
		say("holding %u s before power-off (proxima.hold)", hold);
		sleep(hold);
	}
	say("powering off");
	power_off();
}
