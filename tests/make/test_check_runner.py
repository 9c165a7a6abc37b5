"""The test runner itself (scripts/check.py): what it counts as passed and
as failed must not depend on a test binary behaving well. TAP output as
cmocka prints it (CMOCKA_MESSAGE_OUTPUT=TAP), JUnit files as pytest writes
them."""

import importlib.util
import os
import sys

from machine import SRCTREE

spec = importlib.util.spec_from_file_location("check", os.path.join(SRCTREE, "scripts",
                                                                    "check.py"))
check = importlib.util.module_from_spec(spec)
spec.loader.exec_module(check)


def test_tap_counts_passes_and_failures():
    out = "1..3\nok 1 - a\nnot ok 2 - b\nok 3 - c\n"
    assert check.count_tap("t", 1, out) == (2, ["b"])


def test_tap_without_a_plan_is_a_failure():
    # A binary that exits 0 and prints no plan ran nothing we can count.
    assert check.count_tap("t", 0, "hello\n") == (0, ["t: printed no TAP plan"])
    assert check.count_tap("t", 0, "ok 1 - a\n") == (1, ["t: printed no TAP plan"])


def test_tap_skips_count_neither_way():
    # cmocka's skip() under a configuration a test does not apply to.
    out = "1..4\nok 1 - a\nnot ok 2 # SKIP b\nok 3 # SKIP c\nnot ok 4 - d\n"
    assert check.count_tap("t", 1, out) == (1, ["d"])
    assert check.count_tap("t", 0, "1..2\nnot ok 1 # SKIP a\n") == (0, ["t: 1 tests did not run"])


def test_tap_crash_before_the_end():
    out = "1..4\nok 1 - a\nok 2 - b\n==1==ERROR: AddressSanitizer\n"
    assert check.count_tap("t", 1, out) == (2, ["t exited with status 1"])
    # Exit 0 but fewer results than planned.
    assert check.count_tap("t", 0, "1..4\nok 1 - a\n") == (1, ["t: 3 tests did not run"])


JUNIT = """<?xml version="1.0" encoding="utf-8"?><testsuites><testsuite name="pytest">
<testcase classname="a" name="one"/>
<testcase classname="a" name="two"><failure message="x"/></testcase>
<testcase classname="a" name="three"><skipped message="y"/></testcase>
</testsuite></testsuites>"""


def test_junit_counts(tmp_path):
    p = tmp_path / "r.xml"
    p.write_text(JUNIT)
    assert check.count_junit(str(p), 1) == (1, 1, ["a::two"])
    # pytest died (exit 2+) without a failing case: still a failure.
    p.write_text(JUNIT.replace('<failure message="x"/>', ""))
    assert check.count_junit(str(p), 3) == (2, 1, ["pytest exited with 3"])
    assert check.count_junit(str(tmp_path / "none.xml"), 4) == \
        (0, 1, ["pytest exited with 4 and wrote no results"])


def test_stale_results_are_not_counted(tmp_path):
    # pytest that dies before writing anything: the old file from an earlier
    # run must not be read as this run's results.
    (tmp_path / "pytest.xml").write_text(JUNIT.replace('<failure message="x"/>', ""))
    (tmp_path / "tests").mkdir()
    real = sys.executable
    try:
        sys.executable = "/bin/false"
        got = check.pytest_tests(str(tmp_path), str(tmp_path), [], [])
    finally:
        sys.executable = real
    assert got == (0, 1, ["pytest exited with 1 and wrote no results"])
    assert not (tmp_path / "pytest.xml").exists()


def test_format_check_is_one_counted_test(tmp_path):
    good = "int twice(int x)\n{\n\treturn x + x;\n}\n"
    (tmp_path / "good.c").write_text(good)
    (tmp_path / "bad.c").write_text("int  twice( int x ){return x+x;}\n")
    (tmp_path / "bad.h").write_text("int  f( void );\n")
    g, b, h = (str(tmp_path / n) for n in ("good.c", "bad.c", "bad.h"))
    assert check.format_check(SRCTREE, [g]) == (1, 0, [])
    assert check.format_check(SRCTREE, [g, b, h]) == (0, 1, [f"format: {b}, {h}"])


def test_config_label_names_what_the_second_configuration_changes(tmp_path):
    (tmp_path / ".config").write_text("CONFIG_MAX_ORDER=13\n# CONFIG_PCP is not set\n"
                                      "# CONFIG_DEBUG is not set\n")
    assert check.config_label(str(tmp_path)) == "nodebug, MAX_ORDER=13, PCP=n"
    (tmp_path / ".config").write_text("CONFIG_MAX_ORDER=10\nCONFIG_PCP=y\nCONFIG_DEBUG=y\n")
    assert check.config_label(str(tmp_path)) == "debug, MAX_ORDER=10, PCP=y"


def test_second_configuration_is_what_it_says():
    # The defconfig the hosted tests run under a second time leaves out what
    # debug_defconfig has (make check counts its results under that label).
    text = open(os.path.join(SRCTREE, "arch/x86/configs", check.ALT_CONFIG)).read()
    assert "CONFIG_MAX_ORDER=13" in text and "# CONFIG_PCP is not set" in text
    assert "CONFIG_DEBUG=y" not in text
