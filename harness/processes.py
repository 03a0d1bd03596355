"""Start and stop the service's processes for tests and benchmarks; free ports; waits under a deadline.

One way for everyone: `free_port()`, `Process(argv, env=..., log=...)` to start a command, `wait_ready()`
until a probe (`tcp_answers`, `http_answers`, `redis_answers`) says it serves, and `stop()`, which
terminates and kills only if the process does not exit in time. Every wait is on a condition with a
deadline, so a slow machine waits longer and a broken process fails with its log.
"""
from __future__ import annotations

import http.client
import os
import select
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: Generous: a busy 2-core machine may need many seconds to import the app.
START_TIMEOUT_S = 60.0


class ProcessError(RuntimeError):
    """A process exited early or did not become ready in time; the message holds its log's tail."""


def free_port() -> int:
    """A loopback port nobody listens on now (the kernel's pick, so parallel runs do not collide)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until(check: Callable[[], object], timeout: float = 30.0, what: str = "a condition",
               every: float = 0.05) -> object:
    """Poll `check` until it returns something true (returned); AssertionError after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() >= deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(every)


def tcp_answers(port: int, host: str = "127.0.0.1") -> bool:
    """Something accepts TCP connections on the port."""
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def http_answers(port: int, path: str = "/", host: str = "127.0.0.1") -> bool:
    """GET `path` gets an answer below 500."""
    try:
        conn = http.client.HTTPConnection(host, port, timeout=10)
        try:
            conn.request("GET", path)
            return conn.getresponse().status < 500
        finally:
            conn.close()
    except OSError:
        return False


def redis_answers(port: int, host: str = "127.0.0.1") -> bool:
    """A Redis server answers PING on the port."""
    try:
        with socket.create_connection((host, port), timeout=1) as conn:
            conn.sendall(b"PING\r\n")
            return conn.recv(16).startswith(b"+PONG")
    except OSError:
        return False


class Process:
    """A command run in the repository with its own environment; output to a log file (or a pipe, or nowhere).

    `start()` launches it, `wait_ready(probe)` waits until the probe holds, `stop()` ends it
    (SIGTERM, then SIGKILL after `grace` seconds), `kill()` is the crash. A context manager too.
    """

    def __init__(self, argv: list[str], env: dict[str, str] | None = None, log: Path | None = None,
                 cwd: Path = ROOT, stdout_pipe: bool = False, stderr_pipe: bool = False):
        self.argv = [sys.executable, *argv[1:]] if argv and argv[0] == "python" else list(argv)
        self.env = dict(os.environ if env is None else env)
        self.log_path = log
        self.cwd = cwd
        self.stdout_pipe, self.stderr_pipe = stdout_pipe, stderr_pipe
        self.proc: subprocess.Popen | None = None

    def start(self) -> Process:
        out = open(self.log_path, "ab") if self.log_path else subprocess.DEVNULL
        stdout = subprocess.PIPE if self.stdout_pipe else out
        stderr = subprocess.PIPE if self.stderr_pipe else (subprocess.STDOUT if not self.stdout_pipe else out)
        try:
            self.proc = subprocess.Popen(self.argv, cwd=self.cwd, env=self.env, stdout=stdout, stderr=stderr)
        finally:
            if self.log_path:
                out.close()
        return self

    @property
    def pid(self) -> int:
        return self.proc.pid

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def log(self) -> str:
        """What the process wrote to its log file so far."""
        if self.log_path and self.log_path.exists():
            return self.log_path.read_text(errors="replace")
        return ""

    def wait_ready(self, probe: Callable[[], bool], timeout: float = START_TIMEOUT_S, what: str = "") -> Process:
        """Until `probe()` is true; ProcessError if the process exits first or the deadline passes."""
        what = what or " ".join(self.argv[1:4])
        deadline = time.monotonic() + timeout
        while not probe():
            if self.proc.poll() is not None:
                raise ProcessError(f"{what} exited with {self.proc.returncode}:\n{self.log()[-3000:]}")
            if time.monotonic() >= deadline:
                raise ProcessError(f"{what} was not ready within {timeout:.0f} s:\n{self.log()[-3000:]}")
            time.sleep(0.05)
        return self

    def read_line(self, prefix: bytes, timeout: float = START_TIMEOUT_S) -> bytes:
        """The first line of piped stdout starting with `prefix` (e.g. a server announcing its port)."""
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            if select.select([self.proc.stdout], [], [], min(left, 1.0))[0]:
                line = self.proc.stdout.readline()
                if line.startswith(prefix):
                    return line
                if not line and self.proc.poll() is not None:
                    break
        self.stop()
        raise ProcessError(f"{self.argv} wrote no {prefix!r} line:\n{self.log()[-3000:]}")

    def signal(self, sig: int) -> None:
        self.proc.send_signal(sig)

    def kill(self) -> None:
        """SIGKILL: no goodbye, no clean-up, like a crashed machine."""
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(30)

    def stop(self, grace: float = 15.0) -> int:
        """SIGTERM, then SIGKILL if it has not exited after `grace` seconds; the exit code."""
        if self.proc is None:
            return 0
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(grace)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(30)
        for pipe in (self.proc.stdout, self.proc.stderr):
            if pipe is not None:
                pipe.close()
        return self.proc.returncode

    def __enter__(self) -> Process:
        return self.start() if self.proc is None else self

    def __exit__(self, *exc) -> None:
        self.stop()
