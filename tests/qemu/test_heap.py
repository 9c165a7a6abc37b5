"""Boot tests of the page allocator: the 'H' and 'm' dumps add up, the
boot self-test passes on every CPU, an exhausted node falls back to
its nearest node by SLIT distance, not to the next node id, and make
check's image checks scrubbing (SCRUB_DEBUG) in every boot."""

import os
import re

import pytest

H_ZONE = re.compile(r"^heap node (\d+) zone (dma|dma32|normal): free (\d+) orders((?: \d+)+)$",
                    re.M)
H_NODE = re.compile(r"^heap node (\d+): free (\d+) pcp (\d+) dirty (\d+) hit (\d+) miss (\d+) "
                    r"foreign (\d+) local (\d+) other (\d+)$", re.M)
M_NODE = re.compile(r"^mem node (\d+): total (\d+) MiB free (\d+) MiB pcp (\d+) MiB$", re.M)


def dump(m, key, last):
    since = m.mark()
    m.send(key)
    m.wait_for(last, since=since, regex=True)
    return m.output[since:]


def parse_heap(text, nodes):
    zones = {}
    for n, z, free, orders in H_ZONE.findall(text):
        zones[(int(n), z)] = (int(free), [int(x) for x in orders.split()])
    per_node = {int(g[0]): [int(x) for x in g[1:]] for g in H_NODE.findall(text)}
    assert sorted(per_node) == list(range(nodes))
    return zones, per_node


@pytest.mark.parametrize("topo,nodes", [("default", 4), ("memoryless", 3), ("flat", 1)])
def test_heap_dump_adds_up(boot, topo, nodes):
    m = boot(topo)
    m.wait_ready()
    out = m.output
    assert re.search(r"^selftest mm: [1-9]\d* passed, 0 failed$", out, re.M), "self-test failed"
    text = dump(m, "H", rf"^heap node {nodes - 1}: free .*\n")
    zones, per_node = parse_heap(text, nodes)
    for (n, z), (free, orders) in zones.items():
        # A zone's free pages are exactly its blocks of each order.
        assert free == sum(c << o for o, c in enumerate(orders)), (n, z)
    mem = {int(g[0]): [int(x) for x in g[1:]]
           for g in M_NODE.findall(dump(m, "m", rf"^mem node {nodes - 1}: .*\n"))}
    for n, (free, pcp, dirty, hit, miss, foreign, local, other) in per_node.items():
        assert free == sum(zones[(n, z)][0] for z in ("dma", "dma32", "normal"))
        assert dirty <= free + pcp      # dirty pages sit in the lists or caches
        # Every allocation counted once as hit or miss, and once as local or other.
        assert hit + miss == local + other
        total, mfree, mpcp = mem[n]
        assert mfree == (free >> 8) or abs(mfree - (free >> 8)) <= 1
        assert mfree + mpcp <= total
    if topo == "memoryless":
        assert per_node[1][0] == 0 and mem[1][0] == 0
    total_hits = sum(v[3] for v in per_node.values())
    assert total_hits > 0
    # The self-test's drain took the other CPUs' caches over (mm/pcp.c),
    # each owner answering the IPI of arch_cpu_sync() in time.
    taken, unreachable = map(int, re.search(r"^heap pcp: taken over (\d+) unreachable (\d+)$",
                                            text, re.M).groups())
    assert taken > 0 and unreachable == 0, (taken, unreachable)


def test_exhausted_node_falls_back_by_slit_not_node_id(boot):
    m = boot("skewed")
    m.wait_ready()
    line = re.search(r"^selftest mm: node 0 exhausted \((\d+) pages\): next page from node "
                     r"(-?\d+), first fallback (-?\d+)$", m.output, re.M)
    assert line, "no exhaustion line"
    # Node 0's nearest is node 2 (distance 21), not node 1 (31).
    assert int(line[2]) == 2 and int(line[3]) == 2
    assert int(line[1]) > 100000
    assert re.search(r"^selftest mm: [1-9]\d* passed, 0 failed$", m.output, re.M)


def test_u_reports_heap_free_memory(boot):
    m = boot("2node")
    m.wait_ready()
    text = dump(m, "u", r"^node 1: fallback.*\n")
    frees = [int(x) for x in re.findall(r"^node \d+: pxm \d+ cpus \S+ memory \d+ MiB free (\d+) "
                                        r"MiB$", text, re.M)]
    mem = M_NODE.findall(dump(m, "m", r"^mem node 1: .*\n"))
    # 'u' counts heap and cached pages: equal to 'm' free + pcp, within rounding.
    assert len(frees) == len(mem) == 2, (frees, mem)
    for f, (n, total, mfree, mpcp) in zip(frees, mem):
        assert abs(f - (int(mfree) + int(mpcp))) <= 1
        assert f > 900


def test_each_node_is_built_by_its_own_cpu(boot):
    m = boot("default")
    m.wait_ready()
    built = re.findall(r"^heap: node (\d+) built by CPU(\d+) \(node (\d+)\)$", m.output, re.M)
    assert sorted(int(n) for n, _, _ in built) == [0, 1, 2, 3]
    for n, cpu, cpu_node in built:
        assert n == cpu_node, f"node {n} built by CPU{cpu} of node {cpu_node}"
    # Not all by the boot CPU: the work ran on the nodes' own CPUs.
    assert {cpu for _, cpu, _ in built} == {"0", "2", "4", "6"}


def test_heap_dump_exact_on_one_node(boot):
    # One node: every allocation is local and a hit, none foreign or other;
    # 'm' total is the heap's boot line for the node, to the MiB; nothing
    # sits in a per-CPU cache that 'H' and 'm' disagree about.
    m = boot("flat")
    m.wait_ready()
    managed = int(re.search(r"^heap: node 0: (\d+) MiB in \d+ ranges?$", m.output, re.M)[1])
    _, per_node = parse_heap(dump(m, "H", r"^heap node 0: free .*\n"), 1)
    free, pcp, dirty, hit, miss, foreign, local, other = per_node[0]
    assert (miss, foreign, other) == (0, 0, 0)
    assert hit == local and hit > 0
    (total, mfree, mpcp), = [tuple(int(x) for x in g[1:]) for g in
                             M_NODE.findall(dump(m, "m", r"^mem node 0: .*\n"))]
    assert total == managed
    assert mfree == free >> 8 and mpcp == pcp >> 8


def test_check_image_checks_scrubbing(build_dir):
    """make check boots debug_defconfig, with SCRUB_DEBUG: every page freed
    clean holds a poison that the allocator checks when it hands the page
    out again, and conftest.py fails any boot whose console shows a page
    written while free. This holds that configuration in place."""
    if os.path.basename(os.path.normpath(build_dir)) != "check":
        pytest.skip(f"{build_dir} is not make check's build")
    with open(os.path.join(build_dir, ".config")) as f:
        config = f.read()
    assert "CONFIG_SCRUB_DEBUG=y" in config.splitlines()
