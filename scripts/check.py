#!/usr/bin/python3
"""make check: build the test configuration, run the hosted unit tests
(under debug_defconfig, then again under a second configuration; the
fuzz seed corpora are replayed among them), each libFuzzer target for a
short time, the static analysis of make analyze and the semantic patches
of make coccicheck, the QEMU boot and build tests, the stock Linux guest
(make check-linux's tests, Debian's kernel fetched with apt) and the
format check, and end
with one summary line "N passed, N failed". Exit status 0 only when
nothing failed.

--quick (make check QUICK=1) is the edit-compile-test loop: the stress
tests run short (PROXIMA_QUICK=1), the hosted tests run under debug_defconfig
only, the fuzz targets, the static analysis, the semantic patches and
the stock Linux guest do not run, and the
pytest tests marked slow
(whole-tree builds, the 48-CPU boot) are left out. CI runs the full check.

Usage: check.py --srctree DIR --out DIR [--quick] [--only hosted|boot] [pytest args...]
"""

import argparse
import concurrent.futures
import glob
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET

# The format check (scripts/format.py --check) counts as one test: any file
# that drifts from .clang-format fails make check ("make format" fixes it).
FORMAT_CHECK = True

# The second configuration of the hosted tests, built into <out>/<name>:
# what debug_defconfig leaves out (no DEBUG, the largest MAX_ORDER the
# buddy merge's zone check needs, no per-CPU caches).
ALT_CONFIG = "hosted_nodebug_defconfig"


def run(cmd, **kw):
    print("+ " + " ".join(cmd), flush=True)
    return subprocess.run(cmd, stdin=subprocess.DEVNULL, **kw)


def count_tap(name, returncode, output):
    """One cmocka binary's TAP output: (tests passed, reasons of failures).
    A skipped test ("not ok 3 # SKIP name", cmocka's skip()) counts as
    neither, but as run."""
    ok = len(re.findall(r"^ok \d+(?! # SKIP)", output, re.M))
    nok = re.findall(r"^not ok \d+ - (.*)$", output, re.M)
    skipped = len(re.findall(r"^(?:not )?ok \d+ # SKIP", output, re.M))
    planned = re.search(r"^1\.\.(\d+)", output, re.M)
    # A crash (sanitizer report, signal) loses the rest of the plan; a
    # binary that prints no plan at all ran nothing we can count.
    if returncode and not nok:
        nok = [f"{name} exited with status {returncode}"]
    elif not planned:
        nok.append(f"{name}: printed no TAP plan")
    elif ok + len(nok) + skipped < int(planned.group(1)):
        nok.append(f"{name}: {int(planned.group(1)) - ok - len(nok) - skipped} tests did not run")
    return ok, nok


def run_streamed(cmd, env, timeout=1200):
    """Run cmd, echoing its output line by line as it comes (the stress
    tests' progress lines); returns (exit status, the whole output)."""
    p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, text=True, env=env, errors="replace")
    lines = []
    for line in p.stdout:
        sys.stdout.write(line)
        sys.stdout.flush()
        lines.append(line)
    try:
        status = p.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        p.kill()
        status = p.wait()
    return status, "".join(lines)


def run_captured(cmd, env):
    """Run cmd to the end; (status, its output with stderr folded in)."""
    r = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True, errors="replace", env=env,
                       timeout=1200)
    return r.returncode, r.stdout


def hosted_tests(srctree, out, quick=False):
    """Build and run every cmocka binary; returns (passed, failed, names)."""
    r = run(["make", "-C", srctree, f"O={out}", "-j2", "hosted"])
    if r.returncode:
        return 0, 1, ["hosted build"]
    listing = subprocess.run(["make", "-s", "-C", srctree, f"O={out}", "hosted-list"],
                             stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, text=True)
    binaries = listing.stdout.split()
    passed = failed = 0
    bad = []
    env = dict(os.environ, CMOCKA_MESSAGE_OUTPUT="TAP", PROXIMA_QUICK="1" if quick else "0")
    if quick:
        # Two binaries at a time, one per core; each one's output is printed
        # whole when it ends (no live progress lines in this mode).
        with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
            results = list(pool.map(lambda b: run_captured([b], env), binaries))
    else:
        results = [run_streamed([b], env) for b in binaries]
    for b, (status, output) in zip(binaries, results):
        name = os.path.basename(b)
        if quick:
            sys.stdout.write(output)
        ok, nok = count_tap(name, status, output)
        passed += ok
        failed += len(nok)
        bad += [f"{name}: {n}" for n in nok]
    if not binaries:
        return 0, 1, ["no hosted test binaries found"]
    return passed, failed, bad


def config_label(out):
    """What the hosted results of out were built with, from its .config:
    "nodebug, MAX_ORDER=13, PCP=n"."""
    cfg = {}
    with open(os.path.join(out, ".config")) as f:
        for line in f:
            m = re.match(r"(CONFIG_\w+)=(.*)", line) or re.match(r"# (CONFIG_\w+) is not set", line)
            if m:
                cfg[m.group(1)] = m.group(2) if m.lastindex == 2 else "n"
    return (("debug" if cfg.get("CONFIG_DEBUG") == "y" else "nodebug") +
            f", MAX_ORDER={cfg.get('CONFIG_MAX_ORDER', '?')}, PCP={cfg.get('CONFIG_PCP', 'n')}")


def alt_hosted_tests(srctree, out):
    """The hosted tests again under ALT_CONFIG in <out>/<its name>;
    returns (label, (passed, failed, names))."""
    alt = os.path.join(out, ALT_CONFIG.removesuffix("_defconfig"))
    if run(["make", "-C", srctree, f"O={alt}", ALT_CONFIG]).returncode:
        return f"hosted ({ALT_CONFIG})", (0, 1, [f"make {ALT_CONFIG}"])
    return f"hosted ({config_label(alt)})", hosted_tests(srctree, alt)


# Each libFuzzer target (tests/fuzz/) runs this long in make check, after
# its seeds are replayed; make fuzz runs them for as long as asked.
FUZZ_CHECK_SECONDS = 20


def fuzz_runs(srctree, out):
    """Build the fuzz targets and run each for FUZZ_CHECK_SECONDS, two at a
    time (tests/fuzz/run-fuzzer.sh: seeds first, then fork-mode fuzzing);
    one test per target, failed if any input broke an invariant."""
    if run(["make", "-C", srctree, f"O={out}", "-j2", "fuzz-build"]).returncode:
        return 0, 1, ["fuzz build"]
    bins = sorted(glob.glob(os.path.join(out, "fuzz", "fuzz_*")))
    if not bins:
        return 0, 1, ["no fuzz targets built"]

    def one(b):
        name = os.path.basename(b).removeprefix("fuzz_")
        corpus = os.path.join(srctree, "tests", "fuzz", "corpus", name)
        return run_captured(["sh", os.path.join(srctree, "tests", "fuzz", "run-fuzzer.sh"), b,
                             corpus, os.path.join(out, "fuzz"), str(FUZZ_CHECK_SECONDS),
                             "16384", "1"], dict(os.environ))

    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(one, bins))
    passed = failed = 0
    bad = []
    for b, (status, output) in zip(bins, results):
        tail = [l for l in output.splitlines() if l.startswith("#") and "cov:" in l][-1:]
        print(f"fuzz: {os.path.basename(b)}: {FUZZ_CHECK_SECONDS} s, exit {status}; "
              f"{tail[0] if tail else 'no progress line'}")
        if status:
            sys.stdout.write(output[-4000:])
            failed += 1
            bad.append(f"{os.path.basename(b)}: an input broke an invariant "
                       f"(see {os.path.join(out, 'fuzz', 'artifacts')})")
        else:
            passed += 1
    return passed, failed, bad


def summary_step(cmd):
    """Run a checker that ends with "N passed, N failed" (make analyze):
    (passed, failed, its failure lines)."""
    r = run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            errors="replace")
    sys.stdout.write(r.stdout)
    m = re.search(r"^(\d+) passed, (\d+) failed$", r.stdout, re.M)
    if not m:
        return 0, 1, [f"{' '.join(cmd[:2])}: no summary line (exit {r.returncode})"]
    passed, failed = int(m.group(1)), int(m.group(2))
    bad = [ln.strip() for ln in r.stdout.splitlines() if ": FAILED" in ln]
    if r.returncode and not failed:
        failed, bad = 1, [f"{' '.join(cmd[:2])} exited with {r.returncode}"]
    return passed, failed, bad


def format_check(srctree, files=()):
    """scripts/format.py --check as one test: (1, 0, []) or (0, 1, the
    files that differ)."""
    r = subprocess.run([sys.executable, os.path.join(srctree, "scripts", "format.py"),
                        "--srctree", srctree, "--check", *files], stdin=subprocess.DEVNULL,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if r.returncode == 0:
        return 1, 0, []
    lines = r.stdout.splitlines()
    differ = [ln.split(": differs from")[0] for ln in lines if ": differs from" in ln]
    return 0, 1, ["format: " + (", ".join(differ) if differ else "\n".join(lines[-5:]))]


def start_pytest(srctree, out, dirs, extra, log=None, junit_name="pytest.xml"):
    """Start pytest over dirs (its output to the file log, or ours);
    returns (the process, its JUnit file)."""
    junit = os.path.join(out, junit_name)
    # A results file from an earlier run must never be counted for this one.
    if os.path.exists(junit):
        os.remove(junit)
    env = dict(os.environ, PROXIMA_BUILD=out, PYTHONDONTWRITEBYTECODE="1")
    cmd = [sys.executable, "-m", "pytest", "-v", "-p", "no:cacheprovider",
           f"--junitxml={junit}", *dirs, *extra]
    print("+ " + " ".join(cmd), flush=True)
    p = subprocess.Popen(cmd, cwd=os.path.join(srctree, "tests"), env=env,
                         stdin=subprocess.DEVNULL, stdout=log, stderr=log and subprocess.STDOUT)
    return p, junit


def shards(srctree, dirs, n):
    """The test files of dirs (relative to tests/) in n groups of about
    the same size, for pytest processes side by side."""
    files = []
    for d in dirs:
        top = os.path.join(srctree, "tests", d)
        files += [(os.path.getsize(os.path.join(top, f)), os.path.join(d, f))
                  for f in os.listdir(top) if f.startswith("test_") and f.endswith(".py")]
    groups = [[0, []] for _ in range(n)]
    for size, f in sorted(files, reverse=True):
        g = min(groups, key=lambda g: g[0])
        g[0] += size
        g[1].append(f)
    return [sorted(g[1]) for g in groups if g[1]]


def quick_pytest_tests(srctree, out, extra, jobs=2):
    """The boot and build tests less those marked slow, in jobs
    pytest processes side by side (a boot test keeps one core busy); each
    one's output is shown when it is done."""
    running = []
    for i, files in enumerate(shards(srctree, ["qemu", "make"], jobs)):
        log = open(os.path.join(out, f"pytest-{i}.log"), "w")
        running.append((log, *start_pytest(srctree, out, files, ["-m", "not slow", *extra], log,
                                           f"pytest-{i}.xml")))
    passed = failed = 0
    bad = []
    for log, p, junit in running:
        status = p.wait()
        if status == 5:     # pytest: nothing selected in this half (-k ...)
            status = 0
        log.close()
        with open(log.name) as f:
            sys.stdout.write(f.read())
        p_, f_, b_ = count_junit(junit, status)
        passed, failed, bad = passed + p_, failed + f_, bad + b_
    return passed, failed, bad


def pytest_tests(srctree, out, dirs, extra):
    p, junit = start_pytest(srctree, out, dirs, extra)
    return count_junit(junit, p.wait())


def fetch_linux_guest(srctree, out):
    """make linux-guest: Debian's kernel (from the Debian archive with apt,
    which must be reachable; kept in <out>/linux-guest once fetched) and the
    initramfs, which the Linux tests and make run's sample boot. True when
    both are there."""
    return run(["make", "-C", srctree, f"O={out}", "linux-guest"]).returncode == 0


def linux_guest_tests(srctree, out, extra, fetched):
    """The stock Linux guest (tests/linux/). A kernel that could not be had
    fails the step: it is a test, not an option."""
    if not fetched:
        return 0, 1, ["make linux-guest (fetch Debian's kernel, build the initramfs)"]
    p, junit = start_pytest(srctree, out, ["linux"], extra, junit_name="pytest-linux.xml")
    return count_junit(junit, p.wait())


def count_junit(junit, returncode):
    """pytest's JUnit file and exit status: (passed, failed, names)."""
    if not os.path.exists(junit):
        return 0, 1, [f"pytest exited with {returncode} and wrote no results"]
    passed = failed = 0
    bad = []
    for case in ET.parse(junit).getroot().iter("testcase"):
        name = f"{case.get('classname')}::{case.get('name')}"
        if case.find("failure") is not None or case.find("error") is not None:
            failed += 1
            bad.append(name)
        elif case.find("skipped") is None:
            passed += 1
    if returncode not in (0, 1) and not failed:
        failed, bad = 1, [f"pytest exited with {returncode}"]
    return passed, failed, bad


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--srctree", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--only", choices=["hosted", "boot"])
    ap.add_argument("--quick", action="store_true",
                    help="short stress runs, one hosted configuration, no slow pytest tests")
    ap.add_argument("pytest_args", nargs="*")
    a = ap.parse_args()
    out = os.path.abspath(a.out)

    results = []
    if run(["make", "-C", a.srctree, f"O={out}", "debug_defconfig"]).returncode or \
       run(["make", "-C", a.srctree, f"O={out}", "-j2"]).returncode:
        print("check: the test configuration does not build")
        print("0 passed, 1 failed")
        return 1
    if a.only != "boot":
        results.append((f"hosted ({config_label(out)})", hosted_tests(a.srctree, out, a.quick)))
        if not a.quick:
            results.append(alt_hosted_tests(a.srctree, out))
        if not a.quick and a.only is None:
            results.append((f"fuzz ({FUZZ_CHECK_SECONDS} s a target)", fuzz_runs(a.srctree, out)))
            results.append(("static analysis", summary_step(
                [sys.executable, os.path.join(a.srctree, "scripts", "analyze.py"),
                 "--srctree", a.srctree, "--out", os.path.join(out, "analyze")])))
            results.append(("semantic patches", summary_step(
                [sys.executable, os.path.join(a.srctree, "scripts", "coccicheck.py"),
                 "--srctree", a.srctree])))
    fetched = a.only != "hosted" and fetch_linux_guest(a.srctree, out)
    if a.only != "hosted" and a.quick:
        results.append(("boot and build", quick_pytest_tests(a.srctree, out, a.pytest_args)))
    elif a.only != "hosted":
        results.append(("boot and build", pytest_tests(a.srctree, out, ["qemu", "make"],
                                                       a.pytest_args)))
        results.append(("stock Linux guest", linux_guest_tests(a.srctree, out, a.pytest_args,
                                                               fetched)))
    if FORMAT_CHECK and a.only is None:
        results.append(("format", format_check(a.srctree)))

    print()
    total_p = total_f = 0
    for what, (p, f, bad) in results:
        print(f"check: {what}: {p} passed, {f} failed")
        for b in bad:
            print(f"  FAILED {b}")
        total_p += p
        total_f += f
    if not FORMAT_CHECK:
        print("check: format: not enforced yet (FORMAT_CHECK in scripts/check.py)")
    if a.quick:
        print("check: QUICK: short stress runs; no second hosted configuration, "
              "no fuzzing runs (the seeds are replayed), no static analysis or "
              "semantic patches, "
              "no slow build and boot tests, no Linux guest")
    print(f"{total_p} passed, {total_f} failed")
    return 1 if total_f or not total_p else 0


if __name__ == "__main__":
    sys.exit(main())
