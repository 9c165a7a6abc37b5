/*
 * The test guest's internal interfaces: constants shared with head.S, the
 * hypervisor interface (hypercall.c), the console (console.c), traps
 * (traps.c), memory (memmap.c), the memory test (memtest.c), the ACPI
 * tables (acpi.c) and memory added at run time (reserve.c).
 *
 * The guest runs identity-mapped (virtual = guest-physical) on every vCPU,
 * so a pointer is also the address a hypercall takes. Nothing here is
 * Proxima's own code: the guest sees only <public/hypercall.h>.
 */
#ifndef TESTGUEST_GUEST_H
#define TESTGUEST_GUEST_H

/* Link and load address (head.S, testguest.lds). */
#define GUEST_LOAD_ADDR 0x100000
/* Selectors of the guest's GDT (head.S). */
#define GDT_CODE64 0x08
#define GDT_DATA 0x10
/* Every vCPU's stack. */
#define GUEST_STACK_SIZE 0x4000
#define GUEST_MAX_VCPUS 64
#define GUEST_MAX_VNODES 64

/* The ABI's numbers, for head.S too. */
#include <public/hypercall.h>

/*
 * Multiboot2 information tag types (Multiboot2 1.0, section 3.6) that the
 * guest reads; mb2.S asks for CMDLINE, MMAP and ACPI_NEW, and mem_init()
 * crashes without them.
 */
#define MB2_TAG_END 0
#define MB2_TAG_CMDLINE 1
#define MB2_TAG_MODULE 3
#define MB2_TAG_MMAP 6
#define MB2_TAG_ACPI_OLD 14
#define MB2_TAG_ACPI_NEW 15
/* What the ACPI tags copy: the RSDP's first 20 bytes (14), a whole revision-2 RSDP (15). */
#define RSDP_V1_LEN 20
#define RSDP_V2_LEN 36

#ifndef __ASSEMBLY__

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;

/* %eax at entry: multiboot v1, Multiboot2. */
#define MB_LOADER_MAGIC 0x2badb002u
#define MB2_LOADER_MAGIC 0x36d76289u
#define PAGE_SIZE ((u64)0x1000)
#define MIB ((u64)1 << 20)
#define GIB ((u64)1 << 30)
#define ROUND_UP(x, a) (((x) + (a)-1) & ~((u64)(a)-1))
#define ROUND_DOWN(x, a) ((x) & ~((u64)(a)-1))
/*
 * What `mark` writes into every word and `checkmark` looks for: "PRXMARK!"
 * as a big-endian number, a value neither fresh RAM nor the memtest has.
 */
#define GUEST_MARKER 0x5052584d41524b21ull

/* Fields of the hypervisor's byte-offset records (any alignment). */
static inline u32 get_u32(const void *rec, size_t off)
{
	u32 v;

	__builtin_memcpy(&v, (const u8 *)rec + off, sizeof(v));
	return v;
}

static inline u64 get_u64(const void *rec, size_t off)
{
	u64 v;

	__builtin_memcpy(&v, (const u8 *)rec + off, sizeof(v));
	return v;
}

/* hypercall.c: the hypervisor interface (CPUID leaves and VMMCALL). */
struct cpuid_regs {
	u32 eax, ebx, ecx, edx;
};
void cpuid(u32 leaf, struct cpuid_regs *r);
long hypercall(u64 nr, u64 a1, u64 a2, u64 a3, u64 a4, u64 a5);
long console_write(const void *buf, u64 len);
long vcpu_up(u32 id, u64 rip, u64 rsp, u64 cr3);
/* The host topology calls; buffers as <public/hypercall.h> lays them out. */
long physinfo(void *buf);
long numainfo(void *mem_buf, void *dist_buf, u32 max_nodes);
long cputopo(void *buf, u32 max_cpus);
/* memory_op()'s argument record (PRX_MEMOP_SIZE bytes at the PRX_MEMOP_* offsets). */
struct memop_args {
	u64 extent_start; /* guest-physical address of the u64 frame array */
	u64 nr_extents;
	u32 extent_order;
	u32 vnode; /* or PRX_VNODE_ANY */
	u32 flags; /* PRX_MEMF_* */
	u32 reserved;
};
/* Returns extents done, or the first one's error when none was done. */
long memory_op(u32 op, struct memop_args *args);
/* Ends the domain; if the hypervisor refuses, stops this vCPU. */
__attribute__((noreturn)) void shutdown(u32 reason);

/* console.c */
#define CONSOLE_LINE_MAX 512
/* A console line built in pieces (lists of numbers); what does not fit is cut. */
struct line {
	char buf[CONSOLE_LINE_MAX];
	size_t len; /* bytes in buf, below CONSOLE_LINE_MAX */
};
__attribute__((format(printf, 3, 0))) int vformat(char *buf, size_t size, const char *fmt,
						  va_list ap);
/* Formats one line (at most 511 bytes) and writes it to the console. */
__attribute__((format(printf, 1, 2))) void gprintf(const char *fmt, ...);
/* Prints the line, then shutdown(PRX_SHUTDOWN_CRASH). */
__attribute__((noreturn, format(printf, 1, 2))) void crash(const char *fmt, ...);
__attribute__((format(printf, 2, 3))) void line_add(struct line *l, const char *fmt, ...);
/* Appends the ids i < n with set[i] as ranges ("0-1,4"), or "none" if there is none. */
void line_add_ids(struct line *l, const bool *set, unsigned int n);
/* Writes the line to the console; the caller ended it with "\n". */
void line_print(const struct line *l);
void *memset(void *s, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);
size_t strlen(const char *s);

/* traps.c */
struct trap_frame {
	u64 vector, error, rip, cs, rflags, rsp, ss;
};
void traps_init(void);
/* Loads an IDT of limit 0: the next exception is a triple fault. */
void traps_break(void);
/* Called by head.S's stubs on any exception; reports it and crashes. */
__attribute__((noreturn)) void guest_trap(const struct trap_frame *f);

/* memmap.c: guest RAM as the multiboot (v1 or 2) memory map describes it. */
#define MAX_RAM_RANGES 64
struct ram_range {
	u64 start, end;
};
struct guest_mem {
	struct ram_range ram[MAX_RAM_RANGES]; /* type 1, sorted, clipped to the mapped space */
	unsigned int nr_ram;
	u64 ram_bytes;	  /* sum of the type 1 lengths, as the map says */
	u64 ram_top;	  /* end of the highest RAM range */
	u64 low_start;	  /* first free byte above the MBI; 0 if the MBI is not below 1 MiB */
	u64 reserved_end; /* end of the image and of what boot_alloc() handed out */
	const char *cmdline;
	bool mb2;		       /* booted the Multiboot2 way */
	bool has_rsdp_v1, has_rsdp_v2; /* the MBI2 had ACPI tag 14, 15 */
	u8 rsdp_v1[RSDP_V1_LEN];       /* their copies, checked by acpi_init() */
	u8 rsdp_v2[RSDP_V2_LEN];
};
extern struct guest_mem guest_mem;
/*
 * Copies what the guest needs out of the MBI (which memtest may
 * overwrite): a v1 MBI for MB_LOADER_MAGIC, an MBI2 for MB2_LOADER_MAGIC.
 */
void mem_init(u32 magic, u32 mbi_pa);
/* Extends the identity map to cover RAM above 4 GiB and one page more. */
void mem_map_all(void);
/* Identity-maps [start, end) too (2 MiB pages, whole GiBs); crashes above the map's limit. */
void mem_map_range(u64 start, u64 end);
/* Zeroed, page-aligned memory above the image (reserved from memtest). */
void *boot_alloc(u64 size);
bool is_ram(u64 start, u64 end);
/* Adds [start, end), mapped and not RAM yet, to the RAM list (crashes if it overlaps RAM). */
void mem_add_ram(u64 start, u64 end);
/* Takes [start, end), wholly inside one RAM range, off the RAM list. */
void mem_remove_ram(u64 start, u64 end);

/* memtest.c */
/* (Re)makes the plan from guest_mem as it is now: testable RAM in nr_vcpus slices. */
void memtest_plan(unsigned int nr_vcpus);
void memtest_fill(unsigned int vcpu);
void memtest_check(unsigned int vcpu);
/* vCPU 0, after every vCPU checked: prints the result (crashes on failure). */
void memtest_report(void);
/* Writes GUEST_MARKER into every word of slice vcpu. */
void memtest_mark(unsigned int vcpu);
/* The planned RAM in MiB (rounded down). */
u64 memtest_mib(void);
/* vCPU 0 alone: looks for GUEST_MARKER in all planned RAM and prints what it found. */
void memtest_find_marker(void);

/* acpi.c: the virtual NUMA layout of the guest's ACPI tables (vnode v is proximity domain v). */
#define GUEST_MAX_NUMA_RANGES 128
struct numa_range {
	u64 start, end;
	unsigned int vnode;
	bool hotplug; /* a hot-plug range: not RAM at boot, where memory_op puts new memory */
};
struct vnode_info {
	u64 ram_start, ram_end; /* lowest start, highest end of its RAM entries; both 0 if none */
	u64 hp_start, hp_end;	/* the same of its hot-plug entries */
	u64 ram_bytes;
};
struct guest_numa {
	unsigned int nr_vnodes; /* SLIT localities; the proximity domains are 0 .. nr_vnodes - 1 */
	unsigned int nr_vcpus;	/* enabled MADT local APICs; their APIC ids are 0 .. nr_vcpus - 1 */
	u64 ram_bytes;		/* enabled SRAT memory that is not hot-pluggable */
	u8 vcpu_vnode[GUEST_MAX_VCPUS]; /* of the vCPUs below GUEST_MAX_VCPUS */
	struct vnode_info vnode[GUEST_MAX_VNODES];
	struct numa_range range[GUEST_MAX_NUMA_RANGES]; /* enabled SRAT memory entries, in order */
	unsigned int nr_ranges;
	u8 distance[GUEST_MAX_VNODES][GUEST_MAX_VNODES]; /* the SLIT */
};
extern struct guest_numa guest_numa;
/*
 * vCPU 0, after mem_init(): finds the RSDP (which must equal the MBI2's
 * copies, if booted the Multiboot2 way), checks the XSDT, MADT, SRAT and
 * SLIT against each other, against the memory map and against the CPUID
 * vCPU count, and fills guest_numa. Crashes with a line on any broken
 * rule.
 */
void acpi_init(unsigned int cpuid_vcpus);
/* Prints the vnodes line and each vnode's range, hotplug and distance lines. */
void acpi_print(void);
/* The vnode whose hot-plug entry holds all of [start, end), or -1. */
int numa_hotplug_vnode(u64 start, u64 end);

/* reserve.c: memory_op memory, in 2 MiB extents. vCPU 0 unless said otherwise. */
/* Increases the reservation by mib MiB (vnode hint or PRX_VNODE_ANY), maps and adds it as RAM. */
void reserve_memory(u64 mib, u32 vnode);
/* Whether the guest holds reserved extents (the same answer on every vCPU). */
bool reserve_held(void);
/* Every vCPU: first writes of the extents of its own vnode (checking they read 0). */
void reserve_write(unsigned int vcpu, unsigned int nr_vcpus);
/* After a barrier behind reserve_write(): which vCPUs wrote each vnode's extents. */
void reserve_report_written(unsigned int nr_vcpus);
/* Gives the last mib MiB of the extents back and takes them off the RAM list. */
void reserve_release(u64 mib);

/* main.c, entered from head.S */
void guest_main(u32 magic, u32 mbi_pa);
void ap_main(u64 id);

/* head.S */
extern char __image_start[], __image_end[];
extern u64 boot_pdpt[512];
void ap_entry(void);
extern const u64 trap_stub_table[32];

static inline void cpu_relax(void)
{
	__asm__ volatile("pause" ::: "memory");
}

static inline u64 read_cr3(void)
{
	u64 v;

	__asm__ volatile("mov %%cr3, %0" : "=r"(v));
	return v;
}

static inline void write_cr3(u64 v)
{
	__asm__ volatile("mov %0, %%cr3" ::"r"(v) : "memory");
}

static inline void outb(u16 port, u8 v)
{
	__asm__ volatile("outb %0, %1" ::"a"(v), "Nd"(port));
}

static inline u8 inb(u16 port)
{
	u8 v;

	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

/* uart.c: probe COM1 as Linux's 8250 driver does and print through it (the uart argument). */
void uart_check(void);

static inline u64 rdmsr(u32 msr)
{
	u32 lo, hi;

	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((u64)hi << 32) | lo;
}

static inline void wrmsr(u32 msr, u64 v)
{
	__asm__ volatile("wrmsr" ::"c"(msr), "a"((u32)v), "d"((u32)(v >> 32)) : "memory");
}

static inline u64 rdtsc(void)
{
	u32 lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((u64)hi << 32) | lo;
}

/* apic.c: the x2APIC and its TSC-deadline timer, interrupt and all (the apic argument). */
#define APIC_TIMER_VECTOR 0xec
void apic_check(void);
void apic_timer_irq(void);
/* The ipi argument: vCPU 0 measures IPIs to vCPU 1 (both call it; the others return). */
void apic_ipi_test(unsigned int v);
/* The share argument: vCPU 2 sleeps on timers while vCPU 0 spins on their CPU. */
void apic_share_test(unsigned int v);
void apic_timer_stub(void); /* head.S */

static inline __attribute__((noreturn)) void halt_forever(void)
{
	for (;;)
		__asm__ volatile("cli; hlt" ::: "memory");
}

#endif /* __ASSEMBLY__ */
#endif /* TESTGUEST_GUEST_H */
