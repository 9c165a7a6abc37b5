#!/usr/bin/python3
"""make check: build the test configuration, run the hosted unit tests and
the QEMU boot and build tests, and end with one summary line
"N passed, N failed". Exit status 0 only when nothing failed.

Usage: check.py --srctree DIR --out DIR [--only hosted|boot] [pytest args...]
"""

import argparse
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET


def run(cmd, **kw):
    print("+ " + " ".join(cmd), flush=True)
    return subprocess.run(cmd, stdin=subprocess.DEVNULL, **kw)


def count_tap(name, returncode, output):
    """One cmocka binary's TAP output: (tests passed, reasons of failures)."""
    ok = len(re.findall(r"^ok \d+", output, re.M))
    nok = re.findall(r"^not ok \d+ - (.*)$", output, re.M)
    planned = re.search(r"^1\.\.(\d+)", output, re.M)
    # A crash (sanitizer report, signal) loses the rest of the plan; a
    # binary that prints no plan at all ran nothing we can count.
    if returncode and not nok:
        nok = [f"{name} exited with status {returncode}"]
    elif not planned:
        nok.append(f"{name}: printed no TAP plan")
    elif ok + len(nok) < int(planned.group(1)):
        nok.append(f"{name}: {int(planned.group(1)) - ok - len(nok)} tests did not run")
    return ok, nok


def hosted_tests(srctree, out):
    """Build and run every cmocka binary; returns (passed, failed, names)."""
    r = run(["make", "-C", srctree, f"O={out}", "-j2", "hosted"])
    if r.returncode:
        return 0, 1, ["hosted build"]
    listing = subprocess.run(["make", "-s", "-C", srctree, f"O={out}", "hosted-list"],
                             stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, text=True)
    binaries = listing.stdout.split()
    passed = failed = 0
    bad = []
    env = dict(os.environ, CMOCKA_MESSAGE_OUTPUT="TAP")
    for b in binaries:
        name = os.path.basename(b)
        r = subprocess.run([b], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True, env=env, timeout=1200)
        sys.stdout.write(r.stdout)
        ok, nok = count_tap(name, r.returncode, r.stdout)
        passed += ok
        failed += len(nok)
        bad += [f"{name}: {n}" for n in nok]
    if not binaries:
        return 0, 1, ["no hosted test binaries found"]
    return passed, failed, bad


def pytest_tests(srctree, out, dirs, extra):
    junit = os.path.join(out, "pytest.xml")
    # A results file from an earlier run must never be counted for this one.
    if os.path.exists(junit):
        os.remove(junit)
    env = dict(os.environ, PROXIMA_BUILD=out, PYTHONDONTWRITEBYTECODE="1")
    r = run([sys.executable, "-m", "pytest", "-v", "-p", "no:cacheprovider",
             f"--junitxml={junit}", *dirs, *extra], cwd=os.path.join(srctree, "tests"), env=env)
    return count_junit(junit, r.returncode)


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
        results.append(("hosted", hosted_tests(a.srctree, out)))
    if a.only != "hosted":
        results.append(("boot and build", pytest_tests(a.srctree, out, ["qemu", "make"],
                                                       a.pytest_args)))

    print()
    total_p = total_f = 0
    for what, (p, f, bad) in results:
        print(f"check: {what}: {p} passed, {f} failed")
        for b in bad:
            print(f"  FAILED {b}")
        total_p += p
        total_f += f
    print(f"{total_p} passed, {total_f} failed")
    return 1 if total_f or not total_p else 0


if __name__ == "__main__":
    sys.exit(main())
