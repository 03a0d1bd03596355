"""The soak's clients: thousands of websocket connections to a running relay, with churn, in one asyncio process.

    python tests/soak/load.py PLAN.json RESULT.json

PLAN names the relay URL, the residents (check-in id, token, session) and one staff member per
session. Every resident writes `seq <checkin_id> <n>` now and then and waits for the relay's echo
(its acknowledgement); every staff member announces `ann <session_id> <n>` every few seconds. Now
and then a resident closes its connection and comes back with the same token (churn); after a
connection the relay dropped, a resident resumes from the welcome's history and resends only what
was not stored. RESULT holds the counts and every loss, duplicate or reordering seen; the pytest
side (tests/soak/test_soak.py) checks them and the database. Every loop is bounded by the plan's
duration, so the process stops by itself.
"""
from __future__ import annotations

import asyncio
import json
import random
import resource
import sys
import time
from collections import defaultdict

from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

CONNECT = {"open_timeout": 60, "close_timeout": 10, "max_size": 2**20, "ping_interval": None}


class Run:
    """Shared state and findings of one soak run."""

    def __init__(self, plan: dict):
        self.plan = plan
        self.rng = random.Random(plan.get("seed", 1))
        self.open = 0
        self.peak = 0
        self.steady = asyncio.Event()
        self.end = float("inf")
        self.handshakes = asyncio.Semaphore(plan.get("connect_concurrency", 64))
        self.counts: dict[str, int] = defaultdict(int)
        self.problems: dict[str, list] = defaultdict(list)
        #: session -> n -> (sent at, acknowledged at): announcements as their author saw them.
        self.announced: dict[int, dict[int, list[float]]] = defaultdict(dict)

    def problem(self, kind: str, detail) -> None:
        self.counts[kind] += 1
        if len(self.problems[kind]) < 20:
            self.problems[kind].append(detail)

    def opened(self) -> None:
        self.open += 1
        self.peak = max(self.peak, self.open)
        self.counts["connections_opened"] += 1


class Connection:
    """One websocket with a reader task; `frames` dispatches on type."""

    def __init__(self, run: Run, token: str, on_frame):
        self.run, self.token, self.on_frame = run, token, on_frame
        self.ws = None
        self.reader = None
        self.welcome = None
        self.welcomed = asyncio.Event()
        self.closing = False

    async def open(self) -> dict:
        async with self.run.handshakes:
            self.ws = await connect(f"{self.run.plan['url']}?token={self.token}", **CONNECT)
        self.run.opened()
        self.reader = asyncio.create_task(self._read())
        await asyncio.wait_for(self.welcomed.wait(), 60)
        return self.welcome

    async def _read(self) -> None:
        try:
            async for raw in self.ws:
                frame = json.loads(raw)
                if frame["type"] == "welcome":
                    self.welcome = frame
                    self.welcomed.set()
                self.on_frame(frame)
        except ConnectionClosed:
            pass
        finally:
            self.run.open -= 1
            if not self.closing:
                self.run.problem("unexpected_drops", {"code": self.ws.close_code, "reason": self.ws.close_reason})

    async def close(self) -> None:
        self.closing = True
        await self.ws.close()
        await self.reader

    def send(self, frame: dict) -> None:
        return self.ws.send(json.dumps(frame, ensure_ascii=False))


class Resident:
    """Writes numbered lines, waits for each echo, reads announcements, and churns."""

    def __init__(self, run: Run, item: dict):
        self.run = run
        self.checkin_id, self.token, self.session_id = item["checkin_id"], item["token"], item["session_id"]
        self.sent = 0            # lines stored and acknowledged: 0..sent-1
        self.pending: str | None = None
        self.acked = asyncio.Event()
        self.echoes: list[int] = []
        #: [welcomed at, closing at, announcement numbers received live]
        self.intervals: list[list] = []
        self.conn: Connection | None = None

    def on_frame(self, frame: dict) -> None:
        kind = frame["type"]
        if kind == "welcome":
            self.intervals.append([time.monotonic(), None, []])
        elif kind == "message" and frame.get("from") == "resident":
            n = int(frame["text"].split()[2])
            if self.echoes and n <= self.echoes[-1]:
                self.run.problem("echo_duplicates_or_reorders", {"checkin": self.checkin_id, "n": n})
            self.echoes.append(n)
            if frame["text"] == self.pending:
                self.acked.set()
        elif kind == "announcement":
            self.intervals[-1][2].append(int(frame["text"].split()[2]))
        elif kind == "error":
            self.run.problem("error_frames", frame)
        elif kind == "closed":
            self.run.problem("closed_frames", {"checkin": self.checkin_id, **frame})

    async def connect(self) -> None:
        self.conn = Connection(self.run, self.token, self.on_frame)
        try:
            welcome = await self.conn.open()
        except (InvalidStatus, OSError, asyncio.TimeoutError) as err:
            self.run.problem("failed_connects", {"checkin": self.checkin_id, "error": repr(err)[:200]})
            raise
        if self.pending is not None and self.pending in [m["text"] for m in welcome["messages"]]:
            self._acknowledge()  # stored before the connection dropped: do not send it again

    def _acknowledge(self) -> None:
        self.pending = None
        self.sent += 1
        self.run.counts["messages_acked"] += 1

    async def write(self) -> None:
        self.pending = f"seq {self.checkin_id} {self.sent}"
        while self.pending is not None:
            self.acked.clear()
            try:
                await self.conn.send({"type": "message", "text": self.pending})
            except ConnectionClosed:
                await self.resume()
                continue
            self.run.counts["messages_sent"] += 1
            ack = asyncio.create_task(self.acked.wait())
            done, _ = await asyncio.wait({ack, self.conn.reader}, timeout=30, return_when=asyncio.FIRST_COMPLETED)
            if ack in done:
                self._acknowledge()
                continue
            ack.cancel()
            if self.conn.reader not in done:
                self.run.problem("ack_timeouts", {"checkin": self.checkin_id, "text": self.pending})
            await self.resume()  # dropped or silent: the welcome tells whether the line was stored

    async def resume(self) -> None:
        """The relay dropped us (or did not answer): come back with the same token."""
        if self.conn.ws.state.name != "CLOSED":
            await self.conn.close()
        self._closed_interval()
        self.run.counts["resumes"] += 1
        await self.connect()

    def _closed_interval(self) -> None:
        if self.intervals and self.intervals[-1][1] is None:
            self.intervals[-1][1] = time.monotonic()

    async def churn(self) -> None:
        self._closed_interval()
        await self.conn.close()
        self.run.counts["reconnects"] += 1
        await asyncio.sleep(self.run.rng.uniform(0.05, 0.5))
        await self.connect()

    async def live(self) -> None:
        plan, rng = self.run.plan, self.run.rng
        await self.connect()
        await self.run.steady.wait()
        now = time.monotonic()
        next_line = now + rng.uniform(0, plan["message_every_s"])
        next_churn = now + rng.expovariate(plan["churn_per_s"] / len(plan["residents"]))
        while (now := time.monotonic()) < self.run.end:
            if now >= next_line:
                await self.write()
                next_line += plan["message_every_s"]
            elif now >= next_churn:
                await self.churn()
                next_churn = time.monotonic() + rng.expovariate(plan["churn_per_s"] / len(plan["residents"]))
            else:
                await asyncio.sleep(min(next_line, next_churn, self.run.end) - now)
        self._closed_interval()


class Staff:
    """Announces numbered notices and reads every resident line of its session."""

    def __init__(self, run: Run, item: dict):
        self.run = run
        self.token, self.session_id = item["token"], item["session_id"]
        self.lines: dict[int, list[int]] = defaultdict(list)
        self.conn: Connection | None = None
        self.announced = run.announced[self.session_id]

    def on_frame(self, frame: dict) -> None:
        kind = frame["type"]
        if kind == "message" and frame.get("from") == "resident":
            _, checkin, n = frame["text"].split()
            self.lines[int(checkin)].append(int(n))
        elif kind == "announcement" and frame.get("session_id") == self.session_id:
            n = int(frame["text"].split()[2])
            if len(self.announced[n]) == 1:
                self.announced[n].append(time.monotonic())
        elif kind == "error":
            self.run.problem("error_frames", frame)

    async def live(self) -> None:
        self.conn = Connection(self.run, self.token, self.on_frame)
        await self.conn.open()
        await self.run.steady.wait()
        n = 0
        while time.monotonic() < self.run.end:
            self.announced[n] = [time.monotonic()]
            await self.conn.send({"type": "announce", "session_id": self.session_id,
                                  "text": f"ann {self.session_id} {n}"})
            n += 1
            await asyncio.sleep(min(self.run.plan["announce_every_s"], max(self.run.end - time.monotonic(), 0)))


def check_announcements(run: Run, residents: list[Resident]) -> None:
    """Each resident connection got, in order and once, every announcement made while it was surely open."""
    margin = run.plan.get("announce_margin_s", 1.0)
    for resident in residents:
        announced = run.announced[resident.session_id]
        for welcomed, closing, got in resident.intervals:
            run.counts["announcement_deliveries"] += len(got)
            if got != sorted(set(got)):
                run.problem("announcement_duplicates_or_reorders", {"checkin": resident.checkin_id, "got": got[:20]})
            due = {n for n, times in announced.items()
                   if times[0] > welcomed and len(times) == 2 and closing is not None and times[1] < closing - margin}
            missing = due - set(got)
            if missing:
                run.problem("announcements_missing", {"checkin": resident.checkin_id, "missing": sorted(missing)[:10]})


def check_staff(run: Run, staff: list[Staff], residents: list[Resident]) -> None:
    """Each promoter saw every acknowledged line of every resident of its session, once and in order."""
    by_session = {s.session_id: s for s in staff}
    for resident in residents:
        seen = by_session[resident.session_id].lines.get(resident.checkin_id, [])
        if seen != list(range(resident.sent)):
            disordered = len(seen) > len(set(seen)) or seen != sorted(seen)
            kind = "staff_duplicates_or_reorders" if disordered else "staff_missing"
            run.problem(kind, {"checkin": resident.checkin_id, "sent": resident.sent, "seen": seen[:20]})


async def main(plan: dict) -> dict:
    run = Run(plan)
    staff = [Staff(run, item) for item in plan["staff"]]
    residents = [Resident(run, item) for item in plan["residents"]]
    started = time.monotonic()
    tasks = [asyncio.create_task(s.live()) for s in staff]
    while run.open < len(staff):
        await asyncio.sleep(0.05)
    tasks += [asyncio.create_task(r.live()) for r in residents]
    connect_deadline = time.monotonic() + plan.get("connect_timeout_s", 180)
    while run.open < len(staff) + len(residents) and time.monotonic() < connect_deadline:
        await asyncio.sleep(0.1)
    run.counts["open_when_steady"] = run.open
    run.counts["ramp_s"] = round(time.monotonic() - started, 1)
    run.end = time.monotonic() + plan["duration_s"]
    run.steady.set()
    sampler = asyncio.create_task(_sample(run))
    done, pending = await asyncio.wait(tasks, timeout=plan["duration_s"] + 120)
    for task in pending:
        run.problem("stuck_clients", "a client did not finish in time")
        task.cancel()
    for task in done:
        if task.exception() is not None:
            run.problem("client_crashes", repr(task.exception())[:300])
    await asyncio.sleep(plan.get("settle_s", 2))  # lines in flight reach the staff
    sampler.cancel()
    run.counts["open_at_end"] = run.open
    check_announcements(run, residents)
    check_staff(run, staff, residents)
    for conn in [r.conn for r in residents] + [s.conn for s in staff]:
        if conn is not None and conn.ws is not None:
            conn.closing = True
            await conn.ws.close()
    run.counts["announcements_made"] = sum(len(a) for a in run.announced.values())
    return {"counts": dict(run.counts), "problems": dict(run.problems), "peak_open": run.peak,
            "min_open_during_soak": run.counts.get("min_open", run.peak),
            "steady_s": plan["duration_s"], "sent": {r.checkin_id: r.sent for r in residents}}


async def _sample(run: Run) -> None:
    run.counts["min_open"] = run.open
    while True:
        await asyncio.sleep(1)
        run.counts["min_open"] = min(run.counts["min_open"], run.open)


def raise_fd_limit(needed: int) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < needed:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(max(needed, soft), hard), hard))


if __name__ == "__main__":
    plan_path, result_path = sys.argv[1], sys.argv[2]
    with open(plan_path) as f:
        loaded = json.load(f)
    raise_fd_limit(len(loaded["residents"]) + len(loaded["staff"]) + 512)
    outcome = asyncio.run(main(loaded))
    with open(result_path, "w") as f:
        json.dump(outcome, f)
