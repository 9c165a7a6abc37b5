"""Boot tests of the slab allocator: the self-test passes on every CPU of
several machines, a node run out of pages shrinks the slab caches through
the page allocator's reclaim hook, SLAB_DEBUG reports each bad free it
provokes, and the 's' dump is well formed and adds up (per-node lines
against the cache line, objects in use within capacity, slabs only on
nodes with memory)."""

import re

import pytest

S_CACHE = re.compile(r"^slab (\S+): size (\d+) objs (\d+)/(\d+) slabs (\d+) pcpu (\d+)$", re.M)
S_NODE = re.compile(r"^slab (\S+): node (\d+) slabs (\d+) partial (\d+) objs (\d+)$", re.M)
S_LARGE = re.compile(r"^slab kmalloc-large: pages (\d+) allocs (\d+)$", re.M)
CLASSES = [8, 16, 32, 64, 96, 128, 192, 256, 512, 1024, 2048, 4096, 8192]


def dump_slab(m):
    since = m.mark()
    m.send("s")
    m.wait_for(r"^slab kmalloc-large: .*\n", since=since, regex=True)
    return m.output[since:]


def parse(text):
    caches, nodes = {}, {}
    for name, size, inuse, total, slabs, pcpu in S_CACHE.findall(text):
        caches[name] = dict(size=int(size), inuse=int(inuse), total=int(total),
                            slabs=int(slabs), pcpu=int(pcpu))
    for name, n, slabs, partial, inuse in S_NODE.findall(text):
        nodes.setdefault(name, {})[int(n)] = dict(slabs=int(slabs), partial=int(partial),
                                                   inuse=int(inuse))
    return caches, nodes


@pytest.mark.parametrize("topo,memoryless", [("default", []), ("memoryless", [1]),
                                             ("cpuless", [])],
                         ids=["default", "memoryless", "cpuless"])
def test_slab_selftest_and_dump(boot, topo, memoryless):
    m = boot(topo)
    m.wait_ready()
    out = m.output
    assert re.search(r"^selftest slab: [1-9]\d* passed, 0 failed$", out, re.M), "self-test failed"
    # Under memory pressure the page allocator's reclaim hook emptied the cache.
    assert re.search(r"^selftest slab: node \d+ exhausted: selftest-pressure went from [1-9]\d* "
                     r"slabs \([1-9]\d* objects cached\) to 0 \(0\)$", out, re.M)
    text = dump_slab(m)
    caches, nodes = parse(text)
    for size in CLASSES:
        assert f"kmalloc-{size}" in caches
        assert caches[f"kmalloc-{size}"]["size"] == size
    # The self-test's caches were destroyed: they are gone from the dump.
    assert not [c for c in caches if c.startswith("selftest")]
    for name, c in caches.items():
        assert c["inuse"] + c["pcpu"] <= c["total"], name
        per_node = nodes.get(name, {})
        assert sum(v["slabs"] for v in per_node.values()) == c["slabs"], name
        # Per-node "objs" counts objects out of the slabs: handed out or cached.
        assert sum(v["inuse"] for v in per_node.values()) == c["inuse"] + c["pcpu"], name
        for n, v in per_node.items():
            assert n not in memoryless, (name, n)
            assert v["partial"] <= v["slabs"]
    assert S_LARGE.search(text)


def test_slab_debug_reports_each_bad_free(boot):
    m = boot("2node")
    m.wait_ready()
    out = m.output
    start = out.index("selftest slab: bad frees on purpose")
    reports = out[start:out.index("\nselftest slab: ", start + 10)]
    addr = r"0x[0-9a-f]{16}"
    # Each provoked misuse, named by cache and object address, exactly once.
    for pattern in (rf"slab selftest-b: free of {addr}: object of cache selftest-a",
                    rf"slab selftest-a: free of {addr}: not an object of this cache",
                    rf"kfree of {addr}: not heap memory",
                    rf"slab selftest-a: double free of {addr}",
                    rf"slab selftest-a: red zone after {addr} overwritten at offset 48, "
                    r"found at free",
                    rf"slab selftest-a: {addr} written after free: byte 5 is 0x22, "
                    r"not poison 0x6b"):
        assert len(re.findall(rf"^{pattern}$", reports, re.M)) == 1, pattern
    assert re.search(r"^selftest slab: [1-9]\d* passed, 0 failed$", out, re.M)


@pytest.mark.parametrize("topo,cpus", [("flat", 2), ("default", 8)])
def test_slab_dump_exact_at_ready(boot, topo, cpus):
    # At the ready line, with every self-test object freed, the dump is known
    # exactly: no kmalloc object or large block is left (a leak would show)
    # but each CPU's SVM state (struct svm_cpu, 24 bytes: kmalloc-32), every
    # kmalloc cache has one per-CPU array (a slab-cpu object) per CPU (the
    # self-tests used them all; arrays are made on first use, so the unused
    # domain and vcpu caches have none: no domain= given), and slab-cache
    # holds one struct per cache: slab-cpu, the 13 kmalloc classes, domain
    # and vcpu.
    m = boot(topo)
    m.wait_ready()
    caches, nodes = parse(dump_slab(m))
    assert sorted(caches) == sorted(["slab-cache", "slab-cpu", "domain", "vcpu"] +
                                    [f"kmalloc-{s}" for s in CLASSES])
    for size in CLASSES:
        c = caches[f"kmalloc-{size}"]
        if size == 32:
            assert c["inuse"] == cpus, size
        else:
            assert (c["inuse"], c["total"], c["slabs"], c["pcpu"]) == (0, 0, 0, 0), size
    for name in ("domain", "vcpu"):
        assert caches[name]["inuse"] == 0, name
    assert caches["slab-cpu"]["inuse"] == len(CLASSES) * cpus
    assert caches["slab-cache"]["inuse"] == 1 + len(CLASSES) + 2
    assert re.search(r"^slab kmalloc-large: pages 0 allocs 0$", m.output, re.M)
