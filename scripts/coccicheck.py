#!/usr/bin/python3
"""make coccicheck: the project's own rules as Coccinelle semantic patches
(scripts/coccinelle/*.cocci), over the hypervisor's C sources (arch/,
hypervisor/, mm/), zero findings allowed.

Two checks per rule, each passed or failed:
  <rule>            spatch over the tree: no finding;
  <rule> self-test  spatch over scripts/coccinelle/tests/<rule>.c: every
                    function named bad_* is flagged, no other is.
Findings are printed as "file:line: rule: message" (each rule prints its
own from a python script block). Ends with "N passed, N failed"; exit
status 0 only when nothing failed. A missing spatch, or a rule that does
not parse, is a failure.

Usage: coccicheck.py --srctree DIR
"""

import argparse
import glob
import os
import re
import shutil
import subprocess
import sys

sys.dont_write_bytecode = True  # no __pycache__ in scripts/
from checkreport import report  # noqa: E402

SPATCH = "spatch"
TREE_DIRS = ("arch", "hypervisor", "mm")
FINDING = re.compile(r"^(.*?):(\d+): (\w+): (.*)$")


def spatch(srctree, rule, files):
    """(ran, findings) of one rule over files."""
    cmd = [SPATCH, "--very-quiet", "--no-show-diff", "--sp-file", rule] + files
    r = subprocess.run(cmd, cwd=srctree, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True, errors="replace")
    findings = [ln for ln in r.stdout.splitlines() if FINDING.match(ln)]
    noise = [ln for ln in r.stdout.splitlines()
             if ln and not FINDING.match(ln) and not ln.startswith("warning:")]
    if r.returncode or noise:
        print(f"coccicheck: {os.path.basename(rule)}: spatch exited {r.returncode}")
        print("\n".join(noise[-20:]))
        return False, findings
    return True, findings


def tree_files(srctree):
    files = []
    for d in TREE_DIRS:
        for root, _, names in os.walk(os.path.join(srctree, d)):
            files += [os.path.relpath(os.path.join(root, n), srctree)
                      for n in names if n.endswith(".c")]
    return sorted(files)


def functions(path):
    """(name, first line, last line) of each function in a test input."""
    with open(path) as f:
        lines = f.read().split("\n")
    out, start, name = [], None, None
    for i, line in enumerate(lines, 1):
        m = re.match(r"^\w[\w\s\*]*\b(\w+)\(.*\)$", line)
        if m and i < len(lines) and lines[i] == "{":
            name, start = m.group(1), i
        elif line == "}" and name:
            out.append((name, start, i))
            name = None
    return out


def self_test(srctree, rule):
    test = os.path.join("scripts", "coccinelle", "tests",
                        os.path.basename(rule).replace(".cocci", ".c"))
    if not os.path.exists(os.path.join(srctree, test)):
        return False, [f"no test input {test}"]
    ran, findings = spatch(srctree, rule, [test])
    if not ran:
        return False, ["spatch failed on the test input"]
    lines = {int(FINDING.match(f).group(2)) for f in findings}
    bad = []
    for name, first, last in functions(os.path.join(srctree, test)):
        hit = any(first <= ln <= last for ln in lines)
        if name.startswith("bad_") and not hit:
            bad.append(f"{test}: {name} is not flagged")
        if not name.startswith("bad_") and hit:
            bad.append(f"{test}: {name} is flagged")
    if not any(n.startswith("bad_") for n, _, _ in functions(os.path.join(srctree, test))):
        bad.append(f"{test}: no bad_* function to flag")
    return not bad, bad


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--srctree", required=True)
    a = ap.parse_args()
    srctree = os.path.abspath(a.srctree)

    results = []
    rules = sorted(glob.glob(os.path.join(srctree, "scripts", "coccinelle", "*.cocci")))
    if not shutil.which(SPATCH):
        results.append(("spatch", False, ["spatch is not installed (scripts/install-deps)"]))
    elif not rules:
        results.append(("rules", False, ["no rules in scripts/coccinelle/"]))
    files = tree_files(srctree)
    for rule in rules if shutil.which(SPATCH) else []:
        name = os.path.basename(rule)[:-len(".cocci")]
        ok, bad = self_test(srctree, rule)
        results.append((f"{name} self-test", ok, bad))
        ran, findings = spatch(srctree, rule, files)
        results.append((f"{name} ({len(files)} files)", ran and not findings,
                        findings if ran else ["spatch failed"] + findings))

    return report("coccicheck", results)


if __name__ == "__main__":
    sys.exit(main())
