"""The realtime relay under load, next to a bare `websockets` server measured in the same run.

A scratch SQLite database (migrated by the app) gets 10 sessions dated today (Asia/Tokyo), 1,000
waiting check-ins each and 2 promoters each. The server under test runs in a process of its own
(bench/_relay_server.py: the real `realtime.server.main`; bench/_bare_ws.py: the baseline, a bare
`websockets` server with compression off that routes the same frames with no database); the
load generator is this process (asyncio + websockets clients, loopback). Each server in turn:

1. connections held: 20 staff, then 10,000 residents opened with at most 100 handshakes at a
   time, each counted once its first frame (`welcome`) arrived; the time to open them is shown;
2. memory per connection: (server RSS with everyone connected - RSS with only the staff) / 10,000;
3. announcement fan-out: a promoter sends `announce` to a session of 1,000 residents; the time
   from the send until the last of the 1,000 has the `announcement` frame (median of 5 rounds);
4. idle: once each promoter has taken its residents, IDLE_SETTLE_S for the takes' refreshes to pass,
   then the server's CPU over IDLE_S with nothing coming in (the relay's upkeep, every 30 s, and its
   presence heartbeat fall in it; target within 2 points of the bare server's);
5. round trip: 250 promoter/resident pairs (each promoter sent `take` for its residents). The
   resident sends `message`; the relay stores it and forwards it to the taker; the promoter's
   client answers at once with a staff `message`; the relay stores that and forwards it to the
   resident. The round trip is from the moment the resident's send was scheduled until the
   resident has the answer (messages that never come back are counted, not timed). Sends follow
   an open-loop schedule: first 200 a second for 5 s (a rate one relay on SQLite sustains here,
   informational), then the target's 1,000 a second for 10 s, each resident every 250 ms (4/s,
   under the production limit of 5/s). Each promoter answers 12-13
   residents, ~50 frames/s on one connection, so the run sets RELAY_MESSAGES_PER_S=100 and
   RELAY_BURST=200 (the bucket is still checked on every frame).

BENCH_PROFILE=1 runs the relay under cProfile (event loop and database threads, per phase) and
prints what dominates each cost; the timings are then not the ones to compare.
"""
from __future__ import annotations

import asyncio
import datetime as dt
import gc
import io
import json
import os
import pstats
import resource
import signal
import statistics
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace

from sqlalchemy import insert
from websockets.asyncio.client import connect

from bench._databases import migrated_app, scratch_sqlite
from bench._results import record
from harness.processes import Process
from realtime.tokens import issue_resident_token, issue_staff_token
from webapp.checkins.models import CheckIn
from webapp.clock import now_tokyo
from webapp.db import utcnow
from webapp.sessions.models import Session, session_promoters
from webapp.staff.models import User
from webapp.timeutil import at_tokyo

SECRET = "bench-only"
SESSIONS = 10
#: BENCH_RELAY_RESIDENTS lowers it for a quick profile; the recorded figures need the full 1,000.
RESIDENTS_PER_SESSION = int(os.environ.get("BENCH_RELAY_RESIDENTS", 1000))
STAFF_PER_SESSION = 2
RESIDENTS = SESSIONS * RESIDENTS_PER_SESSION
CONNECT_CONCURRENCY = 100
FANOUT_ROUNDS = 5
PAIRS = 250
RATE = 1000           # resident messages a second
LATENCY_S = 10
#: Idle CPU: measured over IDLE_S (one round of the relay's 30 s upkeep falls in it), IDLE_SETTLE_S after the takes.
IDLE_SETTLE_S, IDLE_S = 5, 31
#: A rate one relay on SQLite here sustains, measured first, so the round trip has a figure short of saturation.
EASY_RATE, EASY_S = 200, 5
PHASE_TIMEOUT_S = 90  # every wait of the load generator gives up after this
OPEN_TIMEOUT_S = 300  # ... except opening the 10,000 residents
#: The relay's settings for the run: production defaults except the per-connection frame rate (see above).
RELAY_CONFIG = {"SECRET_KEY": SECRET, "RATELIMIT_ENABLED": True, "RELAY_MESSAGES_PER_S": 100, "RELAY_BURST": 200,
                "ALLOWED_ORIGINS": ["http://127.0.0.1"]}
#: Clients offer permessage-deflate as browsers do; the server decides.
CLIENT = {"open_timeout": 60, "close_timeout": 5, "max_size": 2**24, "ping_interval": None}


# --- data -------------------------------------------------------------------------------------

def _fill(engine, residents: int = RESIDENTS) -> dict:
    """Sessions of today, their promoters and `residents` waiting check-ins, by bulk inserts; the ids."""
    today = now_tokyo().date()
    now = utcnow()
    with engine.begin() as conn:
        sessions = [conn.execute(insert(Session).values(
            date=today, starts_at=at_tokyo(today, dt.time(0, 0)), ends_at=at_tokyo(today, dt.time(23, 59)),
            format="online", location="bench").returning(Session.id)).scalar_one() for _ in range(SESSIONS)]
        staff = []
        for n, session_id in enumerate(sessions):
            for k in range(STAFF_PER_SESSION):
                user_id = conn.execute(insert(User).values(
                    login=f"bench{n}-{k}", display_name=f"推進員{n}-{k}", role="promoter", password_hash="x",
                ).returning(User.id)).scalar_one()
                conn.execute(insert(session_promoters).values(session_id=session_id, user_id=user_id))
                staff.append((user_id, session_id))
        rows = [{"session_id": session_id, "avatar": "cat", "nickname": "", "source": "resident",
                 "status": "waiting", "urgent": False, "token_version": 0,
                 "created_at": now - dt.timedelta(milliseconds=residents - i), "last_seen_at": now}
                for i in range(residents) for session_id in [sessions[i % SESSIONS]]]
        conn.execute(insert(CheckIn), rows)
        waiting = [tuple(r) for r in conn.execute(
            CheckIn.__table__.select().with_only_columns(CheckIn.id, CheckIn.session_id).order_by(CheckIn.id))]
    return {"sessions": sessions, "staff": staff, "residents": waiting}


def _relay_tokens(data: dict) -> dict:
    return {"staff": [issue_staff_token(SECRET, SimpleNamespace(id=u)) for u, _ in data["staff"]],
            "residents": [issue_resident_token(SECRET, SimpleNamespace(id=c, token_version=0))
                          for c, _ in data["residents"]]}


def _bare_tokens(data: dict) -> dict:
    return {"staff": [f"s{u}" for u, _ in data["staff"]], "residents": [f"r{c}.{s}" for c, s in data["residents"]]}


# --- the server process -----------------------------------------------------------------------

class Server:
    """A server subprocess: its port (from its "PORT n" line), RSS and CPU time."""

    def __init__(self, argv: list[str], log: Path, env: dict | None = None):
        self.log = log
        self.process = Process(["python", *argv], env={**os.environ, **(env or {})}, log=log, stdout_pipe=True)
        self.proc = self.process.start().proc
        self.port = int(self.process.read_line(b"PORT ").split()[1])

    def url(self, token: str) -> str:
        return f"ws://127.0.0.1:{self.port}/ws?token={token}"

    def rss(self) -> int:
        """Resident set size in bytes."""
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
        return 0

    def cpu_s(self) -> float:
        fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def signal(self, sig: int) -> None:
        self.process.signal(sig)

    def stop(self) -> None:
        self.process.stop()


# --- the load generator -----------------------------------------------------------------------

class Load:
    """Every client connection of one run and what the phases wait for."""

    def __init__(self, server: Server, tokens: dict, data: dict):
        self.server, self.tokens, self.data = server, tokens, data
        self.staff: list = []
        self.residents: list = []
        self.readers: list[asyncio.Task] = []
        self.closed_early = 0
        # fan-out
        self.announce_text = ""
        self.announce_want = 0
        self.announce_got = 0
        self.announce_done: asyncio.Future | None = None
        # take and round trip
        self.taken: dict[int, asyncio.Future] = {}
        self.scheduled: dict[str, float] = {}
        self.round_trips: list[float] = []
        self.all_back: asyncio.Future | None = None

    async def _open(self, token: str, kind: str, key: int, gate: asyncio.Semaphore):
        async with gate:
            ws = await connect(self.server.url(token), **CLIENT)
            first = json.loads(await asyncio.wait_for(ws.recv(), PHASE_TIMEOUT_S))
        assert first["type"] == "welcome", first
        self.readers.append(asyncio.create_task(self._read(ws, kind, key)))
        return ws

    async def _read(self, ws, kind: str, key: int) -> None:
        try:
            async for raw in ws:
                frame = json.loads(raw)
                if kind == "resident":
                    self._resident_frame(frame)
                else:
                    await self._staff_frame(ws, frame)
        except Exception:  # noqa: BLE001  (a dropped connection is counted, not fatal)
            self.closed_early += 1

    def _resident_frame(self, frame: dict) -> None:
        kind = frame["type"]
        if kind == "announcement" and frame["text"] == self.announce_text:
            self.announce_got += 1
            if self.announce_got == self.announce_want and not self.announce_done.done():
                self.announce_done.set_result(time.perf_counter())
        elif kind == "message" and frame["from"] == "staff":
            sent = self.scheduled.pop(frame["text"], None)
            if sent is not None:
                self.round_trips.append(time.perf_counter() - sent)
                if not self.scheduled and self.all_back is not None and not self.all_back.done():
                    self.all_back.set_result(None)  # set once every send went out

    async def _staff_frame(self, ws, frame: dict) -> None:
        kind = frame["type"]
        if kind == "message" and frame["from"] == "resident":
            await ws.send(json.dumps({"type": "message", "checkin_id": frame["checkin_id"], "text": frame["text"]}))
        elif kind == "taken" and frame["checkin_id"] in self.taken:
            self.taken[frame["checkin_id"]].set_result(None)
        elif kind == "error":
            print(f"    staff got an error frame: {frame}", flush=True)

    async def open_all(self) -> tuple[int, float, int, int]:
        """Staff, then every resident; (connections held, seconds to open the residents, RSS before, after)."""
        gate = asyncio.Semaphore(CONNECT_CONCURRENCY)
        self.staff = await asyncio.wait_for(asyncio.gather(*(
            self._open(t, "staff", i, gate) for i, t in enumerate(self.tokens["staff"]))), PHASE_TIMEOUT_S)
        await asyncio.sleep(1)
        before = self.server.rss()
        started = time.perf_counter()
        self.residents = await asyncio.wait_for(asyncio.gather(*(
            self._open(t, "resident", i, gate) for i, t in enumerate(self.tokens["residents"]))), OPEN_TIMEOUT_S)
        opened_s = time.perf_counter() - started
        await asyncio.sleep(2)  # queue refreshes after the last connection settle
        gc.collect()
        gc.freeze()  # 10,000 connections' objects: keep the load generator's collections short
        held = sum(1 for ws in self.staff + self.residents if ws.state.name == "OPEN")
        return held, opened_s, before, self.server.rss()

    async def fanout(self) -> float:
        """Median ms from a staff `announce` until the last of the session's residents has it."""
        session_id = self.data["sessions"][0]
        ws = self.staff[0]
        samples = []
        for n in range(FANOUT_ROUNDS + 1):
            self.announce_text = f"お知らせ {n}: 次の方どうぞ"
            self.announce_want, self.announce_got = RESIDENTS_PER_SESSION, 0
            self.announce_done = asyncio.get_running_loop().create_future()
            started = time.perf_counter()
            await ws.send(json.dumps({"type": "announce", "session_id": session_id, "text": self.announce_text},
                                     ensure_ascii=False))
            done = await asyncio.wait_for(self.announce_done, PHASE_TIMEOUT_S)
            if n:  # the first round warms up
                samples.append((done - started) * 1000)
            await asyncio.sleep(0.3)
        return statistics.median(samples)

    async def take_pairs(self) -> list[tuple]:
        """Each resident of the first PAIRS taken by a promoter of their session; (resident ws, checkin_id)."""
        staff_of = {}
        for i, (_, session_id) in enumerate(self.data["staff"]):
            staff_of.setdefault(session_id, []).append(self.staff[i])
        pairs = []
        for i in range(PAIRS):
            checkin_id, session_id = self.data["residents"][i]
            promoters = staff_of[session_id]
            promoter = promoters[(i // SESSIONS) % len(promoters)]
            self.taken[checkin_id] = asyncio.get_running_loop().create_future()
            await promoter.send(json.dumps({"type": "take", "checkin_id": checkin_id, "mode": "text"}))
            pairs.append((self.residents[i], checkin_id))
        await asyncio.wait_for(asyncio.gather(*self.taken.values()), PHASE_TIMEOUT_S)
        await asyncio.sleep(2)  # the queue refreshes the takes caused settle
        return pairs

    async def round_trips_at_rate(self, pairs: list[tuple], rate: int, seconds: int) -> tuple[float, float, int]:
        """p50 and p99 ms of the round trip at `rate` sends a second, and how many never came back."""
        self.round_trips, self.scheduled, self.all_back = [], {}, None
        start = time.perf_counter() + 0.1
        for k in range(rate * seconds):
            at = start + k / rate
            delay = at - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            text = f"rt {rate} {k}"
            self.scheduled[text] = at
            await pairs[k % len(pairs)][0].send(json.dumps({"type": "message", "text": text}))
        self.all_back = asyncio.get_running_loop().create_future()
        if self.scheduled:
            try:
                await asyncio.wait_for(self.all_back, 5)
            except asyncio.TimeoutError:
                pass
        lost = len(self.scheduled)
        if len(self.round_trips) < 2:
            return float("inf"), float("inf"), lost
        cuts = statistics.quantiles(self.round_trips, n=100)
        return cuts[49] * 1000, cuts[98] * 1000, lost

    async def close(self) -> None:
        gc.unfreeze()
        for ws in self.staff + self.residents:
            ws.transport.abort()  # the server process goes next anyway: no closing handshakes
        for task in self.readers:
            task.cancel()
        await asyncio.gather(*self.readers, return_exceptions=True)


class Profiler:
    """SIGUSR1/SIGUSR2 around each phase when BENCH_PROFILE is set; prints the top of each profile."""

    def __init__(self, server: Server | None, folder: Path | None):
        self.server, self.folder, self.count = server, folder, 0

    def start(self) -> None:
        if self.folder:
            self.server.signal(signal.SIGUSR1)

    def stop(self, phase: str) -> None:
        if not self.folder:
            return
        self.server.signal(signal.SIGUSR2)
        self.count += 1
        time.sleep(1)
        for part in ("loop", "db"):
            path = self.folder / f"{self.count}-{part}.prof"
            if not path.exists():
                continue
            out = io.StringIO()
            stats = pstats.Stats(str(path), stream=out)
            out.write(f"---- profile of {phase}, {part} thread(s): {stats.total_tt:.2f} s in all\n")
            stats.sort_stats("tottime").print_stats(14)
            stats.sort_stats("cumulative").print_stats(22)
            print("\n".join(line for line in out.getvalue().splitlines() if line.strip()), flush=True)


async def _measure(name: str, server: Server, tokens: dict, data: dict, profiler: Profiler) -> dict:
    load = Load(server, tokens, data)
    figures = {}
    try:
        cpu = server.cpu_s()
        profiler.start()
        held, opened_s, before, after = await load.open_all()
        profiler.stop("connect")
        figures["cpu_connect_ms"] = (server.cpu_s() - cpu) * 1000 / RESIDENTS
        figures.update(held=held, opened_s=opened_s, per_conn_kib=(after - before) / RESIDENTS / 1024)
        print(f"  {name}: {held:,} held, residents opened in {opened_s:.1f} s "
              f"({figures['cpu_connect_ms']:.2f} ms server CPU each), RSS {before / 2**20:.0f} -> "
              f"{after / 2**20:.0f} MiB", flush=True)
        profiler.start()
        cpu = server.cpu_s()
        figures["fanout_ms"] = await load.fanout()
        figures["cpu_fanout_ms"] = (server.cpu_s() - cpu) * 1000 / (FANOUT_ROUNDS + 1)
        profiler.stop("fan-out")
        pairs = await load.take_pairs()
        await asyncio.sleep(IDLE_SETTLE_S)  # the takes' own queue refreshes are not idle work
        profiler.start()
        cpu = server.cpu_s()
        await asyncio.sleep(IDLE_S)
        figures["idle_pct"] = (server.cpu_s() - cpu) / IDLE_S * 100
        profiler.stop("idle")
        print(f"  {name}: {figures['idle_pct']:.1f}% of a core busy with no frames coming in "
              f"({RESIDENTS:,} idle connections, over {IDLE_S:g} s after the takes)", flush=True)
        print(f"  {name}: fan-out {figures['fanout_ms']:.1f} ms ({figures['cpu_fanout_ms']:.1f} ms CPU per round)",
              flush=True)
        for rate, seconds, key in ((EASY_RATE, EASY_S, "easy"), (RATE, LATENCY_S, "full")):
            profiler.start()
            cpu = server.cpu_s()
            p50, p99, lost = await load.round_trips_at_rate(pairs, rate, seconds)
            cpu_ms = (server.cpu_s() - cpu) * 1000 / (rate * seconds - lost)
            profiler.stop(f"round trips at {rate}/s")
            figures[key] = {"p50": p50, "p99": p99, "lost": lost, "cpu_ms": cpu_ms}
            print(f"  {name}: {rate}/s round trip p50 {p50:.1f} / p99 {p99:.1f} ms, {lost} not back "
                  f"({cpu_ms:.2f} ms server CPU per round trip back)", flush=True)
            await asyncio.sleep(1)
        figures["dropped"] = load.closed_early
    finally:
        await load.close()
        server.stop()
    return figures


async def _deflate_memory(data: dict, folder: Path) -> float:
    """KiB per connection of the bare server with permessage-deflate on (for the docs)."""
    server = Server(["-m", "bench._bare_ws", "--deflate"], folder / "bare-deflate.log")
    load = Load(server, _bare_tokens(data), data)
    try:
        _, _, before, after = await load.open_all()
    finally:
        await load.close()
        server.stop()
    return (after - before) / RESIDENTS / 1024


def main() -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    with scratch_sqlite() as url, tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        app = migrated_app(url)
        started = time.perf_counter()
        data = _fill(app.extensions["engine"])
        app.extensions["engine"].dispose()
        print(f"  {len(data['sessions'])} sessions, {len(data['staff'])} promoters, {RESIDENTS:,} check-ins "
              f"loaded in {time.perf_counter() - started:.1f} s", flush=True)
        profiling = folder / "prof" if os.environ.get("BENCH_PROFILE") else None
        if profiling:
            profiling.mkdir()
        relay_server = Server(["-m", "bench._relay_server", json.dumps({**RELAY_CONFIG, "DATABASE_URL": url})],
                              folder / "relay.log", env={"BENCH_RELAY_PROFILE": str(profiling)} if profiling else None)
        relay = asyncio.run(_measure("relay", relay_server, _relay_tokens(data), data,
                                     Profiler(relay_server, profiling)))
        bare = asyncio.run(_measure("bare websockets", Server(["-m", "bench._bare_ws"], folder / "bare.log"),
                                    _bare_tokens(data), data, Profiler(None, None)))
        deflate_kib = asyncio.run(_deflate_memory(data, folder)) if os.environ.get("BENCH_DEFLATE") else None
        log = (folder / "relay.log").read_text()
        if "Traceback" in log or "ERROR" in log:
            print(f"  relay log:\n{log[-3000:]}", flush=True)

    name = "bare websockets"
    record("relay", "connections held by one relay process", relay["held"], "connections", better="higher",
           baseline=bare["held"], baseline_name=name, min_value=RESIDENTS,
           note=f"{RESIDENTS:,} residents in {SESSIONS} sessions + {len(data['staff'])} staff")
    record("relay", "time to open 10,000 resident connections", relay["opened_s"], "s", baseline=bare["opened_s"],
           baseline_name=name, max_ratio=3, note=f"at most {CONNECT_CONCURRENCY} handshakes at a time")
    record("relay", "idle CPU with 10,000 connections", relay["idle_pct"], "% of a core", baseline=bare["idle_pct"],
           baseline_name=name, max_value=bare["idle_pct"] + 2,
           note=f"over {IDLE_S} s, {IDLE_SETTLE_S} s after the takes; target: within 2 points of the baseline")
    record("relay", "memory per connection (compression off)", relay["per_conn_kib"], "KiB",
           baseline=bare["per_conn_kib"], baseline_name=name, max_ratio=1.5,
           note="(RSS with 10,000 residents - RSS with staff only) / 10,000")
    if deflate_kib is not None:
        record("relay", "memory per connection, bare server with permessage-deflate", deflate_kib, "KiB",
               baseline=bare["per_conn_kib"], baseline_name=name, note="why the relay turns compression off")
    easy, full = f"{EASY_RATE:,} msg/s", f"{RATE:,} msg/s"
    record("relay", f"1:1 round trip p50 at {easy}", relay["easy"]["p50"], "ms", baseline=bare["easy"]["p50"],
           baseline_name=name, note=f"{EASY_S} s over {PAIRS} pairs; informational")
    record("relay", f"1:1 round trip p99 at {easy}", relay["easy"]["p99"], "ms", baseline=bare["easy"]["p99"],
           baseline_name=name, note=f"{EASY_S} s over {PAIRS} pairs; {relay['easy']['lost']} not back; informational")
    record("relay", f"1:1 round trip p50 at {full}", relay["full"]["p50"], "ms", baseline=bare["full"]["p50"],
           baseline_name=name, note=f"{LATENCY_S} s over {PAIRS} pairs")
    record("relay", f"1:1 round trip p99 at {full}", relay["full"]["p99"], "ms", baseline=bare["full"]["p99"],
           baseline_name=name, max_ratio=3, max_value=100,
           note=f"{LATENCY_S} s over {PAIRS} pairs; {relay['full']['lost']} not back within 5 s (left out)")
    record("relay", f"1:1 round trips not back at {full}", relay["full"]["lost"], "round trips",
           baseline=bare["full"]["lost"] or None, baseline_name=name, max_value=0,
           note=f"of {RATE * LATENCY_S:,}, within 5 s")
    record("relay", f"relay CPU per 1:1 round trip at {full}", relay["full"]["cpu_ms"], "ms",
           baseline=bare["full"]["cpu_ms"], baseline_name=name, max_ratio=2,
           note="the server process's CPU time over the round trips that came back")
    record("relay", "announcement to 1,000 residents", relay["fanout_ms"], "ms", baseline=bare["fanout_ms"],
           baseline_name=f"{name} broadcast()", max_ratio=2, note=f"median of {FANOUT_ROUNDS}; until the last has it")


if __name__ == "__main__":
    main()
