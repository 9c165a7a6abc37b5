/*
 * The guest's IDT: one interrupt gate per exception (vectors 0-31, stubs
 * in head.S) and one for the local APIC timer (apic.c), shared by every
 * vCPU (vcpu_up hands the caller's IDTR on).
 * Any exception is fatal: it is reported on the console and the domain
 * crashes. An exception while reporting one (no hypervisor to take the
 * VMMCALL, say) stops the vCPU instead of recursing.
 */
#include "guest.h"

struct idt_gate {
	u16 offset_low;
	u16 selector;
	u8 ist;
	u8 type_attr;
	u16 offset_mid;
	u32 offset_high;
	u32 reserved;
} __attribute__((packed));
_Static_assert(sizeof(struct idt_gate) == 16, "long mode IDT gate");

struct idt_desc {
	u16 limit;
	u64 base;
} __attribute__((packed));
_Static_assert(sizeof(struct idt_desc) == 10, "lidt operand in long mode");

_Static_assert(sizeof(struct trap_frame) == 7 * 8, "head.S builds this frame");

#define GATE_INTR_DPL0 0x8e /* present, DPL 0, 64-bit interrupt gate */

static struct idt_gate idt[256] __attribute__((aligned(16)));
static int in_trap;

static void load_idt(const void *base, u16 limit)
{
	struct idt_desc d = {limit, (u64)base};

	__asm__ volatile("lidt %0" ::"m"(d) : "memory");
}

static void set_gate(unsigned int v, u64 a)
{
	idt[v].offset_low = (u16)a;
	idt[v].selector = GDT_CODE64;
	idt[v].ist = 0;
	idt[v].type_attr = GATE_INTR_DPL0;
	idt[v].offset_mid = (u16)(a >> 16);
	idt[v].offset_high = (u32)(a >> 32);
	idt[v].reserved = 0;
}

void traps_init(void)
{
	unsigned int v;

	for (v = 0; v < 32; v++)
		set_gate(v, trap_stub_table[v]);
	/* Vectors 32-255 are not present but the APIC timer's. */
	set_gate(APIC_TIMER_VECTOR, (u64)apic_timer_stub);
	load_idt(idt, sizeof(idt) - 1);
}

void traps_break(void)
{
	load_idt(NULL, 0);
}

void guest_trap(const struct trap_frame *f)
{
	u64 cr2;

	if (__atomic_exchange_n(&in_trap, 1, __ATOMIC_SEQ_CST))
		halt_forever();
	__asm__ volatile("mov %%cr2, %0" : "=r"(cr2));
	gprintf("guest: exception %u at rip 0x%lx\n", (unsigned int)f->vector, f->rip);
	gprintf("guest: error code 0x%lx cr2 0x%lx rsp 0x%lx\n", f->error, cr2, f->rsp);
	shutdown(PRX_SHUTDOWN_CRASH);
}
