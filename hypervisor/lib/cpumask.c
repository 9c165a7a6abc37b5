/*
 * Formatting CPU and node sets as lists ("0-3,8,10-11"): one writer for
 * both kinds of set, over their test functions.
 */
#include <hv/cpumask.h>
#include <hv/lib.h>
#include <hv/nodemask.h>

/* Write the members i < nbits of a set (test(set, i)) as a list; see cpumask_format(). */
static int format_list(char *buf, size_t size, const void *set, unsigned int nbits,
		       bool (*test)(const void *set, unsigned int i))
{
	unsigned int i = 0;
	int len = 0;
	bool first = true;

	if (size)
		buf[0] = '\0';
	while (i < nbits) {
		unsigned int end;
		int n;

		if (!test(set, i)) {
			i++;
			continue;
		}
		for (end = i; end + 1 < nbits && test(set, end + 1); end++)
			;
		if (end == i)
			n = snprintf(buf + MIN((size_t)len, size),
				     size > (size_t)len ? size - len : 0, "%s%u", first ? "" : ",",
				     i);
		else
			n = snprintf(buf + MIN((size_t)len, size),
				     size > (size_t)len ? size - len : 0, "%s%u-%u",
				     first ? "" : ",", i, end);
		len += n;
		first = false;
		i = end + 1;
	}
	if (first)
		len = snprintf(buf, size, "-");
	else if ((size_t)len >= size && size >= 4)
		memcpy(buf + size - 4, "...", 4); /* cut: say so */
	return len;
}

static bool cpu_in(const void *set, unsigned int i)
{
	return cpumask_test(set, i);
}

static bool node_in(const void *set, unsigned int i)
{
	return nodemask_test(set, i);
}

int cpumask_format(char *buf, size_t size, const struct cpumask *m)
{
	return format_list(buf, size, m, CONFIG_NR_CPUS, cpu_in);
}

int nodemask_format(char *buf, size_t size, const struct nodemask *m)
{
	return format_list(buf, size, m, MAX_NODES, node_in);
}
