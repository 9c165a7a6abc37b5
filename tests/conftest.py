"""pytest fixtures for the boot tests: the image under test and a factory
that boots it in QEMU and always cleans up (and keeps the console log)."""

import os
import re
import sys

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "qemu"))
from machine import SRCTREE, Machine  # noqa: E402

BUILD = os.environ.get("PROXIMA_BUILD", os.path.join(SRCTREE, "build", "check"))

# Tests that "make check QUICK=1" leaves out (pytest -m "not slow"): the
# build tests that compile whole trees carry @pytest.mark.slow; boot tests
# named here get it at collection.
SLOW_BOOT_TESTS = {
    "test_topology.py::test_boot_line_lists_every_cpu",    # 48 CPUs under TCG
}


def pytest_configure(config):
    config.addinivalue_line("markers", "slow: left out by make check QUICK=1")


def pytest_collection_modifyitems(config, items):
    for item in items:
        if f"{os.path.basename(item.fspath)}::{item.name}" in SLOW_BOOT_TESTS:
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session")
def build_dir():
    image = os.path.join(BUILD, "proxima")
    if not os.path.exists(image):
        pytest.fail(f"no image at {image}: run 'make check' (or make O={BUILD})")
    return BUILD


def build_config(build_dir):
    """The CONFIG_ options the image under test was built with."""
    cfg = {}
    with open(os.path.join(build_dir, ".config")) as f:
        for line in f:
            m = re.match(r"(CONFIG_\w+)=(.*)", line)
            if m:
                cfg[m.group(1)] = m.group(2)
    return cfg


# What CONFIG_SCRUB_DEBUG prints when a page freed clean (and so filled
# with its poison) was written while it was free (mm/scrub.c).
SCRUB_REPORT = "was written while free"
# The page ownership check of 'q' in debug builds (hypervisor/domain.c):
# every line it prints but its summary names a problem.
OWNERS_PROBLEM = re.compile(
    r"^page owners: (?!\d+ pages held by \d+ domains?, each page once$).*", re.M)


@pytest.fixture
def boot(build_dir, request):
    """Boot the image: boot(topo, append, extra, kernel, iso) -> Machine.
    At the end every machine is stopped and its log kept; with
    SCRUB_DEBUG, a console that shows a free page written while free fails
    the test, whatever it was about, and so does a problem the page
    ownership check of 'q' reports (debug builds)."""
    machines = []

    def start(topo="default", append="", extra=(), kernel=None, iso=None):
        name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name)
        log = os.path.join(build_dir, "logs", f"{name}-{len(machines)}.log")
        m = Machine(kernel=kernel or (None if iso else os.path.join(build_dir, "proxima")),
                    iso=iso, topo=topo, append=append, extra=extra, log_path=log)
        machines.append(m)
        return m

    yield start
    for m in machines:
        m.close()
    for m in machines:
        problems = OWNERS_PROBLEM.findall(m.output)
        assert not problems, \
            f"page ownership check (log {m.log_path}):\n" + "\n".join(problems)
    if build_config(build_dir).get("CONFIG_SCRUB_DEBUG") == "y":
        for m in machines:
            assert SCRUB_REPORT not in m.output, \
                f"SCRUB_DEBUG: a free page was written while free (log {m.log_path}):\n" + \
                "\n".join(ln for ln in m.output.splitlines() if SCRUB_REPORT in ln)
