/* Formatting CPU sets as lists ("0-3,8,10-11"). */
#include <hv/cpumask.h>
#include <hv/lib.h>

int cpumask_format(char *buf, size_t size, const struct cpumask *m)
{
	unsigned int cpu = 0;
	int len = 0;
	bool first = true;

	if (size)
		buf[0] = '\0';
	while (cpu < CONFIG_NR_CPUS) {
		unsigned int end;
		int n;

		if (!cpumask_test(m, cpu)) {
			cpu++;
			continue;
		}
		for (end = cpu; end + 1 < CONFIG_NR_CPUS && cpumask_test(m, end + 1); end++)
			;
		if (end == cpu)
			n = snprintf(buf + MIN((size_t)len, size), size > (size_t)len ? size - len : 0,
				     "%s%u", first ? "" : ",", cpu);
		else
			n = snprintf(buf + MIN((size_t)len, size), size > (size_t)len ? size - len : 0,
				     "%s%u-%u", first ? "" : ",", cpu, end);
		len += n;
		first = false;
		cpu = end + 1;
	}
	if (first)
		len = snprintf(buf, size, "-");
	else if ((size_t)len >= size && size >= 4)
		memcpy(buf + size - 4, "...", 4);	/* cut: say so */
	return len;
}
