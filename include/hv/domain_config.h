/*
 * Domain configurations from the command line: one "domain=" option per
 * domain, parsed at boot into a table that domain creation reads. The
 * syntax is checked here; what needs the machine (does the node exist,
 * does the memory fit, is there such a module) is checked by placement
 * (<hv/placement.h>) and domain creation.
 *
 *   domain=name=web,mem=256M,vcpus=2,node=1,policy=strict
 *   domain=name=t,args="fault=ud spin"
 *
 * Keys, comma-separated, each at most once:
 *   name    required; 1 to 15 of a-z, 0-9, '_' and '-'; unique
 *   vnodes  virtual NUMA nodes the guest sees, 1 to DOMAIN_MAX_VNODES; 1
 *   mem     bytes, with an optional K, M, G or T suffix; at least 2M per
 *           virtual node; 64M. Split over the virtual nodes evenly in
 *           2 MiB units, lower virtual nodes first (a rest below 2 MiB goes
 *           to virtual node 0), or given per virtual node: mem=256M+768M
 *   maxmem  the most memory the guest may hold (memory_op adds the rest
 *           later), at least mem; mem
 *   vcpus   1 to DOMAIN_MAX_VCPUS, at least one per virtual node; split
 *           evenly, lower virtual nodes first, or given per virtual node
 *           (vcpus=2+2); 1 per virtual node
 *   node    the physical node to place a domain with one virtual node on;
 *           none (placement picks)
 *   nodes   the physical node behind each virtual node, one per virtual
 *           node (nodes=1+3; a node may repeat); none (placement picks)
 *   policy  prefer (each virtual node's node first, then by distance) or
 *           strict (all of a virtual node's memory on its node, or the
 *           domain does not start); prefer
 *   control 1: the control domain, which may read the host's topology
 *           (physinfo, numainfo, cputopo hypercalls); 0
 *   image   the multiboot module index of the guest: a multiboot kernel, or
 *           a Linux bzImage (include/hv/guest_linux.h); the built-in test
 *           guest
 *   initrd  the multiboot module index of a Linux guest's initrd; none
 *   args    the guest's command line; empty
 * Numbers are decimal or 0x hex. A value that starts with '"' runs to the
 * next '"' (dropped) and may hold commas and spaces; a quoted run inside
 * an unquoted value keeps its quotes (args=x="a,b" gives x="a,b").
 */
#ifndef HV_DOMAIN_CONFIG_H
#define HV_DOMAIN_CONFIG_H

#include <hv/types.h>

#define DOMAIN_MAX_VCPUS 64
#define DOMAIN_MAX_VNODES 16
#define DOMAIN_CONFIG_MAX 16	/* domain= options the table holds */
#define DOMAIN_NAME_MAX 16	/* name bytes with the terminating NUL */
#define DOMAIN_ARGS_MAX 256	/* args bytes with the terminating NUL */
#define DOMAIN_TEXT_MAX 256	/* the option's value as written, with NUL */
#define DOMAIN_MEM_MIN MiB(2)	/* smallest mem= */
#define DOMAIN_MEM_DFLT MiB(64) /* mem without mem= */
#define DOMAIN_NODE_MAX 255	/* largest node= the syntax takes (MAX_NODES <= 256) */
#define DOMAIN_IMAGE_MAX 255	/* largest image= the syntax takes */
/* Enough for any reason domcfg_parse() gives (longer ones are cut). */
#define DOMCFG_ERR_MAX 384

enum dom_policy {
	DOM_POLICY_PREFER, /* the node first, then the others by distance */
	DOM_POLICY_STRICT, /* all memory on one node, or no domain */
};

enum domcfg_state {
	DOMCFG_OK,
	DOMCFG_FAILED, /* refused; its error line is already on the console */
};

struct domain_config {
	char name[DOMAIN_NAME_MAX];
	u64 mem;			  /* bytes, the sum of vnode_mem[] */
	u64 maxmem;			  /* bytes, >= mem */
	unsigned int vcpus;		  /* 1..DOMAIN_MAX_VCPUS, the sum of vnode_vcpus[] */
	unsigned int vnodes;		  /* 1..DOMAIN_MAX_VNODES */
	u64 vnode_mem[DOMAIN_MAX_VNODES]; /* bytes of each virtual node, >= 2 MiB */
	unsigned int vnode_vcpus[DOMAIN_MAX_VNODES]; /* vCPUs of each, >= 1; lower ids first */
	/* Physical node behind each virtual node (node= or nodes=), or -1 for
	 * all of them when neither was given. */
	int vnode_node[DOMAIN_MAX_VNODES];
	bool control; /* control=1: may read the host's topology */
	enum dom_policy policy;
	int image;		    /* multiboot module index, -1 for the built-in guest */
	int initrd;		    /* multiboot module index of a Linux initrd, -1: none */
	char args[DOMAIN_ARGS_MAX]; /* the guest's command line, quotes removed */
	/* The value of the domain= option as written: for messages, and to
	 * re-create the domain (domcfg_parse() of it gives this config). */
	char text[DOMAIN_TEXT_MAX];
	enum domcfg_state state; /* set by the table; DOMCFG_OK from domcfg_parse() */
};

/*
 * Parse the value of one domain= option (without "domain=") into *cfg.
 * Pure: prints nothing and touches nothing but *cfg and err. Returns 0
 * with every field of *cfg set (defaults for keys not given, text = value),
 * or -EINVAL with *cfg unchanged and one line's reason in err (no newline):
 * "<key>: <what is wrong>", quoting the bad value, for example
 * mem: bad size "3X" (a number with K, M, G or T). Does not check that
 * the name is unique; the table does.
 */
int domcfg_parse(const char *value, struct domain_config *cfg, char *err, size_t errlen);

/*
 * The domain= option's parse function, exported for the tests: parse value
 * (NULL for a bare "domain") and append it to the table. A bad domain is
 * reported on one console line, "domain=<value>: <reason>", and kept in
 * the table as failed (it still takes a slot); a duplicate name is a bad
 * domain too (names of good domains only count). Past DOMAIN_CONFIG_MAX
 * options the rest are refused, one line each, and not kept. Always
 * returns 0, so the command line parser adds no message of its own.
 * Boot CPU only, before domain creation reads the table: no locking.
 */
int domcfg_add(const char *value);

/*
 * The good domains, in command line order: failed ones are left out, so
 * domcfg_get(i) for i < domcfg_count() is never NULL and always DOMCFG_OK.
 * NULL for i >= domcfg_count().
 */
unsigned int domcfg_count(void);
const struct domain_config *domcfg_get(unsigned int i);

/*
 * domain= options refused: the bad ones (kept in the table as failed, not
 * given out) and those past DOMAIN_CONFIG_MAX (not kept).
 */
unsigned int domcfg_failed_count(void);

/* Empty the table (for the tests). */
void domcfg_reset(void);

#endif /* HV_DOMAIN_CONFIG_H */
