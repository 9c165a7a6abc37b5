/*
 * Domains and their vCPUs (hypervisor/domain.c, dom_memory.c). A domain
 * is created at boot from a domain= option. It has one or more virtual
 * NUMA nodes, each backed by a physical node its placement chose: the
 * memory of virtual node v comes from that node (then along its fallback
 * list, for a "prefer" domain), and v's vCPUs run on its CPUs. The memory
 * is zeroed before the guest sees it and mapped by the arch's nested page
 * tables; the guest may add and give back memory later (memory_op).
 * Every page a domain holds has PG_OWNED set and owner = the domain; the
 * heads of its blocks are chained through page.private (the domain's
 * page list).
 *
 * Lifetime: created -> running -> dying (shut down or crashed) ->
 * destroyed by the CPU whose vCPU leaves last. A dying domain's vCPUs are
 * dropped by their CPUs at their next look (every exit, every tick), so a
 * domain is never freed under a running vCPU. Lock order: a CPU's run
 * queue lock, then a domain's lock; domlist_lock, then a domain's
 * mem_lock.
 */
#ifndef HV_DOMAIN_H
#define HV_DOMAIN_H

#include <hv/domain_config.h>
#include <hv/guest_image.h>
#include <hv/hvm.h>
#include <hv/nodemask.h>
#include <hv/spinlock.h>
#include <hv/types.h>
#include <hv/uart16550.h>
#include <hv/vlapic.h>

struct page;

#define DOMAIN_MAX 64 /* domains alive at once */
/* Guest RAM ranges at creation: virtual node 0 has two below 4 GiB, any may be split at 3 GiB. */
#define DOM_MAX_RAM (2 * DOMAIN_MAX_VNODES + 2)
/* The guest's firmware area (BIOS area of a PC): its ACPI tables live here. */
#define DOM_FW_START 0xe0000ULL
#define DOM_FW_ORDER 5 /* 128 KiB, to 1 MiB */
/* Below it, to DOM_FW_START, the legacy area: the empty bus, read-only (dom_memory.c). */
#define DOM_LEGACY_START 0xa0000ULL
#define VCPU_LINE_MAX 160 /* a guest console line longer than this is split */
#define DOM_IO_LOGGED 16  /* unknown I/O ports logged per domain */
#define DOM_MSR_LOGGED 16 /* unknown MSRs logged per domain */

enum vcpu_state {
	VCPU_DOWN,     /* not started (vcpu_up starts it) */
	VCPU_RUNNABLE, /* runs when its CPU gets to it */
	VCPU_BLOCKED,  /* in HLT */
	VCPU_DEAD,     /* its domain is dying and its CPU has let it go */
};

enum dom_state {
	DOM_ALIVE,
	DOM_DYING, /* shut down or crashed: vCPUs are being stopped */
};

enum dom_shutdown {
	DOM_SHUTDOWN_POWEROFF,
	DOM_SHUTDOWN_REBOOT,
	DOM_SHUTDOWN_CRASH, /* asked for by the guest */
	DOM_CRASHED,	    /* the hypervisor crashed it */
};

struct vcpu {
	struct domain *dom;
	unsigned int id;
	unsigned int vnode; /* its virtual node */
	unsigned int pcpu;  /* home physical CPU, on the virtual node's node if it has CPUs */
	nodeid_t node;	    /* pcpu's node; the VMCB lives there */
	enum vcpu_state state;
	bool on_cpu;			 /* inside its CPU's run loop right now */
	u64 exits;			 /* every exit to the hypervisor */
	u64 exit_reason[HVM_NR_REASONS]; /* the same, by kind (its CPU writes) */
	/* Guest TLB shootdown (memory_op decrease): in_guest is set around
	 * VMRUN, runs counts them, tlb_gen is the domain's tlb_gen the CPU
	 * flushed for last. */
	bool in_guest;
	u64 runs;
	u64 tlb_gen;
	/* A hypercall asks to be issued again (a continuation) with this RDI. */
	bool wait_sipi; /* down, INIT seen: a start-up IPI starts it (d->lock) */
	bool hcall_again;
	u64 hcall_rdi;
	u64 tag;	      /* unique for the life of the hypervisor (TLB flushes) */
	struct vcpu *rq_next; /* its CPU's run queue, circular */
	void *arch;
	struct vlapic lapic; /* its local APIC (x2APIC), used by its CPU only */
	char crash_reason[96];
	unsigned int line_len;
	char line[VCPU_LINE_MAX];
};

/* A virtual NUMA node of a domain. */
struct dom_vnode {
	nodeid_t pnode;			   /* the physical node behind it */
	unsigned int first_vcpu, nr_vcpus; /* its vCPUs: consecutive ids */
	u64 hot_start, hot_end;		   /* its hot-plug range; empty when maxmem == mem */
	u64 pages;			   /* guest pages of it now (boot RAM and hot-plug) */
	u64 hot_next;			   /* gfn where increase_reservation looks first */
};

struct domain {
	unsigned int id;
	struct domain_config cfg;
	nodeid_t node; /* home node (virtual node 0's): its structures live here */
	enum dom_state state;
	enum dom_shutdown why;
	unsigned int nr_vcpus;
	unsigned int live_vcpus; /* not yet let go by their CPUs */
	struct vcpu **vcpu;
	/*
	 * Guest-physical RAM at creation (PC layout, one run per virtual
	 * node, sorted), and the memory behind it. RAM is what the nested
	 * page tables map inside these ranges or the hot-plug ranges: memory_op
	 * may take some away or add more, under mem_lock, which guards the
	 * page list, the counts and the nested page tables after creation.
	 */
	struct guest_ram_range ram[DOM_MAX_RAM];
	u8 ram_vnode[DOM_MAX_RAM];
	unsigned int nr_ram;
	unsigned int nr_vnodes;
	struct dom_vnode vnode[DOMAIN_MAX_VNODES];
	u32 distance_sum;      /* SLIT distances between the vnodes' nodes, both ways */
	u64 nr_pages;	       /* all pages held, firmware area included */
	u64 fw_pages;	       /* of them, the firmware area's */
	struct page *fw;       /* the firmware area: the ACPI tables, RSDP first */
	struct page *pages;    /* heads of the blocks, chained through private */
	u64 *node_pages;       /* per node: pages of the domain there */
	struct nodemask spill; /* nodes that hold some of a virtual node not theirs */
	struct spinlock mem_lock;
	u64 tlb_gen;	   /* bumped when a mapping goes away */
	u64 memop_batches; /* memory_op continuations, for 'q' */
	void *arch;
	struct spinlock lock;
	bool built;	   /* whole, with an id: 'q' shows it (domlist_lock) */
	bool failed_start; /* creation failed half-way: destroyed without a word */
	u64 mem_ns;	   /* time taken to allocate, zero and map its memory */
	u64 start_ns;	   /* when vCPU 0 was let run (arch_time_ns()) */
	/* Emulated devices (dom_io.c), under io_lock. */
	struct spinlock io_lock;
	struct uart16550 com1;
	u16 io_logged[DOM_IO_LOGGED]; /* unknown ports already logged */
	unsigned int nr_io_logged;
	u32 msr_logged[DOM_MSR_LOGGED]; /* unknown MSRs already logged (io_lock) */
	unsigned int nr_msr_logged;
	u32 ipi_logged; /* IPIs not delivered, by kind, already logged (dom_ipi.c) */
};

struct boot_info;

/*
 * Create the domains of the domain= options (images from bi's modules),
 * not yet running, and register 'q'. hvm_ok false: each is reported as
 * not started. Boot CPU, once, after every CPU has virtualisation enabled.
 */
void domains_boot(const struct boot_info *bi, bool hvm_ok);

/*
 * Test only (CONFIG_SELFTEST, hypervisor/domain_selftest.c): with
 * test_fragment=<node>, leave that node without a free 2 MiB block.
 */
void dom_selftest_fragment(void);

/* Let the domains domains_boot() created run. Boot CPU, once. */
void domains_start(void);

/*
 * Create a domain from cfg (placement, memory, image, vCPUs); with start,
 * make vCPU 0 runnable at once. Prints one line saying where it went, or
 * one line why it did not start. Returns the domain or NULL.
 */
struct domain *dom_create(const struct domain_config *cfg, bool start);

/* Make d's vCPU 0 runnable (once, after dom_create(cfg, false)). */
void dom_start(struct domain *d);

/*
 * Print at level one line of d's exits by kind, summed over its vCPUs,
 * with their rate since d started (hypervisor/dom_exits.c): "domain <id>
 * <name>: <n> exits in <ms> ms (<n>/s): intr <n> vintr <n> ...".
 */
void dom_print_exits(const struct domain *d, int level);

/*
 * End d: mark it dying and let its CPUs drop its vCPUs; the last one
 * destroys it (memory scrubbed and freed, structures freed, one line).
 * why says how it ended; crashed domains print v's registers first.
 */
void dom_shutdown(struct domain *d, enum dom_shutdown why, struct vcpu *v);

/*
 * A new domain's memory (hypervisor/dom_memory.c), with d->ram, vnode[]
 * and node_pages set up and d not yet visible: dom_alloc_memory() backs
 * all its RAM (0 or -ENOMEM, what was allocated stays on the page list);
 * dom_build_firmware() maps the firmware area at DOM_FW_START and builds
 * the ACPI tables there, and maps the legacy area below it onto the empty
 * bus (0 or -errno with a reason in err). Both before
 * the vCPUs exist. dom_free_memory() frees every page d holds: creation
 * failed, or every vCPU is gone.
 */
int dom_alloc_memory(struct domain *d);
/*
 * Before the first domain (and again on a new heap, in the tests): the
 * empty bus page, all ones, that dom_build_firmware() maps read-only over
 * the legacy area of every domain. 0 or -ENOMEM. dom_is_empty_bus(): is
 * mfn that page (a mapping of it is no page of the domain's)?
 */
int dom_memory_init(void);
bool dom_is_empty_bus(mfn_t mfn);
int dom_build_firmware(struct domain *d, char *err, size_t errlen);

/* The guest's RSDP in the firmware area (GUEST_RSDP_LEN bytes), or NULL before it is built. */
const u8 *dom_rsdp(const struct domain *d);
void dom_free_memory(struct domain *d);

/*
 * memory_op's work on one extent [gfn, gfn + 2^order) of d (hypervisor/
 * domain.c); the caller has checked the arguments (order at most the
 * cap, gfn aligned to the extent, the extent inside one RAM or hot-plug
 * range of virtual node v). Either all of it is done or nothing is.
 * dom_populate: back it with new zeroed memory for virtual node v, from
 * v's node, then (a prefer domain, !exact) its fallback list; 0, -EEXIST
 * (a frame is RAM already), -ENOMEM (no memory, or it would pass
 * maxmem). dom_release: give its memory back; 0, -ENOENT (a frame is not
 * RAM of d), -EINVAL (it would split a block d holds, e.g. 4 KiB of a
 * 2 MiB mapping). Neither holds a lock across the other's work; the
 * guest's TLBs are flushed before released memory is reused.
 */
int dom_populate(struct domain *d, unsigned int v, u64 gfn, unsigned int order, bool exact);
int dom_release(struct domain *d, u64 gfn, unsigned int order);

/* Pages domains hold on node n now (a counter kept as pages move). */
u64 dom_node_pages(nodeid_t n);

/*
 * Call fn for every domain in the table (half-built and dying ones too),
 * in slot order, under domlist_lock: fn must not create or end domains.
 */
void dom_for_each(void (*fn)(void *ctx, struct domain *d), void *ctx);

/*
 * The page ownership check ('q' in debug builds, and the hosted tests):
 * every page of every node is free, the hypervisor's, or owned by exactly
 * one domain of the table. A page with PG_OWNED must be allocated and
 * its owner a domain of the table; each domain's page list holds only its
 * own pages, as many as it counts in total, per node (what the frame
 * tables say), and per virtual node plus firmware area; a built domain's
 * nested page tables map only its own pages, as many per node as it
 * holds; per node, the domains' pages add up to the pages with PG_OWNED
 * and to dom_node_pages(). Takes domlist_lock, every domain's mem_lock
 * and, node by node, the heap locks. Returns the number of problems, each
 * reported on one line; *owned: pages with PG_OWNED, *nr_domains: domains
 * in the table (half-built and dying ones included).
 */
unsigned int dom_check_pages(u64 *owned, unsigned int *nr_domains);

/* Called by a CPU when it lets v go for good (v's domain is dying). */
void dom_vcpu_gone(struct vcpu *v);

/*
 * Lay out the guest RAM of d->cfg in d->ram as on a PC (hypervisor/
 * guest_mem.c), virtual node by virtual node: virtual node 0 from 0 (to
 * 0xa0000, then on from 1 MiB), each next one from the next 2 MiB
 * boundary; a run reaching 3 GiB goes on at 4 GiB. Exactly vnode_mem[v]
 * bytes each, the 384 KiB legacy hole pushed up. With maxmem above mem,
 * each virtual node also gets a hot-plug range of maxmem - mem bytes
 * (rounded up to 2 MiB), 1 GiB aligned, above all RAM and 4 GiB.
 * Sets ram, ram_vnode, nr_ram, nr_vnodes and the vnodes' ranges and vCPUs
 * (pnode is the caller's).
 */
void dom_layout_ram(struct domain *d);

/* The virtual node whose RAM or hot-plug range holds gfn, or -1. */
int dom_gfn_vnode(const struct domain *d, u64 gfn);

/* The virtual node of the one RAM or hot-plug range [gpa, gpa + len) lies in, or -1. */
int dom_range_vnode(const struct domain *d, u64 gpa, u64 len);

/*
 * Copy between the hypervisor and guest RAM. -EFAULT unless [gpa, gpa +
 * len) is guest RAM (nothing copied then).
 */
int dom_copy_from_guest(struct domain *d, void *dst, u64 gpa, u64 len);
int dom_copy_to_guest(struct domain *d, u64 gpa, const void *src, u64 len);

/*
 * Is [gpa, gpa + len) guest RAM: inside the RAM or hot-plug ranges and
 * mapped, page by page? (A snapshot: memory_op may change it after.)
 */
bool dom_gpa_is_ram(struct domain *d, u64 gpa, u64 len);

/* Append guest console output of v; whole lines go out with "(d<id>) ". */
void dom_console_write(struct vcpu *v, const char *s, size_t len);

/*
 * A domain's I/O ports (hypervisor/dom_io.c). dom_io_init() once at
 * creation; dom_io_end() sends out what is left of a line when the domain
 * ends. dom_ioport(): an IN or OUT of size 1, 2 or 4 bytes at port by v
 * (a wider access covers the next ports too); *val holds what OUT writes
 * and gets what IN reads (in its low size bytes). Port 0xe9 takes bytes
 * for the guest console (v's line); COM1, 0x3f8-0x3ff, is the domain's
 * 16550A (its lines go out as "(d<id>) ..."); 0x600 and 0x601 are the
 * FADT's sleep registers (SLP_EN with the S5 type powers the domain
 * off, <hv/guest_acpi.h>); every other port reads as
 * all ones and drops writes, and the first access to each is logged once
 * per domain (the first DOM_IO_LOGGED ports).
 */
void dom_io_init(struct domain *d);

/*
 * An RDMSR (wr false) or WRMSR of val by v of an MSR the CPUID/MSR policy
 * does not give guests: the access faults (#GP, the caller's), and the
 * first of each MSR is logged once per domain (the first DOM_MSR_LOGGED).
 */
void dom_unknown_msr(struct vcpu *v, u32 msr, bool wr, u64 val);

/*
 * Deliver the IPI src's APIC sent (hypervisor/dom_ipi.c) to the vCPUs of
 * src's domain it names: fixed and lowest-priority interrupts into their
 * APICs (their CPUs kicked), INIT and start-up to vCPUs not yet started
 * (the second starts one at the vector's page, in real mode); the rest
 * logged once per domain. src's CPU, after the ICR write.
 */
struct vlapic_ipi;
void dom_send_ipi(struct vcpu *src, const struct vlapic_ipi *ipi);
void dom_io_end(struct domain *d);
void dom_ioport(struct vcpu *v, u16 port, unsigned int size, bool in, u32 *val);

/*
 * Hypercall nr with args from v (hypervisor/hypercall.c): the result for
 * RAX. Called by the arch on VMMCALL.
 */
long hcall_dispatch(struct vcpu *v, u64 nr, const u64 args[5]);

#endif /* HV_DOMAIN_H */
