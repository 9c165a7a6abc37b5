"""Boot tests of guest NUMA: domains with virtual nodes backed by physical
nodes, the ACPI tables the test guest reads back, the host-topology
hypercalls, memory added later (memory_op), 'q' per virtual node and 'n'
(numastat), and scrubbing between domains.

Expected figures come from the issue's rules, the ABI
(include/public/hypercall.h), the guest layout rule (include/hv/domain.h)
and the topologies in scripts/topology.py:
- default: 4 nodes x 2 CPUs x 1 GiB, CPUs 2n and 2n+1 on node n, SLIT a
  ring (10 local, 21 next, 31 opposite);
- asym: 4 nodes x 1 CPU x 512 MiB, CPU n on node n, an asymmetric SLIT
  (rows 10 16 32 22 / 26 10 22 32 / 32 22 10 16 / 22 28 26 10).
A guest page is 4 KiB: M MiB = 256 * M pages. Every domain also holds its
firmware area (128 KiB = 32 pages) on its home node (virtual node 0's)."""

import re

FW_PAGES = 32
RING = {0: "10 21 31 21", 1: "21 10 21 31", 2: "31 21 10 21", 3: "21 31 21 10"}

Q_VNODE = re.compile(r"^domain (\d+): vnode (\d+) pnode (\d+) pages (\d+) misplaced (\d+)$", re.M)
Q_NODE = re.compile(r"^domain (\d+): node (\d+) pages (\d+)$", re.M)
Q_VCPU = re.compile(r"^domain (\d+): vcpu (\d+) vnode (\d+) pcpu (\d+) node (\d+) exits \d+$",
                    re.M)
N_NODE = re.compile(r"^numastat node (\d+): total (\d+) free (\d+) hypervisor (\d+) "
                    r"domains (\d+)$", re.M)
N_DOM = re.compile(r"^numastat domain (\d+) ([a-z0-9_-]+):((?: node \d+ \d+)*)$", re.M)
H_NODE = re.compile(r"^heap node (\d+): free (\d+) pcp (\d+) ", re.M)


def press(m, keys, end):
    """Send keys, then 'v' (ends with "command line:"), and return what they printed."""
    since = m.mark()
    m.send(keys + "v")
    m.wait_for("command line:", since=since)
    text = m.output[since:]
    assert "mapped" not in text and "counted" not in text and "counter says" not in text, \
        "a debug cross-check found a difference:\n" + text
    return text


def q_domains(m):
    text = press(m, "q", "command line:")
    doms = {}
    for d, v, p, pages, mis in Q_VNODE.findall(text):
        doms.setdefault(int(d), {"vnode": {}, "nodes": {}, "vcpu": {}})
        doms[int(d)]["vnode"][int(v)] = (int(p), int(pages), int(mis))
    for d, n, pages in Q_NODE.findall(text):
        doms[int(d)]["nodes"][int(n)] = int(pages)
    for d, v, vn, pcpu, node in Q_VCPU.findall(text):
        doms[int(d)]["vcpu"][int(v)] = (int(vn), int(pcpu), int(node))
    return doms


def numastat(m, keys="n"):
    text = press(m, keys, "command line:")
    nodes = {int(n): dict(total=int(t), free=int(f), hv=int(h), dom=int(d))
             for n, t, f, h, d in N_NODE.findall(text)}
    doms = {}
    for d, _, rest in N_DOM.findall(text):
        pairs = re.findall(r"node (\d+) (\d+)", rest)
        doms[int(d)] = {int(n): int(p) for n, p in pairs}
    heap = {int(n): int(f) + int(p) for n, f, p in H_NODE.findall(text)}
    return nodes, doms, heap


def test_vnodes_across_nodes_1_and_3(boot):
    # 256 MiB over virtual nodes on nodes 1 and 3, 2 + 2 vCPUs, room for
    # 256 MiB more (hot-plug ranges of 256 MiB at 4 GiB and 5 GiB).
    m = boot(append="domain=name=v,vnodes=2,mem=256M,maxmem=512M,vcpus=4,nodes=1+3,control=1,"
                    "args=\"reserve=64 hlt\"")
    m.wait_ready()
    m.wait_for("domain 1 v: 256 MiB on nodes 1+3 (prefer), 4 vcpus on CPUs 2-3,6-7, "
               "2 virtual nodes (distance sum 62)")
    m.wait_for("(d1) guest: vnodes 2 vcpus 4 memory 256 MiB")
    # Virtual node 0: 640 KiB, then 1 MiB to 1 MiB + 128 MiB - 640 KiB;
    # virtual node 1 from the next 2 MiB boundary (0x8200000), 128 MiB.
    m.wait_for("(d1) guest: vnode 0: range 0x0-0x8060000 cpus 0-1")
    m.wait_for("(d1) guest: vnode 0: hotplug 0x100000000-0x110000000")
    m.wait_for("(d1) guest: vnode 0: distance 10 31")
    m.wait_for("(d1) guest: vnode 1: range 0x8200000-0x10200000 cpus 2-3")
    m.wait_for("(d1) guest: vnode 1: hotplug 0x140000000-0x150000000")
    m.wait_for("(d1) guest: vnode 1: distance 31 10")
    # The control domain sees the host.
    m.wait_for(r"\(d1\) guest: physinfo nodes 4 cpus 8 free \d+ MiB", regex=True)
    for n in range(4):
        m.wait_for(rf"\(d1\) guest: numainfo node {n}: size 102[34] MiB free \d+ MiB "
                   rf"distance {RING[n]}\n", regex=True)
    for c in range(8):
        m.wait_for(f"(d1) guest: cputopo cpu {c}: node {c // 2}")
    # 64 MiB more, no hint: split by vCPU count (2 and 2), each on its node.
    m.wait_for("(d1) guest: reservation +64 MiB: vnode 0 32 MiB vnode 1 32 MiB")
    m.wait_for("(d1) guest: reservation vnode 0 32 MiB written by vcpus 0-1", timeout=120)
    m.wait_for("(d1) guest: reservation vnode 1 32 MiB written by vcpus 2-3", timeout=120)
    m.wait_for("(d1) guest: memtest ok 320 MiB", timeout=240)
    m.wait_for("(d1) guest: halting", timeout=60)

    dom = q_domains(m)[1]
    # (128 + 32) MiB per virtual node, all on its node.
    assert dom["vnode"] == {0: (1, 40960, 0), 1: (3, 40960, 0)}
    assert dom["nodes"] == {1: 40960 + FW_PAGES, 3: 40960}
    for v, (vn, pcpu, node) in dom["vcpu"].items():
        assert vn == v // 2 and node == (1, 3)[vn] and pcpu in ((2, 3), (6, 7))[vn]
    nodes, doms, _ = numastat(m)
    assert doms == {1: {1: 40960 + FW_PAGES, 3: 40960}}
    assert [nodes[n]["dom"] for n in range(4)] == [0, 40960 + FW_PAGES, 0, 40960]


def test_reservation_by_vcpus_and_by_hint(boot):
    # 3 + 1 vCPUs: 64 MiB without a hint is 3/4 on virtual node 0 and 1/4
    # on 1; the second domain asks for virtual node 1 only. Neither is the
    # control domain: the topology calls are refused.
    m = boot(append="domain=name=a,vnodes=2,mem=64M,maxmem=128M,vcpus=3+1,nodes=0+2,"
                    "args=\"reserve=64 memtest=0 hlt\" "
                    "domain=name=b,vnodes=2,mem=64M,maxmem=96M,nodes=1+3,"
                    "args=\"reserve=32@1 memtest=0 hlt\"")
    m.wait_ready()
    m.wait_for("(d1) guest: physinfo refused (-1)")
    m.wait_for("(d2) guest: physinfo refused (-1)")
    m.wait_for("(d1) guest: reservation +64 MiB: vnode 0 48 MiB vnode 1 16 MiB", timeout=120)
    m.wait_for("(d2) guest: reservation +32 MiB: vnode 0 0 MiB vnode 1 32 MiB", timeout=120)
    m.wait_for("(d1) guest: halting", timeout=120)
    m.wait_for("(d2) guest: halting", timeout=120)
    doms = q_domains(m)
    # a: 32 MiB per virtual node to start with (8192 pages), then +48 / +16 MiB.
    assert doms[1]["vnode"] == {0: (0, 8192 + 12288, 0), 1: (2, 8192 + 4096, 0)}
    assert doms[2]["vnode"] == {0: (1, 8192, 0), 1: (3, 8192 + 8192, 0)}
    nodes, nd, _ = numastat(m)
    assert nd[1] == {0: 20480 + FW_PAGES, 2: 12288}
    assert nd[2] == {1: 8192 + FW_PAGES, 3: 16384}


def test_nodes_chosen_by_distance_on_an_asymmetric_slit(boot):
    # asym: pairs by the sum of both directions: 0-1 42, 2-3 42, 0-3 44,
    # 1-2 44, 1-3 60, 0-2 64. 0-1 and 2-3 tie; 2-3 has more free memory
    # (node 0 holds the hypervisor), so 2-3. The guest sees the host's
    # distances in both directions: 2->3 16, 3->2 26. The second domain is
    # placed on 1 and 3 by hand: 1->3 32, 3->1 28.
    m = boot(topo="asym", append="domain=name=auto,vnodes=2,mem=64M,args=\"memtest=0 hlt\" "
                                  "domain=name=hand,vnodes=2,mem=64M,nodes=1+3,policy=strict,"
                                  "args=\"memtest=0 hlt\"")
    m.wait_ready()
    m.wait_for("domain 1 auto: 64 MiB on nodes 2+3 (prefer), 2 vcpus on CPUs 2-3, "
               "2 virtual nodes, nodes chosen by distance (sum 42)")
    m.wait_for("(d1) guest: vnode 0: distance 10 16")
    m.wait_for("(d1) guest: vnode 1: distance 26 10")
    m.wait_for("domain 2 hand: 64 MiB on nodes 1+3 (strict)")
    m.wait_for("(d2) guest: vnode 0: distance 10 32")
    m.wait_for("(d2) guest: vnode 1: distance 28 10")
    m.wait_for("(d1) guest: halting", timeout=60)
    m.wait_for("(d2) guest: halting", timeout=60)
    doms = q_domains(m)
    assert doms[1]["vnode"] == {0: (2, 8192, 0), 1: (3, 8192, 0)}
    assert doms[2]["vnode"] == {0: (1, 8192, 0), 1: (3, 8192, 0)}


def test_automatic_pair_on_the_ring(boot):
    # default ring: neighbours are 21 apart, opposite nodes 31: the pair is
    # two neighbours, and not node 0 (the hypervisor's, with less free).
    m = boot(append="domain=name=auto,vnodes=2,mem=64M,args=\"memtest=0 hlt\"")
    m.wait_ready()
    mt = m.wait_for(r"^domain 1 auto: 64 MiB on nodes (\d)\+(\d) .*nodes chosen by distance "
                    r"\(sum 42\)$", regex=True)
    a, b = int(mt.group(1)), int(mt.group(2))
    assert (a, b) in ((1, 2), (2, 3))
    m.wait_for("(d1) guest: vnode 0: distance 10 21")
    m.wait_for("(d1) guest: vnode 1: distance 21 10")


def test_prefer_domain_that_spills_is_counted(boot):
    # asym: virtual node 1 asks 640 MiB of node 3 (512 MiB): the rest
    # comes from node 3's nearest (node 0, 22), reported, and counted as
    # misplaced in 'q' and per node in 'n'.
    m = boot(topo="asym", append="domain=name=sp,vnodes=2,mem=128M+640M,nodes=2+3,"
                                  "args=\"memtest=0 hlt\"")
    m.wait_ready()
    m.wait_for(r"^domain 1 sp: does not fit on nodes 2\+3: .* on node 0", regex=True)
    m.wait_for("(d1) guest: halting", timeout=120)
    dom = q_domains(m)[1]
    p0, pages0, mis0 = dom["vnode"][0]
    p1, pages1, mis1 = dom["vnode"][1]
    assert (p0, pages0, mis0) == (2, 32768, 0)
    assert (p1, pages1) == (3, 163840) and mis1 > 0
    # What is not on node 3 is vnode 1's misplaced memory.
    assert dom["nodes"][3] + mis1 == 163840
    assert dom["nodes"][2] == 32768 + FW_PAGES
    nodes, doms, _ = numastat(m)
    assert doms[1] == dom["nodes"]
    assert nodes[0]["dom"] == dom["nodes"][0] > 0


def test_numastat_adds_up_with_the_heap(boot):
    m = boot(append="domain=name=a,vnodes=2,mem=64M,nodes=1+3,args=\"memtest=0 hlt\" "
                    "domain=name=b,mem=64M,node=2,args=\"memtest=0 hlt\" "
                    "domain=name=c,vnodes=2,mem=32M,nodes=1+1,args=\"memtest=0 hlt\"")
    m.wait_ready()
    for d in (1, 2, 3):
        m.wait_for(f"(d{d}) guest: halting", timeout=60)
    nodes, doms, heap = numastat(m, "nH")
    assert doms == {1: {1: 8192 + FW_PAGES, 3: 8192}, 2: {2: 16384 + FW_PAGES},
                    3: {1: 8192 + FW_PAGES}}
    for n in range(4):
        assert nodes[n]["dom"] == sum(d.get(n, 0) for d in doms.values())
        # 'n' free is what 'H' shows free and cached, read a moment later:
        # other CPUs' page caches may refill or drain meanwhile, a few
        # batches at most (PCP_BATCH: 64 pages in the debug build).
        assert abs(nodes[n]["free"] - heap[n]) <= 64 * 4, (n, nodes[n]["free"], heap[n])
        assert nodes[n]["total"] == nodes[n]["free"] + nodes[n]["hv"] + nodes[n]["dom"]
    # Two virtual nodes on one physical node: 11 apart (10 is the node itself).
    m.wait_for("(d3) guest: vnode 0: distance 10 11")


def test_next_domain_finds_no_marker(boot):
    # The domain fills its memory with a marker and reboots; Proxima
    # destroys it and creates it again on the same node, where the new one
    # (896 of node 1's 1023 MiB: most of it the old one's) finds none.
    m = boot(append="domain=name=s,mem=896M,node=1,policy=strict,"
                    "args=\"memtest=0 checkmark mark reboot\"")
    m.wait_ready()
    m.wait_for(r"\(d1\) guest: no marker in \d+ MiB", regex=True, timeout=120)
    m.wait_for(r"\(d1\) guest: marked \d+ MiB", regex=True, timeout=240)
    m.wait_for("domain 1 s: shut down (reboot)", timeout=60)
    m.wait_for(r"\(d2\) guest: (no marker in \d+ MiB|marker found at .*)\n", regex=True,
               timeout=240)
    assert re.search(r"\(d2\) guest: no marker in \d+ MiB", m.output), \
        "the next domain found the previous one's data"


def test_memory_given_back(boot):
    # 64 MiB added in 2 MiB extents alternating between the two virtual
    # nodes (one vCPU each), then the last 32 MiB (16 extents, 8 per
    # virtual node) given back while the other vCPU runs: each virtual node
    # ends with 32 + 32 - 16 = 48 MiB = 12288 pages, and 'q' (nested page
    # table walk) and 'n' (counters) agree.
    m = boot(append="domain=name=r,vnodes=2,mem=64M,maxmem=128M,nodes=1+2,"
                    "args=\"reserve=64 release=32 hlt\"")
    m.wait_ready()
    m.wait_for("(d1) guest: reservation +64 MiB: vnode 0 32 MiB vnode 1 32 MiB", timeout=60)
    m.wait_for("(d1) guest: memtest ok 128 MiB", timeout=120)
    m.wait_for("(d1) guest: released 32 MiB", timeout=60)
    m.wait_for("(d1) guest: halting", timeout=60)
    dom = q_domains(m)[1]
    assert dom["vnode"] == {0: (1, 12288, 0), 1: (2, 12288, 0)}
    assert dom["nodes"] == {1: 12288 + FW_PAGES, 2: 12288}
    _, doms, _ = numastat(m)
    assert doms[1] == dom["nodes"]
