/*
 * The test guest's internal interfaces: constants shared with head.S, the
 * hypervisor interface (hypercall.c), the console (console.c), traps
 * (traps.c), memory (memmap.c) and the memory test (memtest.c).
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

/* The ABI's numbers, for head.S too. */
#include <public/hypercall.h>

#ifndef __ASSEMBLY__

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;

#define MB_LOADER_MAGIC 0x2badb002u
#define PAGE_SIZE ((u64)0x1000)
#define MIB ((u64)1 << 20)
#define GIB ((u64)1 << 30)
#define ROUND_UP(x, a) (((x) + (a)-1) & ~((u64)(a)-1))
#define ROUND_DOWN(x, a) ((x) & ~((u64)(a)-1))

/* hypercall.c: the hypervisor interface (CPUID leaves and VMMCALL). */
struct cpuid_regs {
	u32 eax, ebx, ecx, edx;
};
void cpuid(u32 leaf, struct cpuid_regs *r);
long hypercall(u64 nr, u64 a1, u64 a2, u64 a3, u64 a4, u64 a5);
long console_write(const void *buf, u64 len);
long vcpu_up(u32 id, u64 rip, u64 rsp, u64 cr3);
/* Ends the domain; if the hypervisor refuses, stops this vCPU. */
__attribute__((noreturn)) void shutdown(u32 reason);

/* console.c */
__attribute__((format(printf, 3, 0))) int vformat(char *buf, size_t size, const char *fmt,
						  va_list ap);
/* Formats one line (at most 511 bytes) and writes it to the console. */
__attribute__((format(printf, 1, 2))) void gprintf(const char *fmt, ...);
/* Prints the line, then shutdown(PRX_SHUTDOWN_CRASH). */
__attribute__((noreturn, format(printf, 1, 2))) void crash(const char *fmt, ...);
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

/* memmap.c: guest RAM as the multiboot memory map describes it. */
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
};
extern struct guest_mem guest_mem;
/* Copies what the guest needs out of the MBI (which memtest may overwrite). */
void mem_init(u32 mbi_pa);
/* Extends the identity map to cover RAM above 4 GiB and one page more. */
void mem_map_all(void);
/* Zeroed, page-aligned memory above the image (reserved from memtest). */
void *boot_alloc(u64 size);
bool is_ram(u64 start, u64 end);

/* memtest.c */
void memtest_plan(unsigned int nr_vcpus);
void memtest_fill(unsigned int vcpu);
void memtest_check(unsigned int vcpu);
/* vCPU 0, after every vCPU checked: prints the result (crashes on failure). */
void memtest_report(void);

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

static inline __attribute__((noreturn)) void halt_forever(void)
{
	for (;;)
		__asm__ volatile("cli; hlt" ::: "memory");
}

#endif /* __ASSEMBLY__ */
#endif /* TESTGUEST_GUEST_H */
