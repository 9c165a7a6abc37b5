"""Boot tests: the real image in QEMU (TCG), read back over the serial line.

Covers booting on every default topology, the debug keys, the command line
(unknown options, malformed values, log level) and the fatal paths
(exceptions and panic end QEMU with a failure status, never hang).
"""

import re

import pytest

from machine import EXIT_PANIC, READY

TOPOLOGIES = ["default", "flat", "2node", "highmem"]


def ram_mib(out):
    m = re.search(r"^RAM: (\d+) MiB in the memory map", out, re.M)
    assert m, "no RAM summary line"
    return int(m.group(1))


@pytest.mark.parametrize("topo", TOPOLOGIES)
def test_boots_to_ready(boot, topo):
    m = boot(topo)
    m.wait_ready()
    out = m.output
    assert re.search(r"^Proxima \S+ \(\S+\) hypervisor for x86-64$", out, re.M)
    assert "boot loader: qemu (multiboot)" in out
    assert re.search(r"^selftest paging: [1-9]\d* passed, 0 failed$", out, re.M)
    assert re.search(r"^apic: id 0 .* tick 100 Hz", out, re.M)
    assert "Fatal" not in out and "Panic" not in out
    # Every topology's RAM is found: QEMU q35 keeps 0x9f000-0x100000 and the
    # 0x21000 below the top of low memory (0x3ffdf000 or 0x7ffdf000) for firmware.
    want = {"default": 4095, "flat": 1023, "2node": 2047, "highmem": 6143}[topo]
    assert ram_mib(out) == want


def test_ram_above_4g_is_mapped(boot):
    m = boot("highmem")
    m.wait_ready()
    out = m.output
    # QEMU puts 2 GiB above 4 GiB when a 6 GiB machine has a 2 GiB hole.
    hi = re.findall(r"^  0x(0000000[1-9a-f][0-9a-f]{8})-0x([0-9a-f]{16}) RAM", out, re.M)
    assert hi, "no RAM range above 4 GiB in the memory map"
    assert int(hi[-1][1], 16) > 0x100000000
    # The direct-map self-test wrote and read the last word of that range.
    m2 = re.search(r"selftest paging: (\d+) passed, (\d+) failed", out)
    assert int(m2.group(1)) >= 4 and m2.group(2) == "0"


def test_help_lists_every_key(boot):
    m = boot()
    m.wait_ready()
    m.key("h", "'v'  version")
    out = m.output[m.output.index("debug keys:"):]
    for k, desc in [("*", "run every diagnostic key"), ("C", "panic on purpose"),
                    ("H", "page allocator: free blocks"), ("m", "memory per node"),
                    ("d", "registers and stack"), ("e", "boot memory map"),
                    ("h", "list the debug keys"), ("n", "NUMA as numactl --hardware"),
                    ("q", "domains: state, memory per node"),
                    ("u", "NUMA topology"), ("v", "version")]:
        assert re.search(rf"^  '{re.escape(k)}'  {desc}", out, re.M), f"key {k} not listed"


def test_star_runs_every_diagnostic(boot):
    m = boot()
    m.wait_ready()
    text = m.key("*", "== done")
    # Exactly the diagnostic keys, in key order.
    assert re.findall(r"^== '(.)'", text, re.M) == ["H", "d", "e", "m", "n", "q", "s", "u",
                                                     "v"]
    assert "Stack trace:" in text and "RIP:" in text
    assert re.search(r"^  0x0000000000100000-0x[0-9a-f]{16} RAM", text, re.M)
    assert "command line:" in text


def test_keys_are_served_repeatedly(boot):
    m = boot("2node")
    m.wait_ready()
    for _ in range(3):
        assert "command line:" in m.key("v", "command line:")
    assert "not bound" in m.key("Z", "press 'h' for the list")
    assert "0x01" in m.key("\x01", "press 'h' for the list")


def test_unknown_options_are_reported_and_ignored(boot):
    m = boot(append="bogus=1 frobnicate loglvl=7")
    m.wait_ready()
    out = m.output
    assert "cmdline: unknown option 'bogus=1' ignored" in out
    assert "cmdline: unknown option 'frobnicate' ignored" in out
    assert re.search(r"^command line: bogus=1 frobnicate loglvl=7$", out, re.M)


@pytest.mark.parametrize("opt,why", [
    ("loglvl=abc", "not a number, expected 0..7; using default 7"),
    ("loglvl=9", "out of range, expected 0..7; using default 7"),
    ("qemu-exit=maybe", "expected on/off, yes/no, true/false or 1/0; using default off"),
    ("test_fault=xx", "invalid value, expected ud, pf, gp, de or bp; using default none "
                      "(no fault)"),
])
def test_malformed_values_keep_the_default(boot, opt, why):
    m = boot(append=opt)
    m.wait_ready()
    assert f"cmdline: option '{opt}': {why}" in m.output


def test_loglvl_hides_info_messages(boot):
    m = boot(append="loglvl=3")
    m.wait_ready()
    out = m.output
    assert "memory map from the boot loader" not in out
    assert "apic:" not in out
    assert "command line: loglvl=3" in out      # banner is always shown


@pytest.mark.parametrize("kind,name", [
    ("ud", "#UD invalid opcode"),
    ("pf", "#PF page fault"),
    ("gp", "#GP general protection"),
    ("de", "#DE divide error"),
])
def test_exception_dumps_and_exits(boot, kind, name):
    m = boot("flat", append=f"qemu-exit test_fault={kind}")
    assert m.wait_exit(60) == EXIT_PANIC
    out = m.output
    assert f"Fatal exception {name}" in out
    assert READY not in out
    for reg in ["RIP:", "rax:", "r15:", "cr2:", "Stack trace:"]:
        assert reg in out
    # The faulting function and its callers are named in the trace.
    trace = out[out.index("Stack trace:"):]
    assert re.search(r"\] (arch_trigger_fault|load_from)\+0x", trace)
    assert "] start_hypervisor+0x" in trace
    assert "Panic on CPU 0:" in out and "Exiting QEMU (qemu-exit)." in out
    if kind == "pf":
        assert "Page fault at address 0000000000000018: no page for read in supervisor mode" in out


def test_exception_without_qemu_exit_halts(boot):
    m = boot("flat", append="test_fault=ud")
    m.wait_for("System halted. Reboot the machine.")
    with pytest.raises(Exception):
        m.wait_exit(2)      # still running: halted, not exited


def test_breakpoint_dumps_and_continues(boot):
    m = boot("flat", append="test_fault=bp")
    m.wait_ready()
    out = m.output
    assert "Breakpoint (int3) in the hypervisor; continuing" in out
    assert "test_fault=bp: handled, boot continues" in out


def test_panic_key_exits_qemu(boot):
    m = boot(append="qemu-exit")
    m.wait_ready()
    m.send("C")
    assert m.wait_exit(30) == EXIT_PANIC
    assert "'C' pressed: panic requested from the console" in m.output


def test_grub_iso_boots_with_multiboot2(boot, build_dir, tmp_path):
    """The same image boots from a GRUB ISO through the multiboot2 path,
    with the command line GRUB hands over."""
    import subprocess
    from machine import SRCTREE
    iso = str(tmp_path / "proxima.iso")
    r = subprocess.run(["sh", f"{SRCTREE}/scripts/mkiso.sh", f"{build_dir}/proxima", iso,
                        "loglvl=7 bogus=1 qemu-exit"], stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True)
    assert r.returncode == 0, f"mkiso.sh failed:\n{r.stdout}"
    m = boot("2node", iso=iso)
    m.wait_ready(timeout=120)
    out = m.output
    assert re.search(r"^boot loader: GRUB .*\(multiboot2\)$", out, re.M)
    assert re.search(r"^command line: loglvl=7 bogus=1 qemu-exit$", out, re.M)
    assert "cmdline: unknown option 'bogus=1' ignored" in out
    assert ram_mib(out) == 2047     # the same q35 map as through -kernel
    m.key("h", "'v'  version")
    m.send("C")
    assert m.wait_exit(30) == EXIT_PANIC
