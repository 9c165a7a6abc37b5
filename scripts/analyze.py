#!/usr/bin/python3
"""make analyze: static analysis of the hypervisor, zero findings allowed.

Four checks, each passed or failed:
  cppcheck     cppcheck --enable=warning,portability over every C file the
               hypervisor build compiles (its include paths and generated
               config header), inline suppressions honoured;
  scan-build   clang's static analyzer (scan-build-14) over a whole
               build of the image (defconfig) in <out>/scan-build;
  self-test    each tool run on tests/analyze/bad.c must report the bug
               planted there for it (or the clean runs prove nothing).
Every finding is printed as "file:line: tool: message". A finding that is
not a bug is suppressed where it occurs, with its reason in a comment:
"/* cppcheck-suppress <id> */" on the line before (cppcheck), or code
the analyzer does not see ("#ifndef __clang_analyzer__", scan-build);
Documentation/testing.md lists them. Ends with "N passed, N failed"; exit
status 0 only when nothing failed. A tool that is missing or does not run
is a failure, never a pass.

Usage: analyze.py --srctree DIR --out DIR
"""

import argparse
import glob
import html
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.dont_write_bytecode = True  # no __pycache__ in scripts/
from checkreport import report  # noqa: E402

SCAN_BUILD = "scan-build-14"
CPPCHECK = "cppcheck"
CPPCHECK_ARGS = ["--enable=warning,portability", "--inline-suppr", "-q", "--std=c11",
                 "-D__x86_64__", "--template={file}:{line}: cppcheck: {message} [{id}]"]


def run(cmd, **kw):
    print("+ " + " ".join(cmd), flush=True)
    return subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True, errors="replace", **kw)


def have(tool):
    if shutil.which(tool):
        return True
    print(f"analyze: {tool} is not installed (scripts/install-deps installs it)")
    return False


def configure(srctree, out):
    """A defconfig build directory; True when the image built."""
    r = run(["make", "-C", srctree, f"O={out}", "defconfig"])
    if r.returncode:
        print(r.stdout)
        return False
    return True


def scan_reports(report_dir):
    """(file, line, description) of each bug in scan-build's HTML reports."""
    bugs = []
    for page in glob.glob(os.path.join(report_dir, "*", "report-*.html")):
        with open(page, errors="replace") as f:
            text = f.read()
        file_ = re.search(r"<!-- BUGFILE (.*?) -->", text)
        line = re.search(r"<!-- BUGLINE (\d+) -->", text)
        desc = re.search(r"<!-- BUGDESC (.*?) -->", text)
        bugs.append((file_.group(1) if file_ else "?", line.group(1) if line else "?",
                     html.unescape(desc.group(1)) if desc else "?"))
    return sorted(bugs)


def scan_build(cmd, report_dir, cwd=None):
    """Run cmd under scan-build; (ran, bugs)."""
    shutil.rmtree(report_dir, ignore_errors=True)
    r = run([SCAN_BUILD, "-o", report_dir] + cmd, cwd=cwd)
    if r.returncode or "Analysis run complete" not in r.stdout and \
            "No bugs found" not in r.stdout and "bugs found" not in r.stdout:
        print(r.stdout[-3000:])
        return False, []
    return True, scan_reports(report_dir)


def compiled_sources(srctree, build):
    """The C files the build compiled: one object each under the build directory."""
    srcs = []
    for root, _, files in os.walk(build):
        for name in files:
            if name.endswith(".o"):
                rel = os.path.relpath(os.path.join(root, name[:-2] + ".c"), build)
                if os.path.isfile(os.path.join(srctree, rel)):
                    srcs.append(rel)
    return sorted(srcs)


def cppcheck(srctree, build, files):
    r = run([CPPCHECK] + CPPCHECK_ARGS +
            ["-I", "include", "-I", "arch/x86/include", "-I", os.path.join(build, "include"),
             f"--include={os.path.join(build, 'include', 'generated', 'autoconf.h')}"] + files,
            cwd=srctree)
    findings = [ln for ln in r.stdout.splitlines() if ": cppcheck: " in ln]
    return r.returncode == 0, findings


def check_tree(srctree, out, results):
    build = os.path.join(out, "scan-build")
    shutil.rmtree(build, ignore_errors=True)
    if not configure(srctree, build):
        results.append(("scan-build", False, ["the defconfig image does not configure"]))
        results.append(("cppcheck", False, ["the defconfig image does not configure"]))
        return
    ran, bugs = scan_build(["--status-bugs", "make", "-C", srctree, f"O={build}", "-j2"],
                           os.path.join(out, "scan-build-report"))
    if not ran:
        results.append(("scan-build", False, ["scan-build did not complete the build"]))
    else:
        results.append(("scan-build", not bugs,
                        [f"{f}:{ln}: scan-build: {d}" for f, ln, d in bugs]))
    files = compiled_sources(srctree, build)
    if not files:
        results.append(("cppcheck", False, ["no compiled sources found"]))
        return
    ran, findings = cppcheck(srctree, build, files)
    results.append((f"cppcheck ({len(files)} files)", ran and not findings,
                    findings if ran else ["cppcheck did not run"] + findings))


def self_test(srctree, out, results):
    bad = os.path.join(srctree, "tests", "analyze", "bad.c")
    with tempfile.TemporaryDirectory() as tmp:
        ran, bugs = scan_build(["clang", "-c", bad, "-o", os.path.join(tmp, "bad.o")],
                               os.path.join(out, "self-test-report"))
    found = [b for b in bugs if "null pointer" in b[2].lower()]
    results.append(("self-test scan-build", ran and bool(found),
                    [] if found else ["scan-build missed the planted null dereference"]))
    r = run([CPPCHECK] + CPPCHECK_ARGS + [bad])
    found = [ln for ln in r.stdout.splitlines() if "[arrayIndexOutOfBounds]" in ln]
    results.append(("self-test cppcheck", bool(found),
                    [] if found else ["cppcheck missed the planted out-of-bounds write"]))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--srctree", required=True)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    srctree, out = os.path.abspath(a.srctree), os.path.abspath(a.out)
    os.makedirs(out, exist_ok=True)

    results = []
    if have(SCAN_BUILD) and have(CPPCHECK) and have("clang"):
        self_test(srctree, out, results)
        check_tree(srctree, out, results)
    else:
        results.append(("tools", False, ["scan-build-14, cppcheck and clang are needed"]))

    return report("analyze", results)


if __name__ == "__main__":
    sys.exit(main())
