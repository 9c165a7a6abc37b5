/*
 * Basic types shared by every part of Proxima, freestanding or hosted.
 * Fixed-width u8..u64 are for hardware and firmware layouts; unit types
 * (paddr_t, mfn_t, nodeid_t) say what a number means. Print a u64 (and
 * paddr_t, mfn_t) with %llu / %llx and no cast.
 */
#ifndef HV_TYPES_H
#define HV_TYPES_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
/*
 * unsigned long long, not uint64_t (unsigned long on x86-64): printk's %llu
 * and %llx then take a u64 as it is, on every 64-bit and 32-bit host, with
 * no cast. s64 likewise.
 */
typedef unsigned long long u64;
typedef int8_t s8;
typedef int16_t s16;
typedef int32_t s32;
typedef long long s64;

/* A machine physical address. */
typedef u64 paddr_t;
#define INVALID_PADDR (~(paddr_t)0)
/* A machine frame number: a physical address shifted right by PAGE_SHIFT. */
typedef u64 mfn_t;
/* A dense NUMA node id (0 .. nr_nodes-1), never a firmware proximity domain. */
typedef u16 nodeid_t;

#define PAGE_SHIFT 12
#define PAGE_SIZE (1UL << PAGE_SHIFT)
#define PAGE_MASK (~(PAGE_SIZE - 1))

#define KiB(x) ((u64)(x) << 10)
#define MiB(x) ((u64)(x) << 20)
#define GiB(x) ((u64)(x) << 30)

#endif /* HV_TYPES_H */
