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


@pytest.mark.slow
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


@pytest.mark.slow
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


def objects(out):
    """Every object of the image under out, relative to it."""
    return sorted(str(p.relative_to(out)) for p in out.rglob("*.o")
                  if p.relative_to(out).parts[0] in ("arch", "hypervisor", "mm"))


def c_objects(out):
    """The objects of objects(out) compiled from C (the others are .S)."""
    return [o for o in objects(out) if os.path.exists(os.path.join(SRCTREE, o[:-2] + ".c"))]


def rebuilt(output):
    """The objects a make run compiled or assembled (its CC and AS lines)."""
    return sorted(re.findall(r"^  (?:CC|AS) +(\S+\.o)$", output, re.M))


def saved_command(target):
    """What the build saved as the command that made target (.<name>.cmd)."""
    return (target.parent / f".{target.name}.cmd").read_text()


def producers(image):
    """The compilers named in an ELF file's DWARF (DW_AT_producer)."""
    r = subprocess.run(["readelf", "--debug-dump=info", str(image)], stdout=subprocess.PIPE,
                       stderr=subprocess.DEVNULL, text=True, check=True)
    # "DW_AT_producer : (indirect string, offset: 0x79): GNU C11 12.2.0 -m64 ...",
    # "DW_AT_producer : (indexed string: 0x0): Debian clang version 14.0.6"
    return {" ".join(p.split()[:3]) for p in
            re.findall(r"DW_AT_producer\s*:\s*(?:\([^)]*\): )?(.*)", r.stdout)}


@pytest.mark.slow
def test_config_change_rebuilds(tmp_path):
    out = tmp_path / "cfg"
    make(f"O={out}", "defconfig")
    make(f"O={out}", "-j2")
    assert "CONFIG_DEBUG" not in (out / "include/generated/autoconf.h").read_text()
    cfg = (out / ".config").read_text().replace("# CONFIG_DEBUG is not set", "CONFIG_DEBUG=y")
    (out / ".config").write_text(cfg)
    r = make(f"O={out}", "-j2")
    assert "#define CONFIG_DEBUG 1" in (out / "include/generated/autoconf.h").read_text()
    assert rebuilt(r.stdout) == objects(out), "changing .config did not rebuild every object"
    assert " LD " in r.stdout
    r = make(f"O={out}")
    assert " CC " not in r.stdout and " LD " not in r.stdout, r.stdout
    # The same configuration taken again (make check does, every run) rebuilds nothing.
    make(f"O={out}", "defconfig")
    cfg = (out / ".config").read_text()
    make(f"O={out}", "-j2")
    make(f"O={out}", "defconfig")
    assert (out / ".config").read_text() == cfg
    r = make(f"O={out}")
    assert " CC " not in r.stdout and " LD " not in r.stdout, r.stdout


@pytest.mark.slow
def test_compiler_switch_rebuilds_in_place(tmp_path):
    # A tree built with gcc, then "make CC=clang" in the same directory.
    out = tmp_path / "switch"
    make(f"O={out}", "defconfig")
    make(f"O={out}", "-j2")
    objs = objects(out)
    assert objs and all(saved_command(out / o).startswith("gcc ") for o in objs)
    assert any("GNU C" in p for p in producers(out / "proxima-syms"))
    r = make(f"O={out}", "CC=clang", "V=1", "-j2")
    compiled = sorted(re.findall(r"^clang .* -c -o \S+/((?:arch|hypervisor|mm)/\S+\.o) ",
                                 r.stdout, re.M))
    assert compiled == objs, "CC=clang did not recompile every object"
    for o in objs:
        assert saved_command(out / o).startswith("clang "), o
    assert saved_command(out / "proxima").startswith("objcopy ")
    # The image is clang's: no object in it was compiled or assembled by GNU tools.
    found = producers(out / "proxima-syms")
    assert found and all("clang" in p and "GNU" not in p for p in found), found
    assert multiboot_headers(out / "proxima")
    r = make(f"O={out}", "CC=clang")
    assert "Nothing to be done" in r.stdout, r.stdout
    # And back: gcc again rebuilds every object.
    r = make(f"O={out}", "-j2")
    assert rebuilt(r.stdout) == objs


@pytest.mark.slow
def test_flags_and_linker_changes_rebuild_in_place(tmp_path):
    out = tmp_path / "flags"
    make(f"O={out}", "defconfig")
    make(f"O={out}", "-j2")
    # Another flag reaches every C object (not the assembler's), and once only.
    r = make(f"O={out}", "EXTRA_CFLAGS=-DPROXIMA_TEST_FLAG", "-j2")
    assert rebuilt(r.stdout) == c_objects(out)
    assert " -DPROXIMA_TEST_FLAG " in saved_command(out / "mm/page_alloc.o")
    r = make(f"O={out}", "EXTRA_CFLAGS=-DPROXIMA_TEST_FLAG")
    assert " CC " not in r.stdout and " LD " not in r.stdout, r.stdout
    # Another linker relinks and compiles nothing.
    r = make(f"O={out}", "EXTRA_CFLAGS=-DPROXIMA_TEST_FLAG", "LD=ld.bfd")
    assert not rebuilt(r.stdout) and " LD " in r.stdout, r.stdout
    assert saved_command(out / "proxima-syms").startswith("ld.bfd ")
    # A compile that fails saves nothing: the next run tries that object again.
    bad = ["EXTRA_CFLAGS=-DPROXIMA_TEST_FLAG -Wsuch-warning-for-the-test", "LD=ld.bfd"]
    first = make(f"O={out}", *bad, check=False)
    again = make(f"O={out}", *bad, check=False)
    assert first.returncode and again.returncode
    assert rebuilt(first.stdout)[:1] == rebuilt(again.stdout)[:1] != [], again.stdout
    assert "-Wsuch" not in saved_command(out / rebuilt(first.stdout)[0])


def test_hosted_and_fuzz_objects_follow_their_compiler(tmp_path):
    # One object of each test build, compiled with one compiler, then another.
    out = tmp_path / "hostcc"
    make(f"O={out}", "debug_defconfig")
    hosted = out / "hosted/obj/hypervisor/cmdline.o"
    fuzz = out / "fuzz/obj/hypervisor/cmdline.o"
    make(f"O={out}", str(hosted), str(fuzz))
    assert saved_command(hosted).startswith("gcc ")
    assert saved_command(fuzz).startswith("clang ")
    r = make(f"O={out}", "HOSTCC=clang", "FUZZ_CC=clang-14", str(hosted), str(fuzz))
    assert "HOSTCC" in r.stdout and "FUZZCC" in r.stdout, r.stdout
    assert saved_command(hosted).startswith("clang ")
    assert saved_command(fuzz).startswith("clang-14 ")
    r = make(f"O={out}", "HOSTCC=clang", "FUZZ_CC=clang-14", str(hosted), str(fuzz))
    assert "HOSTCC" not in r.stdout and "FUZZCC" not in r.stdout, r.stdout


def test_bench_objects_follow_their_compiler(tmp_path):
    # The benchmarks' objects too: one built with gcc, then with clang.
    out = tmp_path / "benchcc"
    make(f"O={out}", "defconfig")
    obj = out / "bench/obj/mm/topology.o"
    make(f"O={out}", str(obj))
    assert saved_command(obj).startswith("gcc ")
    r = make(f"O={out}", "BENCH_CC=clang", str(obj))
    assert "BENCHCC" in r.stdout and saved_command(obj).startswith("clang "), r.stdout
    r = make(f"O={out}", "BENCH_CC=clang", str(obj))
    assert "BENCHCC" not in r.stdout, r.stdout


@pytest.mark.slow
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
              "check", "x86_64_defconfig", "debug_defconfig", "O=dir", "CC=gcc|clang", "V=1",
              "QUICK=1", "format", "format-check", "EXTRA_CFLAGS"]:
        assert t in r.stdout, t
