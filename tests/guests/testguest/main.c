/*
 * The test guest's flow: vCPU 0 checks that it runs on Proxima, reads the
 * MBI (multiboot v1 or Multiboot2) and its arguments, maps all RAM, reads
 * the ACPI tables and the host topology, adds memory_op memory when
 * asked, starts the other vCPUs, and then every vCPU runs vcpu_run(): the
 * requested fault, or the first writes of new memory, the memory test, a
 * release and the marking, then power-off (vCPU 0) or a halt.
 *
 * The console lines are parsed by the boot tests: keep their formats (see
 * tests/guests/testguest/README.md). Globals here are written by vCPU 0
 * before vcpu_up() and only read afterwards, except barrier_count.
 */
#include "guest.h"

#define CPUID_EXT_FEATURES 0x80000001u
#define CPUID_EXT_ECX_SVM (1u << 2)

enum fault { FAULT_NONE, FAULT_UD, FAULT_NPF, FAULT_TRIPLE };

static struct {
	enum fault fault;
	bool spin, hlt, memtest, bench, reboot, mark, checkmark, release, uart, apic, ipi, share;
	u64 reserve_mib, release_mib;
	u32 reserve_vnode;
} opts = {.memtest = true, .reserve_vnode = PRX_VNODE_ANY};

#define BENCH_CALLS 20000
/* The most reserve= and release= take: 1 TiB. */
#define MAX_ARG_MIB ((u64)1 << 20)

static unsigned int nr_vcpus;
static unsigned int barrier_count;

/* Whether the n characters at w (no NUL among them) are the string s. */
static bool word_is(const char *w, size_t n, const char *s)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (w[i] != s[i])
			return false;
	return s[n] == '\0';
}

/*
 * The decimal number at the start of w[0..n), at most max: sets *val and
 * returns how many characters it took; 0 if there is no such number.
 */
static size_t parse_dec(const char *w, size_t n, u64 max, u64 *val)
{
	size_t i;
	u64 v = 0;

	for (i = 0; i < n && w[i] >= '0' && w[i] <= '9'; i++) {
		v = v * 10 + (u64)(w[i] - '0');
		if (v > max)
			return 0;
	}
	*val = v;
	return i;
}

/* The length of prefix p if the n characters at w start with it, else 0. */
static size_t has_prefix(const char *w, size_t n, const char *p)
{
	size_t i;

	for (i = 0; p[i]; i++)
		if (i >= n || w[i] != p[i])
			return 0;
	return i;
}

/* reserve=<MiB> or reserve=<MiB>@<vnode>; false if w is not one. */
static bool parse_reserve(const char *w, size_t n)
{
	size_t p = has_prefix(w, n, "reserve="), used = 0;
	u64 mib, vnode = PRX_VNODE_ANY;

	if (p)
		used = parse_dec(w + p, n - p, MAX_ARG_MIB, &mib);
	if (!used)
		return false;
	p += used;
	if (p < n && w[p] == '@') {
		p++;
		used = parse_dec(w + p, n - p, 0xffffffffu, &vnode);
		if (!used)
			return false;
		p += used;
	}
	if (p != n)
		return false;
	opts.reserve_mib = mib;
	opts.reserve_vnode = (u32)vnode;
	return true;
}

/* release=<MiB>; false if w is not one. */
static bool parse_release(const char *w, size_t n)
{
	size_t p = has_prefix(w, n, "release="), used = 0;
	u64 mib;

	if (p)
		used = parse_dec(w + p, n - p, MAX_ARG_MIB, &mib);
	if (!used || p + used != n)
		return false;
	opts.release = true;
	opts.release_mib = mib;
	return true;
}

static void parse_word(const char *w, size_t n)
{
	char word[128];

	if (word_is(w, n, "fault=ud"))
		opts.fault = FAULT_UD;
	else if (word_is(w, n, "fault=npf"))
		opts.fault = FAULT_NPF;
	else if (word_is(w, n, "fault=triple"))
		opts.fault = FAULT_TRIPLE;
	else if (word_is(w, n, "spin"))
		opts.spin = true;
	else if (word_is(w, n, "hlt"))
		opts.hlt = true;
	else if (word_is(w, n, "memtest=0"))
		opts.memtest = false;
	else if (word_is(w, n, "memtest=1"))
		opts.memtest = true;
	else if (word_is(w, n, "bench"))
		opts.bench = true;
	else if (word_is(w, n, "reboot"))
		opts.reboot = true;
	else if (word_is(w, n, "mark"))
		opts.mark = true;
	else if (word_is(w, n, "checkmark"))
		opts.checkmark = true;
	else if (word_is(w, n, "uart"))
		opts.uart = true;
	else if (word_is(w, n, "apic"))
		opts.apic = true;
	else if (word_is(w, n, "ipi"))
		opts.ipi = true;
	else if (word_is(w, n, "share"))
		opts.share = true;
	else if (parse_reserve(w, n) || parse_release(w, n))
		;
	else {
		if (n >= sizeof(word))
			n = sizeof(word) - 1;
		memcpy(word, w, n);
		word[n] = '\0';
		gprintf("guest: unknown argument %s\n", word);
	}
}

static void parse_args(const char *p)
{
	for (;;) {
		const char *w;

		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p)
			return;
		for (w = p; *p && *p != ' ' && *p != '\t'; p++)
			;
		parse_word(w, (size_t)(p - w));
	}
}

/* The CPUID leaves of <public/hypercall.h>; sets nr_vcpus. */
static void check_hypervisor(void)
{
	struct cpuid_regs r;

	cpuid(PRX_CPUID_BASE, &r);
	if (r.eax < PRX_CPUID_BASE + 1 || r.ebx != PRX_CPUID_SIG_EBX ||
	    r.ecx != PRX_CPUID_SIG_ECX || r.edx != PRX_CPUID_SIG_EDX)
		crash("guest: no proxima signature\n");
	cpuid(PRX_CPUID_BASE + 1, &r);
	gprintf("guest: proxima abi %u.%u signature ok\n", r.eax >> 16, r.eax & 0xffff);
	if (r.ecx != 0)
		crash("guest: boot vcpu has id %u, not 0\n", r.ecx);
	nr_vcpus = r.ebx;
	cpuid(CPUID_EXT_FEATURES, &r);
	if (r.ecx & CPUID_EXT_ECX_SVM)
		crash("guest: svm visible\n");
	gprintf("guest: svm hidden\n");
}

/* A call that had to succeed did not: the line names it and its error. */
static __attribute__((noreturn)) void call_failed(const char *what, long rc)
{
	crash("guest: %s failed %ld\n", what, rc);
}

/* numainfo: a sizing call with max_nodes 0, then one with buffers for that many nodes. */
static void report_numainfo(u32 phys_nodes)
{
	long n = numainfo(NULL, NULL, 0), rc;
	u8 *mem;
	u32 *dist;
	long i, j;

	if (n <= 0 || n > PRX_TOPO_MAX)
		call_failed("numainfo sizing", n);
	if ((u64)n != phys_nodes)
		crash("guest: numainfo has %ld nodes, physinfo %u\n", n, phys_nodes);
	mem = boot_alloc((u64)n * PRX_NUMAINFO_MEM_SIZE);
	dist = boot_alloc((u64)n * (u64)n * sizeof(u32));
	rc = numainfo(mem, dist, (u32)n);
	if (rc != n)
		crash("guest: numainfo returned %ld, then %ld\n", n, rc);
	for (i = 0; i < n; i++) {
		const u8 *rec = mem + i * PRX_NUMAINFO_MEM_SIZE;
		struct line l = {.len = 0};

		line_add(&l, "guest: numainfo node %ld: size %lu MiB free %lu MiB distance", i,
			 get_u64(rec, PRX_NUMAINFO_PRESENT) * PRX_PAGE_SIZE >> 20,
			 get_u64(rec, PRX_NUMAINFO_FREE) * PRX_PAGE_SIZE >> 20);
		for (j = 0; j < n; j++)
			line_add(&l, " %u", dist[i * n + j]);
		line_add(&l, "\n");
		line_print(&l);
	}
}

/* cputopo: sized like numainfo; it counts offline CPUs too. */
static void report_cputopo(u32 phys_cpus)
{
	long n = cputopo(NULL, 0), rc, i;
	u8 *buf;

	if (n <= 0 || n > PRX_TOPO_MAX)
		call_failed("cputopo sizing", n);
	if ((u64)n < phys_cpus)
		crash("guest: cputopo has %ld cpus, physinfo %u online\n", n, phys_cpus);
	buf = boot_alloc((u64)n * PRX_CPUTOPO_SIZE);
	rc = cputopo(buf, (u32)n);
	if (rc != n)
		crash("guest: cputopo returned %ld, then %ld\n", n, rc);
	for (i = 0; i < n; i++)
		gprintf("guest: cputopo cpu %ld: node %u\n", i,
			get_u32(buf + i * PRX_CPUTOPO_SIZE, PRX_CPUTOPO_NODE));
}

/*
 * Only the control domain may read the host's topology; any other gets
 * -PRX_EPERM from all three calls.
 */
static void report_host_topology(void)
{
	u64 info[PRX_PHYSINFO_SIZE / sizeof(u64)] = {0};
	long rc = physinfo(info);

	if (rc == -PRX_EPERM) {
		gprintf("guest: physinfo refused (%ld)\n", rc);
		rc = numainfo(NULL, NULL, 0);
		if (rc != -PRX_EPERM)
			crash("guest: numainfo returned %ld after physinfo was refused\n", rc);
		rc = cputopo(NULL, 0);
		if (rc != -PRX_EPERM)
			crash("guest: cputopo returned %ld after physinfo was refused\n", rc);
		return;
	}
	if (rc)
		call_failed("physinfo", rc);
	gprintf("guest: physinfo nodes %u cpus %u free %lu MiB\n",
		get_u32(info, PRX_PHYSINFO_NODES), get_u32(info, PRX_PHYSINFO_CPUS),
		get_u64(info, PRX_PHYSINFO_FREE_PAGES) * PRX_PAGE_SIZE >> 20);
	report_numainfo(get_u32(info, PRX_PHYSINFO_NODES));
	report_cputopo(get_u32(info, PRX_PHYSINFO_CPUS));
}

/* Waits until round * nr_vcpus arrivals: every vCPU passes rounds 1, 2, ... in order. */
static void barrier_wait(unsigned int round)
{
	__atomic_add_fetch(&barrier_count, 1, __ATOMIC_SEQ_CST);
	while (__atomic_load_n(&barrier_count, __ATOMIC_SEQ_CST) < round * nr_vcpus)
		cpu_relax();
}

static __attribute__((noreturn)) void make_fault(void)
{
	u64 addr, v;

	switch (opts.fault) {
	case FAULT_UD:
		__asm__ volatile("ud2");
		break;
	case FAULT_NPF:
		/* Mapped by mem_map_all(); not RAM, so the nested page tables fault. */
		addr = ROUND_UP(guest_mem.ram_top, PAGE_SIZE);
		gprintf("guest: reading 0x%lx above RAM\n", addr);
		v = *(volatile u64 *)addr;
		crash("guest: read of 0x%lx above RAM returned 0x%lx\n", addr, v);
	case FAULT_TRIPLE:
		traps_break();
		__asm__ volatile("ud2");
		break;
	case FAULT_NONE:
		break;
	}
	crash("guest: fault %u did not fault\n", opts.fault);
}

/* After the test: power off, or spin or halt for the hypervisor to see. */
static __attribute__((noreturn)) void finish(unsigned int v)
{
	if (opts.spin) {
		if (v == 0)
			gprintf("guest: spinning\n");
		__asm__ volatile("cli; 1: pause; jmp 1b");
		__builtin_unreachable();
	}
	if (opts.hlt && v == 0)
		gprintf("guest: halting\n");
	if (!opts.hlt && v == 0)
		shutdown(opts.reboot ? PRX_SHUTDOWN_REBOOT : PRX_SHUTDOWN_POWEROFF);
	halt_forever();
}

/*
 * VMMCALL round trips: BENCH_CALLS version() calls timed with the TSC,
 * whose frequency Proxima gives in CPUID 0x40000001 EDX.
 */
static void bench_vmmcall(void)
{
	struct cpuid_regs r;
	u64 t0, cycles;
	unsigned int i;

	cpuid(PRX_CPUID_BASE + 1, &r);
	t0 = rdtsc();
	for (i = 0; i < BENCH_CALLS; i++)
		if (hypercall(PRX_HC_VERSION, 0, 0, 0, 0, 0) != PRX_ABI_VERSION)
			crash("guest: version() returned something else\n");
	cycles = rdtsc() - t0;
	if (!r.edx || !cycles) {
		gprintf("guest: vmmcall %u round trips in %lu TSC cycles\n", BENCH_CALLS, cycles);
		return;
	}
	gprintf("guest: vmmcall %u round trips in %lu us: %lu per second\n", BENCH_CALLS,
		cycles * 1000 / r.edx, (u64)BENCH_CALLS * r.edx * 1000 / cycles);
}

/* Fill, barrier, check, barrier; vCPU 0 reports. Returns the last barrier round. */
static unsigned int run_memtest(unsigned int v, unsigned int round)
{
	memtest_fill(v);
	barrier_wait(++round);
	memtest_check(v);
	barrier_wait(++round);
	if (v == 0)
		memtest_report();
	return round;
}

/*
 * Every vCPU writes GUEST_MARKER over its slice of the testable RAM (less
 * what release= gave back: vCPU 0 plans again first); then power-off, or
 * a reboot with `reboot` (the scrub test: the domain Proxima creates again
 * runs checkmark over memory this one marked).
 */
static __attribute__((noreturn)) void mark_ram(unsigned int v, unsigned int round)
{
	if (v == 0)
		memtest_plan(nr_vcpus);
	barrier_wait(++round);
	memtest_mark(v);
	barrier_wait(++round);
	if (v != 0)
		halt_forever();
	gprintf("guest: marked %lu MiB\n", memtest_mib());
	shutdown(opts.reboot ? PRX_SHUTDOWN_REBOOT : PRX_SHUTDOWN_POWEROFF);
}

/*
 * Every vCPU passes the same barriers in the same order: the conditions
 * below are the same on all of them (set by vCPU 0 before vcpu_up()).
 */
static __attribute__((noreturn)) void vcpu_run(unsigned int v)
{
	unsigned int round = 0;

	gprintf("guest: vcpu %u up\n", v);
	barrier_wait(++round);
	if (opts.bench && v == 0)
		bench_vmmcall();
	if (opts.ipi && nr_vcpus > 1) {
		apic_ipi_test(v);
		barrier_wait(++round);
	}
	if (opts.share && nr_vcpus > 2) {
		apic_share_test(v);
		barrier_wait(++round);
	}
	if (opts.fault != FAULT_NONE) {
		if (v == 0)
			make_fault();
		halt_forever();
	}
	if (reserve_held()) {
		reserve_write(v, nr_vcpus);
		barrier_wait(++round);
		if (v == 0)
			reserve_report_written(nr_vcpus);
	}
	if (opts.memtest)
		round = run_memtest(v, round);
	else if (v == 0)
		gprintf("guest: memtest skipped\n");
	if (opts.release && v == 0)
		reserve_release(opts.release_mib);
	if (opts.mark)
		mark_ram(v, round);
	finish(v);
}

/* vCPU id's stack is [stacks + (id - 1) * GUEST_STACK_SIZE, + GUEST_STACK_SIZE). */
static void start_vcpus(u64 stacks)
{
	unsigned int id;

	for (id = 1; id < nr_vcpus; id++) {
		u64 rsp = stacks + (u64)id * GUEST_STACK_SIZE;
		long err = vcpu_up(id, (u64)ap_entry, rsp, read_cr3());

		if (err)
			crash("guest: vcpu_up %u failed %ld\n", id, err);
	}
}

void guest_main(u32 magic, u32 mbi_pa)
{
	unsigned int cpuid_vcpus;
	u64 stacks = 0;

	traps_init();
	check_hypervisor();
	if (magic == MB2_LOADER_MAGIC)
		gprintf("guest: boot protocol multiboot2\n");
	else if (magic == MB_LOADER_MAGIC)
		gprintf("guest: boot protocol multiboot\n");
	else
		crash("guest: boot magic 0x%x, not 0x%x (multiboot) or 0x%x (multiboot2)\n", magic,
		      MB_LOADER_MAGIC, MB2_LOADER_MAGIC);
	mem_init(magic, mbi_pa);
	gprintf("guest: args %s\n", *guest_mem.cmdline ? guest_mem.cmdline : "(none)");
	parse_args(guest_mem.cmdline);
	gprintf("guest: vcpus %u memory %lu MiB\n", nr_vcpus, guest_mem.ram_bytes >> 20);
	if (nr_vcpus == 0)
		crash("guest: cpuid reports no vcpus\n");
	cpuid_vcpus = nr_vcpus;
	if (nr_vcpus > GUEST_MAX_VCPUS) {
		gprintf("guest: using the first %u vcpus\n", GUEST_MAX_VCPUS);
		nr_vcpus = GUEST_MAX_VCPUS;
	}
	mem_map_all();
	if (opts.uart)
		uart_check();
	if (opts.apic)
		apic_check();
	if (opts.checkmark) {
		/* Before anything writes RAM: what the last domain left must be gone. */
		memtest_plan(1);
		memtest_find_marker();
	}
	acpi_init(cpuid_vcpus);
	acpi_print();
	report_host_topology();
	if (opts.reserve_mib)
		reserve_memory(opts.reserve_mib, opts.reserve_vnode);
	if (nr_vcpus > 1)
		stacks = (u64)boot_alloc((u64)(nr_vcpus - 1) * GUEST_STACK_SIZE);
	memtest_plan(nr_vcpus);
	start_vcpus(stacks);
	vcpu_run(0);
}

void ap_main(u64 id)
{
	struct cpuid_regs r;

	cpuid(PRX_CPUID_BASE + 1, &r);
	if (r.ecx != id)
		crash("guest: vcpu %lu has cpuid id %u\n", id, r.ecx);
	vcpu_run((unsigned int)id);
}
