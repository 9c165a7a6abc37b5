/*
 * Debug keys: single bytes typed on the serial console, each bound at
 * init time to a handler and a one-line description. 'h' lists them and
 * '*' runs every key registered as a diagnostic (a read-only dump).
 * Handlers run from the idle loop of the boot CPU, interrupts enabled,
 * never in interrupt context.
 */
#ifndef HV_KEYHANDLER_H
#define HV_KEYHANDLER_H

#include <hv/types.h>

typedef void (*keyhandler_fn)(unsigned char key);

/*
 * Bind key to fn. diagnostic: include it in '*'. Returns 0, -EINVAL for
 * a key that is not printable ASCII or a NULL fn/desc, -EEXIST if the key
 * is taken (the first binding stays).
 */
int keyhandler_register(unsigned char key, keyhandler_fn fn, const char *desc, bool diagnostic);

/* Run the handler bound to key; unbound keys print a hint to press 'h'. */
void keyhandler_dispatch(unsigned char key);

/* Register the built-in keys ('h' and '*'). */
void keyhandler_init(void);

#endif /* HV_KEYHANDLER_H */
