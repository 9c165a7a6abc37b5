/*
 * The debug-key registry. Owns the key table and the two built-in keys,
 * 'h' (list) and '*' (run every diagnostic). Keys are bound during boot
 * on the boot CPU and read afterwards, so the table needs no lock; the
 * dispatcher runs in the idle loop, one key at a time.
 */
#include <hv/errno.h>
#include <hv/keyhandler.h>
#include <hv/printk.h>

struct keyhandler {
	keyhandler_fn fn;
	const char *desc;
	bool diagnostic;
};

static struct keyhandler keys[128];

static bool key_printable(unsigned char key)
{
	return key > ' ' && key < 127;
}

int keyhandler_register(unsigned char key, keyhandler_fn fn, const char *desc, bool diagnostic)
{
	if (!key_printable(key) || !fn || !desc)
		return -EINVAL;
	if (keys[key].fn) {
		pr_err("keyhandler: key '%c' already bound to \"%s\"; \"%s\" not bound\n", key,
		       keys[key].desc, desc);
		return -EEXIST;
	}
	keys[key].fn = fn;
	keys[key].desc = desc;
	keys[key].diagnostic = diagnostic;
	return 0;
}

void keyhandler_dispatch(unsigned char key)
{
	if (key < sizeof(keys) / sizeof(keys[0]) && keys[key].fn) {
		keys[key].fn(key);
		return;
	}
	if (key == '\r' || key == '\n' || key == ' ')
		return;
	if (key_printable(key))
		printk(LOG_EMERG, "key '%c' is not bound; press 'h' for the list\n", key);
	else
		printk(LOG_EMERG, "key 0x%02x is not bound; press 'h' for the list\n", key);
}

static void show_keys(unsigned char key)
{
	unsigned int k;

	printk(LOG_EMERG, "debug keys:\n");
	for (k = 0; k < sizeof(keys) / sizeof(keys[0]); k++)
		if (keys[k].fn)
			printk(LOG_EMERG, "  '%c'  %s%s\n", k, keys[k].desc,
			       keys[k].diagnostic ? "" : " (not in '*')");
}

static void run_diagnostics(unsigned char key)
{
	unsigned int k;

	printk(LOG_EMERG, "running every diagnostic key:\n");
	for (k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
		if (!keys[k].fn || !keys[k].diagnostic)
			continue;
		printk(LOG_EMERG, "== '%c': %s\n", k, keys[k].desc);
		keys[k].fn((unsigned char)k);
	}
	printk(LOG_EMERG, "== done\n");
}

void keyhandler_init(void)
{
	keyhandler_register('h', show_keys, "list the debug keys", false);
	keyhandler_register('*', run_diagnostics, "run every diagnostic key", false);
}
