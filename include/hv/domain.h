/*
 * Domains and their vCPUs (hypervisor/domain.c). A domain is created at
 * boot from a domain= option: its memory is allocated whole, on the node
 * its placement chose (then along that node's fallback list, for a
 * "prefer" domain), mapped by the arch's nested page tables and scrubbed
 * before the guest sees it; its structures come from slab caches on that
 * node. Every page a domain holds has PG_OWNED set and owner = the
 * domain; the heads of its blocks are chained through page.private (the
 * domain's page list).
 *
 * Lifetime: created -> running -> dying (shut down or crashed) ->
 * destroyed by the CPU whose vCPU leaves last. A dying domain's vCPUs are
 * dropped by their CPUs at their next look (every exit, every tick), so a
 * domain is never freed under a running vCPU. Lock order: a CPU's run
 * queue lock, then a domain's lock.
 */
#ifndef HV_DOMAIN_H
#define HV_DOMAIN_H

#include <hv/domain_config.h>
#include <hv/guest_image.h>
#include <hv/nodemask.h>
#include <hv/spinlock.h>
#include <hv/types.h>

struct page;

#define DOMAIN_MAX 64	  /* domains alive at once */
#define VCPU_LINE_MAX 160 /* a guest console line longer than this is split */

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
	unsigned int pcpu; /* home physical CPU */
	nodeid_t node;	   /* pcpu's node; the VMCB lives there */
	enum vcpu_state state;
	bool on_cpu;	      /* inside its CPU's run loop right now */
	u64 exits;	      /* every exit to the hypervisor */
	u64 tag;	      /* unique for the life of the hypervisor (TLB flushes) */
	struct vcpu *rq_next; /* its CPU's run queue, circular */
	void *arch;
	char crash_reason[96];
	unsigned int line_len;
	char line[VCPU_LINE_MAX];
};

struct domain {
	unsigned int id;
	struct domain_config cfg;
	nodeid_t node; /* home node: its memory and vCPUs go here first */
	enum dom_state state;
	enum dom_shutdown why;
	unsigned int nr_vcpus;
	unsigned int live_vcpus; /* not yet let go by their CPUs */
	struct vcpu **vcpu;
	/* Guest-physical RAM (PC layout) and the memory behind it. */
	struct guest_ram_range ram[3];
	unsigned int nr_ram;
	u64 nr_pages;
	struct page *pages;    /* heads of the blocks, chained through private */
	u64 *node_pages;       /* per node: pages of the domain there */
	struct nodemask spill; /* nodes other than node that hold some */
	void *arch;
	struct spinlock lock;
	bool built;	   /* whole, with an id: 'q' shows it (domlist_lock) */
	bool failed_start; /* creation failed half-way: destroyed without a word */
	u64 mem_ns;	   /* time taken to allocate, zero and map its memory */
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
 * End d: mark it dying and let its CPUs drop its vCPUs; the last one
 * destroys it (memory scrubbed and freed, structures freed, one line).
 * why says how it ended; crashed domains print v's registers first.
 */
void dom_shutdown(struct domain *d, enum dom_shutdown why, struct vcpu *v);

/* Called by a CPU when it lets v go for good (v's domain is dying). */
void dom_vcpu_gone(struct vcpu *v);

/*
 * Lay out mem bytes of guest RAM in d->ram as on a PC (hypervisor/
 * guest_mem.c): [0, 0xa0000), then from 1 MiB up to 3 GiB, the rest from
 * 4 GiB; exactly mem bytes in all, the 384 KiB legacy hole pushed up.
 */
void dom_layout_ram(struct domain *d, u64 mem);

/*
 * Copy between the hypervisor and guest RAM. -EFAULT unless [gpa, gpa +
 * len) lies inside one guest RAM range (nothing copied then).
 */
int dom_copy_from_guest(const struct domain *d, void *dst, u64 gpa, u64 len);
int dom_copy_to_guest(const struct domain *d, u64 gpa, const void *src, u64 len);

/* Is [gpa, gpa + len) inside guest RAM? */
bool dom_gpa_is_ram(const struct domain *d, u64 gpa, u64 len);

/* Append guest console output of v; whole lines go out with "(d<id>) ". */
void dom_console_write(struct vcpu *v, const char *s, size_t len);

/*
 * Hypercall nr with args from v (hypervisor/hypercall.c): the result for
 * RAX. Called by the arch on VMMCALL.
 */
long hcall_dispatch(struct vcpu *v, u64 nr, const u64 args[5]);

#endif /* HV_DOMAIN_H */
