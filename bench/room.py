"""The metaverse room under load (issue 17), beside a bare `websockets` server in the same run.

A scratch SQLite database gets 20 metaverse sessions of today with 50 visitors each (intent
"visit"). Each server in turn (the real relay, bench/_relay_server.py; the baseline, a bare server
relaying every move at once with broadcast(), bench/_bare_room.py) gets two phases:
1. one room: 50 occupants each moving 5 times a second, nothing else connected;
2. 20 rooms on the one process, 50 occupants each, all moving 5 times a second.
A move carries its sender's sequence number as x; the time from sending it until every other
occupant of that room has seen that position or a later one is the figure (p99, measured in the
first room only, so the load generator keeps up; moves never seen by all are counted). CPU per
move is the server's CPU time over the moves it took; memory per occupant is its RSS with the
1,000 occupants connected less its RSS with nobody connected after the first phase (warm), per
occupant. The load generator is this process.

BENCH_PROFILE=1 runs the relay under cProfile in each phase and prints what dominates (the timings
are then not the ones to compare). Each phase also prints the load generator's own CPU share (near
100% of a core, the figures measure the load generator as much as the server) and the gaps between
the `moves` frames one occupant of the measured room receives (the relay's tick as residents see it).
"""
from __future__ import annotations

import asyncio
import datetime as dt
import gc
import itertools
import json
import os
import resource
import statistics
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace

from sqlalchemy import insert
from websockets.asyncio.client import connect

from bench._databases import migrated_app, scratch_sqlite
from bench._results import record
from bench.relay import Profiler, Server
from realtime.tokens import issue_resident_token
from webapp.checkins.models import CheckIn
from webapp.db import utcnow
from webapp.sessions.models import Session
from webapp.timeutil import at_tokyo, local

SECRET = "bench-only"
ROOMS, OCCUPANTS, MOVES_PER_S, SECONDS = 20, 50, 5, 8
RELAY_CONFIG = {"SECRET_KEY": SECRET, "RATELIMIT_ENABLED": True, "ALLOWED_ORIGINS": ["http://127.0.0.1"]}
CLIENT = {"open_timeout": 60, "close_timeout": 5, "max_size": 2**24, "ping_interval": None}


def _fill(engine) -> list[tuple[int, int]]:
    now = utcnow()
    today = local(now).date()
    with engine.begin() as conn:
        sessions = [conn.execute(insert(Session).values(
            date=today, starts_at=at_tokyo(today, dt.time(0, 0)), ends_at=at_tokyo(today, dt.time(23, 59)),
            format="metaverse", location="bench").returning(Session.id)).scalar_one() for _ in range(ROOMS)]
        conn.execute(insert(CheckIn), [
            {"session_id": s, "avatar": "cat", "nickname": "", "source": "resident", "status": "visiting",
             "intent": "visit", "urgent": False, "token_version": 0, "created_at": now, "last_seen_at": now,
             "number": n + 1} for s in sessions for n in range(OCCUPANTS)])
        return [tuple(r) for r in conn.execute(CheckIn.__table__.select().with_only_columns(
            CheckIn.id, CheckIn.session_id).order_by(CheckIn.session_id, CheckIn.id))]


class Room:
    """The measured room: who sent which sequence number when, and who has seen it."""

    def __init__(self):
        self.sent: dict[tuple[str, int], float] = {}
        self.waiting: dict[tuple[str, int], int] = {}
        self.latencies: list[float] = []
        self.seen: dict[tuple[str, str], int] = {}
        #: One occupant's `moves` frame arrivals (perf_counter): the server's pace as a resident sees it.
        self.watcher: str | None = None
        self.arrivals: list[float] = []

    def frame(self, me: str, now: float) -> None:
        self.watcher = self.watcher or me
        if me == self.watcher:
            self.arrivals.append(now)

    def gaps_ms(self) -> tuple[float, float]:
        gaps = sorted(b - a for a, b in itertools.pairwise(self.arrivals))
        return (statistics.median(gaps) * 1000, gaps[int(len(gaps) * 0.99) - 1] * 1000) if len(gaps) > 1 else (0, 0)

    def saw(self, me: str, oid: str, x: int, now: float) -> None:
        last = self.seen.get((me, oid), -1)
        for seq in range(last + 1, x + 1):
            key = (oid, seq)
            if key in self.waiting:
                self.waiting[key] -= 1
                if not self.waiting[key]:
                    del self.waiting[key]
                    self.latencies.append(now - self.sent[key])
        self.seen[(me, oid)] = max(last, x)


async def _occupant(server: Server, token: str, measured: Room | None, ready: list, go: asyncio.Event):
    ws = await connect(server.url(token), **CLIENT)
    me = None
    while me is None:
        frame = json.loads(await ws.recv())
        me = frame.get("you") if frame["type"] == "room" else None
    ready.append(me)

    async def read():
        async for raw in ws:
            if measured is not None and '"moves"' in raw:
                now = time.perf_counter()
                measured.frame(me, now)
                for item in json.loads(raw)["items"]:
                    if item["oid"] != me:
                        measured.saw(me, item["oid"], item["x"], now)

    reader = asyncio.create_task(read())
    await go.wait()
    # Each occupant on a schedule of its own (a random phase, then every 1/MOVES_PER_S from it): a stall of
    # the load generator delays the moves due meanwhile, but does not leave 50 people moving in step after it.
    start = time.perf_counter() + (hash(me) % 200) / 1000
    for seq in range(MOVES_PER_S * SECONDS):
        await asyncio.sleep(max(0.0, start + seq / MOVES_PER_S - time.perf_counter()))
        if measured is not None:
            measured.sent[(me, seq)] = time.perf_counter()
            measured.waiting[(me, seq)] = OCCUPANTS - 1
        await ws.send(json.dumps({"type": "move", "x": seq, "y": 100}))
    await asyncio.sleep(1.5)
    reader.cancel()
    await ws.close()


async def _phase(server: Server, tokens: list[list[str]], profiler: Profiler, name: str) -> dict:
    measured, ready, go = Room(), [], asyncio.Event()
    tasks = [asyncio.create_task(_occupant(server, t, measured if r == 0 else None, ready, go))
             for r, room in enumerate(tokens) for t in room]
    while len(ready) < sum(len(room) for room in tokens):
        await asyncio.sleep(0.1)
    rss_before_moves, cpu = server.rss(), server.cpu_s()
    own_cpu, started = time.process_time(), time.perf_counter()
    gc.collect()
    gc.freeze()  # the connections' objects: keep the load generator's own collections short, for both servers
    profiler.start()
    go.set()
    await asyncio.gather(*tasks)
    profiler.stop(name)
    gc.unfreeze()
    gap_p50, gap_p99 = measured.gaps_ms()
    print(f"  {name}: load generator CPU {(time.process_time() - own_cpu) / (time.perf_counter() - started):.0%} "
          f"of a core; gap between moves frames at one occupant p50 {gap_p50:.0f} ms, p99 {gap_p99:.0f} ms",
          flush=True)
    moves = sum(len(room) for room in tokens) * MOVES_PER_S * SECONDS
    lat = sorted(measured.latencies)
    return {"p99_ms": lat[int(len(lat) * 0.99) - 1] * 1000 if lat else float("nan"),
            "p50_ms": statistics.median(lat) * 1000 if lat else float("nan"),
            "never": len(measured.waiting), "cpu_us": (server.cpu_s() - cpu) / moves * 1e6, "rss": rss_before_moves}


async def _measure(name: str, server: Server, tokens: list[list[str]], profiler: Profiler) -> dict:
    one = await _phase(server, tokens[:1], profiler, f"{name}, 1 room")
    idle = server.rss()  # warm (one room has come and gone), with nobody connected
    full = await _phase(server, tokens, profiler, f"{name}, {ROOMS} rooms")
    full["per_occupant_kib"] = (full["rss"] - idle) / (ROOMS * OCCUPANTS) / 1024
    server.stop()
    return {"one": one, "full": full}


def main() -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    with scratch_sqlite() as url, tempfile.TemporaryDirectory() as scratch:
        app = migrated_app(url)
        checkins = _fill(app.extensions["engine"])
        app.extensions["engine"].dispose()
        by_room: dict[int, list[tuple[int, int]]] = {}
        for checkin_id, session_id in checkins:
            by_room.setdefault(session_id, []).append((checkin_id, session_id))
        rooms = list(by_room.values())
        relay_tokens = [[issue_resident_token(SECRET, SimpleNamespace(id=c, token_version=0)) for c, _ in r]
                        for r in rooms]
        bare_tokens = [[f"r{c}.{s}" for c, s in r] for r in rooms]
        folder = Path(scratch)
        profiling = folder / "prof" if os.environ.get("BENCH_PROFILE") else None
        if profiling:
            profiling.mkdir()
        relay_server = Server(["-m", "bench._relay_server", json.dumps({**RELAY_CONFIG, "DATABASE_URL": url})],
                              folder / "relay.log", env={"BENCH_RELAY_PROFILE": str(profiling)} if profiling else None)
        relay = asyncio.run(_measure("relay", relay_server, relay_tokens, Profiler(relay_server, profiling)))
        bare = asyncio.run(_measure("bare", Server(["-m", "bench._bare_room"], folder / "bare.log"), bare_tokens,
                                    Profiler(None, None)))
        log = (folder / "relay.log").read_text()
        if "Traceback" in log or "ERROR" in log:
            print(f"  relay log:\n{log[-3000:]}", flush=True)
    name = "bare websockets, broadcast()"
    for phase, words in (("one", "1 room"), ("full", f"{ROOMS} rooms on one process")):
        r, b = relay[phase], bare[phase]
        record("room", f"move seen by all p99, {OCCUPANTS} occupants x {MOVES_PER_S}/s, {words}", r["p99_ms"], "ms",
               baseline=b["p99_ms"], baseline_name=name, max_ratio=2.0, max_value=150,
               note=f"p50 {r['p50_ms']:.0f} ms (bare {b['p50_ms']:.0f}); moves never seen by all: "
                    f"{r['never']} (bare {b['never']}); measured in the first room")
        record("room", f"CPU per move, {words}", r["cpu_us"], "µs", baseline=b["cpu_us"], baseline_name=name,
               note="server CPU time / moves sent; informational")
    record("room", "memory per occupant", relay["full"]["per_occupant_kib"], "KiB",
           baseline=bare["full"]["per_occupant_kib"], baseline_name=name,
           note=f"(RSS with {ROOMS * OCCUPANTS:,} occupants - RSS warm with nobody) / occupants; informational")
