/*
 * The SGI SN2 (Altix) topology backend: the firmware facts an ia64 image
 * collects at boot (struct sn2_fw) and sn2_describe(), which turns them
 * into a struct topo_desc for the generic core. On SN2 the node of a
 * physical address is a field of its high bits (the NASID), so memory
 * affinity is computed, not read from a table; CPUs name their node in
 * their hardware id; distances come from an optional router hop table.
 * This file owns the layout of those facts and the hardware id encoding;
 * collecting them (EFI memory map, SAL calls) is the boot path's job and
 * every rule about the resulting description is mm/topology.c's.
 */
#ifndef IA64_SN2_H
#define IA64_SN2_H

#include <hv/acpi.h>
#include <hv/topology.h>
#include <hv/types.h>

/*
 * The node field of an SN2 physical address: on SHUB1 systems the NASID
 * is 11 bits starting at bit 38 (bits 38..48; bits 36..37 select the
 * address space, bits 0..35 are the offset inside the node). Newer PROMs
 * report the position and width through SAL; the boot path uses these
 * when the call is not implemented. Node ids in the firmware facts are
 * NASIDs, at most 16 bits; the description numbers nodes by pxm.
 */
#define SN2_NODE_SHIFT 38
#define SN2_NODE_BITS 11
#define SN2_NODE_BITS_MAX 16

/*
 * The hardware id recorded in topo_desc.cpu_hwid and aff[].hwid for an
 * SN2 CPU: the 16 bits of its LID register's id and eid fields (LID bits
 * 16..31), which the PROM's MADT and SRAT give as SAPIC id << 8 | EID, as
 * on DIG. SN2 puts the NASID in bits 0..11 and the slice (0..3, the CPU's
 * position on its node) in bits 12..13. (SN1's layout, NASID << 8 | slice,
 * is not SN2's.) A CPU whose NASID or slice does not fit has no such id.
 */
#define SN2_CPU_NASID_MAX 0xfff
#define SN2_CPU_SLICE_MAX 3
#define SN2_CPU_HWID(nasid, slice) \
	((((u32)(slice)&SN2_CPU_SLICE_MAX) << 12) | ((u32)(nasid)&SN2_CPU_NASID_MAX))

/*
 * The proximity domain of a node, as the SGI PROM numbers it in its SRAT
 * and _PXM: NASID >> 1. Memory and CPUs are on even NASIDs; an odd NASID
 * is a TIO I/O chiplet, with neither.
 */
#define SN2_NASID_TO_PXM(nasid) ((u32)(nasid) >> 1)

/* One piece of memory from the EFI memory map: PhysicalStart, pages * 4 KiB. */
struct sn2_chunk {
	paddr_t start;
	u64 len;
};

/* One present CPU, from the SAL/PROM CPU list (its LID: NASID 0..4095, slice 0..3). */
struct sn2_cpu {
	u16 nasid;
	u8 slice;
};

/*
 * Everything sn2_describe() reads. Arrays may be NULL when their count is
 * 0; a NULL array is taken as empty whatever its count.
 *
 * node_shift, node_bits: the node field (lowest bit, width); SN2_NODE_*
 *	when firmware does not say.
 * chunk: the EFI memory map descriptors of memory the hypervisor may use,
 *	in firmware order (ascending address in practice).
 * cpu: the present CPUs, boot CPU first, in firmware order.
 * hop_node, hops: the optional router hop table (nr_hop_nodes == 0: none).
 *	Row i describes NASID hop_node[i]; hops[i * nr_hop_nodes + j] is the
 *	number of NUMAlink router hops from NASID hop_node[i] to NASID
 *	hop_node[j]: 0 on the diagonal, at least 1 elsewhere. The table may
 *	name nodes without memory or CPUs (odd NASIDs: TIO I/O nodes); they
 *	are not used.
 */
struct sn2_fw {
	u8 node_shift;
	u8 node_bits;
	unsigned int nr_chunks;
	const struct sn2_chunk *chunk;
	unsigned int nr_cpus;
	const struct sn2_cpu *cpu;
	unsigned int nr_hop_nodes;
	const u16 *hop_node;
	const u8 *hops;
};

/*
 * Describe an SN2 machine: overwrite all of d with source TOPO_SRC_SN2 and
 * have_affinity set. Boot CPU, once; pure apart from its console lines.
 *
 * Memory: every chunk becomes one or more ranges, split wherever the
 * address crosses into the next NASID (a multiple of 2^node_shift), each
 * with pxm = SN2_NASID_TO_PXM(the node field of its addresses). A piece
 * that starts where the previous range of the same pxm ends extends it.
 * Flags are 0.
 * CPUs: the first CONFIG_NR_CPUS present CPUs with a valid id, in firmware
 * order, go into cpu_hwid (SN2_CPU_HWID) and, on even NASIDs, into aff[]
 * with pxm = SN2_NASID_TO_PXM(NASID).
 * Distances, with a hop table: indexed by pxm; nr_localities = the largest
 * pxm with memory or CPUs + 1, dist[a * n + b] = 10 when a == b, 15 + 5 *
 * hops (20 for one hop, +5 per further router, at most 254) between two
 * pxms whose even NASIDs the table lists, and 255 (unreachable) to a pxm it
 * does not list (such a pxm has neither memory nor CPUs, so the core never
 * reads it). Rows of odd NASIDs (TIO) are checked but not used.
 * Asymmetric tables are kept as given. Without a table nr_localities
 * stays 0 and the core uses 10 local, 20 remote.
 *
 * Firmware errors, one "SN2: " line each, then a safe fallback:
 * - node field width 0 or above SN2_NODE_BITS_MAX, or reaching past
 *   bit 63: affinity_rejected, no memory or CPU affinity, no distances;
 * - zero-length chunk, chunk wrapping past 2^64: that chunk skipped;
 * - memory on an odd NASID: affinity_rejected, as above (the node field
 *   cannot be what the boot path says; the core keeps all RAM on one node);
 * - more than TOPO_MAX_MEM ranges: affinity_rejected, as above;
 * - CPUs whose NASID or slice no LID holds: skipped, one line for all;
 * - CPUs on odd NASIDs: listed, but without affinity, one line for all;
 * - more than CONFIG_NR_CPUS CPUs: the rest counted in cpus_dropped;
 * - hop table naming an even NASID whose pxm is >= TOPO_MAX_LOCALITIES or a
 *   listing an even NASID twice, a non-zero diagonal, a zero off the diagonal, or lacking
 *   a NASID with memory or CPUs: distances_rejected, nr_localities 0.
 * A rejected affinity keeps the CPU list (nr_cpus, cpu_hwid): it says
 * which CPUs exist, not where, and the core still starts them all.
 */
void sn2_describe(const struct sn2_fw *fw, struct topo_desc *d);

/*
 * Describe an SN2 machine from its PROM's ACPI tables instead (d zeroed by
 * the caller): as ia64_dig_describe(), CPU ids SAPIC id << 8 | EID (the
 * same ids as SN2_CPU_HWID), with the PROM's revision 1 SRAT read with its
 * proximity domains above 255 (acpi_numa_opts.sn2_prom_srat), through the
 * physical window mem. Reports and skips what it cannot read; never fails.
 */
void sn2_describe_acpi(const struct acpi_rsdp *rsdp, const struct fw_window *mem,
		       struct topo_desc *d);

#endif /* IA64_SN2_H */
