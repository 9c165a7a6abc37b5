"""The console samples in README.md and Documentation/debug-keys.md are
checked against a real boot, so they cannot drift from what Proxima
prints. A sample line that is only "..." (indented or not) stands for any
number of lines left out; every other line must match the console line
for line, in order, with the version's git revision and trailing blanks
ignored."""

import os
import re
import subprocess

import pytest

from machine import SRCTREE

REV = re.compile(r"\((?:[0-9a-f]{7,40}|unknown)\)")
# A Linux guest's console line: "(d3) [    3.381167] text"; the time varies.
KTIME = re.compile(r"^(\(d\d+\) )\[ *\d+\.\d+\] ")


def blocks(path, after):
    """The ``` code blocks of a Markdown file after the line `after`."""
    text = open(os.path.join(SRCTREE, path)).read()
    text = text[text.index(after):]
    return [b.split("\n") for b in re.findall(r"^```\n(.*?)\n```$", text, re.M | re.S)]


def norm(line):
    return KTIME.sub(r"\1[TIME] ", REV.sub("(REV)", line.rstrip()))


def check_sample(sample, output):
    """Every run of sample lines between elisions appears in the console, in order."""
    lines = [norm(ln) for ln in output.replace("\r", "").split("\n")]
    runs, cur = [], []
    for ln in sample:
        if ln.strip() == "...":
            runs.append(cur)
            cur = []
        else:
            cur.append(norm(ln))
    runs.append(cur)
    pos = 0
    for run in (r for r in runs if r):
        for i in range(pos, len(lines) - len(run) + 1):
            if lines[i:i + len(run)] == run:
                pos = i + len(run)
                break
        else:
            pytest.fail("the sample's lines\n  " + "\n  ".join(run) +
                        "\nare not on the console (in this order, after the lines before them)")


@pytest.fixture(scope="module")
def defconfig_image(tmp_path_factory):
    """The image `make run` boots: the default configuration."""
    out = tmp_path_factory.mktemp("defconfig")
    for args in (["defconfig"], ["-j2"]):
        r = subprocess.run(["make", "-C", SRCTREE, f"O={out}", *args], stdin=subprocess.DEVNULL,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        assert r.returncode == 0, r.stdout[-3000:]
    return str(out / "proxima")


def test_readme_boot_sample(boot, defconfig_image, build_dir):
    (sample,) = [b for b in blocks("README.md", "## What you see") if b[0].startswith("Proxima")]
    assert len(sample) > 10
    cmdline = subprocess.run(["make", "-s", "-C", SRCTREE, "run-cmdline"], stdin=subprocess.DEVNULL,
                             stdout=subprocess.PIPE, text=True, check=True).stdout.strip()
    # make run's third domain boots Debian's kernel with the initramfs
    # (make linux-guest, which make check runs before these tests).
    guest = [os.path.join(build_dir, "linux-guest", f) for f in ("vmlinuz", "initramfs.cpio")]
    for p in guest:
        if not os.path.exists(p):
            pytest.fail(f"{p} is missing: make O={build_dir} linux-guest")
    m = boot("default", kernel=defconfig_image, append=cmdline, extra=["-initrd", ",".join(guest)])
    m.wait_ready()
    m.wait_for(norm(sample[-1]), timeout=300)
    check_sample(sample, m.output)


def test_debug_keys_samples(boot):
    found = blocks("Documentation/debug-keys.md", "## `*`: run every diagnostic")
    star = next(b for b in found if b[0] == "running every diagnostic key:")
    keys = next(b for b in found if b[0] == "debug keys:")
    assert len(keys) > 5 and len(star) > 10
    m = boot("flat")
    m.wait_ready()
    m.key("h", "'v'  version, configuration and command line\n")
    m.key("*", "== done\n")
    check_sample(keys, m.output)
    check_sample(star, m.output)


def test_check_sample_catches_drift():
    # The comparison itself: a missing line, a changed one, or lines out of
    # order fail; an elided gap and another revision do not.
    out = "a (1234567)\nb\nc\nd\ne\n"
    check_sample(["a (abcdef0)", "b", "...", "e"], out)
    for bad in (["a (abcdef0)", "c"], ["b", "x"], ["e", "...", "a (1234567)"]):
        with pytest.raises(pytest.fail.Exception):
            check_sample(bad, out)
