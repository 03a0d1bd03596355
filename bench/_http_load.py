"""A small HTTP/1.1 load generator: C connections on loopback for a fixed time, counting good answers.

asyncio protocols over raw sockets, so the client costs little next to the server and is exactly
the same for the app and its baseline. A connection is kept alive when the server allows it and
opened again when the server closes it (gunicorn's sync workers answer `Connection: close`).
Only the expected statuses count; any other answer stops the run with the status and body.
"""
from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass


class LoadError(RuntimeError):
    """The server answered something the benchmark did not expect: the figure would be a lie."""


class _Connection(asyncio.Protocol):
    """One request at a time on one socket; `done` is set with (status, close) or an exception."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.buffer = bytearray()
        self.waiter: asyncio.Future | None = None
        self.head: tuple[int, int, bool, int] | None = None  # status, length, close, body start

    def connection_made(self, transport) -> None:
        self.transport = transport

    def send(self, request: bytes) -> asyncio.Future:
        self.buffer.clear()
        self.head = None
        self.waiter = asyncio.get_running_loop().create_future()
        self.transport.write(request)
        return self.waiter

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        if self.head is None:
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            lines = bytes(self.buffer[:end]).split(b"\r\n")
            status = int(lines[0].split(b" ", 2)[1])
            length, close = 0, False
            for line in lines[1:]:
                name, _, value = line.partition(b":")
                name = name.strip().lower()
                if name == b"content-length":
                    length = int(value)
                elif name == b"connection":
                    close = value.strip().lower() == b"close"
                elif name == b"transfer-encoding":
                    self._fail(LoadError("chunked answers are not supported by this client"))
                    return
            self.head = (status, length, close, end + 4)
        status, length, close, start = self.head
        if len(self.buffer) - start >= length and self.waiter and not self.waiter.done():
            self.waiter.set_result((status, close, bytes(self.buffer[start:start + length])))

    def connection_lost(self, exc) -> None:
        self._fail(exc or ConnectionError("server closed the connection before answering"))

    def _fail(self, exc: BaseException) -> None:
        if self.waiter and not self.waiter.done():
            self.waiter.set_exception(exc)


async def _worker(port: int, next_request: Callable[[], bytes], expect: set[int], until: list[float],
                  counts: list[int]) -> None:
    loop = asyncio.get_running_loop()
    conn = None
    while time.perf_counter() < until[0]:
        if conn is None or conn.transport.is_closing():
            _, conn = await loop.create_connection(_Connection, "127.0.0.1", port)
        status, close, body = await conn.send(next_request())
        if status not in expect:
            raise LoadError(f"HTTP {status} (expected {sorted(expect)}): {body[:300]!r}")
        counts[0] += 1
        if close:
            conn.transport.close()
            conn = None
    if conn is not None:
        conn.transport.close()


async def _run(port, next_request, expect, concurrency, seconds, warmup) -> tuple[int, float]:
    until = [time.perf_counter() + warmup + seconds]
    counts = [0]
    workers = [asyncio.create_task(_worker(port, next_request, expect, until, counts)) for _ in range(concurrency)]
    watcher = asyncio.gather(*workers)
    try:
        if warmup:
            done, _ = await asyncio.wait([watcher], timeout=warmup)
            if done:
                watcher.result()  # a worker failed during the warm-up: raise its error
        started, first = time.perf_counter(), counts[0]
        await watcher
        return counts[0] - first, time.perf_counter() - started
    finally:
        for task in workers:
            task.cancel()
        await asyncio.gather(*workers, return_exceptions=True)


def request(method: str, path: str, port: int, body: bytes = b"", headers: dict | None = None) -> bytes:
    """The bytes of one HTTP/1.1 request (JSON body when `body` is given)."""
    lines = [f"{method} {path} HTTP/1.1", f"Host: 127.0.0.1:{port}"]
    if body:
        lines += ["Content-Type: application/json", f"Content-Length: {len(body)}"]
    lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


@dataclass
class Load:
    """What one figure sends: to `port`, `next_request()` each time, answered with a status in `expect`."""

    port: int
    next_request: Callable[[], bytes]
    expect: tuple[int, ...] = (200,)


def measure(load: Load, seconds: float, *, warmup: float = 0.0, concurrency: int = 8) -> tuple[int, float]:
    """(good answers, seconds) over `seconds` after `warmup` (not counted).

    Requests in flight when the time is up are finished and counted, their time too.
    """
    return asyncio.run(_run(load.port, load.next_request, set(load.expect), concurrency, seconds, warmup))


def interleaved(loads: dict[str, Load], *, rounds: int, seconds: float, warmup: float,
                concurrency: int) -> dict[str, float]:
    """Answers per second of each load, taking turns: `warmup` each, then `rounds` turns of `seconds` each.

    Turns make the figures and their baselines meet the same background noise on a shared machine,
    so their ratio holds even when the raw rates drift.
    """
    for load in loads.values():
        measure(load, warmup, concurrency=concurrency)
    totals = {name: [0, 0.0] for name in loads}
    for _ in range(rounds):
        for name, load in loads.items():
            answers, took = measure(load, seconds, concurrency=concurrency)
            totals[name][0] += answers
            totals[name][1] += took
    return {name: answers / took for name, (answers, took) in totals.items()}
