/*
 * Hypercalls: the dispatch table and the first calls of the guest ABI
 * (include/public/hypercall.h, Documentation/hypercalls.md). Arguments
 * are the guest's and are checked before anything is read or changed; a
 * call that fails leaves the domain as it was.
 */
#include <hv/domain.h>
#include <hv/errno.h>
#include <hv/hvm.h>
#include <hv/lib.h>
#include <hv/printk.h>
#include <public/hypercall.h>

_Static_assert(PRX_EFAULT == EFAULT && PRX_EINVAL == EINVAL && PRX_ENOSYS == ENOSYS &&
		   PRX_EEXIST == EEXIST && PRX_EPERM == EPERM,
	       "the ABI's error numbers are the hypervisor's");

#define CONSOLE_CHUNK 256

static long hc_version(struct vcpu *v, const u64 *a)
{
	return PRX_ABI_VERSION;
}

static long hc_console_write(struct vcpu *v, const u64 *a)
{
	u64 buf = a[0], len = a[1], n = MIN(len, (u64)PRX_CONSOLE_WRITE_MAX), done;
	char chunk[CONSOLE_CHUNK];

	if (!n)
		return 0;
	/* The whole buffer, not only the part taken: the ABI says so. */
	if (!dom_gpa_is_ram(v->dom, buf, len))
		return -EFAULT;
	for (done = 0; done < n;) {
		u64 k = MIN(n - done, (u64)sizeof(chunk));

		if (dom_copy_from_guest(v->dom, chunk, buf + done, k))
			return -EFAULT;
		dom_console_write(v, chunk, k);
		done += k;
	}
	if (len > n)
		printk(LOG_NOTICE, "(d%u) [console_write of %llu bytes cut to %d]\n", v->dom->id,
		       len, PRX_CONSOLE_WRITE_MAX);
	return (long)n;
}

static long hc_vcpu_up(struct vcpu *v, const u64 *a)
{
	struct domain *d = v->dom;
	u64 id = a[0], rip = a[1], rsp = a[2], cr3 = a[3];
	unsigned long flags;
	struct vcpu *t;
	long rc;

	if (id == 0 || id >= d->nr_vcpus)
		return -EINVAL;
	if (cr3 & (PAGE_SIZE - 1) || cr3 >> 52)
		return -EINVAL;
	if (!dom_gpa_is_ram(d, cr3, PAGE_SIZE))
		return -EFAULT;
	t = d->vcpu[id];
	flags = spin_lock_irqsave(&d->lock);
	if (READ_ONCE(t->state) != VCPU_DOWN) {
		rc = -EEXIST;
	} else {
		rc = arch_vcpu_up(v, t, rip, rsp, cr3);
		if (!rc)
			__atomic_store_n(&t->state, VCPU_RUNNABLE, __ATOMIC_RELEASE);
	}
	spin_unlock_irqrestore(&d->lock, flags);
	return rc;
}

static long hc_shutdown(struct vcpu *v, const u64 *a)
{
	static const enum dom_shutdown why[] = {
	    [PRX_SHUTDOWN_POWEROFF] = DOM_SHUTDOWN_POWEROFF,
	    [PRX_SHUTDOWN_REBOOT] = DOM_SHUTDOWN_REBOOT,
	    [PRX_SHUTDOWN_CRASH] = DOM_SHUTDOWN_CRASH,
	};

	if (a[0] >= ARRAY_SIZE(why))
		return -EINVAL;
	dom_shutdown(v->dom, why[a[0]], v);
	return 0;
}

static long (*const hcalls[])(struct vcpu *, const u64 *) = {
    [PRX_HC_VERSION] = hc_version,
    [PRX_HC_CONSOLE_WRITE] = hc_console_write,
    [PRX_HC_VCPU_UP] = hc_vcpu_up,
    [PRX_HC_SHUTDOWN] = hc_shutdown,
};

long hcall_dispatch(struct vcpu *v, u64 nr, const u64 args[5])
{
	if (nr >= ARRAY_SIZE(hcalls) || !hcalls[nr])
		return -ENOSYS;
	return hcalls[nr](v, args);
}
