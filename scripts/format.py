#!/usr/bin/python3
"""make format and make format-check: every C source and header of the tree
in the style that .clang-format describes, as Debian's clang-format 14
formats it (other versions format some constructs differently, so no other
version is used).

  format.py --srctree DIR            rewrite every C file of the tree in place
  format.py --srctree DIR --check    rewrite nothing; one line per file that
                                     differs, and exit 1 if any does
  format.py [--srctree DIR] [--check] FILE...    only these files

The files of the tree are the *.c and *.h that git knows of or would add
(tracked, or untracked and not ignored) and that exist, less EXCLUDE. The
style is always DIR/.clang-format (default: the tree this script is in),
wherever the files are.
"""

import argparse
import os
import subprocess
import sys

CLANG_FORMAT = "clang-format-14"
# Paths (relative to the tree) never formatted, each with its reason.
EXCLUDE = {}


def tree_files(srctree):
    """The C sources and headers of the tree, relative to it, sorted."""
    r = subprocess.run(["git", "-C", srctree, "ls-files", "--cached", "--others",
                        "--exclude-standard", "-z", "--", "*.c", "*.h"],
                       stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, check=True)
    files = {f for f in r.stdout.decode().split("\0") if f}
    return sorted(f for f in files
                  if f not in EXCLUDE and os.path.isfile(os.path.join(srctree, f)))


def check_version():
    """Fail unless clang-format-14 is installed (make deps installs it)."""
    try:
        r = subprocess.run([CLANG_FORMAT, "--version"], stdin=subprocess.DEVNULL,
                           stdout=subprocess.PIPE, text=True)
    except FileNotFoundError:
        sys.exit(f"format: {CLANG_FORMAT} not found (Debian package clang-format-14)")
    if "version 14." not in r.stdout:
        sys.exit(f"format: {CLANG_FORMAT} says {r.stdout.strip()!r}, not version 14")


def drifting(style, paths):
    """The paths that clang-format would change, in order. One process per
    batch: with --output-replacements-xml it prints one document per file,
    in order, and a file it would leave alone has no <replacement>."""
    bad = []
    for i in range(0, len(paths), 100):
        batch = paths[i:i + 100]
        r = subprocess.run([CLANG_FORMAT, f"--style=file:{style}", "--output-replacements-xml",
                            *batch], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True)
        docs = r.stdout.split("<?xml ")[1:]
        if r.returncode or len(docs) != len(batch):
            sys.exit(f"format: {CLANG_FORMAT} failed ({r.returncode}, {len(docs)} results "
                     f"for {len(batch)} files):\n{r.stderr}")
        bad += [p for p, d in zip(batch, docs) if "<replacement " in d]
    return bad


def main(argv):
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    ap = argparse.ArgumentParser(description="clang-format 14 over the tree's C files")
    ap.add_argument("--srctree", default=here)
    ap.add_argument("--check", action="store_true",
                    help="rewrite nothing; list the files that differ, exit 1 if any")
    ap.add_argument("files", nargs="*", help="these files instead of the whole tree")
    a = ap.parse_args(argv)
    style = os.path.join(os.path.abspath(a.srctree), ".clang-format")
    check_version()
    if a.files:
        paths, shown = a.files, a.files
    else:
        shown = tree_files(a.srctree)
        paths = [os.path.join(a.srctree, f) for f in shown]
    if not a.check:
        # clang-format -i leaves a file alone when nothing changes.
        for i in range(0, len(paths), 50):
            subprocess.run([CLANG_FORMAT, f"--style=file:{style}", "-i", *paths[i:i + 50]],
                           stdin=subprocess.DEVNULL, check=True)
        return 0
    bad = set(drifting(style, paths))
    names = [s for s, p in zip(shown, paths) if p in bad]
    for n in names:
        print(f"{n}: differs from .clang-format")
    if names:
        print(f"format-check: {len(names)} of {len(paths)} files differ; "
              f"'make format' rewrites them", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
