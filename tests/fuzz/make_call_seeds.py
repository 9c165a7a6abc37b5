#!/usr/bin/env python3
"""Write the seed corpora of tests/fuzz/fuzz_cmdline.c,
tests/fuzz/fuzz_hypercall.c and tests/fuzz/fuzz_alloc.c into
tests/fuzz/corpus/cmdline/, hypercall/ and alloc/.

cmdline: every string literal of the hosted tests of the command line
and of domain= (tests/hosted/test_cmdline.c, test_domain_config.c,
test_topology_options.c) that reads as a command line or an option value,
each malformed case among them, plus lines made here for each option type
of the harness. hypercall: each call of the ABI
(include/public/hypercall.h) with good and refused arguments, and
memory_op sequences (increase, populate, decrease, continuations, every
refusal the ABI lists), in the input format at the top of
fuzz_hypercall.c. alloc: page blocks of every order on each node and
mode, kmalloc from 1 byte to large blocks, caches made, used and
destroyed, frees clean and dirty, other CPUs, shrinks and idle ticks, and
long mixed sequences from a fixed pseudo-random generator, in the format
at the top of fuzz_alloc.c.

Each seed is one <name>.bin (cmdline seeds are named by a hash of their
text); stale .bin files are removed, other files (inputs saved from a
fuzzer run) are left alone.

    python3 tests/fuzz/make_call_seeds.py
"""

import hashlib
import os
import re
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
HOSTED = os.path.join(HERE, "..", "hosted")

# ---- cmdline --------------------------------------------------------------------------

CMDLINE_SOURCES = ["test_cmdline.c", "test_domain_config.c", "test_topology_options.c"]
# A C string literal, escapes kept for unescape().
LITERAL = re.compile(r'"((?:[^"\\\n]|\\.)*)"')


def unescape(s):
    return bytes(s, "utf-8").decode("unicode_escape").encode("latin-1")


def looks_like_options(b):
    """A command line or an option value: holds '=' or ',' and is not a format."""
    return (b"=" in b or b"," in b) and b"%" not in b and len(b) <= 1024


def cmdline_seeds():
    seen = {}
    for name in CMDLINE_SOURCES:
        with open(os.path.join(HOSTED, name)) as f:
            text = f.read()
        for m in LITERAL.finditer(text):
            b = unescape(m.group(1))
            if looks_like_options(b):
                seen[b] = True
                # As a domain= option on a command line too.
                if b"name=" in b and not b.startswith(b"domain="):
                    seen[b"domain=" + b] = True
    made = [
        b"flag count=5 mem=64M label=abc pick=b",
        b"no-flag flag=yes count=0x10 mem=0x1000 label=\"a b\" pick=c",
        b"flag=maybe count=101 mem=1K label=toolongvalue pick=d",
        b"count mem= label pick= no-count no-pick =x \"quoted",
        b"mem=18446744073709551615 count=18446744073709551616 mem=16T mem=1048577T",
        b"/boot/proxima.elf flag count=3",
        b"label=\"unterminated count=3",
        b"label=x\"y z\"w count=2",
        b"domain domain= no-domain domain=name=a domain=name=a",
        b"domain=name=a,mem=8M,vnodes=2,vcpus=3+1,nodes=0+1,maxmem=1G,policy=strict,"
        b"control=1,image=2,args=\"x y,z\"",
        b"domain=name=b,mem=256M+768M,vnodes=2 domain=name=c,mem=1M domain=name=d,vcpus=65",
        b" ".join(b"domain=name=d%d" % i for i in range(18)),
        b"\tflag\r\ncount=9\n",
        b"loglvl=7 numa=fake=4 qemu-exit",
        # Regressions: a quoted value holding a newline split a report in two.
        b"bogus=\"a\nb\" domain=\"name=a\nb,mem=3\r\n\" label=\"x\ty\"",
        # ... and the default shown for a bad string value is what an earlier one left.
        b"label=\"x\ny\" label=toolongvalue",
    ]
    for b in made:
        seen[b] = True
    return {hashlib.sha1(b).hexdigest()[:16] + ".bin": b for b in seen}


# ---- hypercall ------------------------------------------------------------------------

RAW, MEMOP, CALL = 0, 1, 2
HC_VERSION, HC_CONSOLE_WRITE, HC_VCPU_UP, HC_SHUTDOWN, HC_PHYSINFO, HC_NUMAINFO, \
    HC_CPUTOPO, HC_MEMORY_OP = range(8)
INCREASE, DECREASE, POPULATE = 0, 1, 2
VNODE_ANY = 0xff  # the harness turns 0xff into PRX_VNODE_ANY


def raw(nr, a0=0, a1=0, a2=0, vcpu=0):
    return struct.pack("<BBQQQ", RAW | vcpu << 7, nr, a0 & (2**64 - 1), a1 & (2**64 - 1),
                       a2 & (2**64 - 1))


def arg(tag, v):
    """tag 0: v; 1: the buffer area + v; 2: ~0 - v; 3: v in both halves."""
    return struct.pack("<BI", tag, v)


def call(nr, *args, vcpu=0):
    args = list(args) + [arg(0, 0)] * (3 - len(args))
    return bytes([CALL | nr << 2 | vcpu << 7]) + b"".join(args)


def memop(cmd, gfns=(), order=0, vnode=0, flags=0, start=0, nr=None, big_nr=None,
          reserved=False, array_at=None, vcpu=0):
    """A memory_op; gfns: (kind, value): 0 RAM, 1 vnode 0's hot-plug, 2 vnode 1's, 3 any."""
    shape = (0x80 if big_nr is not None else 0) | (0x40 if array_at else 0) | \
        (0x20 if reserved else 0)
    out = bytes([MEMOP | vcpu << 7, shape, cmd, start])
    out += struct.pack("<Q", big_nr) if big_nr is not None else \
        bytes([len(gfns) if nr is None else nr])
    out += bytes([order, vnode, flags])
    if array_at:
        out += arg(*array_at)
    for kind, v in gfns:
        out += struct.pack("<I", v)[:3] + bytes([kind])
    return out


def hypercall_seeds():
    s = {}
    s["version"] = b"\0" + raw(HC_VERSION) + raw(HC_VERSION, ~0, ~0, ~0, vcpu=1)
    s["unknown-numbers"] = b"\0" + raw(8) + raw(9) + raw(255, 1, 0x1000, 16)
    s["console-write"] = b"\0" + call(HC_CONSOLE_WRITE, arg(1, 0), arg(0, 13)) + \
        call(HC_CONSOLE_WRITE, arg(1, 0xfffa), arg(0, 4096)) + \
        call(HC_CONSOLE_WRITE, arg(2, 0), arg(0, 1)) + call(HC_CONSOLE_WRITE, arg(1, 0), arg(2, 0))
    s["vcpu-up"] = b"\0" + call(HC_VCPU_UP, arg(0, 1), arg(1, 0), arg(1, 0x1000)) + \
        call(HC_VCPU_UP, arg(0, 7), arg(0, 0), arg(0, 0)) + \
        call(HC_VCPU_UP, arg(0, 1), arg(3, 0x8000), arg(1, 0), vcpu=1)
    s["shutdown"] = b"\0" + call(HC_SHUTDOWN, arg(0, 3)) + call(HC_SHUTDOWN, arg(0, 0))
    s["topology-not-control"] = b"\0" + call(HC_PHYSINFO, arg(1, 0)) + \
        call(HC_NUMAINFO, arg(1, 0), arg(1, 0x100), arg(0, 2)) + \
        call(HC_CPUTOPO, arg(1, 0), arg(0, 2))
    s["topology-control"] = b"\1" + call(HC_PHYSINFO, arg(1, 0)) + \
        call(HC_PHYSINFO, arg(2, 0)) + \
        call(HC_NUMAINFO, arg(1, 0), arg(1, 0x100), arg(0, 0)) + \
        call(HC_NUMAINFO, arg(1, 0), arg(1, 0x100), arg(0, 2)) + \
        call(HC_NUMAINFO, arg(1, 0), arg(1, 0x100), arg(0, 4097)) + \
        call(HC_NUMAINFO, arg(1, 0xfff0), arg(1, 0x100), arg(0, 4096)) + \
        call(HC_CPUTOPO, arg(1, 0), arg(0, 2)) + call(HC_CPUTOPO, arg(1, 0), arg(0, 4097))
    s["memop-increase"] = b"\0" + memop(INCREASE, [(0, 0)] * 4, order=0, vnode=0) + \
        memop(INCREASE, [(0, 0)] * 2, order=9, vnode=1, flags=1) + \
        memop(INCREASE, [(0, 0)] * 3, order=2, vnode=VNODE_ANY)
    s["memop-populate-decrease"] = b"\0" + \
        memop(POPULATE, [(1, 0), (1, 1), (2, 0x10)], vnode=VNODE_ANY) + \
        memop(DECREASE, [(1, 0), (1, 1)], vnode=VNODE_ANY) + \
        memop(DECREASE, [(0, 0x200), (0, 0x201)]) + memop(POPULATE, [(0, 0x200)])
    s["memop-refusals"] = b"\0" + memop(3, [(0, 0)]) + memop(INCREASE, [(0, 0)], order=10) + \
        memop(INCREASE, [(0, 0)], vnode=2) + memop(INCREASE, [(0, 0)], flags=2) + \
        memop(INCREASE, [(0, 0)], reserved=True) + \
        memop(INCREASE, big_nr=2**61) + memop(INCREASE, [(0, 0)], start=2) + \
        memop(POPULATE, [(0, 0x10)]) + memop(DECREASE, [(1, 0)]) + \
        memop(POPULATE, [(1, 1)], order=1) + memop(DECREASE, [(0, 0x201)], order=0) + \
        memop(INCREASE, [(0, 0)], array_at=(2, 0)) + memop(INCREASE, [(3, 0x123456)] * 2)
    s["memop-continuation"] = b"\0" + memop(INCREASE, [(0, 0)] * 16, order=9, vnode=VNODE_ANY) + \
        memop(DECREASE, [(1, i * 0x200) for i in range(4)], order=9, vnode=VNODE_ANY)
    s["memop-past-maxmem"] = b"\0" + memop(INCREASE, [(0, 0)] * 16, order=9, vnode=0) + \
        memop(INCREASE, [(0, 0)] * 16, order=9, vnode=1)
    # Regression: the extent array laid over the record, so the first
    # round's frame numbers overwrite it; the continuation returned -EINVAL
    # after adding 64 extents.
    s["regress-array-over-record"] = b"\0" + memop(INCREASE, big_nr=65,
                                                   vnode=VNODE_ANY, array_at=(0, 0x10000))
    s["mixed-vcpus"] = b"\1" + memop(INCREASE, [(0, 0)] * 2, order=3, vnode=1, vcpu=1) + \
        call(HC_CONSOLE_WRITE, arg(1, 0), arg(0, 64), vcpu=1) + raw(HC_MEMORY_OP, 0, 0x10000)
    return {k + ".bin": v for k, v in s.items()}


# ---- alloc ------------------------------------------------------------------------------

A_PAGES, A_KMALLOC, A_OBJ, A_FREE, A_FREE2, A_CACHE, A_CPU, A_SHRINK = range(8)
DIRTY = 0x80


def a_pages(slot, order, node=0, mode=0, no_scrub=False, no_pcp=False):
    """mode 0 local, 1 prefer node, 2 exact node."""
    return bytes([A_PAGES, slot, order | node << 3 | mode << 4 | no_scrub << 6 | no_pcp << 7])


def a_kmalloc(slot, size):
    return bytes([A_KMALLOC, slot]) + struct.pack("<H", size)


def a_obj(slot, cache, node=None):
    return bytes([A_OBJ, slot, cache if node is None else 0x80 | cache | node << 2])


def a_free(slot, dirty=False):
    return bytes([A_FREE | (DIRTY if dirty else 0), slot])


def a_cache(i, size):
    return bytes([A_CACHE, i]) + struct.pack("<H", size - 1)


def a_cpu(cpu):
    return bytes([A_CPU | cpu << 3])


def a_shrink():
    return bytes([A_SHRINK | 0x80])


def a_idle(shift):
    """The slab allocator's idle work, 2^shift ticks (shift 0..7)."""
    return bytes([A_SHRINK | shift << 3])


def a_scrub(node, times_shift):
    """scrub_step(node), 2^times_shift times (0..3)."""
    return bytes([A_SHRINK | 0x40 | node << 3 | times_shift << 4])


def alloc_seeds():
    s = {}
    s["pages-every-order"] = b"".join(a_pages(i, i % 7, i % 2, i % 3) for i in range(21)) + \
        b"".join(a_free(i, i % 2) for i in range(21)) + \
        b"".join(a_pages(i, i % 7) for i in range(7))
    s["pages-no-scrub-dirty"] = a_pages(0, 0, no_scrub=True) + a_free(0, True) + \
        a_pages(0, 0) + a_pages(1, 3, 1, 2, no_pcp=True) + a_free(1, True) + a_pages(1, 3, 1, 2)
    s["kmalloc-sizes"] = b"".join(a_kmalloc(i, sz) for i, sz in enumerate(
        [0, 1, 7, 8, 9, 16, 63, 64, 65, 96, 128, 192, 193, 256, 511, 1024, 2048, 4095, 4096,
         8192, 8193, 12288, 19999])) + b"".join(a_free(i) for i in range(23))
    s["caches"] = a_cache(0, 24) + a_cache(1, 3000) + a_cache(2, 8192) + a_cache(3, 1) + \
        b"".join(a_obj(i, i % 4) for i in range(40)) + a_obj(40, 1, 1) + a_obj(41, 0, 0) + \
        b"".join(a_free(i) for i in range(42)) + b"".join(a_cache(i, 1) for i in range(4))
    s["cpus-and-remote-frees"] = a_cpu(0) + b"".join(a_kmalloc(i, 64) for i in range(80)) + \
        a_cpu(3) + b"".join(a_free(i) for i in range(80)) + a_shrink() + a_cpu(1) + \
        a_idle(7) + a_cpu(2) + a_idle(6)
    s["scrub-idle"] = b"".join(a_pages(i, i % 5, i % 2, 2) for i in range(20)) + \
        b"".join(a_free(i, True) for i in range(20)) + \
        b"".join(a_cpu(c) + a_scrub(c // 2, 3) * 4 for c in range(4)) + \
        b"".join(a_pages(i, i % 5, i % 2, 2) for i in range(20))
    s["burst-and-shrink"] = b"".join(a_kmalloc(i, 100) for i in range(250)) + a_shrink() + \
        b"".join(a_free(i, True) for i in range(250)) + a_shrink()
    # Long mixed sequences: a fixed linear congruential generator (the C
    # library's constants), so the seed is the same every time.
    x = 12345
    for n in range(3):
        out = bytearray()
        for _ in range(400):
            x = (x * 1103515245 + 12345) & 0x7fffffff
            out += bytes([(x >> 8) & 0xff, (x >> 16) & 0xff, (x >> 3) & 0xff, (x >> 20) & 0xff])
        s[f"mixed-{n}"] = bytes(out)
    return {k + ".bin": v for k, v in s.items()}


def write(out, seeds):
    os.makedirs(out, exist_ok=True)
    for old in os.listdir(out):
        if old.endswith(".bin") and old not in seeds:
            os.remove(os.path.join(out, old))
    for name, data in sorted(seeds.items()):
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)
    print(f"{len(seeds)} seeds, {sum(map(len, seeds.values()))} bytes in {out}")


def main():
    write(os.path.join(HERE, "corpus", "cmdline"), cmdline_seeds())
    write(os.path.join(HERE, "corpus", "hypercall"), hypercall_seeds())
    write(os.path.join(HERE, "corpus", "alloc"), alloc_seeds())


if __name__ == "__main__":
    main()
