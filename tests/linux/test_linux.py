"""The stock Linux guest (make check-linux, and make check): Debian's own 6.1
kernel, fetched by make linux-guest into <build>/linux-guest/vmlinuz with
the initramfs built from tests/linux/init/init.c, boots as a Proxima domain
and reports, from its own sysfs, the NUMA layout Proxima gave it.

The expected values are the test machine's and the domain's, written as
literals: the default topology (scripts/topology.py) has 4 nodes of 2
CPUs (node 1: CPUs 2-3, node 3: CPUs 6-7) in a ring whose SLIT gives
nodes 1 and 3 distance 31; the domain asks for 256 MiB in 2 virtual
nodes on physical nodes 1 and 3, one vCPU each. The guest must see 2
nodes with one CPU each and the distance matrix 10 31 / 31 10, touch
memory on each node from that node's CPU with every page landing on the
node (move_pages), and power itself off through the ACPI sleep register;
'q' while it holds (proxima.hold) must show no misplaced page on either
virtual node, and the memory must come back when it is gone. A second
boot with one virtual node must show one node."""

import os
import re
import time

import pytest

ARGS = "console=ttyS0 earlyprintk=serial nokaslr printk.devkmsg=on"
BOOT_TIMEOUT = 300
# The kernel's lines reach the console as "(d1) [   12.345678] text".
KLINE = r"^\(d1\) \[ *\d+\.\d+\] "


@pytest.fixture
def guest(build_dir):
    d = os.path.join(build_dir, "linux-guest")
    paths = [os.path.join(d, "vmlinuz"), os.path.join(d, "initramfs.cpio")]
    for p in paths:
        if not os.path.exists(p):
            pytest.fail(f"{p} is missing: make linux-guest fetches the kernel and builds it")
    return paths


def boot_linux(boot, guest, shape, args=ARGS):
    m = boot(append=f'domain=name=linux,{shape},image=0,initrd=1,args="{args}"',
             extra=["-initrd", ",".join(guest)])
    m.wait_ready()
    return m


def kernel_line(m, text, since=0, timeout=BOOT_TIMEOUT):
    """Wait for a line of the guest kernel's (or init's) ending in text; its match."""
    return m.wait_for(KLINE + re.escape(text) + "$", timeout=timeout, since=since, regex=True)


def init_report(m, since):
    """The init's lines after since, without the console and kernel prefixes."""
    return re.findall(KLINE + r"init: (.*)$", m.output[since:], re.M)


def free_mib(m):
    since = m.mark()
    m.send("m")
    m.wait_for(r"^mem node 3: .*\n", since=since, regex=True)
    return {int(n): int(free) for n, free in
            re.findall(r"^mem node (\d+): total \d+ MiB free (\d+) MiB", m.output[since:], re.M)}


def exits_line(m, since):
    """The domain's exits by kind, the first line of them after since ('q' or
    its end): {kind: count}, total, ms since it started."""
    # Up to the newline: a line still arriving must not match in part.
    g = m.wait_for(r"^domain 1 linux: (\d+) exits in (\d+) ms \(\d+/s\):(.* other \d+)\n",
                   since=since, regex=True, timeout=60)
    kinds = dict((k, int(n)) for k, n in re.findall(r" (\w+) (\d+)", g.group(3)))
    return kinds, int(g.group(1)), int(g.group(2))


def test_two_virtual_nodes_on_nodes_1_and_3(boot, guest, build_dir):
    m = boot_linux(boot, guest, "vnodes=2,vcpus=2,nodes=1+3,mem=256M", ARGS + " proxima.hold=3")
    before = free_mib(m)
    m.wait_for(r"^domain linux: Linux 6\.1\.\S+ .*, boot protocol 2\.1[2-9], kernel at 0x1000000, "
               r"initrd \d+ KiB at 0x[0-9a-f]+$", regex=True)
    m.wait_for(r"^domain 1 linux: vnode 0 on node 1: 128 MiB, vcpu 0 on CPU [23]$", regex=True)
    m.wait_for(r"^domain 1 linux: vnode 1 on node 3: 128 MiB, vcpu 1 on CPU [67]$", regex=True)
    built = m.wait_for(r"^domain 1 linux: built in ", regex=True)
    t_start = time.monotonic()

    since = built.start()
    for text in ["Command line: " + ARGS + " proxima.hold=3 tsc_early_khz=",
                 "ACPI: FACP 0x", "ACPI: DSDT 0x",
                 "smp: Brought up 2 nodes, 2 CPUs",
                 "ACPI: PM: (supports S0 S5)",
                 # COM1 from the DSDT (PNP0501, no interrupt): polled.
                 "00:00: ttyS0 at I/O 0x3f8 (irq = 0, base_baud = 115200) is a 16550A",
                 "Run /init as init process"]:
        since = m.wait_for(KLINE + re.escape(text), timeout=BOOT_TIMEOUT, since=since,
                           regex=True).start() + since
    # User space has a console: a line written to /dev/console, not printk.
    m.wait_for(r"^\(d1\) init: hello from /dev/console$", regex=True, since=since,
               timeout=BOOT_TIMEOUT)
    first = kernel_line(m, "init: available: 2 nodes (0-1)", since=since)
    t_init = time.monotonic() - t_start
    hold = kernel_line(m, "init: holding 3 s before power-off (proxima.hold)", since=since)

    report = init_report(m, since)
    # numactl --hardware's layout: one CPU per node, the host's 1-3 distance.
    assert report[0] == "available: 2 nodes (0-1)"
    assert report[1] == "node 0 cpus: 0"
    assert report[4] == "node 1 cpus: 1"
    size = [int(re.fullmatch(r"node \d size: (\d+) MB", report[i]).group(1)) for i in (2, 5)]
    free = [int(re.fullmatch(r"node \d free: (\d+) MB", report[i]).group(1)) for i in (3, 6)]
    # 128 MiB each, less what the kernel keeps (its image and tables sit on node 0).
    assert 48 <= size[0] <= 128 and 96 <= size[1] <= 128, report
    assert 0 < free[0] <= size[0] and 0 < free[1] <= size[1], report
    assert report[7:11] == ["node distances:", "node   0   1", "  0:  10  31", "  1:  31  10"]
    assert report[11] == "cpus online: 0-1"
    for n in (0, 1):
        assert re.fullmatch(rf"node {n}: touched [1-9]\d* MB \(\d+ pages\) from cpu {n}: "
                            r"pattern ok, 0 pages on other nodes", report[12 + n]), report
    assert report[14] == ("summary: 2 nodes, 2 cpus, distances 10 31 / 31 10, "
                          "memory touched on every node: ok")

    # While it holds: every page of each virtual node on its physical node;
    # the exits so far are the boot's.
    qmark = m.mark()
    q = m.key("q", r"^domain 1 linux: \d+ exits in .* other \d+\n", regex=True)
    boot_kinds, boot_total, boot_ms = exits_line(m, qmark)
    vn = re.findall(r"^domain 1: vnode (\d) pnode (\d) pages (\d+) misplaced (\d+)$", q, re.M)
    assert [(v, p, mis) for v, p, _, mis in vn] == [("0", "1", "0"), ("1", "3", "0")], q
    assert all(int(pages) >= 128 * 256 for _, _, pages, _ in vn), q

    since = hold.start() + since
    since += kernel_line(m, "reboot: Power down", since=since, timeout=60).end()
    kinds, total, ms = exits_line(m, since)
    m.wait_for("domain 1 linux: shut down (poweroff), 256 MiB freed", since=since, timeout=60)
    assert "crashed" not in m.output
    after = free_mib(m)
    # The memory is back on nodes 1 and 3, to the MiB it was before.
    assert after[1] >= before[1] and after[3] >= before[3], (before, after)
    assert kinds["hcall"] == 0 and kinds["npf"] == 0 and kinds["other"] == 0, kinds
    print(f"\nlinux guest: init's first line {t_init:.1f} s after the domain was built; "
          f"to its report, {boot_total} exits in {boot_ms} ms "
          f"({boot_total * 1000 // max(boot_ms, 1)}/s): {boot_kinds}; "
          f"to power-off, {total} exits in {ms} ms")
    assert first


def test_one_virtual_node(boot, guest):
    m = boot_linux(boot, guest, "vnodes=1,vcpus=2,node=1,mem=256M")
    built = m.wait_for(r"^domain 1 linux: built in ", regex=True)
    since = built.start()
    kernel_line(m, "smp: Brought up 1 node, 2 CPUs", since=since)
    kernel_line(m, "init: summary: 1 nodes, 2 cpus, distances 10, memory touched on every "
                   "node: ok", since=since)
    report = init_report(m, since)
    assert report[:2] == ["available: 1 nodes (0)", "node 0 cpus: 0 1"]
    assert report[4:8] == ["node distances:", "node   0", "  0:  10", "cpus online: 0-1"]
    kernel_line(m, "reboot: Power down", since=since, timeout=60)
    m.wait_for("domain 1 linux: shut down (poweroff), 256 MiB freed", since=since, timeout=60)
    assert "crashed" not in m.output
