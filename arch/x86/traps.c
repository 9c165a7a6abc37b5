/*
 * CPU exceptions and interrupt dispatch on x86-64. Owns the IDT (shared
 * by all CPUs, written once by the boot CPU), loading each CPU's GDT and
 * TSS (kept in its struct percpu, IST stacks included), the register dump
 * and the frame-pointer stack trace. An exception in the
 * hypervisor is fatal (dump, then panic) except #BP, which dumps and
 * resumes; #DF, NMI and #MC run on their own stacks so a stack overflow
 * still produces a report.
 */
#include <asm/boot.h>
#include <asm/cpu.h>
#include <asm/percpu.h>
#include <asm/regs.h>
#include <asm/setup.h>
#include <hv/arch.h>
#include <hv/errno.h>
#include <hv/lib.h>
#include <hv/panic.h>
#include <hv/printk.h>
#include <hv/symbols.h>

#define IST_DF 1
#define IST_NMI 2
#define IST_MC 3
#define STACK_TRACE_MAX 32

struct idt_gate {
	u16 off_lo;
	u16 sel;
	u8 ist;
	u8 type; /* present, DPL 0, 64-bit interrupt gate: 0x8e */
	u16 off_mid;
	u32 off_hi;
	u32 zero;
} __packed;

struct desc_ptr {
	u16 limit;
	u64 base;
} __packed;

_Static_assert(sizeof(struct idt_gate) == 16, "IDT gate layout");
_Static_assert(sizeof(struct tss) == 104, "TSS layout");

extern const char x86_trap_stubs[], x86_trap_stubs_end[];

static struct idt_gate idt[256] __aligned(16);
static irq_handler_fn irq_handlers[256];
static bool dump_requested;

static const char *const exception_names[32] = {
    "#DE divide error",
    "#DB debug",
    "NMI",
    "#BP breakpoint",
    "#OF overflow",
    "#BR bound range",
    "#UD invalid opcode",
    "#NM device not available",
    "#DF double fault",
    "coprocessor segment overrun",
    "#TS invalid TSS",
    "#NP segment not present",
    "#SS stack fault",
    "#GP general protection",
    "#PF page fault",
    "reserved (15)",
    "#MF x87 floating point",
    "#AC alignment check",
    "#MC machine check",
    "#XM SIMD floating point",
    "#VE virtualization",
    "#CP control protection",
    "reserved (22)",
    "reserved (23)",
    "reserved (24)",
    "reserved (25)",
    "reserved (26)",
    "reserved (27)",
    "#HV hypervisor injection",
    "#VC VMM communication",
    "#SX security",
    "reserved (31)",
};

static void set_gate(unsigned int vec, unsigned int ist)
{
	u64 addr = (u64)(x86_trap_stubs + 16 * vec);

	idt[vec].off_lo = addr & 0xffff;
	idt[vec].sel = GDT_CS64;
	idt[vec].ist = ist;
	idt[vec].type = 0x8e;
	idt[vec].off_mid = (addr >> 16) & 0xffff;
	idt[vec].off_hi = addr >> 32;
	idt[vec].zero = 0;
}

static void load_gdt_tss(struct percpu *pc)
{
	u64 *gdt = pc->gdt, base = (u64)&pc->tss, limit = sizeof(pc->tss) - 1;
	struct desc_ptr p = {sizeof(pc->gdt) - 1, (u64)gdt};

	gdt[0] = 0;
	gdt[GDT_CS64 / 8] = 0x00af9a000000ffffULL;
	gdt[GDT_DS / 8] = 0x00cf92000000ffffULL;
	gdt[GDT_CS32 / 8] = 0x00cf9a000000ffffULL;
	/* 64-bit available TSS: a 16-byte descriptor. */
	gdt[GDT_TSS / 8] = (limit & 0xffff) | ((base & 0xffffff) << 16) | (0x89ULL << 40) |
			   (((limit >> 16) & 0xf) << 48) | (((base >> 24) & 0xff) << 56);
	gdt[GDT_TSS / 8 + 1] = base >> 32;
	__asm__ __volatile__("lgdt %0\n\t"
			     "pushq %1\n\t"
			     "leaq 1f(%%rip), %%rax\n\t"
			     "pushq %%rax\n\t"
			     "lretq\n"
			     "1:\n\t"
			     "movl %2, %%eax\n\t"
			     "movl %%eax, %%ds\n\t"
			     "movl %%eax, %%es\n\t"
			     "movl %%eax, %%ss\n\t"
			     "ltr %w3"
			     :
			     : "m"(p), "i"(GDT_CS64), "i"(GDT_DS), "r"(GDT_TSS)
			     : "rax", "memory");
}

void x86_cpu_tables_init(struct percpu *pc)
{
	struct desc_ptr p = {sizeof(idt) - 1, (u64)idt};
	unsigned int i;

	_Static_assert(GDT_TSS / 8 + 2 == GDT_ENTRIES, "GDT size");
	memset(&pc->tss, 0, sizeof(pc->tss));
	for (i = 0; i < PERCPU_IST_STACKS; i++)
		pc->tss.ist[i] = pc->ist_lo + (i + 1) * PERCPU_IST_SIZE;
	pc->tss.iomap_base = sizeof(pc->tss);
	load_gdt_tss(pc);
	__asm__ __volatile__("lidt %0" : : "m"(p));
}

void x86_traps_init(void)
{
	unsigned int v;

	/* Both are labels of entry.S, in one section (not C objects). */
	/* cppcheck-suppress comparePointers */
	if (x86_trap_stubs_end - x86_trap_stubs != 256 * 16)
		panic("entry stubs are not 16 bytes apart");
	for (v = 0; v < 256; v++)
		set_gate(v, 0);
	set_gate(2, IST_NMI);
	set_gate(8, IST_DF);
	set_gate(18, IST_MC);
	x86_cpu_tables_init(this_cpu());
}

void x86_set_irq_handler(unsigned int vector, irq_handler_fn fn)
{
	if (vector >= 32 && vector < 256)
		irq_handlers[vector] = fn;
}

/* Is a frame at addr inside this CPU's stacks, and so safe to read? */
static bool on_known_stack(unsigned long addr)
{
	const struct percpu *pc = this_cpu();

	if (addr & 7)
		return false;
	if (addr >= pc->stack_lo && addr + 16 <= pc->stack_hi)
		return true;
	return addr >= pc->ist_lo && addr + 16 <= pc->ist_lo + PERCPU_IST_STACKS * PERCPU_IST_SIZE;
}

static void print_addr(const char *prefix, unsigned long addr)
{
	unsigned long off;
	const char *name = symbol_lookup(addr, &off);

	if (name)
		printk(LOG_EMERG, "%s[<%016lx>] %s+0x%lx\n", prefix, addr, name, off);
	else
		printk(LOG_EMERG, "%s[<%016lx>] ?\n", prefix, addr);
}

void x86_print_stack(unsigned long rip, unsigned long rbp)
{
	unsigned int depth;

	printk(LOG_EMERG, "Stack trace:\n");
	print_addr("  ", rip);
	for (depth = 0; depth < STACK_TRACE_MAX && on_known_stack(rbp); depth++) {
		unsigned long ret = ((unsigned long *)rbp)[1];
		unsigned long next = ((unsigned long *)rbp)[0];

		if (!ret)
			break;
		print_addr("  ", ret);
		if (next <= rbp)
			break;
		rbp = next;
	}
}

static void dump_regs(const struct cpu_regs *r)
{
	printk(LOG_EMERG, "----[ Proxima x86-64 CPU%u ]----\n", arch_cpu_id());
	print_addr("RIP:    ", r->rip);
	printk(LOG_EMERG, "RFLAGS: %016llx  CS: %04llx  SS: %04llx\n", r->rflags, r->cs, r->ss);
	printk(LOG_EMERG, "rax: %016llx  rbx: %016llx  rcx: %016llx\n", r->rax, r->rbx, r->rcx);
	printk(LOG_EMERG, "rdx: %016llx  rsi: %016llx  rdi: %016llx\n", r->rdx, r->rsi, r->rdi);
	printk(LOG_EMERG, "rbp: %016llx  rsp: %016llx  r8:  %016llx\n", r->rbp, r->rsp, r->r8);
	printk(LOG_EMERG, "r9:  %016llx  r10: %016llx  r11: %016llx\n", r->r9, r->r10, r->r11);
	printk(LOG_EMERG, "r12: %016llx  r13: %016llx  r14: %016llx\n", r->r12, r->r13, r->r14);
	printk(LOG_EMERG, "r15: %016llx\n", r->r15);
	printk(LOG_EMERG, "cr0: %016lx  cr2: %016lx  cr3: %016lx  cr4: %016lx\n", read_cr0(),
	       read_cr2(), read_cr3(), read_cr4());
	x86_print_stack(r->rip, r->rbp);
}

static void describe_page_fault(const struct cpu_regs *r)
{
	u64 e = r->error_code;

	printk(LOG_EMERG, "Page fault at address %016lx: %s %s in %s mode%s%s\n", read_cr2(),
	       e & 1 ? "protection violation on" : "no page for",
	       e & 16  ? "instruction fetch"
	       : e & 2 ? "write"
		       : "read",
	       e & 4 ? "user" : "supervisor", e & 8 ? ", reserved bit set" : "",
	       e & 32 ? ", protection key" : "");
}

void x86_handle_trap(struct cpu_regs *regs)
{
	unsigned int vec = (unsigned int)regs->vector;

	if (vec >= 32) {
		if (irq_handlers[vec])
			irq_handlers[vec](regs);
		return;
	}
	if (vec == 3) {
		/* Breakpoint: a requested dump or a stray int3; both resume. */
		printk(LOG_EMERG, "%s\n",
		       dump_requested ? "CPU state on request:"
				      : "Breakpoint (int3) in the hypervisor; continuing");
		dump_regs(regs);
		return;
	}
	if (vec == 2 && panic_in_progress())
		x86_stop_this_cpu();
	console_force_unlock();
	printk(LOG_EMERG, "\nFatal exception %s (vector %u), error code 0x%llx, on CPU%u\n",
	       exception_names[vec], vec, regs->error_code, arch_cpu_id());
	if (vec == 14)
		describe_page_fault(regs);
	dump_regs(regs);
	panic_nostack("fatal exception %s at RIP %016llx", exception_names[vec], regs->rip);
}

void arch_dump_cpu_state(void)
{
	unsigned long flags = arch_irq_save();

	dump_requested = true;
	__asm__ __volatile__("int3" : : : "memory");
	dump_requested = false;
	arch_irq_restore(flags);
}

void arch_dump_stack(void)
{
	unsigned long rbp;

	__asm__ __volatile__("movq %%rbp, %0" : "=r"(rbp));
	x86_print_stack((unsigned long)__builtin_return_address(0), rbp);
}

/* Load from addr in a way the compiler cannot reason about. */
static u64 load_from(unsigned long addr)
{
	u64 v;

	__asm__ __volatile__("movq (%1), %0" : "=r"(v) : "r"(addr) : "memory");
	return v;
}

int arch_trigger_fault(const char *kind)
{
	if (strcmp(kind, "ud") == 0) {
		__asm__ __volatile__("ud2");
	} else if (strcmp(kind, "pf") == 0) {
		/* The first 2 MiB are never mapped. */
		return (int)load_from(0x18);
	} else if (strcmp(kind, "gp") == 0) {
		/* A non-canonical address. */
		return (int)load_from(0x8000000000000000UL);
	} else if (strcmp(kind, "de") == 0) {
		u32 zero = 0;

		__asm__ __volatile__("xorl %%edx, %%edx\n\tmovl $1, %%eax\n\tdivl %0"
				     : "+r"(zero)
				     :
				     : "rax", "rdx");
	} else if (strcmp(kind, "bp") == 0) {
		__asm__ __volatile__("int3" : : : "memory");
		return 0;
	} else {
		return -EINVAL;
	}
	return 0;
}
