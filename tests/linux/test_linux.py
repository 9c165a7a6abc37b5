"""The stock Linux guest (make check-linux): Debian's own 6.1 kernel, fetched
by make linux-guest into <build>/linux-guest/vmlinuz, boots as a Proxima
domain and its console reaches Proxima's through the domain's COM1.

What is checked is what Proxima gives it, as Linux reports it: the boot
protocol line, the e820 map of a 256 MiB domain (RAM to 640 KiB, the legacy
hole reserved, RAM from 1 MiB to 256 MiB + 384 KiB: the layout of
include/hv/domain.h), the domain's ACPI tables, COM1 found as a 16550A, the
TSC rate Proxima passes (no delay-loop calibration), the one CPU. There is
no initramfs yet, so the kernel ends with its panic for want of a root file
system: that line is where the test ends."""

import os

import pytest

E820 = [
    "BIOS-e820: [mem 0x0000000000000000-0x000000000009ffff] usable",
    "BIOS-e820: [mem 0x00000000000a0000-0x00000000000fffff] reserved",
    "BIOS-e820: [mem 0x0000000000100000-0x000000001005ffff] usable",
]


@pytest.fixture
def kernel(build_dir):
    path = os.path.join(build_dir, "linux-guest", "vmlinuz")
    if not os.path.exists(path):
        pytest.fail(f"{path} is missing: make check-linux fetches it (make linux-guest)")
    return path


def test_debian_kernel_boots_to_its_root_mount(boot, kernel):
    m = boot(append='domain=name=linux,mem=256M,node=1,image=0,'
                    'args="console=ttyS0 earlyprintk=serial nokaslr"',
             extra=["-initrd", kernel])
    m.wait_ready()
    m.wait_for(r"^domain linux: Linux 6\.1\.\S+ .*, boot protocol 2\.1[2-9], kernel at 0x1000000, "
               r"initrd 0 KiB at 0x0$", regex=True)
    order = ["Linux version 6.1.", "Command line: console=ttyS0 earlyprintk=serial nokaslr "
             "tsc_early_khz="] + E820 + [
        "ACPI: RSDP 0x00000000000E0000",
        "ACPI: SRAT 0x",
        "Calibrating delay loop (skipped), value calculated using timer frequency",
        "smp: Brought up 1 node, 1 CPU",
        "serial8250: ttyS0 at I/O 0x3f8 (irq = 4, base_baud = 115200) is a 16550A",
        "Kernel panic - not syncing: VFS: Unable to mount root fs",
    ]
    since = 0
    for text in order:
        at = m.wait_for(text, timeout=300, since=since)
        line_start = m.output.rfind("\n", 0, at) + 1
        assert m.output.startswith("(d1) ", line_start), m.output[line_start:at + len(text)]
        since = at
    assert "crashed" not in m.output
