"""Requests that arrive together, answered by one unit of database work: one thread hand-off for many.

While one unit runs, the requests that arrive wait for the next, which takes them all (up to `most`).
At a trickle every unit holds one request and costs what a single call did; under load (10,000
residents connecting, chat lines at 1,000 a second) a unit holds everything that arrived during the
previous one, so the event loop, the database thread and the GIL change hands once per unit instead
of once per request (bench/relay.py, docs/performance.md). The chat's group commit is one of these
(realtime/group_commit.py); the handshake's token checks and the residents' welcomes are others.

`unit(items)` runs in a worker thread and returns one answer per item, in order; an answer that is an
exception is raised to that item's caller alone. If the unit itself fails, every caller of that unit
gets its error (nothing of it is taken as done).
"""
from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any


def each(check: Callable[[Any], Any], items: list) -> list:
    """`check(item)` for every item, an exception in place of the answer of an item that raised one, so
    that one failing item takes no other down (a unit's answers, in order)."""
    answers = []
    for item in items:
        try:
            answers.append(check(item))
        except Exception as err:  # noqa: BLE001  (raised to this item's caller alone, see Gathering.ask)
            answers.append(err)
    return answers


class Gathering:
    """Collects requests and runs `unit` over them a batch at a time through `run` (a relay's db or read)."""

    def __init__(self, run: Callable[..., Awaitable], unit: Callable[[list], list], most: int = 200):
        self.run, self.unit, self.most = run, unit, most
        self._waiting: list[tuple[Any, asyncio.Future]] = []
        self._running = False
        self._task: asyncio.Task | None = None

    async def ask(self, item: Any) -> Any:
        """`item`'s answer from the next unit (its exception raised here)."""
        future = asyncio.get_running_loop().create_future()
        self._waiting.append((item, future))
        if not self._running:
            self._running = True
            self._task = asyncio.get_running_loop().create_task(self._drain())
        result = await future
        if isinstance(result, Exception):
            raise result
        return result

    async def _drain(self) -> None:
        try:
            while self._waiting:
                batch, self._waiting = self._waiting[:self.most], self._waiting[self.most:]
                try:
                    results = await self.run(self.unit, [item for item, _ in batch])
                except Exception as err:  # noqa: BLE001  (the unit failed as a whole: each caller hears why)
                    results = [err] * len(batch)
                for (_, future), result in zip(batch, results, strict=True):
                    if not future.done():
                        future.set_result(result)
        finally:
            self._running = False
