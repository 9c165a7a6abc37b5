#!/usr/bin/env python3
"""Write the seed corpus of tests/fuzz/fuzz_topology.c into
tests/fuzz/corpus/topology/: QEMU-like machines, the odd shapes real
firmware has (sparse domains, memoryless and CPU-less nodes, hot-plug
ranges, unreachable and asymmetric distances, SAPIC and x2APIC ids),
whole tables compiled by iasl from tests/fuzz/asl/*.dsl, one
seed per rule the ACPI parsers and mm/topology.c enforce, and the memory
shapes the heap built over the topology must take whole. Each seed is one
<name>.bin; stale .bin files are removed, other files (inputs saved
straight from a fuzzer run) are left alone. The input format is described
at the top of fuzz_topology.c; the SRAT and SLIT bytes come from
tests/qemu/acpi_tables.py, the builders the boot tests use.

    python3 tests/fuzz/make_seeds.py [--out DIR]
"""

import argparse
import os
import struct
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True  # no __pycache__ in tests/qemu/
sys.path.insert(0, os.path.join(HERE, "..", "qemu"))
import acpi_tables as acpi  # noqa: E402

KiB, MiB, GiB = 1 << 10, 1 << 20, 1 << 30

# Byte 0
MADT, SRAT, SLIT, FIXSUM, RSDP2, SAPIC, RAW, PRINT = (1 << i for i in range(8))
# Byte 1
OFF, NOSLIT, FAKE = 1, 2, 3
# Byte 2: memory maps (bits 0-2) and root quirks (bits 3-7)
MAP_QEMU_1G, MAP_4G_HOLE, MAP_6G, MAP_SPARSE, MAP_TINY, MAP_FRAGMENTED, MAP_NO_RAM, \
    MAP_INPUT = range(8)
Q_UNMAPPED, Q_TWICE, Q_BAD_XSDT, Q_TRAILING, Q_REVERSE = (8 << i for i in range(5))
# Byte 3: SRAT revision (bits 0-2), RSDP or root-table fault (bits 3-6)
RQ_NULL, RQ_SIGNATURE, RQ_CHECKSUM, RQ_SHORT, RQ_LONG, RQ_EXT_CHECKSUM, RQ_NO_XSDT, \
    RQ_RSDT_SIG, RQ_XSDT_SIG, RQ_RSDT_UNMAPPED, RQ_MANY = range(1, 12)
PRINT_FREE = 0x80

HDR = 36
MADT_ENABLED, MADT_ONLINE_CAPABLE = 1, 2
SRAT_ENABLED, SRAT_HOTPLUG = acpi.ENABLED, acpi.HOTPLUG


def body(table):
    """A whole table from acpi_tables.py without its header."""
    return table[HDR:]


def seed(madt=None, srat=None, slit=None, flags=FIXSUM | PRINT, opt=0, mem=MAP_QEMU_1G,
         quirks=0, srat_rev=3, rsdp=0, print_free=False, rest=b""):
    """One input: tables given as bodies (or whole tables with RAW); None
    leaves a table out of the root tables."""
    for bit, blob in ((MADT, madt), (SRAT, srat), (SLIT, slit)):
        if blob is not None:
            flags |= bit
    assert srat_rev < 8 and rsdp < 16
    out = bytes([flags, opt, mem | quirks,
                 srat_rev | rsdp << 3 | (PRINT_FREE if print_free else 0)])
    for blob in (madt, srat, slit):
        blob = blob or b""
        assert len(blob) < 1 << 16
        out += struct.pack("<H", len(blob)) + blob
    return out + rest


# ---- table bodies -------------------------------------------------------------

def madt(*entries):
    return struct.pack("<II", 0xfee00000, 1) + b"".join(entries)


def lapic(apic_id, flags=MADT_ENABLED, uid=None):
    return struct.pack("<BBBBI", 0, 8, apic_id if uid is None else uid, apic_id, flags)


def x2apic(x2apic_id, flags=MADT_ENABLED):
    return struct.pack("<BBHIII", 9, 16, 0, x2apic_id, flags, x2apic_id)


def lsapic(sapic_id, eid, flags=MADT_ENABLED):
    """17 bytes: the structure and an empty UID string."""
    return struct.pack("<BBBBB3sII", 7, 17, 0, sapic_id, eid, bytes(3), flags, 0) + b"\0"


def lapics(n):
    return madt(*(lapic(i) for i in range(n)))


def srat_x2apic(x2apic_id, pxm, flags=SRAT_ENABLED):
    return struct.pack("<BBHIIIII", 2, 24, 0, pxm, x2apic_id, flags, 0, 0)


def srat_sapic(sapic_id, eid, pxm, flags=SRAT_ENABLED):
    return struct.pack("<BBBBIB3sI", 0, 16, pxm & 0xff, sapic_id, flags, eid,
                       (pxm >> 8).to_bytes(3, "little"), 0)


def srat(*subtables):
    return body(acpi.srat(*subtables))


def slit(matrix, count=None):
    return body(acpi.slit(matrix, count))


def qemu_ranges(sizes, lowmem):
    """QEMU's layout: nodes one after another, node 0 around the 640 KiB -
    1 MiB hole, memory past lowmem moved to 4 GiB. (base, len, pxm) list."""
    out, addr = [], 0
    for pxm, size in enumerate(sizes):
        start, end = addr, addr + size
        if pxm == 0:
            out.append((0, 0xa0000, 0))
            start = MiB
        if start < lowmem:
            out.append((start, min(end, lowmem) - start, pxm))
        if end > lowmem:
            s = max(start, lowmem)
            out.append((s - lowmem + 4 * GiB, end - s, pxm))
        addr = end
    return out


def qemu_srat(sizes, cpus, lowmem, hotplug=()):
    """CPUs (APIC ids 0, 1, ... node by node) first, then memory."""
    subs, apic = [], 0
    for pxm, n in enumerate(cpus):
        for _ in range(n):
            subs.append(acpi.srat_cpu(apic, pxm))
            apic += 1
    subs += [acpi.srat_mem(b, n, p) for b, n, p in qemu_ranges(sizes, lowmem)]
    subs += [acpi.srat_mem(b, n, p, SRAT_ENABLED | SRAT_HOTPLUG) for b, n, p in hotplug]
    return srat(*subs)


def flat(n, remote=20):
    return [[10 if i == j else remote for j in range(n)] for i in range(n)]


def ring(n):
    return [[10 if i == j else 10 + 10 * min((i - j) % n, (j - i) % n) for j in range(n)]
            for i in range(n)]


def qemu(mem, sizes, cpus, lowmem, matrix=None, **kw):
    return seed(lapics(sum(cpus)), qemu_srat(sizes, cpus, lowmem),
                None if matrix is None else slit(matrix), mem=mem, **kw)


def map_entries(*entries):
    return b"".join(struct.pack("<QQB", s, e, t) for s, e, t in entries)


# ---- machines -----------------------------------------------------------------

def machines():
    two = dict(mem=MAP_4G_HOLE, sizes=[2 * GiB] * 2, cpus=[2, 2], lowmem=2 * GiB)
    yield "qemu-1node-1g", qemu(MAP_QEMU_1G, [GiB], [1], GiB)
    yield "qemu-2node-4g", qemu(**two, matrix=flat(2), flags=FIXSUM | PRINT | RSDP2)
    yield "qemu-4node-6g-ring", qemu(MAP_6G, [1536 * MiB] * 4, [1] * 4, 3 * GiB, ring(4),
                                     print_free=True)
    yield "qemu-8node-6g-flat", qemu(MAP_6G, [768 * MiB] * 8, [1] * 8, 3 * GiB, flat(8))
    yield "qemu-2node-no-slit", qemu(**two)
    yield "numa-off", qemu(**two, matrix=flat(2), opt=OFF)
    yield "numa-noslit", qemu(**two, matrix=ring(2), opt=NOSLIT)
    yield "numa-fake-4", seed(lapics(4), mem=MAP_6G, opt=FAKE | 4 << 2)
    yield "numa-fake-too-many-tiny", seed(lapics(2), mem=MAP_TINY, opt=FAKE)
    yield "numa-fake-3-fragmented", seed(lapics(3), mem=MAP_FRAGMENTED, opt=FAKE | 3 << 2)
    yield "no-tables", seed(flags=PRINT)
    yield "no-ram", qemu(MAP_NO_RAM, [GiB], [2], GiB)
    # Domains 0, 5, 17 with a SLIT as wide as the largest.
    sparse = [[10 if i == j else 20 + i + j for j in range(18)] for i in range(18)]
    yield "sparse-pxm-slit", seed(lapics(3), srat(
        acpi.srat_cpu(0, 0), acpi.srat_cpu(1, 5), acpi.srat_cpu(2, 17),
        acpi.srat_mem(0, 2 * GiB, 0), acpi.srat_mem(4 * GiB, GiB, 5),
        acpi.srat_mem(5 * GiB, GiB, 17)), slit(sparse), mem=MAP_4G_HOLE)
    # 32-bit domains (SRAT revision 2+): fine alone, too wide for any SLIT.
    wide = srat(acpi.srat_cpu(0, 0x10000), acpi.srat_cpu(1, 0x10001),
                acpi.srat_mem(0, 2 * GiB, 0x10000), acpi.srat_mem(4 * GiB, 2 * GiB, 0x10001))
    yield "pxm32", seed(lapics(2), wide, mem=MAP_4G_HOLE)
    yield "pxm32-slit-too-narrow", seed(lapics(2), wide, slit(flat(2)), mem=MAP_4G_HOLE)
    yield "pxm32-in-srat-rev1", seed(lapics(2), wide, mem=MAP_4G_HOLE, srat_rev=1)
    yield "memoryless-node", seed(lapics(4), srat(
        *(acpi.srat_cpu(i, i // 2) for i in range(4)),
        acpi.srat_mem(0, 2 * GiB, 0), acpi.srat_mem(4 * GiB, 2 * GiB, 0)),
        slit(flat(2)), mem=MAP_4G_HOLE)
    yield "cpuless-node", seed(lapics(2), srat(
        acpi.srat_cpu(0, 0), acpi.srat_cpu(1, 0),
        acpi.srat_mem(0, 2 * GiB, 0), acpi.srat_mem(4 * GiB, 2 * GiB, 1)),
        slit(flat(2)), mem=MAP_4G_HOLE)
    hot = [(6 * GiB, 2 * GiB, 1), (4 * GiB, GiB, 1), (16 * GiB, 4 * GiB, 2)]
    yield "hotplug", seed(lapics(4), qemu_srat([2 * GiB] * 2, [2, 2], 2 * GiB, hot),
                          slit(ring(3)), mem=MAP_4G_HOLE)
    yield "slit-unreachable", qemu(MAP_6G, [2 * GiB] * 3, [1] * 3, 3 * GiB,
                                   [[10, 20, 255], [20, 10, 20], [255, 20, 10]])
    yield "slit-asymmetric", qemu(MAP_6G, [1536 * MiB] * 4, [1] * 4, 3 * GiB,
                                  [[10, 12, 30, 40], [21, 10, 13, 30],
                                   [30, 40, 10, 14], [15, 30, 50, 10]])
    # ia64 DIG: ids are SAPIC id << 8 | EID on both sides.
    yield "sapic-2node", seed(
        madt(lsapic(0, 0), lsapic(0, 1), lsapic(1, 0), lsapic(1, 1)),
        srat(srat_sapic(0, 0, 0), srat_sapic(0, 1, 0), srat_sapic(1, 0, 1),
             srat_sapic(1, 1, 1), srat_x2apic(7, 1), acpi.srat_mem(0, 3 * GiB, 0),
             acpi.srat_mem(4 * GiB, 3 * GiB, 1)),
        slit(flat(2, 15)), flags=FIXSUM | PRINT | SAPIC | RSDP2, mem=MAP_6G)
    yield "x2apic-2node", seed(
        madt(lapic(0), x2apic(0x100), x2apic(0x101), x2apic(0x10000)),
        srat(acpi.srat_cpu(0, 0), srat_x2apic(0x100, 0), srat_x2apic(0x101, 1),
             srat_x2apic(0x10000, 1), acpi.srat_mem(0, 2 * GiB, 0),
             acpi.srat_mem(4 * GiB, 2 * GiB, 1)), slit(flat(2)), mem=MAP_4G_HOLE)
    yield "sparse-map", seed(lapics(2), srat(
        acpi.srat_cpu(0, 0), acpi.srat_cpu(1, 1), acpi.srat_mem(0, 0x800000, 0),
        acpi.srat_mem(0x800000, 0x1000000000, 1),
        acpi.srat_mem(0xfffffffffff00000, 0xff000, 2)), slit(ring(3)), mem=MAP_SPARSE)
    yield "input-map", seed(lapics(2), srat(
        acpi.srat_cpu(0, 0), acpi.srat_cpu(1, 1), acpi.srat_mem(0, 512 * MiB, 0),
        acpi.srat_mem(512 * MiB, 512 * MiB, 1)), slit(flat(2)), mem=MAP_INPUT,
        rest=map_entries((0, 0x9fc00, 1), (0x9fc00, 0xa0000, 2), (0x100000, 0x30000123, 1),
                         (0x20000000, 0x20100000, 4), (0x2ff00000, 0x40000000, 1),
                         (0x3ff00000, 0x3ff00000, 1), (0x50000000, 0x40000000, 1),
                         (0xfee00000, 0xfee01000, 2)))
    # Reserved holes punched into 64 RAM entries: 192 ranges, room for 128.
    yield "input-map-too-many-ranges", seed(lapics(2), mem=MAP_INPUT, rest=map_entries(
        *((i * 4 * MiB, i * 4 * MiB + 3 * MiB, 1) for i in range(64)),
        *((i * 4 * MiB + MiB, i * 4 * MiB + 2 * MiB, 2) for i in range(64))))


# ---- how the tables are found -------------------------------------------------

def roots():
    base = dict(madt=lapics(2), srat=qemu_srat([GiB // 2] * 2, [1, 1], GiB),
                slit=slit(flat(2)), mem=MAP_QEMU_1G)
    yield "rsdp-rev0-rsdt", seed(**base)
    yield "rsdp-rev2-xsdt-quirks", seed(**base, flags=FIXSUM | PRINT | RSDP2,
                                        quirks=Q_TWICE | Q_UNMAPPED | Q_TRAILING)
    yield "xsdt-bad-checksum", seed(**base, flags=FIXSUM | RSDP2, quirks=Q_BAD_XSDT)
    yield "tables-reversed", seed(**base, quirks=Q_REVERSE)
    rev2 = dict(base, flags=FIXSUM | PRINT | RSDP2)
    for name, rq in (("null", RQ_NULL), ("bad-signature", RQ_SIGNATURE),
                     ("bad-checksum", RQ_CHECKSUM), ("short", RQ_SHORT), ("long", RQ_LONG),
                     ("bad-ext-checksum", RQ_EXT_CHECKSUM), ("no-xsdt", RQ_NO_XSDT),
                     ("rsdt-bad-signature", RQ_RSDT_SIG), ("xsdt-bad-signature", RQ_XSDT_SIG),
                     ("rsdt-unmapped", RQ_RSDT_UNMAPPED), ("too-many-tables", RQ_MANY)):
        # Faults in the RSDT show with a revision 0 RSDP, which has no XSDT.
        yield "rsdp-" + name, seed(**(base if "rsdt" in name else rev2), rsdp=rq)
    yield "bad-table-checksums", seed(**base, flags=PRINT)
    whole = dict(madt=acpi.table("APIC", madt(lapic(0), lapic(1)), revision=4),
                 srat=acpi.srat(acpi.srat_cpu(0, 0), acpi.srat_cpu(1, 1),
                                acpi.srat_mem(0, GiB // 2, 0),
                                acpi.srat_mem(GiB // 2, GiB // 2, 1)),
                 slit=acpi.slit(ring(2)))
    yield "raw-tables", seed(**whole, flags=RAW | PRINT)
    short = bytearray(whole["srat"][:20])
    short[4:8] = struct.pack("<I", 20)
    yield "raw-short-header", seed(**dict(whole, srat=bytes(short)), flags=RAW | FIXSUM | PRINT)
    long_slit = bytearray(whole["slit"])
    long_slit[4:8] = struct.pack("<I", 0x10000)
    yield "raw-length-past-window", seed(**dict(whole, slit=bytes(long_slit)),
                                         flags=RAW | FIXSUM | PRINT)


# ---- one seed per rule ----------------------------------------------------------

def sub(type_, length, fill=b""):
    return bytes([type_, length]) + fill[:max(length - 2, 0)].ljust(max(length - 2, 0), b"\0")


def two_nodes(*extra, first=()):
    return srat(*first, acpi.srat_cpu(0, 0), acpi.srat_cpu(1, 1),
                acpi.srat_mem(0, GiB // 2, 0), acpi.srat_mem(GiB // 2, GiB // 2, 1), *extra)


def rules():
    m2 = lapics(2)
    yield "srat-zero-length-subtable", seed(m2, two_nodes(sub(1, 0)))
    yield "srat-wrong-subtable-length", seed(m2, two_nodes(sub(1, 39)))
    yield "srat-subtable-past-end", seed(m2, two_nodes(acpi.srat_mem(0, MiB, 0)[:30]))
    yield "srat-subtable-header-past-end", seed(m2, two_nodes(b"\1"))
    yield "srat-unknown-subtable", seed(m2, two_nodes(sub(5, 3), sub(0xff, 2)))
    yield "srat-short", seed(m2, b"\1\0\0\0")
    yield "madt-zero-length-subtable", seed(madt(lapic(0), sub(0, 0)), two_nodes())
    yield "madt-wrong-subtable-length", seed(madt(lapic(0), sub(0, 9)), two_nodes())
    # ACPI 2.0: a local SAPIC entry is 12 bytes at least; 11 is too short.
    yield "madt-lsapic-too-short", seed(madt(sub(7, 11)), flags=FIXSUM | SAPIC)
    yield "madt-lsapic-acpi2-12-bytes", seed(madt(
        struct.pack("<BBBBB3sI", 7, 12, 0, 0, 0, bytes(3), MADT_ENABLED)), flags=FIXSUM | SAPIC)
    yield "madt-short", seed(b"\0\0\0\xfe", two_nodes())
    yield "madt-duplicates-disabled", seed(madt(
        lapic(0), lapic(1), lapic(1, uid=9), lapic(2, 0), lapic(3, MADT_ONLINE_CAPABLE),
        x2apic(1), x2apic(5, 0)), two_nodes())
    yield "madt-too-many-cpus", seed(madt(*(x2apic(i) for i in range(257))), two_nodes())
    yield "srat-overlapping-nodes", seed(m2, srat(
        acpi.srat_cpu(0, 0), acpi.srat_cpu(1, 1), acpi.srat_mem(0, GiB // 2, 0),
        acpi.srat_mem(GiB // 4, GiB // 2, 1)))
    yield "srat-overlap-same-node", seed(m2, two_nodes(acpi.srat_mem(0, GiB // 4, 0)))
    yield "srat-wrap", seed(m2, two_nodes(acpi.srat_mem(0xffffffff00000000, 2 << 32, 1)))
    yield "srat-zero-length-range", seed(m2, two_nodes(acpi.srat_mem(GiB, 0, 1)))
    yield "srat-disabled-entries", seed(m2, two_nodes(
        acpi.srat_cpu(1, 7, 0), acpi.srat_mem(0, GiB, 9, 0), srat_x2apic(1, 8, 0)))
    yield "srat-too-many-domains", seed(m2, srat(
        *(acpi.srat_mem(i * 8 * MiB, 8 * MiB, i) for i in range(65))))
    yield "srat-too-many-ranges", seed(m2, srat(
        *(acpi.srat_mem(i * 2 * MiB, MiB, i % 2) for i in range(257))))
    yield "srat-too-many-cpu-affinities", seed(m2, two_nodes(
        *(acpi.srat_cpu(i % 256, 1) for i in range(256))))
    yield "srat-no-usable-entries", seed(m2, srat(acpi.srat_mem(GiB, 0, 1)))
    yield "srat-uncovered-ram", seed(m2, srat(
        acpi.srat_cpu(0, 0), acpi.srat_cpu(1, 1), acpi.srat_mem(64 * MiB, 64 * MiB, 0),
        acpi.srat_mem(GiB // 2, 64 * MiB, 1)))
    yield "srat-cpu-not-in-madt", seed(m2, two_nodes(acpi.srat_cpu(9, 1)))
    yield "madt-cpu-without-affinity", seed(lapics(3), two_nodes())
    # One hot-plug range across every hole of the fragmented map, then 255
    # more above it: more ranges than TOPO_MAX_RANGES.
    yield "srat-range-overflow", seed(m2, srat(
        acpi.srat_mem(0, 512 * MiB, 0, SRAT_ENABLED | SRAT_HOTPLUG),
        *(acpi.srat_mem(GiB + i * 4 * MiB, 2 * MiB, 0, SRAT_ENABLED | SRAT_HOTPLUG)
          for i in range(255))), mem=MAP_FRAGMENTED)
    m = flat(2)
    yield "slit-diagonal-not-10", seed(m2, two_nodes(), slit([[10, 20], [20, 11]]))
    yield "slit-off-diagonal-10", seed(m2, two_nodes(), slit([[10, 10], [20, 10]]))
    yield "slit-count-mismatch", seed(m2, two_nodes(), slit(flat(3)))
    yield "slit-length-mismatch", seed(m2, two_nodes(), slit(m + [[20]]))
    yield "slit-count-zero", seed(m2, two_nodes(), slit([], 0))
    yield "slit-count-too-big", seed(m2, two_nodes(), slit(m, 257))
    yield "slit-short", seed(m2, two_nodes(), b"\2\0\0")
    yield "slit-without-srat", seed(m2, None, slit(m))


# ---- the heap over the topology ---------------------------------------------------

def heaps():
    """Memory shapes the heap built over the topology must take whole
    (fuzz_topology.c hands every topology to heap_startup.c)."""
    m2 = lapics(2)
    cpus = (acpi.srat_cpu(0, 0), acpi.srat_cpu(1, 1))
    # 200 ranges, 64 KiB and 2 MiB by pairs, alternating between pxm 0 and
    # 1: 100 ranges a node, far more than the heap once kept per node.
    subs, base = [], 16 * MiB
    addr = base
    for i in range(200):
        size = (64 * KiB, 2 * MiB)[i // 2 % 2]
        subs.append(acpi.srat_mem(addr, size, i % 2))
        addr += size
    yield "heap-interleaved-200-ranges", seed(m2, srat(*cpus, *subs), slit(flat(2)),
                                              mem=MAP_INPUT, rest=map_entries((base, addr, 1)))
    # 20 one-page ranges of pxm 1 punched into pxm 0's memory.
    subs, start = [], 0
    for hole in (64 * MiB + i * 32 * MiB for i in range(20)):
        subs += [acpi.srat_mem(start, hole - start, 0), acpi.srat_mem(hole, 4 * KiB, 1)]
        start = hole + 4 * KiB
    subs.append(acpi.srat_mem(start, GiB - start, 0))
    yield "heap-20-pages-punched-into-node-0", seed(m2, srat(*cpus, *subs), slit(flat(2)))
    # A node boundary inside page 0x20000: the page is node 0's.
    yield "heap-node-boundary-0x20000800", seed(m2, srat(
        *cpus, acpi.srat_mem(0, 0x20000800, 0), acpi.srat_mem(0x20000800, GiB - 0x20000800, 1)),
        slit(flat(2)))
    # The boot CPU on a memoryless node whose SLIT row marks the only node
    # with memory (or every one) unreachable: it must still get memory.
    yield "heap-boot-cpu-memoryless-unreachable", seed(m2, srat(
        *cpus, acpi.srat_mem(0, GiB, 1)), slit([[10, 255], [20, 10]]))
    yield "heap-boot-cpu-memoryless-unreachable-3node", seed(lapics(3), srat(
        *cpus, acpi.srat_cpu(2, 2), acpi.srat_mem(0, GiB // 2, 1),
        acpi.srat_mem(GiB // 2, GiB // 2, 2)), slit([[10, 255, 255], [20, 10, 20], [20, 20, 10]]))


# ---- regressions: inputs the fuzzer found ----------------------------------------

def regressions():
    hot = SRAT_ENABLED | SRAT_HOTPLUG
    cpus = (acpi.srat_cpu(0, 0), acpi.srat_cpu(1, 1), acpi.srat_mem(0, 2 * GiB, 0))
    # Overlapping hot-plug ranges of one domain become overlapping ranges.
    yield "regress-hotplug-overlap-same-node", seed(lapics(2), srat(
        *cpus, acpi.srat_mem(4 * GiB, 2 * GiB, 1), acpi.srat_mem(6 * GiB, 2 * GiB, 1, hot),
        acpi.srat_mem(7 * GiB, 2 * GiB, 1, hot)), mem=MAP_4G_HOLE)
    # The overlap rule compares neighbours only: pxm 0 inside a pxm 1 range,
    # behind a smaller pxm 1 range, passes, and its memory lands on pxm 1.
    yield "regress-nested-overlap-other-node", seed(lapics(2), srat(
        *cpus, acpi.srat_mem(4 * GiB, 2 * GiB, 1), acpi.srat_mem(4 * GiB + MiB, MiB, 1),
        acpi.srat_mem(5 * GiB, GiB // 2, 0)), mem=MAP_4G_HOLE)


# ---- tables compiled by iasl from tests/fuzz/asl/ ----------------------------------

def iasl(name):
    """The table tests/fuzz/asl/<name>.dsl compiles to (Debian's acpica-tools)."""
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, name)
        subprocess.run(["iasl", "-p", out, os.path.join(HERE, "asl", name + ".dsl")],
                       check=True, stdout=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
        with open(out + ".aml", "rb") as f:
            return f.read()


def compiled():
    madt_, srat_, slit_ = (iasl(f"two-node-{t}") for t in ("madt", "srat", "slit"))
    raw = RAW | PRINT
    yield "iasl-two-node", seed(madt_, srat_, slit_, flags=raw)
    yield "iasl-two-node-4g-hole", seed(madt_, srat_, slit_, flags=raw, mem=MAP_4G_HOLE)
    yield "iasl-two-node-no-slit", seed(madt_, srat_, flags=raw, mem=MAP_6G)
    yield "iasl-two-node-xsdt", seed(madt_, srat_, slit_, flags=raw | RSDP2)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", default=os.path.join(HERE, "corpus", "topology"))
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    seeds = dict()
    for name, data in (*machines(), *roots(), *rules(), *heaps(), *regressions(), *compiled()):
        assert name not in seeds, name
        seeds[name + ".bin"] = data
    for old in os.listdir(a.out):
        if old.endswith(".bin") and old not in seeds:
            os.remove(os.path.join(a.out, old))
    for name, data in sorted(seeds.items()):
        acpi.write(os.path.join(a.out, name), data)
    print(f"{len(seeds)} seeds, {sum(map(len, seeds.values()))} bytes in {a.out}")


if __name__ == "__main__":
    main()
