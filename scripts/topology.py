"""QEMU machine descriptions for running and testing Proxima.

Each topology names the NUMA layout QEMU should present: nodes with their
CPUs and memory, and the SLIT distances. Used by scripts/qemu-run (make run)
and by the boot tests in tests/qemu/, so both boot the same machines.
"""

from dataclasses import dataclass, field


@dataclass
class Node:
    cpus: list          # CPU indexes on this node (may be empty)
    mem_mib: int        # RAM on this node (0: memoryless)


@dataclass
class Topology:
    name: str
    help: str
    nodes: list = field(default_factory=list)   # [] means no NUMA at all
    cpus: int = 1
    mem_mib: int = 1024                        # total, used when nodes == []
    maxmem_mib: int = 0                        # > 0: hot-plug slots up to this much
    dist: list = None                          # NxN matrix, or None for no SLIT
    extra: list = field(default_factory=list)  # more QEMU arguments

    def qemu_args(self):
        args = ["-M", "q35", "-cpu", "max", "-smp", str(self.cpus)]
        if not self.nodes:
            return args + ["-m", f"{self.mem_mib}M"] + self.extra
        total = sum(n.mem_mib for n in self.nodes)
        if self.maxmem_mib:
            args += ["-m", f"{total}M,slots=4,maxmem={self.maxmem_mib}M"]
        else:
            args += ["-m", f"{total}M"]
        for i, n in enumerate(self.nodes):
            node = f"node,nodeid={i}"
            if n.cpus:
                node += ",cpus=" + cpu_ranges(n.cpus)
            if n.mem_mib:
                args += ["-object", f"memory-backend-ram,id=m{i},size={n.mem_mib}M"]
                node += f",memdev=m{i}"
            args += ["-numa", node]
        if self.dist:
            for i, row in enumerate(self.dist):
                for j, d in enumerate(row):
                    if i != j:
                        args += ["-numa", f"dist,src={i},dst={j},val={d}"]
        return args + self.extra


def cpu_ranges(cpus):
    """[0, 1, 2, 5] -> '0-2' form QEMU takes one range per cpus= key."""
    cpus = sorted(cpus)
    if cpus != list(range(cpus[0], cpus[-1] + 1)):
        raise ValueError("QEMU -numa cpus= takes one contiguous range here")
    return f"{cpus[0]}-{cpus[-1]}" if len(cpus) > 1 else str(cpus[0])


def ring_distances(n, near=21, far=31):
    """n nodes on a ring: 10 local, near for neighbours, far otherwise."""
    d = []
    for i in range(n):
        row = []
        for j in range(n):
            step = min((i - j) % n, (j - i) % n)
            row.append(10 if step == 0 else near if step == 1 else far)
        d.append(row)
    return d


TOPOLOGIES = {
    t.name: t
    for t in [
        Topology("default", "4 nodes x 2 CPUs x 1 GiB, SLIT 10/21/31 (ring)",
                 nodes=[Node([2 * i, 2 * i + 1], 1024) for i in range(4)],
                 cpus=8, dist=ring_distances(4)),
        Topology("flat", "no NUMA: 2 CPUs, 1 GiB, no SRAT or SLIT",
                 cpus=2, mem_mib=1024),
        Topology("small", "no NUMA: 2 CPUs, 64 MiB (little memory for numa=fake)",
                 cpus=2, mem_mib=64),
        Topology("2node", "2 nodes x 2 CPUs x 1 GiB, SLIT 10/21",
                 nodes=[Node([0, 1], 1024), Node([2, 3], 1024)],
                 cpus=4, dist=[[10, 21], [21, 10]]),
        Topology("highmem", "no NUMA: 2 CPUs, 6 GiB (RAM above 4 GiB across the PCI hole)",
                 cpus=2, mem_mib=6144),
        Topology("highmem2", "2 nodes x 3 GiB: node 0 spans the PCI hole, SLIT 10/21",
                 nodes=[Node([0, 1], 3072), Node([2, 3], 3072)],
                 cpus=4, dist=[[10, 21], [21, 10]]),
        Topology("memoryless", "3 nodes: node 1 has CPUs but no memory, SLIT 10/21/31",
                 nodes=[Node([0, 1], 1024), Node([2, 3], 0), Node([4, 5], 1024)],
                 cpus=6, dist=[[10, 21, 31], [21, 10, 21], [31, 21, 10]]),
        Topology("cpuless", "3 nodes: node 2 has memory but no CPUs, SLIT 10/21/31",
                 nodes=[Node([0, 1], 1024), Node([2, 3], 1024), Node([], 1024)],
                 cpus=4, dist=[[10, 21, 31], [21, 10, 21], [31, 21, 10]]),
        Topology("hotplug", "2 nodes x 1 GiB plus hot-pluggable memory up to 8 GiB",
                 nodes=[Node([0, 1], 1024), Node([2, 3], 1024)],
                 cpus=4, dist=[[10, 21], [21, 10]], maxmem_mib=8192),
        Topology("skewed", "3 nodes where node 0's nearest is node 2 (SLIT 0-1 31, 0-2 21)",
                 nodes=[Node([0, 1], 512), Node([2, 3], 512), Node([4, 5], 512)],
                 cpus=6, dist=[[10, 31, 21], [31, 10, 21], [21, 21, 10]]),
        Topology("asym", "4 nodes x 1 CPU x 512 MiB, asymmetric SLIT (0->1 16, 1->0 26)",
                 nodes=[Node([i], 512) for i in range(4)], cpus=4,
                 dist=[[10, 16, 32, 22],
                       [26, 10, 22, 32],
                       [32, 22, 10, 16],
                       [22, 28, 26, 10]]),
        Topology("8node", "8 nodes x 1 CPU x 256 MiB, no SLIT (10/20 assumed)",
                 nodes=[Node([i], 256) for i in range(8)], cpus=8),
    ]
}


def get(name):
    if name not in TOPOLOGIES:
        raise KeyError(f"unknown topology '{name}'; known: {', '.join(TOPOLOGIES)}")
    return TOPOLOGIES[name]
