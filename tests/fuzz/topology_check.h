/*
 * What a built topology and the description it came from must satisfy,
 * checked after every fuzzer input (topology_check.c): the invariants
 * listed at the top of mm/topology.c and in include/hv/topology.h, and
 * the parsers' promise that a rejected table leaves nothing behind. The
 * checks only read; the first broken rule goes to fz_fail() (fuzz.h).
 */
#ifndef FUZZ_TOPOLOGY_CHECK_H
#define FUZZ_TOPOLOGY_CHECK_H

#include <hv/boot.h>
#include <hv/compiler.h>
#include <hv/topology.h>

#include "fuzz.h"

/* A description as the ACPI parsers leave it. */
void fz_check_desc(const struct topo_desc *d);

/* t as topo_build(d, map, nr, o, t) built it. */
void fz_check_topology(const struct topology *t, const struct topo_desc *d,
		       const struct topo_opts *o, const struct mem_range *map, unsigned int nr);

#endif /* FUZZ_TOPOLOGY_CHECK_H */
