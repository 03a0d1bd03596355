"""Thousands of websocket clients with churn against a running relay, in one asyncio process.

    python -m harness.soakload PLAN.json RESULT.json

Started by harness.soak.run_load for the soak test (tests/soak: it fails on any loss, duplicate or
reordering) and for its benchmark (bench/soak.py: it prints the rates). PLAN names the relay URL,
the residents (check-in id, token, session) and one staff member per session. During the churn phase every resident
writes `seq <checkin_id> <n>` now and then and waits for the relay's echo (its acknowledgement),
every staff member announces `ann <session_id> <n>` every few seconds, and residents close and come
back with the same token. Then churn ends, every client is connected again, each promoter makes
one last marker announcement and each resident waits for its session's marker.

What is checked (harness/soakchecks.py) holds however slow the machine is; what depends on speed
(rates, drops by the relay, ramp time) goes to RESULT's counts and is never a problem. Every wait
has a deadline and every loop is bounded, so the process stops by itself.
"""
from __future__ import annotations

import asyncio
import json
import random
import sys
import time
from collections import defaultdict

from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from harness.soak import ACK_TIMEOUT_S, CONNECT_ATTEMPTS, FINAL_TIMEOUT_S, OPEN_TIMEOUT_S, raise_fd_limit
from harness.soakchecks import check_announcements, check_staff, lines_complete

CONNECT = {"open_timeout": OPEN_TIMEOUT_S, "close_timeout": 30, "max_size": 2**20, "ping_interval": None}

class Run:
    """Shared state and findings of one run: `problems` are losses, duplicates and reorderings; `counts` are figures."""

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
        #: session -> n -> [sent at, acknowledged at]: announcements as their author saw them.
        self.announced: dict[int, dict[int, list[float]]] = defaultdict(dict)
        #: session -> the number of its final marker announcement.
        self.marker: dict[int, int] = {}
        self.settled = 0
        self.all_settled = asyncio.Event()

    def problem(self, kind: str, detail) -> None:
        self.counts[kind] += 1
        if len(self.problems[kind]) < 20:
            self.problems[kind].append(detail)

    def opened(self) -> None:
        self.open += 1
        self.peak = max(self.peak, self.open)
        self.counts["connections_opened"] += 1

    def settle(self) -> None:
        """One resident is done with churn and connected (or gave up): the markers go out once all are."""
        self.settled += 1
        if self.settled == len(self.plan["residents"]):
            self.all_settled.set()


class Connection:
    """One websocket with a reader task; every frame goes to `on_frame`."""

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
        await asyncio.wait_for(self.welcomed.wait(), CONNECT["open_timeout"])
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
            if not self.closing:  # the relay dropped us: a figure, not a failure (what it cost is checked)
                self.run.counts["unexpected_drops"] += 1

    def dropped(self) -> bool:
        return self.reader is None or self.reader.done()

    async def close(self) -> None:
        self.closing = True
        await self.ws.close()
        await self.reader

    async def send(self, frame: dict) -> None:
        await self.ws.send(json.dumps(frame, ensure_ascii=False))


async def open_with_retries(run: Run, token: str, on_frame, who: dict) -> Connection:
    """A welcomed connection; a refused or slow handshake is counted and tried again a few times."""
    for attempt in range(CONNECT_ATTEMPTS):
        conn = Connection(run, token, on_frame)
        try:
            await conn.open()
            return conn
        except (InvalidStatus, OSError, asyncio.TimeoutError, ConnectionClosed) as err:
            run.counts["failed_connect_attempts"] += 1
            if conn.ws is not None:
                conn.closing = True
                conn.ws.transport.abort()
            if attempt == CONNECT_ATTEMPTS - 1:
                run.problem("could_not_connect", {**who, "error": repr(err)[:200]})
                raise
    raise AssertionError("unreachable")


class Resident:
    """Writes numbered lines and waits for each echo, reads announcements, churns, then waits for the marker."""

    def __init__(self, run: Run, item: dict):
        self.run = run
        self.checkin_id, self.token, self.session_id = item["checkin_id"], item["token"], item["session_id"]
        self.sent = 0            # lines stored and acknowledged: 0..sent-1
        self.pending: str | None = None
        self.acked = asyncio.Event()
        self.echoes: list[int] = []
        #: one per connection: [welcomed at, announcement numbers received live, texts the welcome listed]
        self.intervals: list[list] = []
        self.marker_seen = asyncio.Event()
        self.conn: Connection | None = None

    def on_frame(self, frame: dict) -> None:
        kind = frame["type"]
        if kind == "welcome":
            self.intervals.append([time.monotonic(), [], [a["text"] for a in frame.get("announcements", [])]])
            if self._marker_text() in self.intervals[-1][2]:
                self.marker_seen.set()
        elif kind == "message" and frame.get("from") == "resident":
            n = int(frame["text"].split()[2])
            if self.echoes and n <= self.echoes[-1]:
                self.run.problem("echo_duplicates_or_reorders", {"checkin": self.checkin_id, "n": n})
            self.echoes.append(n)
            if frame["text"] == self.pending:
                self.acked.set()
        elif kind == "announcement":
            n = int(frame["text"].split()[2])
            self.intervals[-1][1].append(n)
            if n == self.run.marker.get(self.session_id):
                self.marker_seen.set()
        elif kind == "error":
            self.run.problem("error_frames", frame)
        elif kind == "closed":
            self.run.problem("closed_frames", {"checkin": self.checkin_id, **frame})

    def _marker_text(self) -> str | None:
        n = self.run.marker.get(self.session_id)
        return None if n is None else f"ann {self.session_id} {n}"

    async def connect(self) -> None:
        self.conn = await open_with_retries(self.run, self.token, self.on_frame, {"checkin": self.checkin_id})
        if self.pending is not None and self.pending in [m["text"] for m in self.conn.welcome["messages"]]:
            self._acknowledge()  # stored before the connection dropped: do not send it again

    def _acknowledge(self) -> None:
        self.pending = None
        self.sent += 1
        self.run.counts["messages_acked"] += 1

    async def write(self) -> None:
        self.pending = f"seq {self.checkin_id} {self.sent}"
        for _ in range(CONNECT_ATTEMPTS):
            self.acked.clear()
            try:
                await self.conn.send({"type": "message", "text": self.pending})
            except ConnectionClosed:
                await self.resume()
                continue
            self.run.counts["messages_sent"] += 1
            ack = asyncio.create_task(self.acked.wait())
            done, _ = await asyncio.wait({ack, self.conn.reader}, timeout=ACK_TIMEOUT_S,
                                         return_when=asyncio.FIRST_COMPLETED)
            if ack in done:
                self._acknowledge()
                return
            ack.cancel()
            if self.conn.reader not in done:
                self.run.counts["ack_timeouts"] += 1
            await self.resume()  # dropped or silent: the welcome tells whether the line was stored
            if self.pending is None:
                return
        self.run.problem("line_never_acknowledged", {"checkin": self.checkin_id, "text": self.pending})
        self.pending = None

    async def resume(self) -> None:
        """The relay dropped us (or did not answer): come back with the same token."""
        if not self.conn.dropped():
            await self.conn.close()
        self.run.counts["resumes"] += 1
        await self.connect()

    async def churn(self) -> None:
        await self.conn.close()
        self.run.counts["reconnects"] += 1
        await asyncio.sleep(self.run.rng.uniform(0.05, 0.5))  # pacing: a resident away for a moment
        await self.connect()

    async def live(self) -> None:
        plan, rng = self.run.plan, self.run.rng
        try:
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
                else:  # pacing: the next scheduled action
                    await asyncio.sleep(min(next_line, next_churn, self.run.end) - now)
            if self.conn.dropped():
                await self.resume()
        finally:
            self.run.settle()
        await self.wait_for_marker()

    async def wait_for_marker(self) -> None:
        """Until the session's marker arrived (live or in a welcome); a dropped connection comes back."""
        deadline = time.monotonic() + FINAL_TIMEOUT_S
        while not self.marker_seen.is_set() and (left := deadline - time.monotonic()) > 0:
            seen = asyncio.create_task(self.marker_seen.wait())
            done, _ = await asyncio.wait({seen, self.conn.reader}, timeout=left, return_when=asyncio.FIRST_COMPLETED)
            seen.cancel()
            if self.conn.reader in done and not self.marker_seen.is_set():
                await self.resume()
        if not self.marker_seen.is_set():
            self.run.problem("marker_missing", {"checkin": self.checkin_id, "session": self.session_id})


class Staff:
    """Announces numbered notices, reads every resident line of its session, and makes the final marker."""

    def __init__(self, run: Run, item: dict):
        self.run = run
        self.token, self.session_id = item["token"], item["session_id"]
        self.lines: dict[int, list[int]] = defaultdict(list)
        self.conn: Connection | None = None
        self.dropped = False
        self.announced = run.announced[self.session_id]

    def on_frame(self, frame: dict) -> None:
        kind = frame["type"]
        if kind == "message" and frame.get("from") == "resident":
            _, checkin, n = frame["text"].split()
            self.lines[int(checkin)].append(int(n))
        elif kind == "announcement" and frame.get("session_id") == self.session_id:
            n = int(frame["text"].split()[2])
            if len(self.announced.get(n, ())) == 1:
                self.announced[n].append(time.monotonic())
        elif kind == "error":
            self.run.problem("error_frames", frame)

    async def connect(self) -> None:
        self.conn = await open_with_retries(self.run, self.token, self.on_frame, {"staff_of": self.session_id})

    async def announce(self, n: int) -> None:
        for _ in range(CONNECT_ATTEMPTS):
            if self.conn.dropped():
                self.dropped = True  # its view of the lines has a hole now: it is not checked
                await self.connect()
            self.announced[n] = [time.monotonic()]
            try:
                await self.conn.send({"type": "announce", "session_id": self.session_id,
                                      "text": f"ann {self.session_id} {n}"})
                return
            except ConnectionClosed:
                continue

    async def live(self) -> None:
        await self.run.steady.wait()
        n = 0
        while time.monotonic() < self.run.end:
            await self.announce(n)
            n += 1
            # pacing: one notice every few seconds
            await asyncio.sleep(min(self.run.plan["announce_every_s"], max(self.run.end - time.monotonic(), 0)))
        try:
            await asyncio.wait_for(self.run.all_settled.wait(), FINAL_TIMEOUT_S)
        except asyncio.TimeoutError:
            self.run.problem("not_settled", {"session": self.session_id, "settled": self.run.settled})
        self.run.marker[self.session_id] = n
        await self.announce(n)


async def _until(check, timeout: float) -> bool:
    """Poll `check` until true or the deadline; whether it became true."""
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() >= deadline:
            return False
        await asyncio.sleep(0.1)
    return True


async def main(plan: dict) -> dict:
    run = Run(plan)
    staff = [Staff(run, item) for item in plan["staff"]]
    residents = [Resident(run, item) for item in plan["residents"]]
    started = time.monotonic()
    await asyncio.gather(*(s.connect() for s in staff))
    connecting = await asyncio.gather(*(r.connect() for r in residents), return_exceptions=True)
    run.counts["ramp_s"] = round(time.monotonic() - started, 1)
    run.counts["open_when_steady"] = run.open
    alive = [r for r, outcome in zip(residents, connecting, strict=True) if not isinstance(outcome, BaseException)]
    run.settled += len(residents) - len(alive)  # never connected (a problem already): nothing to wait for
    if run.settled == len(residents):
        run.all_settled.set()
    run.end = time.monotonic() + plan["duration_s"]
    run.steady.set()
    churn_started = time.monotonic()
    tasks = [asyncio.create_task(s.live()) for s in staff] + [asyncio.create_task(r.live()) for r in alive]
    done, pending = await asyncio.wait(tasks, timeout=plan["duration_s"] + 3 * FINAL_TIMEOUT_S)
    run.counts["run_s"] = round(time.monotonic() - churn_started, 1)
    for task in pending:
        run.problem("stuck_clients", "a client did not finish in time")
        task.cancel()
    for task in done:
        if task.exception() is not None:
            run.problem("client_crashes", repr(task.exception())[:300])
    # Lines echoed to their writers reach the promoters a moment later.
    await _until(lambda: lines_complete(staff, residents), 60)
    run.counts["open_at_end"] = run.open
    check_announcements(run, alive)
    check_staff(run, staff, residents)
    for conn in [r.conn for r in residents] + [s.conn for s in staff]:
        if conn is not None and conn.ws is not None:
            conn.closing = True
            await conn.ws.close()
    run.counts["announcements_made"] = sum(len(a) for a in run.announced.values())
    return {"counts": dict(run.counts), "problems": dict(run.problems), "peak_open": run.peak,
            "sent": {r.checkin_id: r.sent for r in residents}}


if __name__ == "__main__":
    plan_path, result_path = sys.argv[1], sys.argv[2]
    with open(plan_path) as f:
        loaded = json.load(f)
    raise_fd_limit(len(loaded["residents"]) + len(loaded["staff"]) + 512)
    outcome = asyncio.run(main(loaded))
    with open(result_path, "w") as f:
        json.dump(outcome, f)
