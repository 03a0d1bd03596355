"""The relay's database threads: one unit of work per call, each with a session of its own."""
from __future__ import annotations

import asyncio
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor

from webapp.db import db_session, is_sqlite, reading

#: Reader threads beside SQLite's single writer thread.
READ_THREADS = 4


def db_threads(config: Mapping) -> int:
    """RELAY_DB_THREADS when set; else 8, or 1 on SQLite. SQLite takes one writer at a time and every
    transaction that may write begins IMMEDIATE, so more threads only queue in its busy handler, which
    sleeps up to 100 ms between tries (bench/relay.py: round-trip p99 1.2 s with 8 threads at 200/s, 16 ms with 1)."""
    if config.get("RELAY_DB_THREADS"):
        return int(config["RELAY_DB_THREADS"])
    return 1 if is_sqlite(config.get("DATABASE_URL")) else 8


def unit_of_work(fn, args, only_reads: bool = False):
    """Run `fn` in a worker thread with a session of its own, released afterwards."""
    try:
        if only_reads:
            with reading():
                return fn(*args)
        return fn(*args)
    finally:
        db_session.remove()


class Workers:
    """Thread pools that keep database work off the event loop, so one slow query stalls no one."""

    def __init__(self, config: Mapping):
        self.executor = ThreadPoolExecutor(db_threads(config), thread_name_prefix="relay-db")
        # Units that only read never wait for a writer (webapp.db.reading), so on SQLite they get
        # threads of their own: handshakes and queue refreshes need not queue behind chat lines.
        self.readers = (ThreadPoolExecutor(READ_THREADS, thread_name_prefix="relay-read")
                        if is_sqlite(config.get("DATABASE_URL")) else self.executor)

    async def db(self, fn, *args):
        # unit_of_work is looked up at each call so bench/_relay_server.py can wrap it in a profiler.
        return await asyncio.get_running_loop().run_in_executor(self.executor, unit_of_work, fn, args)

    async def read(self, fn, *args):
        return await asyncio.get_running_loop().run_in_executor(self.readers, unit_of_work, fn, args, True)

    def shutdown(self) -> None:
        self.executor.shutdown(wait=False, cancel_futures=True)
        self.readers.shutdown(wait=False, cancel_futures=True)
