"""gunicorn as a subprocess on 127.0.0.1, one fixed configuration for the app and its baseline.

`--workers 2 --worker-class sync`: the worker class docs/deploy.md runs (gunicorn's default),
one worker per core of the 2-core benchmark machine. Sync workers answer one request at a time
and close the connection after it, as they do behind nginx, whose upstream connections are
HTTP/1.0 without keep-alive by default; so every request here pays one loopback connect, on
both sides alike.
"""
from __future__ import annotations

import contextlib
import http.client
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PORTS = range(9200, 9300)
WORKERS = 2
GUNICORN = ["--workers", str(WORKERS), "--worker-class", "sync", "--backlog", "256", "--timeout", "60"]


def free_port() -> int:
    """A port of our range nobody listens on (gunicorn's CLI cannot bind port 0)."""
    for port in PORTS:
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port in {PORTS.start}-{PORTS.stop - 1}")


def _answers(port: int, path: str) -> bool:
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        conn.request("GET", path)
        ok = conn.getresponse().status < 500
        conn.close()
        return ok
    except OSError:
        return False


def _wait_ready(proc: subprocess.Popen, port: int, path: str, log: Path, timeout: float = 30.0) -> None:
    """Until `path` answers a few times in a row, so the workers have imported the app."""
    deadline, good = time.monotonic() + timeout, 0
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {proc.returncode}:\n{log.read_text()[-3000:]}")
        good = good + 1 if _answers(port, path) else 0
        if good >= 2 * WORKERS:
            return
        time.sleep(0.05)
    raise RuntimeError(f"gunicorn did not listen on {port} within {timeout:.0f} s:\n{log.read_text()[-3000:]}")


@contextlib.contextmanager
def gunicorn(target: str, env: dict[str, str], ready_path: str = "/") -> Iterator[int]:
    """Serve `target` ("module:app") with the fixed configuration; yields the port once `ready_path` answers."""
    port = free_port()
    environ = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DATABASE_URL")}
    environ.update(env)
    with tempfile.NamedTemporaryFile("w+", prefix="bench-gunicorn-", suffix=".log", delete=False) as handle:
        log = Path(handle.name)
    cmd = [sys.executable, "-m", "gunicorn", *GUNICORN, "--bind", f"127.0.0.1:{port}", "--chdir", str(ROOT),
           "--error-logfile", str(log), "--log-level", "warning", target]
    proc = subprocess.Popen(cmd, env=environ, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    try:
        _wait_ready(proc, port, ready_path, log)
        yield port
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.unlink(missing_ok=True)
