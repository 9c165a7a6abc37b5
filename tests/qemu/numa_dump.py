"""Parse the 'u' debug key's output (the format is fixed; see
Documentation/numa-topology.md) into plain Python data for assertions."""

import re

HEAD = re.compile(r"^NUMA: (\d+) nodes?, (\d+) CPUs?, source (acpi|sn2|fake|none|off)$")
NODE = re.compile(r"^node (\d+): pxm (\d+) cpus (\S+) memory (\d+) MiB free (\d+) MiB$")
RANGE = re.compile(r"^node (\d+): range 0x([0-9a-f]+)-0x([0-9a-f]+)( hotplug)?$")
DIST = re.compile(r"^node (\d+): distance((?: \d+)+)$")
FALL = re.compile(r"^node (\d+): fallback((?: \d+)+| -)$")


def cpu_list(text):
    """'0-1,4' -> [0, 1, 4]; '-' -> []."""
    if text == "-":
        return []
    out = []
    for part in text.split(","):
        a, _, b = part.partition("-")
        out += list(range(int(a), int(b or a) + 1))
    return out


def parse(text):
    """Returns {'nodes': n, 'cpus': n, 'source': s, 'node': [ {...}, ... ]}.
    Every line of the dump must match one of the fixed forms."""
    lines = [ln for ln in text.replace("\r", "").split("\n") if ln.strip()]
    start = next(i for i, ln in enumerate(lines) if HEAD.match(ln))
    m = HEAD.match(lines[start])
    dump = {"nodes": int(m[1]), "cpus": int(m[2]), "source": m[3], "node": []}
    for ln in lines[start + 1:]:
        if m := NODE.match(ln):
            assert int(m[1]) == len(dump["node"]), f"node lines out of order: {ln}"
            dump["node"].append({"pxm": int(m[2]), "cpus": cpu_list(m[3]),
                                 "memory": int(m[4]), "free": int(m[5]),
                                 "ranges": [], "hotplug": [], "distance": None,
                                 "fallback": None})
        elif m := RANGE.match(ln):
            key = "hotplug" if m[4] else "ranges"
            dump["node"][int(m[1])][key].append((int(m[2], 16), int(m[3], 16)))
        elif m := DIST.match(ln):
            dump["node"][int(m[1])]["distance"] = [int(x) for x in m[2].split()]
        elif m := FALL.match(ln):
            f = m[2].strip()
            dump["node"][int(m[1])]["fallback"] = [] if f == "-" else [int(x) for x in f.split()]
        else:
            break
    assert len(dump["node"]) == dump["nodes"], "dump is missing nodes"
    return dump


def check_consistent(d):
    """Invariants every dump must satisfy, whatever the machine."""
    n = d["nodes"]
    seen_cpus = []
    for i, node in enumerate(d["node"]):
        assert node["distance"] is not None and node["fallback"] is not None
        assert len(node["distance"]) == n and node["distance"][i] == 10
        assert all(10 < x <= 255 for j, x in enumerate(node["distance"]) if j != i)
        # Memory is the sum of the present ranges.
        size = sum(e - s for s, e in node["ranges"])
        assert node["memory"] == size >> 20, (i, node["memory"], size)
        assert node["free"] <= node["memory"]
        # Fallback: every other node with memory, nearest first (unreachable, 255, last).
        fb = node["fallback"]
        assert i not in fb and len(set(fb)) == len(fb)
        want = {j for j in range(n) if j != i and d["node"][j]["memory"] > 0}
        assert set(fb) == want, (i, fb, want)
        dists = [node["distance"][j] for j in fb]
        assert dists == sorted(dists), (i, fb, dists)
        seen_cpus += node["cpus"]
    assert sorted(seen_cpus) == list(range(d["cpus"]))
    # Ranges of all nodes are disjoint.
    spans = sorted((s, e) for node in d["node"] for s, e in node["ranges"] + node["hotplug"])
    for (s1, e1), (s2, e2) in zip(spans, spans[1:]):
        assert e1 <= s2, f"ranges overlap: {s1:#x}-{e1:#x} and {s2:#x}-{e2:#x}"
