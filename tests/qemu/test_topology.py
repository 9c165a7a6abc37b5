"""Boot tests of the firmware topology: QEMU's own NUMA machines and
hand-made SRAT/SLIT tables injected with -acpitable, read back through the
'u' debug key field by field, plus SMP bring-up per node."""

import re

import pytest

import acpi_tables as acpi
import numa_dump

GiB = 1 << 30
MiB = 1 << 20

# QEMU q35's memory map (the hardware definition the tests run on): RAM at
# 0-0x9f000, from 1 MiB to the top of low memory less 0x21000 of firmware
# tables, and above 4 GiB what does not fit below the 2 GiB (or 3 GiB) hole.
# 1 GiB machine: 0x9f000 + 0x3fedf000 bytes = 1023 MiB (1023.49).
FLAT_MIB = 1023


def dump_u(m):
    """Press 'u', wait for the whole dump (the last node's fallback line)
    and parse it."""
    since = m.mark()
    m.send("u")
    head = m.wait_for(r"^NUMA: (\d+) nodes?, ", since=since, regex=True)
    start = since + head.start()
    m.wait_for(rf"^node {int(head[1]) - 1}: fallback.*\n", since=start, regex=True)
    d = numa_dump.parse(m.output[start:])
    numa_dump.check_consistent(d)
    return d


def boot_u(boot, topo, append="", extra=()):
    m = boot(topo, append=append, extra=extra)
    m.wait_ready()
    return m, dump_u(m)


def smp_line(out):
    m = re.search(r"^smp: (\d+) of (\d+) CPUs online:(.*)$", out, re.M)
    assert m, "no smp summary"
    per_node = [int(x) for x in re.findall(r"node \d+: (\d+)", m[3])]
    return int(m[1]), int(m[2]), per_node


def check_smp(out, d):
    online, present, per_node = smp_line(out)
    assert online == present == d["cpus"]
    assert per_node == [len(n["cpus"]) for n in d["node"]]
    # Every CPU's stack comes from its node, or its nearest node with memory.
    for cpu, node, snode in re.findall(r"^smp: CPU(\d+) APIC id \d+ node (\d+), stack at "
                                       r"0x[0-9a-f]+ on node (\d+)$", out, re.M):
        node, snode = int(node), int(snode)
        want = node if d["node"][node]["memory"] else d["node"][node]["fallback"][0]
        assert snode == want, f"CPU{cpu} on node {node} has its stack on node {snode}"


# ---- QEMU's own NUMA descriptions ---------------------------------------------

def test_flat_machine_is_one_node(boot):
    m, d = boot_u(boot, "flat")
    assert (d["nodes"], d["cpus"], d["source"]) == (1, 2, "none")
    n = d["node"][0]
    assert n["pxm"] == 0 and n["cpus"] == [0, 1] and n["fallback"] == []
    assert n["memory"] == FLAT_MIB and n["distance"] == [10]
    assert n["ranges"] == [(0, 0x9f000), (0x100000, 0x3ffdf000)]
    check_smp(m.output, d)


def test_two_nodes(boot):
    m, d = boot_u(boot, "2node")
    assert (d["nodes"], d["cpus"], d["source"]) == (2, 4, "acpi")
    assert [n["cpus"] for n in d["node"]] == [[0, 1], [2, 3]]
    assert [n["distance"] for n in d["node"]] == [[10, 21], [21, 10]]
    assert [n["fallback"] for n in d["node"]] == [[1], [0]]
    # Node 0: 0x9f000 + 0x3ff00000 bytes; node 1: up to the firmware's 0x7ffdf000.
    assert [n["ranges"] for n in d["node"]] == [[(0, 0x9f000), (0x100000, GiB)],
                                                [(GiB, 0x7ffdf000)]]
    assert [n["memory"] for n in d["node"]] == [1023, 1023]
    check_smp(m.output, d)


def test_four_node_ring_falls_back_by_slit(boot):
    m, d = boot_u(boot, "default")
    assert (d["nodes"], d["cpus"], d["source"]) == (4, 8, "acpi")
    assert [n["pxm"] for n in d["node"]] == [0, 1, 2, 3]
    assert [n["distance"] for n in d["node"]] == [
        [10, 21, 31, 21], [21, 10, 21, 31], [31, 21, 10, 21], [21, 31, 21, 10]]
    # Nearest by SLIT first (not the next node id), and the two equally
    # near neighbours shared out so that no node is everyone's first choice.
    assert [n["fallback"] for n in d["node"]] == [[1, 3, 2], [2, 0, 3], [3, 1, 0], [0, 2, 1]]
    assert [n["cpus"] for n in d["node"]] == [[0, 1], [2, 3], [4, 5], [6, 7]]
    # Node 1 ends at the PCI hole; nodes 2 and 3 live above 4 GiB.
    assert d["node"][2]["ranges"] == [(0x100000000, 0x140000000)]
    assert d["node"][3]["ranges"] == [(0x140000000, 0x180000000)]
    assert d["node"][2]["memory"] == d["node"][3]["memory"] == 1024
    check_smp(m.output, d)


def test_memoryless_node(boot):
    m, d = boot_u(boot, "memoryless")
    assert d["nodes"] == 3
    n1 = d["node"][1]
    assert n1["memory"] == 0 and n1["ranges"] == [] and n1["cpus"] == [2, 3]
    # Its CPUs allocate from the nearest nodes; nobody falls back onto it.
    assert n1["fallback"] == [0, 2]
    assert d["node"][0]["fallback"] == [2] and d["node"][2]["fallback"] == [0]
    check_smp(m.output, d)


def test_cpuless_node(boot):
    m, d = boot_u(boot, "cpuless")
    assert d["nodes"] == 3
    n2 = d["node"][2]
    assert n2["cpus"] == [] and n2["memory"] == 1024
    assert n2["ranges"] == [(0x100000000, 0x140000000)]
    assert d["node"][0]["fallback"] == [1, 2]
    assert smp_line(m.output)[2] == [2, 2, 0]
    check_smp(m.output, d)


def test_node_spanning_the_pci_hole(boot):
    m, d = boot_u(boot, "highmem2")
    n0, n1 = d["node"]
    # Node 0 holds 3 GiB: 2 GiB below the hole and 1 GiB above 4 GiB.
    assert n0["ranges"][-1] == (0x100000000, 0x140000000)
    assert n0["ranges"][:-1] == [(0, 0x9f000), (0x100000, 0x7ffdf000)]
    assert n0["memory"] == 3071     # 0x9f000 + 0x7fedf000 + 1 GiB bytes
    assert n1["ranges"] == [(0x140000000, 0x200000000)] and n1["memory"] == 3072
    check_smp(m.output, d)


def test_hotplug_range_recorded_not_counted(boot):
    m, d = boot_u(boot, "hotplug")
    n0, n1 = d["node"]
    assert n0["hotplug"] == []
    assert len(n1["hotplug"]) == 1
    # QEMU's device-memory window for maxmem=8G past 2 GiB of RAM: 4 GiB to 14 GiB.
    assert n1["hotplug"][0] == (0x100000000, 0x380000000)
    # Present memory is only what the memory map holds: 1023 MiB each.
    assert [n0["memory"], n1["memory"]] == [1023, 1023]


def test_eight_nodes_without_slit(boot):
    m, d = boot_u(boot, "8node")
    assert d["nodes"] == 8
    for i, n in enumerate(d["node"]):
        assert n["distance"] == [10 if j == i else 20 for j in range(8)]
        assert len(n["fallback"]) == 7
    firsts = [n["fallback"][0] for n in d["node"]]
    assert sorted(firsts) == list(range(8)), f"first fallbacks pile up: {firsts}"
    check_smp(m.output, d)


# ---- command line ---------------------------------------------------------------

def test_numa_off(boot):
    m, d = boot_u(boot, "default", append="numa=off")
    assert (d["nodes"], d["cpus"], d["source"]) == (1, 8, "off")
    assert re.search(r"^NUMA: 1 node, 8 CPUs \(numa=off\)$", m.output, re.M)
    assert d["node"][0]["cpus"] == list(range(8))
    assert d["node"][0]["memory"] == 4095    # 0x9f000 + 0x7fedf000 + 2 GiB bytes


def test_numa_noslit(boot):
    m, d = boot_u(boot, "default", append="numa=noslit")
    assert d["nodes"] == 4
    assert d["node"][0]["distance"] == [10, 20, 20, 20]


def test_numa_fake(boot):
    m, d = boot_u(boot, "flat", append="numa=fake=4")
    assert (d["nodes"], d["source"]) == (4, "fake")
    mems = [n["memory"] for n in d["node"]]
    assert max(mems) - min(mems) <= 4, mems
    assert [n["cpus"] for n in d["node"]] == [[0], [], [1], []]
    assert d["node"][0]["distance"] == [10, 20, 20, 20]


@pytest.mark.parametrize("append,nodes,source,line", [
    ("numa=off numa=fake=4", 4, "fake", "NUMA: 4 nodes, 2 CPUs (numa=fake=4)"),
    ("numa=fake=4 numa=off", 1, "off", "NUMA: 1 node, 2 CPUs (numa=off)"),
    ("numa=fake=4 numa=noslit", 4, "fake", "NUMA: 4 nodes, 2 CPUs (numa=fake=4)"),
])
def test_numa_off_and_fake_last_wins(boot, append, nodes, source, line):
    m, d = boot_u(boot, "flat", append=append)
    assert (d["nodes"], d["source"]) == (nodes, source)
    assert re.search("^" + re.escape(line) + "$", m.output, re.M), line


def test_numa_fake_on_small_memory_leaves_no_node_empty(boot):
    # 64 MiB: 0x9f000 + 0x3edf000 bytes of RAM, 31 granules of 2 MiB.
    m, d = boot_u(boot, "small", append="numa=fake=20")
    assert (d["nodes"], d["source"]) == (20, "fake")
    assert all(n["memory"] >= 2 for n in d["node"]), [n["memory"] for n in d["node"]]
    assert re.search(r"^NUMA: 20 nodes, 2 CPUs \(numa=fake=20\)$", m.output, re.M)
    m, d = boot_u(boot, "small", append="numa=fake=64")
    assert d["nodes"] == 31
    assert all(n["memory"] >= 2 for n in d["node"]), [n["memory"] for n in d["node"]]
    assert re.search(r"^numa=fake=64: only 63 MiB of RAM, at least 2 MiB per node; using 31 "
                     r"nodes$", m.output, re.M)


def test_numa_fake_zero_lists_the_accepted_forms(boot):
    m, d = boot_u(boot, "2node", append="numa=fake=0")
    assert re.search(r"^cmdline: option 'numa=fake=0': invalid value, expected off, noslit or "
                     r"fake=N \(N from 1\); using default firmware NUMA description$",
                     m.output, re.M)
    assert (d["nodes"], d["source"]) == (2, "acpi")


def test_numa_bad_value(boot):
    m, d = boot_u(boot, "2node", append="numa=sideways")
    assert "cmdline: option 'numa=sideways': invalid value, expected off, noslit or fake=N " \
           "(N from 1); using default firmware NUMA " \
           "description" in m.output
    assert d["nodes"] == 2


# ---- injected tables --------------------------------------------------------------
# The "flat" machine: 1 GiB (0-0x9f000, 0x100000-0x3ffdf000), CPUs with APIC ids 0, 1.

def inject(tmp_path, boot, *tables, append=""):
    extra = []
    for i, t in enumerate(tables):
        extra += ["-acpitable", "file=" + acpi.write(tmp_path / f"t{i}.aml", t)]
    return boot_u(boot, "flat", append=append, extra=extra)


def two_node_srat(*more):
    return acpi.srat(acpi.srat_cpu(0, 0), acpi.srat_cpu(1, 1),
                     acpi.srat_mem(0, 512 * MiB, 0), acpi.srat_mem(512 * MiB, 512 * MiB, 1),
                     *more)


def test_injected_sparse_pxms_with_slit(tmp_path, boot):
    srat = acpi.srat(acpi.srat_cpu(0, 0), acpi.srat_cpu(1, 7),
                     acpi.srat_mem(0, 512 * MiB, 0), acpi.srat_mem(512 * MiB, 512 * MiB, 7))
    slit = acpi.slit([[10 if i == j else 25 + i + j for j in range(8)] for i in range(8)])
    m, d = inject(tmp_path, boot, srat, slit)
    assert d["source"] == "acpi"
    assert [n["pxm"] for n in d["node"]] == [0, 7]
    assert [n["distance"] for n in d["node"]] == [[10, 32], [32, 10]]
    assert [n["cpus"] for n in d["node"]] == [[0], [1]]
    assert re.search(r"^ACPI SLIT: 8 localities$", m.output, re.M)
    assert "Fatal" not in m.output


def test_injected_asymmetric_and_unreachable(tmp_path, boot):
    srat = acpi.srat(acpi.srat_cpu(0, 0), acpi.srat_cpu(1, 1),
                     acpi.srat_mem(0, 256 * MiB, 0), acpi.srat_mem(256 * MiB, 256 * MiB, 1),
                     acpi.srat_mem(512 * MiB, 512 * MiB, 2))
    slit = acpi.slit([[10, 17, 255], [23, 10, 40], [30, 40, 10]])
    m, d = inject(tmp_path, boot, srat, slit)
    assert [n["distance"] for n in d["node"]] == [[10, 17, 255], [23, 10, 40], [30, 40, 10]]
    assert d["node"][0]["fallback"] == [1, 2]       # the unreachable node 2 comes last
    assert d["node"][2]["fallback"] == [0, 1]


RULES = [
    # (name, tables, expected line (regex), nodes after the fallback, distance 0->1)
    ("zero-length subtable",
     lambda: [acpi.srat(acpi.srat_cpu(0, 0), b"\x01\x00" + bytes(38))],
     r"ACPI SRAT: .*length 0.*; ignoring SRAT: one node with all memory and CPUs", 1, None),
    ("wrong subtable length",
     lambda: [acpi.srat(acpi.srat_cpu(0, 0), acpi.srat_mem(0, GiB, 0)[:1] + b"\x20"
                        + acpi.srat_mem(0, GiB, 0)[2:32])],
     r"ACPI SRAT: .*length 32.*; ignoring SRAT: one node with all memory and CPUs", 1, None),
    ("overlapping nodes",
     lambda: [acpi.srat(acpi.srat_cpu(0, 0), acpi.srat_mem(0, 600 * MiB, 0),
                        acpi.srat_mem(512 * MiB, 512 * MiB, 1))],
     r"SRAT: memory ranges 0x0-0x25800000 \(pxm 0\) and 0x20000000-0x40000000 \(pxm 1\) "
     r"overlap; ignoring SRAT: one node with all memory and CPUs", 1, None),
    ("range wraps past 2^64",
     lambda: [two_node_srat(acpi.srat_mem(0xfffffffff0000000, 0x20000000, 1))],
     r"SRAT: memory range 0xfffffffff0000000\+0x20000000 \(pxm 1\) wraps past 2\^64; "
     r"ignoring SRAT: one node with all memory and CPUs", 1, None),
    ("more domains than NR_NODES",
     lambda: [acpi.srat(acpi.srat_cpu(0, 0),
                        *[acpi.srat_mem(i * 8 * MiB, 8 * MiB, i) for i in range(65)])],
     r"SRAT: more than NR_NODES=64 proximity domains; ignoring SRAT: one node with all "
     r"memory and CPUs", 1, None),
    ("SLIT diagonal not 10",
     lambda: [two_node_srat(), acpi.slit([[11, 21], [21, 10]])],
     r"SLIT: distance from pxm 0 to itself is 11, not 10; ignoring SLIT: distances 10 "
     r"local, 20 remote", 2, 20),
    ("SLIT off-diagonal not above 10",
     lambda: [two_node_srat(), acpi.slit([[10, 10], [21, 10]])],
     r"SLIT: distance from pxm 0 to pxm 1 is 10, not above 10; ignoring SLIT", 2, 20),
    ("SLIT with fewer localities than the SRAT's domains",
     lambda: [two_node_srat(), acpi.slit([[10]])],
     r"SLIT: 1 locality, but the proximity domains \(largest 1\) need at least 2; "
     r"ignoring SLIT", 2, 20),
    ("SLIT length does not match count squared",
     lambda: [two_node_srat(), acpi.slit([[10, 21], [21, 10]], count=3)],
     r"ACPI SLIT: .*; ignoring SLIT: distances 10 local, 20 remote", 2, 20),
]


@pytest.mark.parametrize("name,tables,line,nodes,dist", RULES, ids=[r[0] for r in RULES])
def test_malformed_tables_fall_back(tmp_path, boot, name, tables, line, nodes, dist):
    m, d = inject(tmp_path, boot, *tables())
    assert re.search(line, m.output, re.M), f"no line matching {line!r}"
    assert d["nodes"] == nodes
    if nodes == 1:
        assert d["source"] == "none" and d["node"][0]["cpus"] == [0, 1]
        assert d["node"][0]["memory"] == FLAT_MIB
    else:
        assert d["node"][0]["distance"][1] == dist
    assert "Fatal" not in m.output


def test_zero_length_entry_is_skipped(tmp_path, boot):
    m, d = inject(tmp_path, boot, two_node_srat(acpi.srat_mem(0x40000000, 0, 1)))
    assert "SRAT: memory range at 0x40000000 (pxm 1) has zero length; entry ignored" in m.output
    assert d["nodes"] == 2


def test_cpu_rules(tmp_path, boot):
    srat = acpi.srat(acpi.srat_cpu(0, 0), acpi.srat_cpu(9, 1),
                     acpi.srat_mem(0, 512 * MiB, 0), acpi.srat_mem(512 * MiB, 512 * MiB, 1))
    m, d = inject(tmp_path, boot, srat)
    # CPU 1 is in the MADT but has no affinity; APIC id 9 is in no MADT.
    assert "SRAT: CPU 1 (id 0x1) has no affinity entry; placed on node 0" in m.output
    assert "SRAT: CPU id 0x9 (pxm 1) is not among the present CPUs; entry ignored" in m.output
    assert [n["cpus"] for n in d["node"]] == [[0, 1], []]


def test_uncovered_ram_is_reported_and_kept(tmp_path, boot):
    srat = acpi.srat(acpi.srat_cpu(0, 0), acpi.srat_cpu(1, 0), acpi.srat_mem(0, 512 * MiB, 0))
    m, d = inject(tmp_path, boot, srat)
    assert re.search(r"^SRAT: 512 MiB of RAM in no memory affinity range; given to the node "
                     r"of the memory below it \(node 0 if none\)$", m.output, re.M)
    assert d["nodes"] == 1 and d["source"] == "acpi"
    assert d["node"][0]["memory"] == FLAT_MIB


def test_slit_with_more_localities_than_domains(tmp_path, boot):
    # ACPI allows localities the SRAT does not name (empty sockets, _PXM-only domains).
    slit = acpi.slit([[10, 21, 31], [21, 10, 17], [31, 17, 10]])
    m, d = inject(tmp_path, boot, two_node_srat(), slit)
    assert [n["distance"] for n in d["node"]] == [[10, 21], [21, 10]]
    assert "SLIT: " not in m.output.replace("ACPI SLIT: 3 localities", "")


def selftests_pass(out):
    """The paging, page-allocator and slab self-tests all ran something and passed."""
    found = dict((name, (int(p), int(f))) for name, p, f in
                 re.findall(r"^selftest (\w+): (\d+) passed, (\d+) failed$", out, re.M))
    return sorted(found) == ["mm", "paging", "slab"] and \
        all(p > 0 and f == 0 for p, f in found.values())


@pytest.mark.parametrize("boot_cpu_node", [0, 1])
def test_cpu_whose_only_memory_is_unreachable(tmp_path, boot, boot_cpu_node):
    # All 1 GiB is pxm 1; the SLIT says pxm 0 cannot reach pxm 1. The CPU on pxm 0
    # (the boot CPU, or CPU 1) must still get memory: no panic, no CPU left out.
    srat = acpi.srat(acpi.srat_cpu(0, 1 - boot_cpu_node), acpi.srat_cpu(1, boot_cpu_node),
                     acpi.srat_mem(0, GiB, 1))
    m, d = inject(tmp_path, boot, srat, acpi.slit([[10, 255], [255, 10]]))
    assert d["nodes"] == 2 and d["node"][0]["memory"] == 0
    assert d["node"][0]["fallback"] == [1]
    assert re.search(r"^SLIT: node 0 \(pxm 0\) has CPUs but no memory, and every node with "
                     r"memory is unreachable \(255\) from it; its memory comes from node 1 "
                     r"all the same$", m.output, re.M)
    assert smp_line(m.output)[:2] == (2, 2)
    check_smp(m.output, d)
    assert selftests_pass(m.output)
    assert "no memory for" not in m.output and "Fatal" not in m.output


def heap_ranges(out):
    return {int(n): (int(mib), int(k)) for n, mib, k in
            re.findall(r"^heap: node (\d+): (\d+) MiB in (\d+) ranges?$", out, re.M)}


def test_interleaved_ranges_all_reach_the_heap(tmp_path, boot):
    # 254 ranges of 2 MiB alternating between pxm 0 and 1, then the rest on pxm 0:
    # each node has over a hundred ranges, and every one must reach the heap.
    mems = [acpi.srat_mem(i * 2 * MiB, 2 * MiB, i % 2) for i in range(254)]
    mems.append(acpi.srat_mem(508 * MiB, GiB - 508 * MiB, 0))
    m, d = inject(tmp_path, boot, acpi.srat(acpi.srat_cpu(0, 0), acpi.srat_cpu(1, 1), *mems))
    assert d["nodes"] == 2
    heap = heap_ranges(m.output)
    for n, node in enumerate(d["node"]):
        assert heap[n][1] == len(node["ranges"]), (n, heap[n], len(node["ranges"]))
    # Node 1: 127 ranges of 2 MiB (254 MiB), less its own frame table and caches;
    # node 0 also holds the image and the boot allocations.
    assert heap[1][1] == 127 and d["node"][1]["memory"] == 254
    assert heap[1][0] >= 254 - 8, heap[1]
    assert heap[0][0] >= d["node"][0]["memory"] - 32, (heap[0], d["node"][0]["memory"])
    assert "left out" not in m.output and "not managed" not in m.output
    assert selftests_pass(m.output)


def test_node_boundary_inside_a_page(tmp_path, boot):
    srat = acpi.srat(acpi.srat_cpu(0, 0), acpi.srat_cpu(1, 1),
                     acpi.srat_mem(0, 0x20000800, 0),
                     acpi.srat_mem(0x20000800, GiB - 0x20000800, 1))
    m, d = inject(tmp_path, boot, srat)
    assert d["node"][0]["ranges"][-1][1] == 0x20001000
    assert d["node"][1]["ranges"][0][0] == 0x20001000
    assert re.search(r"^SRAT: 1 node boundary inside a page \(first at 0x20000800\); each such "
                     r"page goes to the node holding its first byte \(node 0 at 0x20000000\)$",
                     m.output, re.M)


@pytest.mark.parametrize("second", ["xapic", "x2apic"])
def test_cpu_in_two_domains_makes_no_phantom_node(tmp_path, boot, second):
    again = acpi.srat_cpu(0, 5) if second == "xapic" else acpi.srat_x2apic(0, 5)
    m, d = inject(tmp_path, boot, two_node_srat(again))
    assert d["nodes"] == 2 and [n["pxm"] for n in d["node"]] == [0, 1]
    assert [n["cpus"] for n in d["node"]] == [[0], [1]]
    assert re.search(r"^SRAT: CPU id 0x0 is in two proximity domains, pxm 0 and pxm 5; a CPU "
                     r"has one node: keeping pxm 0, the first entry$", m.output, re.M)


def test_range_ending_at_2_64_is_no_wrap(tmp_path, boot):
    # Hot-pluggable from 4 GiB to the very top of the 64-bit space.
    top = acpi.srat_mem(4 * GiB, (1 << 64) - 4 * GiB, 1, flags=acpi.ENABLED | acpi.HOTPLUG)
    m, d = inject(tmp_path, boot, two_node_srat(top))
    assert d["nodes"] == 2 and d["source"] == "acpi"
    assert "wraps" not in m.output


def test_boot_line_lists_every_cpu(tmp_path, boot):
    # 48 CPUs interleaved over two nodes: each node's list is 66 characters;
    # the boot line prints them whole (it once cut them at 63, silently).
    cpus = [acpi.srat_cpu(i, i % 2) for i in range(48)]
    srat = acpi.srat(*cpus, acpi.srat_mem(0, 512 * MiB, 0), acpi.srat_mem(512 * MiB, 512 * MiB, 1))
    m = boot("flat", extra=["-smp", "48", "-acpitable",
                            "file=" + acpi.write(tmp_path / "srat.aml", srat)])
    # The boot lines are all this needs; 48 CPUs under TCG are slow to reach ready.
    m.wait_for(r"^smp: 48 of 48 CPUs online", regex=True)
    evens = ",".join(str(i) for i in range(0, 48, 2))
    odds = ",".join(str(i) for i in range(1, 48, 2))
    assert re.search(rf"^  node 0: pxm 0, \d+ MiB, cpus {evens}$", m.output, re.M)
    assert re.search(rf"^  node 1: pxm 1, \d+ MiB, cpus {odds}$", m.output, re.M)


def test_numactl_view(boot):
    # The default machine in numactl --hardware's layout: q35 gives nodes 0 and 1
    # 1023 MiB (the firmware's holes), nodes 2 and 3 1024 MiB; the ring SLIT.
    m = boot("default")
    m.wait_ready()
    text = m.key("n", "  3:  21  31  21  10\n")
    want = ["available: 4 nodes (0-3)"]
    for n, size in enumerate([1023, 1023, 1024, 1024]):
        want += [f"node {n} cpus: {2 * n} {2 * n + 1}", f"node {n} size: {size} MB", None]
    want += ["node distances:", "node   0   1   2   3", "  0:  10  21  31  21",
             "  1:  21  10  21  31", "  2:  31  21  10  21", "  3:  21  31  21  10"]
    lines = text.replace("\r", "").split("\n")
    got = lines[lines.index("available: 4 nodes (0-3)"):][:len(want)]
    assert len(got) == len(want)
    for g, w in zip(got, want):
        if w is None:
            assert re.fullmatch(r"node \d free: \d+ MB", g), g
            assert 1000 <= int(g.split()[3]) <= 1024     # free, as 'u' reports it
        else:
            assert g == w
