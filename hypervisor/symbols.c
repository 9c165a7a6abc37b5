/*
 * Symbol lookup for stack traces over the table that scripts/gen-symtab.sh
 * generates from the linked image: sorted start addresses, and for each an
 * offset into one block of NUL-terminated names. Read-only after link.
 */
#include <hv/symbols.h>

extern const unsigned long symtab_addrs[];
extern const unsigned int symtab_name_offs[];
extern const char symtab_names[];
extern const unsigned long symtab_count;
extern const char __text_start[], __text_end[];

const char *symbol_lookup(unsigned long addr, unsigned long *offset)
{
	unsigned long lo = 0, hi = symtab_count;

	if (addr < (unsigned long)__text_start || addr >= (unsigned long)__text_end)
		return NULL;
	if (!symtab_count || addr < symtab_addrs[0])
		return NULL;
	/* Last entry whose address is <= addr. */
	while (hi - lo > 1) {
		unsigned long mid = lo + (hi - lo) / 2;

		if (symtab_addrs[mid] <= addr)
			lo = mid;
		else
			hi = mid;
	}
	*offset = addr - symtab_addrs[lo];
	return symtab_names + symtab_name_offs[lo];
}
