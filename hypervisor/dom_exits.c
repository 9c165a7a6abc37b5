/*
 * A domain's exits by kind (dom_print_exits() of <hv/domain.h>): the sum
 * over its vCPUs of struct vcpu.exit_reason[], with the rate since the
 * domain started, on one line. The counts are each vCPU's CPU's; read
 * here without stopping them, so a line printed while the domain runs is
 * a moment's view, not an atomic one.
 */
#include <hv/domain.h>
#include <hv/hvm.h>
#include <hv/lib.h>
#include <hv/printk.h>

const char *const hvm_exit_reason_names[HVM_NR_REASONS] = {
    [HVM_REASON_INTR] = "intr",	  [HVM_REASON_VINTR] = "vintr", [HVM_REASON_HLT] = "hlt",
    [HVM_REASON_MSR] = "msr",	  [HVM_REASON_IO] = "io",	[HVM_REASON_APIC] = "apic",
    [HVM_REASON_CPUID] = "cpuid", [HVM_REASON_HCALL] = "hcall", [HVM_REASON_NPF] = "npf",
    [HVM_REASON_OTHER] = "other",
};

void dom_print_exits(const struct domain *d, int level)
{
	u64 sum[HVM_NR_REASONS] = {0}, total = 0, ms = 0;
	char line[320];
	size_t n;
	unsigned int i, r;

	for (i = 0; i < d->nr_vcpus; i++)
		for (r = 0; r < HVM_NR_REASONS; r++)
			sum[r] += READ_ONCE(d->vcpu[i]->exit_reason[r]);
	for (r = 0; r < HVM_NR_REASONS; r++)
		total += sum[r];
	if (d->start_ns)
		ms = (arch_time_ns() - d->start_ns) / 1000000;
	n = (size_t)snprintf(line, sizeof(line),
			     "domain %u %s: %llu exits in %llu ms (%llu/s):", d->id, d->cfg.name,
			     total, ms, ms ? total * 1000 / ms : 0);
	for (r = 0; r < HVM_NR_REASONS && n < sizeof(line); r++)
		n += (size_t)snprintf(line + n, sizeof(line) - n, " %s %llu",
				      hvm_exit_reason_names[r], sum[r]);
	printk(level, "%s\n", line);
}
