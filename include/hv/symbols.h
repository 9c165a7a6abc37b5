/*
 * Text symbol lookup for stack traces. The table is generated from the
 * image itself at link time (scripts/gen-symtab.sh).
 */
#ifndef HV_SYMBOLS_H
#define HV_SYMBOLS_H

#include <hv/types.h>

/*
 * Name of the function containing addr, with *offset set to addr minus
 * its start; NULL if addr is outside the image's text.
 */
const char *symbol_lookup(unsigned long addr, unsigned long *offset);

#endif /* HV_SYMBOLS_H */
