"""The relay under test, in a process of its own so its RSS is its own.

    python -m bench._relay_server CONFIG_JSON      (prints "PORT <n>" once listening)

With BENCH_RELAY_PROFILE=<folder>, SIGUSR1 starts cProfile and SIGUSR2 stops it and writes
<folder>/<n>-loop.prof (the event loop thread) and <n>-db.prof (the database worker threads,
each unit of work profiled in its own thread), n counting up from 1.
"""
from __future__ import annotations

import cProfile
import json
import os
import pstats
import resource
import signal
import sys
import threading
from pathlib import Path

from realtime import server, workers

FOLDER = os.environ.get("BENCH_RELAY_PROFILE")


class Profiling:
    """cProfile switched on and off by signals, in the loop thread and around each unit of work."""

    def __init__(self, folder: Path):
        self.folder, self.on, self.dumps = folder, False, 0
        self.loop = cProfile.Profile()
        self.workers: list[cProfile.Profile] = []
        self.local = threading.local()
        self.lock = threading.Lock()
        unit_of_work = workers.unit_of_work

        def profiled(fn, args, *rest):
            if not self.on:
                return unit_of_work(fn, args, *rest)
            prof = getattr(self.local, "prof", None)
            if prof is None:
                prof = self.local.prof = cProfile.Profile()
                with self.lock:
                    self.workers.append(prof)
            prof.enable()
            try:
                return unit_of_work(fn, args, *rest)
            finally:
                prof.disable()

        workers.unit_of_work = profiled  # Workers.db looks the name up at each call
        signal.signal(signal.SIGUSR1, self.start)
        signal.signal(signal.SIGUSR2, self.stop)

    def start(self, *_):
        self.loop = cProfile.Profile()
        with self.lock:
            self.workers = []
        self.local = threading.local()
        self.on = True
        self.loop.enable()

    def stop(self, *_):
        self.loop.disable()
        self.on = False
        self.dumps += 1
        self.loop.dump_stats(self.folder / f"{self.dumps}-loop.prof")
        with self.lock:
            workers = list(self.workers)
        if workers:
            stats = pstats.Stats(workers[0])
            for prof in workers[1:]:
                stats.add(prof)
            stats.dump_stats(self.folder / f"{self.dumps}-db.prof")


def main() -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    if FOLDER:
        Profiling(Path(FOLDER))
    config = json.loads(sys.argv[1])
    server.main(config, "127.0.0.1", 0, on_ready=lambda port: print(f"PORT {port}", flush=True))


if __name__ == "__main__":
    main()
