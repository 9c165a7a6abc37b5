"""The guest ACPI tables (hypervisor/guest_acpi.c) as ACPICA's iasl reads
them: the hosted test binary test_guest_acpi writes the two-node
fixture's tables (PROXIMA_ACPI_DUMP_DIR=<dir>: rsdp.dat, xsdt.dat,
apic.dat, srat.dat, slit.dat, facp.dat, dsdt.dat), iasl -d decodes each
(the DSDT's AML back to ASL source), and every decoded
field is compared with a literal value from the ACPI specification and
the fixture (2 nodes; vCPUs 0-1 on node 0, 2-3 on node 1; RAM [0, 0xa0000)
and [1 MiB, 1 GiB) on node 0, [1 GiB, 2 GiB) on node 1; SLIT 10/21; the
tables at guest-physical 0xe0000).

iasl 20200925 (Debian bullseye/bookworm) does not decode a lone RSDP
file, so the RSDP is checked the other way round: iasl's data table
compiler builds one from literal field values, computing both checksums
itself, and its bytes must equal the builder's. A newer iasl that does
decode rsdp.dat gets its fields checked as well.

Needs the hosted tests built in PROXIMA_BUILD (make check does that
first); skipped only when iasl is not installed (acpica-tools)."""

import os
import re
import shutil
import subprocess

import pytest

from machine import SRCTREE

BUILD = os.environ.get("PROXIMA_BUILD", os.path.join(SRCTREE, "build", "check"))
HOSTED_TEST = os.path.join(BUILD, "hosted", "test_guest_acpi")

# The iasl -d line of one field: "[02Ch 0044   1]   Subtable Type : 00 [Processor Local APIC]".
FIELD = re.compile(r"^\[([0-9A-F]{3,})h [0-9]+ +[0-9]+\] +(.*?) : (.*)$")
# A decoded flag bit below a Flags field: "      Processor Enabled : 1".
FLAG = re.compile(r"^ +([A-Za-z][^:\[]*?) : ([0-9]+)$")

HEADER = [
    ("OEM ID", 0x0A, "Oem ID", '"PRXIMA"'),
    ("OEM table ID", 0x10, "Oem Table ID", '"PROXIMA "'),
    ("OEM revision", 0x18, "Oem Revision", "00000001"),
    ("creator ID", 0x1C, "Asl Compiler ID", '"PRXM"'),
    ("creator revision", 0x20, "Asl Compiler Revision", "00000001"),
]


def value_of(raw):
    """The value without iasl's trailing "[description]" or comment."""
    raw = raw.strip()
    if raw.startswith('"'):
        return raw[:raw.index('"', 1) + 1]
    return re.split(r"\s+\[|\s*/\*", raw)[0].strip()


def parse_dsl(path):
    """[(offset, field name, value, raw value, {flag: bit})] in file order."""
    fields = []
    for line in open(path).read().splitlines():
        m = FIELD.match(line)
        if m:
            name = " ".join(m.group(2).split())
            fields.append((int(m.group(1), 16), name, value_of(m.group(3)), m.group(3), {}))
            continue
        m = FLAG.match(line)
        if m and fields:
            fields[-1][4][" ".join(m.group(1).split())] = m.group(2)
    return fields


@pytest.fixture(scope="module")
def dump(tmp_path_factory):
    if shutil.which("iasl") is None:
        pytest.skip("iasl not installed (acpica-tools)")
    if not os.path.exists(HOSTED_TEST):
        pytest.fail(f"no {HOSTED_TEST}: run 'make check' (or make O={BUILD} hosted)")
    d = tmp_path_factory.mktemp("guest_acpi")
    env = dict(os.environ, PROXIMA_ACPI_DUMP_DIR=str(d))
    r = subprocess.run([HOSTED_TEST], env=env, stdin=subprocess.DEVNULL,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=120)
    # The binary's own verdict is counted with the hosted tests; these judge the files alone.
    for name in ("rsdp", "xsdt", "apic", "srat", "slit", "facp", "dsdt"):
        assert (d / f"{name}.dat").exists(), f"{name}.dat not written:\n{r.stdout[-4000:]}"
    return d


def decode(d, name):
    """iasl -d <name>.dat; the decoded fields and the whole .dsl text."""
    r = subprocess.run(["iasl", "-d", f"{name}.dat"], cwd=d, stdin=subprocess.DEVNULL,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=60)
    dsl = d / f"{name}.dsl"
    assert r.returncode == 0 and dsl.exists(), f"iasl -d {name}.dat failed:\n{r.stdout}"
    return parse_dsl(dsl), dsl.read_text()


def check_fields(fields, expected):
    """Each (offset, name, value[, {flag: bit}]) is decoded at that offset, exactly."""
    at = {off: (name, value, raw, flags) for off, name, value, raw, flags in fields}
    for exp in expected:
        off, name, value = exp[:3]
        assert off in at, f"no field decoded at 0x{off:x} ({name})"
        got_name, got_value, raw, flags = at[off]
        assert (got_name, got_value) == (name, value), f"at 0x{off:x}: {raw!r}"
        for flag, bit in (exp[3] if len(exp) > 3 else {}).items():
            assert flags.get(flag) == bit, f"at 0x{off:x} flag {flag}: {flags}"


def check_table(d, name, sig, length, revision, body):
    """The header (with iasl's checksum verdict) and body fields of one table."""
    fields, text = decode(d, name)
    data = (d / f"{name}.dat").read_bytes()
    assert len(data) == length
    assert sum(data) % 256 == 0
    assert "Incorrect checksum" not in text, text
    checksum = [f for f in fields if f[0] == 0x09]
    assert checksum and checksum[0][1] == "Checksum" and "/*" not in checksum[0][3], checksum
    check_fields(fields, [(0x00, "Signature", f'"{sig}"'),
                          (0x04, "Table Length", f"{length:08X}"),
                          (0x08, "Revision", f"{revision:02X}")] +
                 [h[1:] for h in HEADER] + body)
    return fields


def test_xsdt(dump):
    fields = check_table(dump, "xsdt", "XSDT", 68, 1, [
        (0x24, "ACPI Table Address 0", "00000000000E0070"),  # MADT at 0xe0000 + 112
        (0x2C, "ACPI Table Address 1", "00000000000E00C0"),  # SRAT at 0xe0000 + 192
        (0x34, "ACPI Table Address 2", "00000000000E01A8"),  # SLIT at 0xe0000 + 424
        (0x3C, "ACPI Table Address 3", "00000000000E01D8"),  # FADT at 0xe0000 + 472
    ])
    assert len([f for f in fields if f[1].startswith("ACPI Table Address")]) == 4


def test_madt(dump):
    body = [(0x24, "Local Apic Address", "FEE00000"),
            (0x28, "Flags (decoded below)", "00000000", {"PC-AT Compatibility": "0"})]
    for i in range(4):
        e = 0x2C + 8 * i
        body += [(e, "Subtable Type", "00"), (e + 1, "Length", "08"),
                 (e + 2, "Processor ID", f"{i:02X}"), (e + 3, "Local Apic ID", f"{i:02X}"),
                 (e + 4, "Flags (decoded below)", "00000001", {"Processor Enabled": "1"})]
    fields = check_table(dump, "apic", "APIC", 76, 4, body)
    assert len([f for f in fields if f[1] == "Subtable Type"]) == 4


def test_srat(dump):
    body = [(0x24, "Table Revision", "00000001"), (0x28, "Reserved", "0000000000000000")]
    for i, pxm in enumerate([0, 0, 1, 1]):
        e = 0x30 + 16 * i
        body += [(e, "Subtable Type", "00"), (e + 1, "Length", "10"),
                 (e + 2, "Proximity Domain Low(8)", f"{pxm:02X}"),
                 (e + 3, "Apic ID", f"{i:02X}"),
                 (e + 4, "Flags (decoded below)", "00000001", {"Enabled": "1"}),
                 (e + 8, "Local Sapic EID", "00"),
                 (e + 9, "Proximity Domain High(24)", "000000"),
                 (e + 12, "Clock Domain", "00000000")]
    ranges = [(0, "0000000000000000", "00000000000A0000"),
              (0, "0000000000100000", "000000003FF00000"),
              (1, "0000000040000000", "0000000040000000")]
    for i, (pxm, base, length) in enumerate(ranges):
        e = 0x70 + 40 * i
        body += [(e, "Subtable Type", "01"), (e + 1, "Length", "28"),
                 (e + 2, "Proximity Domain", f"{pxm:08X}"),
                 (e + 6, "Reserved1", "0000"),
                 (e + 8, "Base Address", base), (e + 16, "Address Length", length),
                 (e + 24, "Reserved2", "00000000"),
                 (e + 28, "Flags (decoded below)", "00000001",
                  {"Enabled": "1", "Hot Pluggable": "0", "Non-Volatile": "0"}),
                 (e + 32, "Reserved3", "0000000000000000")]
    fields = check_table(dump, "srat", "SRAT", 232, 3, body)
    assert len([f for f in fields if f[1] == "Subtable Type"]) == 7


def test_slit(dump):
    fields = check_table(dump, "slit", "SLIT", 48, 1, [
        (0x24, "Localities", "0000000000000002"),
        (0x2C, "Locality 0", "0A 15"),
        (0x2E, "Locality 1", "15 0A"),
    ])
    assert len([f for f in fields if f[1].startswith("Locality ")]) == 2


def gas_port(off, port):
    """A Generic Address Structure of one byte in system I/O at port."""
    return [(off, "Space ID", "01"), (off + 1, "Bit Width", "08"), (off + 2, "Bit Offset", "00"),
            (off + 3, "Encoded Access Width", "01"), (off + 4, "Address", f"{port:016X}")]


def test_facp(dump):
    """ACPI 6.2 table 5-34: a hardware-reduced FADT, revision 6, 276 bytes."""
    body = [(0x24, "FACS Address", "00000000"), (0x28, "DSDT Address", "00000000"),
            (0x2E, "SCI Interrupt", "0000"), (0x30, "SMI Command Port", "00000000"),
            (0x38, "PM1A Event Block Address", "00000000"),
            (0x40, "PM1A Control Block Address", "00000000"),
            (0x4C, "PM Timer Block Address", "00000000"),
            (0x6D, "Boot Flags (decoded below)", "0024",
             {"VGA Not Present (V4)": "1", "CMOS RTC Not Present (V5)": "1",
              "Legacy Devices Supported (V2)": "0"}),
            (0x70, "Flags (decoded below)", "00100030",
             {"Hardware Reduced (V5)": "1", "Control Method Power Button (V1)": "1",
              "Control Method Sleep Button (V1)": "1"}),
            (0x83, "FADT Minor Revision", "02"),
            (0x8C, "DSDT Address", "00000000000E02F0")]  # 0xe0000 + 752
    check_table(dump, "facp", "FACP", 276, 6, body + gas_port(0xF4, 0x600) +
                gas_port(0x100, 0x601))


def test_dsdt(dump):
    """The DSDT's AML: the S5 sleep type the guest writes to power off, and
    COM1 (PNP0501) with its eight ports and no interrupt."""
    _, text = decode(dump, "dsdt")
    data = (dump / "dsdt.dat").read_bytes()
    assert len(data) == 96 and sum(data) % 256 == 0
    body = text[text.index("DefinitionBlock"):]
    # Without iasl's comments and layout.
    body = re.sub(r"//[^\n]*|/\*.*?\*/", "", body, flags=re.S)
    body = "".join(body.split())
    assert body == (
        'DefinitionBlock("","DSDT",2,"PRXIMA","PROXIMA",0x00000001)'
        '{Name(_S5,Package(0x02){0x05,0x05})'
        'Scope(_SB){Device(COM1){Name(_HID,EisaId("PNP0501"))Name(_UID,One)'
        'Name(_CRS,ResourceTemplate(){IO(Decode16,0x03F8,0x03F8,0x01,0x08,)})}}}'), body


RSDP_ASL = """\
[0008]                          Signature : "RSD PTR "
[0001]                           Checksum : 00
[0006]                             Oem ID : "PRXIMA"
[0001]                           Revision : 02
[0004]                       RSDT Address : 00000000
[0004]                             Length : 00000024
[0008]                       XSDT Address : 00000000000E0028
[0001]                  Extended Checksum : 00
[0003]                           Reserved : 000000
"""


def test_rsdp(dump, tmp_path):
    data = (dump / "rsdp.dat").read_bytes()
    assert len(data) == 36
    assert sum(data[:20]) % 256 == 0 and sum(data) % 256 == 0
    # iasl's data table compiler lays out the RSDP from literal values, checksums included.
    (tmp_path / "rsdp.asl").write_text(RSDP_ASL)
    r = subprocess.run(["iasl", "rsdp.asl"], cwd=tmp_path, stdin=subprocess.DEVNULL,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=60)
    assert r.returncode == 0, r.stdout
    assert (tmp_path / "rsdp.aml").read_bytes() == data
    # A newer iasl decodes it too.
    subprocess.run(["iasl", "-d", "rsdp.dat"], cwd=dump, stdin=subprocess.DEVNULL,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=60)
    if (dump / "rsdp.dsl").exists():
        text = (dump / "rsdp.dsl").read_text()
        assert "Incorrect" not in text, text
        check_fields(parse_dsl(dump / "rsdp.dsl"), [
            (0x00, "Signature", '"RSD PTR "'), (0x09, "Oem ID", '"PRXIMA"'),
            (0x0F, "Revision", "02"), (0x10, "RSDT Address", "00000000"),
            (0x14, "Length", "00000024"), (0x18, "XSDT Address", "00000000000E0028")])
