"""gunicorn as a subprocess on 127.0.0.1, one fixed configuration for the app and its baseline.

`--workers 2 --worker-class sync`: the worker class docs/deploy.md runs (gunicorn's default),
one worker per core of the 2-core benchmark machine. Sync workers answer one request at a time
and close the connection after it, as they do behind nginx, whose upstream connections are
HTTP/1.0 without keep-alive by default; so every request here pays one loopback connect, on
both sides alike.
"""
from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

from harness.processes import Process, free_port, http_answers

ROOT = Path(__file__).resolve().parent.parent
WORKERS = 2
GUNICORN = ["--workers", str(WORKERS), "--worker-class", "sync", "--backlog", "256", "--timeout", "60"]


def _ready(port: int, path: str) -> Callable[[], bool]:
    """True once `path` answered a few times in a row, so the workers have imported the app."""
    good = 0

    def probe() -> bool:
        nonlocal good
        good = good + 1 if http_answers(port, path) else 0
        return good >= 2 * WORKERS

    return probe


@contextlib.contextmanager
def gunicorn(target: str, env: dict[str, str], ready_path: str = "/") -> Iterator[int]:
    """Serve `target` ("module:app") with the fixed configuration; yields the port once `ready_path` answers."""
    port = free_port()
    environ = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DATABASE_URL")}
    environ.update(env)
    with tempfile.NamedTemporaryFile("w+", prefix="bench-gunicorn-", suffix=".log", delete=False) as handle:
        log = Path(handle.name)
    process = Process(["python", "-m", "gunicorn", *GUNICORN, "--bind", f"127.0.0.1:{port}", "--chdir", str(ROOT),
                       "--error-logfile", str(log), "--log-level", "warning", target], env=environ, log=log)
    process.start()
    try:
        process.wait_ready(_ready(port, ready_path), timeout=60, what="gunicorn")
        yield port
    finally:
        process.stop()
        log.unlink(missing_ok=True)
