/* Compiler attributes and small helper macros. */
#ifndef HV_COMPILER_H
#define HV_COMPILER_H

#define __noreturn __attribute__((noreturn))
#define __packed __attribute__((packed))
#define __aligned(x) __attribute__((aligned(x)))
#define __section(s) __attribute__((section(s)))
#define __used __attribute__((used))
#define __unused __attribute__((unused))
#define __printf(a, b) __attribute__((format(printf, a, b)))
#define __weak __attribute__((weak))
#ifndef __always_inline /* the C library's headers, in user-space builds, have the same */
#define __always_inline inline __attribute__((always_inline))
#endif
#define __noinline __attribute__((noinline))

#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)

#define barrier() __asm__ __volatile__("" ::: "memory")
#define READ_ONCE(x) (*(const volatile __typeof__(x) *)&(x))
#define WRITE_ONCE(x, v) (*(volatile __typeof__(x) *)&(x) = (v))

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
/* The plural ending of a count for the console: "%u node%s", n, PLURAL_S(n). */
#define PLURAL_S(n) ((n) == 1 ? "" : "s")
#define ALIGN_UP(x, a) (((x) + ((a)-1)) & ~((__typeof__(x))(a)-1))
#define ALIGN_DOWN(x, a) ((x) & ~((__typeof__(x))(a)-1))
#define IS_ALIGNED(x, a) (((x) & ((__typeof__(x))(a)-1)) == 0)
#define DIV_ROUND_UP(n, d) (((n) + (d)-1) / (d))

#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define MAX(a, b) ((a) > (b) ? (a) : (b))

#define container_of(ptr, type, member) ((type *)((char *)(ptr) - __builtin_offsetof(type, member)))

#define __hv_str(x) #x
#define __hv_xstr(x) __hv_str(x)

/*
 * IS_ENABLED(CONFIG_X): true when the bool option is set. autoconf.h
 * defines a set option as 1 and leaves an unset one undefined, so the
 * expanded name is the string "1" exactly when the option is on. Folds to
 * a constant in "if"; use #ifdef where a preprocessor test is needed.
 */
#define IS_ENABLED(opt) (sizeof(__hv_xstr(opt)) == 2 && __hv_xstr(opt)[0] == '1')

#endif /* HV_COMPILER_H */
