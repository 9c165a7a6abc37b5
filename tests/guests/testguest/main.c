/*
 * The test guest's flow: vCPU 0 checks that it runs on Proxima, reads the
 * MBI and its arguments, maps all RAM, starts the other vCPUs, and then
 * every vCPU runs vcpu_run(): the requested fault, or the memory test,
 * then power-off (vCPU 0) or a halt.
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
	bool spin, hlt, memtest, bench, reboot;
} opts = {.memtest = true};

#define BENCH_CALLS 20000

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

static u64 rdtsc(void)
{
	u32 lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((u64)hi << 32) | lo;
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

static __attribute__((noreturn)) void vcpu_run(unsigned int v)
{
	gprintf("guest: vcpu %u up\n", v);
	barrier_wait(1);
	if (opts.bench && v == 0)
		bench_vmmcall();
	if (opts.fault != FAULT_NONE) {
		if (v == 0)
			make_fault();
		halt_forever();
	}
	if (opts.memtest) {
		memtest_fill(v);
		barrier_wait(2);
		memtest_check(v);
		barrier_wait(3);
		if (v == 0)
			memtest_report();
	} else if (v == 0) {
		gprintf("guest: memtest skipped\n");
	}
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
	u64 stacks = 0;

	traps_init();
	check_hypervisor();
	if (magic != MB_LOADER_MAGIC)
		crash("guest: multiboot magic 0x%x, not 0x%x\n", magic, MB_LOADER_MAGIC);
	mem_init(mbi_pa);
	gprintf("guest: args %s\n", *guest_mem.cmdline ? guest_mem.cmdline : "(none)");
	parse_args(guest_mem.cmdline);
	gprintf("guest: vcpus %u memory %lu MiB\n", nr_vcpus, guest_mem.ram_bytes >> 20);
	if (nr_vcpus == 0)
		crash("guest: cpuid reports no vcpus\n");
	if (nr_vcpus > GUEST_MAX_VCPUS) {
		gprintf("guest: using the first %u vcpus\n", GUEST_MAX_VCPUS);
		nr_vcpus = GUEST_MAX_VCPUS;
	}
	mem_map_all();
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
