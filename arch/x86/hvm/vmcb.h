/*
 * The AMD SVM virtual machine control block (AMD64 Architecture
 * Programmer's Manual vol. 2, appendix B): a 4 KiB page with the control
 * area at 0 and the guest state save area at 0x400. Offsets are the
 * manual's and are checked by static assertions below.
 */
#ifndef X86_HVM_VMCB_H
#define X86_HVM_VMCB_H

#include <hv/compiler.h>
#include <hv/types.h>

struct vmcb_seg {
	u16 sel;
	u16 attr; /* descriptor bits 40-47 in 0-7, bits 52-55 in 8-11 */
	u32 limit;
	u64 base;
} __packed;

struct vmcb {
	/* Control area. */
	u32 icpt_cr;	/* 0x000: reads in 0-15, writes in 16-31 */
	u32 icpt_dr;	/* 0x004 */
	u32 icpt_exc;	/* 0x008: one bit per exception vector */
	u32 icpt_misc1; /* 0x00c */
	u32 icpt_misc2; /* 0x010 */
	u32 icpt_misc3; /* 0x014 */
	u8 rsvd0[0x3c - 0x18];
	u16 pause_thresh; /* 0x03c */
	u16 pause_count;  /* 0x03e */
	u64 iopm_pa;	  /* 0x040 */
	u64 msrpm_pa;	  /* 0x048 */
	u64 tsc_offset;	  /* 0x050 */
	u32 asid;	  /* 0x058 */
	u8 tlb_ctl;	  /* 0x05c */
	u8 rsvd1[3];
	u64 vintr;	   /* 0x060: V_TPR, V_IRQ, V_INTR_MASKING (bit 24), ... */
	u64 int_shadow;	   /* 0x068 */
	u64 exit_code;	   /* 0x070 */
	u64 exit_info1;	   /* 0x078 */
	u64 exit_info2;	   /* 0x080 */
	u64 exit_int_info; /* 0x088 */
	u64 np_ctl;	   /* 0x090: bit 0 nested paging */
	u64 avic_bar;	   /* 0x098 */
	u64 ghcb_pa;	   /* 0x0a0 */
	u64 event_inj;	   /* 0x0a8 */
	u64 ncr3;	   /* 0x0b0 */
	u64 lbr_ctl;	   /* 0x0b8 */
	u32 clean;	   /* 0x0c0 */
	u32 rsvd2;
	u64 next_rip;	   /* 0x0c8 */
	u8 insn_len;	   /* 0x0d0 */
	u8 insn_bytes[15]; /* 0x0d1 */
	u8 rsvd3[0x400 - 0xe0];
	/* State save area. */
	struct vmcb_seg es, cs, ss, ds, fs, gs; /* 0x400 .. 0x45f */
	struct vmcb_seg gdtr, ldtr, idtr, tr;	/* 0x460 .. 0x49f */
	u8 rsvd4[0x4cb - 0x4a0];
	u8 cpl; /* 0x4cb */
	u32 rsvd5;
	u64 efer; /* 0x4d0 */
	u8 rsvd6[0x548 - 0x4d8];
	u64 cr4;    /* 0x548 */
	u64 cr3;    /* 0x550 */
	u64 cr0;    /* 0x558 */
	u64 dr7;    /* 0x560 */
	u64 dr6;    /* 0x568 */
	u64 rflags; /* 0x570 */
	u64 rip;    /* 0x578 */
	u8 rsvd7[0x5d8 - 0x580];
	u64 rsp; /* 0x5d8 */
	u8 rsvd8[0x5f8 - 0x5e0];
	u64 rax;	    /* 0x5f8 */
	u64 star;	    /* 0x600 */
	u64 lstar;	    /* 0x608 */
	u64 cstar;	    /* 0x610 */
	u64 sfmask;	    /* 0x618 */
	u64 kernel_gs_base; /* 0x620 */
	u64 sysenter_cs;    /* 0x628 */
	u64 sysenter_esp;   /* 0x630 */
	u64 sysenter_eip;   /* 0x638 */
	u64 cr2;	    /* 0x640 */
	u8 rsvd9[0x668 - 0x648];
	u64 g_pat;  /* 0x668 */
	u64 dbgctl; /* 0x670 */
	u8 rsvd10[0x1000 - 0x678];
} __packed;

_Static_assert(sizeof(struct vmcb) == 4096, "VMCB is one page");
_Static_assert(__builtin_offsetof(struct vmcb, iopm_pa) == 0x40, "VMCB iopm");
_Static_assert(__builtin_offsetof(struct vmcb, asid) == 0x58, "VMCB asid");
_Static_assert(__builtin_offsetof(struct vmcb, tlb_ctl) == 0x5c, "VMCB tlb_ctl");
_Static_assert(__builtin_offsetof(struct vmcb, exit_code) == 0x70, "VMCB exit code");
_Static_assert(__builtin_offsetof(struct vmcb, np_ctl) == 0x90, "VMCB np_ctl");
_Static_assert(__builtin_offsetof(struct vmcb, event_inj) == 0xa8, "VMCB eventinj");
_Static_assert(__builtin_offsetof(struct vmcb, ncr3) == 0xb0, "VMCB ncr3");
_Static_assert(__builtin_offsetof(struct vmcb, next_rip) == 0xc8, "VMCB nrip");
_Static_assert(__builtin_offsetof(struct vmcb, es) == 0x400, "VMCB save area");
_Static_assert(__builtin_offsetof(struct vmcb, tr) == 0x490, "VMCB tr");
_Static_assert(__builtin_offsetof(struct vmcb, cpl) == 0x4cb, "VMCB cpl");
_Static_assert(__builtin_offsetof(struct vmcb, efer) == 0x4d0, "VMCB efer");
_Static_assert(__builtin_offsetof(struct vmcb, cr4) == 0x548, "VMCB cr4");
_Static_assert(__builtin_offsetof(struct vmcb, rip) == 0x578, "VMCB rip");
_Static_assert(__builtin_offsetof(struct vmcb, rsp) == 0x5d8, "VMCB rsp");
_Static_assert(__builtin_offsetof(struct vmcb, rax) == 0x5f8, "VMCB rax");
_Static_assert(__builtin_offsetof(struct vmcb, cr2) == 0x640, "VMCB cr2");
_Static_assert(__builtin_offsetof(struct vmcb, g_pat) == 0x668, "VMCB g_pat");

/* icpt_misc1 */
#define ICPT_INTR (1U << 0)
#define ICPT_NMI (1U << 1)
#define ICPT_SMI (1U << 2)
#define ICPT_INIT (1U << 3)
#define ICPT_VINTR (1U << 4)
#define ICPT_CPUID (1U << 18)
#define ICPT_INVD (1U << 22)
#define ICPT_HLT (1U << 24)
#define ICPT_INVLPGA (1U << 26)
#define ICPT_IOIO (1U << 27)
#define ICPT_MSR (1U << 28)
#define ICPT_SHUTDOWN (1U << 31)
/* icpt_misc2 */
#define ICPT_VMRUN (1U << 0)
#define ICPT_VMMCALL (1U << 1)
#define ICPT_VMLOAD (1U << 2)
#define ICPT_VMSAVE (1U << 3)
#define ICPT_STGI (1U << 4)
#define ICPT_CLGI (1U << 5)
#define ICPT_SKINIT (1U << 6)
#define ICPT_RDTSCP (1U << 7)
#define ICPT_MONITOR (1U << 10)
#define ICPT_MWAIT (1U << 11)
#define ICPT_XSETBV (1U << 13)

#define VINTR_IRQ (1ULL << 8)
#define VINTR_PRIO_MAX (0xfULL << 16)
#define VINTR_IGN_TPR (1ULL << 20)
#define VINTR_MASKING (1ULL << 24)
#define TLB_FLUSH_ALL 1
#define TLB_FLUSH_GUEST 3

/* Exit codes (appendix C). */
#define EXIT_EXCP_BASE 0x40
#define EXIT_INTR 0x60
#define EXIT_NMI 0x61
#define EXIT_SMI 0x62
#define EXIT_INIT 0x63
#define EXIT_VINTR 0x64
#define EXIT_CPUID 0x72
#define EXIT_INVD 0x76
#define EXIT_HLT 0x78
#define EXIT_INVLPGA 0x7a
#define EXIT_IOIO 0x7b
#define EXIT_MSR 0x7c
#define EXIT_SHUTDOWN 0x7f
#define EXIT_VMRUN 0x80
#define EXIT_VMMCALL 0x81
#define EXIT_VMLOAD 0x82
#define EXIT_VMSAVE 0x83
#define EXIT_STGI 0x84
#define EXIT_CLGI 0x85
#define EXIT_SKINIT 0x86
#define EXIT_RDTSCP 0x87
#define EXIT_MONITOR 0x8a
#define EXIT_MWAIT 0x8b
#define EXIT_XSETBV 0x8d
#define EXIT_NPF 0x400
#define EXIT_INVALID (~0ULL)

/* EVENTINJ */
#define EVENT_VALID (1ULL << 31)
#define EVENT_TYPE_EXCP (3ULL << 8)
#define EVENT_TYPE_INTR (0ULL << 8) /* external interrupt */
#define EVENT_ERR_VALID (1ULL << 11)

#endif /* X86_HVM_VMCB_H */
