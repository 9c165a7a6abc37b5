/*
 * Boot command line options. Each subsystem declares its own options next
 * to the variable they set, with one of the boot_param_* macros; they are
 * gathered in the hv_params section and parsed once, early in boot.
 *
 * Syntax: space-separated "name" or "name=value"; a value may be quoted
 * with double quotes to hold spaces (a quoted run inside a value keeps
 * its quotes: domain=name=t,args="a b"). Booleans take 1/0, on/off, yes/no,
 * true/false, or no value (= on); "no-name" turns one off. Sizes take a
 * K, M, G or T suffix. Unknown options are reported and ignored; a malformed
 * value is reported with the option's name and leaves the default.
 */
#ifndef HV_CMDLINE_H
#define HV_CMDLINE_H

#include <hv/compiler.h>
#include <hv/types.h>

enum param_type {
	PARAM_BOOL,   /* bool */
	PARAM_UINT,   /* unsigned int, within [min, max] */
	PARAM_SIZE,   /* u64 byte count with K/M/G/T suffix, within [min, max] */
	PARAM_STR,    /* char array of len bytes */
	PARAM_CUSTOM, /* parse(value) does the work */
};

struct boot_param {
	const char *name;
	enum param_type type;
	void *var;
	size_t len;   /* PARAM_STR: size of the array */
	u64 min, max; /* PARAM_UINT and PARAM_SIZE */
	/* PARAM_CUSTOM: 0 if taken, -EINVAL if malformed (nothing changed). */
	int (*parse)(const char *value);
	const char *dflt;  /* PARAM_CUSTOM: the default, for messages */
	const char *forms; /* PARAM_CUSTOM: the accepted values, for messages */
};

#define __boot_param(id, ...)                                              \
	static const struct boot_param __param_##id __section("hv_params") \
	    __used __aligned(8) = {__VA_ARGS__}

#define boot_param_bool(nm, v) __boot_param(v, .name = (nm), .type = PARAM_BOOL, .var = &(v))
#define boot_param_uint(nm, v, lo, hi) \
	__boot_param(v, .name = (nm), .type = PARAM_UINT, .var = &(v), .min = (lo), .max = (hi))
#define boot_param_size(nm, v, lo, hi) \
	__boot_param(v, .name = (nm), .type = PARAM_SIZE, .var = &(v), .min = (lo), .max = (hi))
#define boot_param_str(nm, v) \
	__boot_param(v, .name = (nm), .type = PARAM_STR, .var = (v), .len = sizeof(v))
/* fm: the accepted values as a person would list them ("on, off or auto"). */
#define boot_param_custom(nm, fn, fm, d)                                                   \
	__boot_param(fn, .name = (nm), .type = PARAM_CUSTOM, .parse = (fn), .forms = (fm), \
		     .dflt = (d))

/*
 * Parse line against the options in [first, last). Returns the number of
 * problems reported (unknown options plus malformed values); 0 when every
 * option was taken.
 */
int cmdline_parse(const char *line, const struct boot_param *first, const struct boot_param *last);

/*
 * A whole-string unsigned number, decimal or 0x hex (a leading 0 is not
 * octal), with a K, M, G or T suffix (powers of 1024) when sized. 0 with
 * *out set; -EINVAL if v is not one, -ERANGE if it does not fit in 64
 * bits (*out untouched). Shared by every option parser.
 */
int cmdline_parse_number(const char *v, bool sized, u64 *out);

/*
 * Boot loaders put the image's own path first on the command line (QEMU
 * -kernel and GRUB do). Return line past that word when the first word is
 * a path: it holds a '/' and no '='. Otherwise return line unchanged.
 */
const char *cmdline_skip_image(const char *line);

/* All options linked into the image (the hv_params section). */
extern const struct boot_param __start_hv_params[], __stop_hv_params[];

#endif /* HV_CMDLINE_H */
