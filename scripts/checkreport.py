"""The report that scripts/analyze.py and scripts/coccicheck.py end with:
a line per check, its failure lines below it, then "N passed, N failed"
(which scripts/check.py counts)."""


def report(tool, results):
    """Print results, a list of (name, passed, lines); return the exit status."""
    print()
    passed = failed = 0
    for name, ok, lines in results:
        print(f"{tool}: {name}: {'passed' if ok else 'FAILED'}")
        for ln in lines:
            print(f"  {ln}")
        passed += ok
        failed += not ok
    print(f"{passed} passed, {failed} failed")
    return 1 if failed or not passed else 0
