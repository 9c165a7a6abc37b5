"""make format and make format-check (scripts/format.py): the files they
cover, one line per file that differs from .clang-format, and rewriting
that leaves a formatted file alone. Run on copies in a temporary
directory, never on the tree."""

import os
import subprocess

from machine import SRCTREE

FORMAT = os.path.join(SRCTREE, "scripts", "format.py")

GOOD = """/* A file as .clang-format wants it. */
#include <stddef.h>
#include <string.h>

static int add(int a, int b)
{
	return a + b;
}

int twice(int x)
{
	if (x > 0)
		return add(x, x);
	return 0;
}
"""

BAD = """#include <string.h>
#include <stddef.h>
int  twice( int x ){ if (x>0) return x+x; return 0; }
"""


def run_format(*args, cwd=None):
    return subprocess.run(["/usr/bin/python3", FORMAT, "--srctree", SRCTREE, *args], cwd=cwd,
                          stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True)


def test_format_check_names_each_file_that_differs(tmp_path):
    (tmp_path / "good.c").write_text(GOOD)
    (tmp_path / "bad.c").write_text(BAD)
    (tmp_path / "bad.h").write_text("int  f( void );\n")
    r = run_format("--check", "good.c", "bad.c", "bad.h", cwd=tmp_path)
    assert r.returncode == 1
    assert r.stdout.splitlines() == ["bad.c: differs from .clang-format",
                                     "bad.h: differs from .clang-format"]
    assert "2 of 3 files differ" in r.stderr
    # Nothing was rewritten.
    assert (tmp_path / "bad.c").read_text() == BAD
    r = run_format("--check", "good.c", cwd=tmp_path)
    assert r.returncode == 0 and r.stdout == "", r.stdout + r.stderr


def test_format_rewrites_only_what_differs(tmp_path):
    (tmp_path / "good.c").write_text(GOOD)
    (tmp_path / "bad.c").write_text(BAD)
    before = os.stat(tmp_path / "good.c").st_mtime_ns
    r = run_format("good.c", "bad.c", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "good.c").read_text() == GOOD
    assert os.stat(tmp_path / "good.c").st_mtime_ns == before
    fixed = (tmp_path / "bad.c").read_text()
    # The tree's style: includes sorted, Linux braces, tabs.
    assert fixed.startswith("#include <stddef.h>\n#include <string.h>\n")
    assert "int twice(int x)\n{\n\tif (x > 0)\n\t\treturn x + x;\n" in fixed
    assert run_format("--check", "good.c", "bad.c", cwd=tmp_path).returncode == 0


def test_the_tree_means_c_files_git_would_keep(tmp_path):
    # Tracked or untracked, but not ignored, not deleted, and only *.c and *.h.
    def git(*args):
        subprocess.run(["git", "-C", str(tmp_path), *args], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    git("init", "-q")
    for name in ["a.c", "sub/b.h", "gone.c", "new.c", "build/obj.c", "notes.txt", "x.py"]:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(BAD)
    (tmp_path / ".gitignore").write_text("/build/\n")
    git("add", "a.c", "sub/b.h", "gone.c", "notes.txt", "x.py", ".gitignore")
    os.remove(tmp_path / "gone.c")
    # The style is always the tree's own .clang-format.
    (tmp_path / ".clang-format").write_text(open(os.path.join(SRCTREE, ".clang-format")).read())
    r = subprocess.run(["/usr/bin/python3", FORMAT, "--srctree", str(tmp_path), "--check"],
                       stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, text=True)
    assert r.returncode == 1
    assert sorted(r.stdout.splitlines()) == [f"{f}: differs from .clang-format"
                                             for f in ["a.c", "new.c", "sub/b.h"]]
