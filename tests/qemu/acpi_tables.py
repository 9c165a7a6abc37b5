"""Build ACPI SRAT and SLIT tables as bytes, well-formed or deliberately
broken, for QEMU's -acpitable option. The boot tests describe a NUMA layout
on a machine QEMU itself gives no SRAT/SLIT (no -numa), so the injected
tables are the only ones the hypervisor sees."""

import struct

ENABLED, HOTPLUG = 1, 2


def table(sig, body, revision=1):
    """A whole table: header with a correct checksum, then body."""
    length = 36 + len(body)
    hdr = struct.pack("<4sIBB6s8sI4sI", sig.encode(), length, revision, 0, b"PROXIM",
                      b"PXTEST  ", 1, b"PXTS", 1)
    raw = bytearray(hdr + body)
    raw[9] = (-sum(raw)) & 0xff
    return bytes(raw)


def srat_cpu(apic_id, pxm, flags=ENABLED):
    return struct.pack("<BBBBIB3sI", 0, 16, pxm & 0xff, apic_id, flags, 0,
                       (pxm >> 8).to_bytes(3, "little"), 0)


def srat_x2apic(x2apic_id, pxm, flags=ENABLED):
    """ACPI 6.5 5.2.16.3 Processor Local x2APIC Affinity: type 2, length 24;
    reserved (2), proximity domain (4), x2APIC id (4), flags (4), clock
    domain (4), reserved (4)."""
    return struct.pack("<BBHIIIII", 2, 24, 0, pxm, x2apic_id, flags, 0, 0)


def srat_mem(base, length, pxm, flags=ENABLED):
    return struct.pack("<BBIHIIIIIIQ", 1, 40, pxm, 0, base & 0xffffffff, base >> 32,
                       length & 0xffffffff, length >> 32, 0, flags, 0)


def srat(*subtables, revision=3):
    return table("SRAT", struct.pack("<IQ", 1, 0) + b"".join(subtables), revision)


def slit(matrix, count=None):
    """matrix: list of rows; count overrides the locality count field."""
    n = len(matrix) if count is None else count
    return table("SLIT", struct.pack("<Q", n) + bytes(v for row in matrix for v in row))


def write(path, data):
    with open(path, "wb") as f:
        f.write(data)
    return str(path)
