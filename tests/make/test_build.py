"""Build-system tests: out-of-tree builds, both compilers, the Kconfig
targets, and that what is built is a bootable multiboot image."""

import os
import re
import struct
import subprocess

import pytest

from machine import SRCTREE


def make(*args, check=True):
    r = subprocess.run(["make", "-C", SRCTREE, *args], stdin=subprocess.DEVNULL,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if check and r.returncode:
        pytest.fail(f"make {' '.join(args)} failed ({r.returncode}):\n{r.stdout[-4000:]}")
    return r


def multiboot_headers(path):
    """Offsets of the multiboot v1 and v2 headers with valid checksums."""
    data = open(path, "rb").read()
    # ELF32 program headers give the file offset of the first loaded byte.
    assert data[:4] == b"\x7fELF" and data[4] == 1, "not an ELF32 file"
    found = {}
    for off in range(0, min(len(data), 32768) - 12, 4):
        magic, a, b = struct.unpack_from("<III", data, off)
        if magic == 0x1BADB002 and (magic + a + b) & 0xffffffff == 0 and off < 8192:
            found.setdefault(1, off)
        if magic == 0xE85250D6 and off % 8 == 0:
            length, csum = struct.unpack_from("<II", data, off + 8)
            if a == 0 and (magic + a + length + csum) & 0xffffffff == 0:
                found.setdefault(2, off)
    return found


def test_out_of_tree_build(tmp_path):
    out = tmp_path / "obj"
    make(f"O={out}", "defconfig")
    assert (out / ".config").exists()
    make(f"O={out}", "-j2")
    image = out / "proxima"
    assert image.exists() and (out / "proxima-syms").exists()
    hdrs = multiboot_headers(image)
    assert 1 in hdrs and 2 in hdrs, f"multiboot headers missing: {hdrs}"
    # Nothing is written into the source tree (outside the build directories).
    stray = []
    for top, dirs, files in os.walk(SRCTREE):
        if top == SRCTREE:
            dirs[:] = [d for d in dirs if d not in ("build", ".git")]
        stray += [os.path.join(top, f) for f in files
                  if f.endswith((".o", ".d")) or f in ("autoconf.h", "auto.conf")]
    assert not stray, stray
    # A second make has nothing to do.
    r = make(f"O={out}")
    assert " CC " not in r.stdout and " LD " not in r.stdout, r.stdout


def test_clang_build_boots(tmp_path, boot):
    out = tmp_path / "clang"
    make(f"O={out}", "debug_defconfig")
    r = make(f"O={out}", "CC=clang", "V=1", "-j2")
    assert re.search(r"^clang .*-Werror", r.stdout, re.M), "clang was not used"
    m = boot("2node", kernel=str(out / "proxima"), append="qemu-exit")
    m.wait_ready()
    m.key("h", "'v'  version")
    m.send("C")
    assert m.wait_exit(30) == 3


def test_config_change_rebuilds(tmp_path):
    out = tmp_path / "cfg"
    make(f"O={out}", "defconfig")
    make(f"O={out}", "-j2")
    assert "CONFIG_DEBUG" not in (out / "include/generated/autoconf.h").read_text()
    cfg = (out / ".config").read_text().replace("# CONFIG_DEBUG is not set", "CONFIG_DEBUG=y")
    (out / ".config").write_text(cfg)
    r = make(f"O={out}")
    assert "#define CONFIG_DEBUG 1" in (out / "include/generated/autoconf.h").read_text()
    assert " CC " in r.stdout, "changing .config rebuilt nothing"


def test_numa_off_build_is_one_node(tmp_path, boot):
    # Without CONFIG_NUMA, firmware nodes and numa=fake both give one node, said so.
    out = tmp_path / "nonuma"
    make(f"O={out}", "defconfig")
    cfg = (out / ".config").read_text().replace("CONFIG_NUMA=y", "# CONFIG_NUMA is not set")
    (out / ".config").write_text(cfg)
    make(f"O={out}", "olddefconfig")
    make(f"O={out}", "-j2")
    m = boot("2node", kernel=str(out / "proxima"), append="numa=fake=4")
    m.wait_ready()
    out_lines = m.output.replace("\r", "").split("\n")
    assert "numa=fake=4: built without CONFIG_NUMA; one node" in out_lines
    assert "NUMA: 1 node, 4 CPUs (numa=off)" in out_lines
    assert "smp: 4 of 4 CPUs online: node 0: 4" in out_lines


def test_savedefconfig_roundtrip(tmp_path):
    out = tmp_path / "sd"
    make(f"O={out}", "debug_defconfig")
    make(f"O={out}", "savedefconfig")
    saved = (out / "defconfig").read_text().split()
    want = [ln for ln in open(os.path.join(SRCTREE, "arch/x86/configs/debug_defconfig"))
            .read().split("\n") if ln and not ln.startswith("#")]
    assert sorted(saved) == sorted(want)


def test_olddefconfig_fills_new_options(tmp_path):
    out = tmp_path / "old"
    out.mkdir()
    (out / ".config").write_text("CONFIG_X86_64=y\nCONFIG_NR_CPUS=8\n")
    make(f"O={out}", "olddefconfig")
    cfg = (out / ".config").read_text()
    assert "CONFIG_NR_CPUS=8" in cfg and "CONFIG_LOG_LEVEL=6" in cfg


def test_unknown_defconfig_fails_clearly(tmp_path):
    r = make(f"O={tmp_path}", "nosuch_defconfig", check=False)
    assert r.returncode != 0 and "no such configuration" in r.stdout


def test_help_names_the_targets():
    r = make("help")
    for t in ["defconfig", "menuconfig", "olddefconfig", "savedefconfig", "iso", "run",
              "check", "x86_64_defconfig", "debug_defconfig", "O=dir", "CC=gcc|clang", "V=1"]:
        assert t in r.stdout, t
