"""Drive a Proxima image in QEMU from a test: start it on a topology, wait
for console output, type debug keys, and collect the exit status.

Every wait has a timeout, so a hung boot fails its test instead of
blocking the run; the whole console log is kept for the report.
"""

import os
import re
import subprocess
import sys
import threading
import time

SRCTREE = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(SRCTREE, "scripts"))
import topology  # noqa: E402

READY = "Proxima: ready (press 'h' for debug keys)"
# isa-debug-exit: QEMU exits with (value << 1) | 1.
EXIT_PANIC = (1 << 1) | 1


# PROXIMA_CONSOLE_ECHO=1: copy the console to standard output as it comes
# (make check-linux, with pytest -s, shows the guest booting).
ECHO = os.environ.get("PROXIMA_CONSOLE_ECHO") == "1"


class BootTimeout(AssertionError):
    pass


class Machine:
    def __init__(self, kernel=None, iso=None, topo="default", append="", extra=(),
                 log_path=None):
        t = topology.get(topo)
        cmd = ["qemu-system-x86_64", "-display", "none", "-monitor", "none",
               "-serial", "stdio", "-no-reboot",
               "-device", "isa-debug-exit,iobase=0xf4,iosize=4"]
        cmd += t.qemu_args()
        if iso:
            cmd += ["-cdrom", iso, "-boot", "d"]
        else:
            cmd += ["-kernel", kernel]
            if append:
                cmd += ["-append", append]
        cmd += list(extra)
        self.cmd = cmd
        self.log_path = log_path
        self._buf = bytearray()
        self._cond = threading.Condition()
        self._eof = False
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT)
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self):
        fd = self.proc.stdout.fileno()
        while True:
            chunk = os.read(fd, 4096)
            with self._cond:
                if not chunk:
                    self._eof = True
                    self._cond.notify_all()
                    return
                self._buf += chunk
                self._cond.notify_all()
            if ECHO:
                os.write(1, chunk)

    @property
    def output(self):
        with self._cond:
            return self._buf.decode("utf-8", "replace").replace("\r\n", "\n")

    def mark(self):
        """A position in the output; wait_for(since=) looks only after it."""
        return len(self.output)

    def wait_for(self, pattern, timeout=60, since=0, regex=False):
        """Wait until pattern (text, or a regex) appears after since.
        Returns the regex match (or the text's index)."""
        deadline = time.monotonic() + timeout
        rx = re.compile(pattern, re.M) if regex else None
        while True:
            out = self.output[since:]
            if rx:
                m = rx.search(out)
                if m:
                    return m
            elif pattern in out:
                return since + out.index(pattern)
            with self._cond:
                left = deadline - time.monotonic()
                if self._eof or left <= 0:
                    break
                self._cond.wait(min(left, 0.5))
        why = "QEMU exited" if self._eof else f"no match after {timeout} s"
        raise BootTimeout(f"{why} waiting for {pattern!r}\n--- console tail ---\n"
                          + self.output[-3000:])

    def wait_ready(self, timeout=60):
        self.wait_for(READY, timeout)

    def send(self, data):
        self.proc.stdin.write(data.encode())
        self.proc.stdin.flush()

    def key(self, k, until, timeout=30, regex=False):
        """Press a debug key and wait for output it should cause; returns the
        text printed from the key press up to the match (inclusive)."""
        since = self.mark()
        self.send(k)
        m = self.wait_for(until, timeout, since=since, regex=regex)
        end = since + m.end() if regex else m + len(until)
        return self.output[since:end]

    def wait_exit(self, timeout=60):
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            raise BootTimeout(f"QEMU still running after {timeout} s\n--- console tail ---\n"
                              + self.output[-3000:])

    def close(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)
        self._reader.join(5)
        if self.log_path:
            os.makedirs(os.path.dirname(self.log_path), exist_ok=True)
            with open(self.log_path, "w") as f:
                f.write(" ".join(self.cmd) + "\n\n" + self.output)
