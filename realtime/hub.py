"""This relay's connections and what reaches them: frames, queue refreshes and kicks from the broker.

Envelopes published on the broker:
  {"kind": "frame", "frame": {...}}           send the frame to every local connection on the channel
  {"kind": "refresh", "session_id": n}        recompute queue (and counts) frames for that audience
  {"kind": "present", "session_id": n,        these residents connected: their entries in the staff
   "checkin_ids": [...]}                      queue turn connected, with no read (`mark_connected`)
  {"kind": "kick", "code": 1008, "reason": s} close every local connection on the channel
  {"kind": "follow"}                          staff connections on the channel check again which
                                              sessions they follow (realtime.following)
  {"kind": "room", "op": ...}                 a metaverse room's change (realtime/room/rooms.py)

A staff connection never gets a frame naming a session its account may no longer staff
(`Client.dropped`), even one sent to that person's own channel (a resident they had taken).
"""
from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter, defaultdict
from collections.abc import Awaitable, Callable

from realtime import frames
from realtime.broker import Broker, session_residents
from realtime.client import Client, dump, send_all
from realtime.queue_delta import connected_in, delta

log = logging.getLogger(__name__)

#: How long a burst of changes is gathered into one queue refresh, at least.
REFRESH_DELAY_S = 0.05
#: ... and at least this many times what the audience's last refresh took, up to REFRESH_MAX_DELAY_S: a
#: session's refreshes then take at most about a fifth of a database thread however fast changes come
#: (10,000 arrivals kept the threads busy refreshing 1,000-entry queues, bench/relay.py).
REFRESH_COST_FACTOR = 4
REFRESH_MAX_DELAY_S = 1.0
#: ... and for a waiting room, this much per resident connected to it here: every refresh may send
#: each of them a new place, so a room of 1,000 hears at most about once a second (10,000 arriving
#: got 260,000 queue frames, most replaced within the second: bench/relay.py); a room of ten, at once.
RESIDENT_DELAY_EACH_S = 0.001
#: Queue reads at once. They are mostly Python building frames, so more at once only takes the GIL
#: from the event loop: upkeep's ten 1,000-entry resyncs together stalled the chat path (bench/relay.py).
REFRESH_READS_AT_ONCE = 1


class Hub:
    """Local delivery: channel -> the clients of this process on it."""

    def __init__(self, broker: Broker, db: Callable[..., Awaitable]):
        self.broker = broker
        self.db = db
        #: follow(client): a staff connection checks which sessions it follows (set by realtime.server).
        self.follow: Callable[[Client], Awaitable] | None = None
        #: room(channel, envelope): a room envelope (set by realtime.relay to realtime/room/rooms.py).
        self.room: Callable[[str, dict], None] | None = None
        self.local: dict[str, set[Client]] = defaultdict(set)
        self.clients: set[Client] = set()
        #: identity -> open connections, so the per-token cap costs no scan of every client in the handshake.
        self._identities: Counter[str] = Counter()
        self._pending: set[str] = set()
        #: Refreshes computing now, and those asked for meanwhile (run once more when it is done), so
        #: a busy database never holds more than one refresh per audience.
        self._running: set[str] = set()
        self._again: set[str] = set()
        self._tasks: set[asyncio.Task] = set()
        #: The last `queue` and `counts` frames each staff channel's consoles have: changes go out as deltas.
        self._queues: dict[str, dict] = {}
        self._counts: dict[str, str] = {}
        #: Each residents channel's last queue frames (checkin_id -> frame): a welcome's place in line.
        self._places: dict[str, dict[int, dict]] = {}
        #: Residents who connected while their staff channel's queue was being read: marked on its result.
        self._marks: dict[str, set[int]] = {}
        self._reads = asyncio.Semaphore(REFRESH_READS_AT_ONCE)
        #: Seconds each audience's last refresh took (the wait before its next one grows with it).
        self._cost: dict[str, float] = {}

    async def join(self, client: Client, channel: str) -> None:
        first = not self.local.get(channel)
        self.local[channel].add(client)
        client.channels.add(channel)
        if first:
            await self.broker.subscribe(channel)

    async def part(self, client: Client, channel: str) -> None:
        members = self.local.get(channel)
        client.channels.discard(channel)
        if members is None:
            return
        members.discard(client)
        if not members:
            del self.local[channel]
            self._queues.pop(channel, None)
            self._counts.pop(channel, None)
            self._places.pop(channel, None)
            self._marks.pop(channel, None)
            self._cost.pop(channel, None)
            await self.broker.unsubscribe(channel)

    async def part_all(self, client: Client) -> None:
        for channel in list(client.channels):
            await self.part(client, channel)

    def add(self, client: Client) -> None:
        self.clients.add(client)
        self._identities[client.identity] += 1

    def discard(self, client: Client) -> None:
        if client in self.clients:
            self.clients.discard(client)
            self._identities[client.identity] -= 1
            if not self._identities[client.identity]:
                del self._identities[client.identity]

    def identities(self, identity: str) -> int:
        """How many open connections this token holder has here."""
        return self._identities.get(identity, 0)

    # --- from the broker -------------------------------------------------------------------

    def on_message(self, channel: str, envelope: dict) -> None:
        """The broker's handler: act on an envelope for the local clients on `channel`."""
        kind = envelope.get("kind")
        if kind == "frame":
            text, session_id = dump(envelope["frame"]), envelope["frame"].get("session_id")
            audience = self.local.get(channel, ())
            send_all([c for c in audience if session_id is None or session_id not in c.dropped], text)
        elif kind == "refresh":
            self.schedule_refresh(channel, envelope["session_id"])
        elif kind == "present":
            self.mark_connected(channel, envelope["session_id"], envelope["checkin_ids"])
        elif kind == "kick":
            for client in list(self.local.get(channel, ())):
                self.spawn(client.ws.close(envelope.get("code", 1008), envelope.get("reason", "")))
        elif kind == "room" and self.room is not None:
            self.room(channel, envelope)
        elif kind == "follow" and self.follow is not None:
            for client in list(self.local.get(channel, ())):
                if client.kind == "staff":
                    self.spawn(self.follow(client))

    def schedule_refresh(self, channel: str, session_id: int) -> None:
        """Recompute the queue frames of a session audience soon, once for a burst of changes."""
        if not self.local.get(channel):
            return
        if channel in self._running:
            self._again.add(channel)
            return
        if channel in self._pending:
            return
        self._pending.add(channel)
        self.spawn(self._refresh(channel, session_id))

    def refresh_everything(self, audiences: tuple[str, ...] = (".staff", ".residents")) -> None:
        """Resend the queue of every session someone here follows (after a broker outage, say; and each
        upkeep round): consoles get the full queue again, a resync rather than a delta. The reads go
        one at a time (REFRESH_READS_AT_ONCE), so the chat path keeps the GIL meanwhile."""
        for channel in list(self.local):
            if channel.startswith("s") and channel.endswith(audiences):
                self._queues.pop(channel, None)
                self.schedule_refresh(channel, int(channel[1:].split(".")[0]))

    def refresh_staff(self) -> None:
        self.refresh_everything((".staff",))

    def mark_connected(self, channel: str, session_id: int, checkin_ids: list[int]) -> None:
        """Residents connected: their entries in the consoles' last queue turn connected, sent as a
        delta with no read (a full recomputation was 42% of the database time while 10,000 residents
        connected: docs/performance.md). A queue being read now may predate their arrival: they are
        marked on its result. One scheduled but not yet read will see them; one without them all (a
        check-in it has not seen yet) is read again."""
        if not self.local.get(channel) or channel in self._pending:
            return
        if channel in self._running:
            self._marks.setdefault(channel, set()).update(checkin_ids)
            return
        queue = self._queues.get(channel)
        marked, changed, missing = connected_in(queue, checkin_ids) if queue is not None else (None, [], True)
        if missing:  # a check-in this queue does not hold yet: read it
            self.schedule_refresh(channel, session_id)
            return
        self._queues[channel] = marked
        if changed:
            send_all(list(self.local.get(channel, ())), dump(
                {"type": "queue_delta", "session_id": session_id, "added": [], "changed": changed, "gone": []}))

    def sent_queue(self, channel: str, queue: dict) -> None:
        """A console on `channel` got this full queue: later changes are deltas from it (or a newer one)."""
        self._queues.setdefault(channel, queue)

    def known_place(self, session_id: int, checkin_id: int) -> dict | None:
        """A waiting resident's queue frame from this relay's last refresh of the session, if it has one."""
        return self._places.get(session_residents(session_id), {}).get(checkin_id)

    def _staff_changes(self, channel: str, queue: dict, counts: dict) -> list[str]:
        """What the channel's consoles need: a delta from the last queue (the full one if none, as after
        upkeep's resync), and the counts when they moved (always with a full queue)."""
        before = self._queues.get(channel)
        self._queues[channel] = queue
        change = delta(before, queue) if before is not None else queue
        texts = [dump(change)] if change is not None else []
        counted = dump(counts)
        if before is None or self._counts.get(channel) != counted:
            self._counts[channel] = counted
            texts.append(counted)
        return texts

    def _delay(self, channel: str) -> float:
        """How long a refresh of `channel` gathers the changes that come after the first one."""
        delay = max(REFRESH_DELAY_S, REFRESH_COST_FACTOR * self._cost.get(channel, 0.0))
        if channel.endswith(".residents"):
            delay = max(delay, RESIDENT_DELAY_EACH_S * len(self.local.get(channel, ())))
        return min(delay, REFRESH_MAX_DELAY_S)

    async def _refresh(self, channel: str, session_id: int) -> None:
        await asyncio.sleep(self._delay(channel))
        self._pending.discard(channel)
        self._running.add(channel)
        async with self._reads:
            await self._read_and_send(channel, session_id)

    async def _read_and_send(self, channel: str, session_id: int) -> None:
        started = time.perf_counter()  # the read's own time, not the wait for its turn
        try:
            if channel.endswith(".staff"):
                queue, counts = await self.db(lambda: (frames.staff_queue(session_id), frames.staff_counts(session_id)))
                queue = connected_in(queue, self._marks.pop(channel, ()))[0]  # arrivals during the read
                texts = self._staff_changes(channel, queue, counts)  # once for every console
                for client in list(self.local.get(channel, ())):
                    for text in texts:
                        client.send(text)
            else:
                queues = await self.db(frames.resident_queues, session_id)
                self._places[channel] = queues
                for client in list(self.local.get(channel, ())):
                    self.send_resident_queue(client, queues.get(client.checkin_id))
        except Exception:  # noqa: BLE001  (a failed refresh must not end the relay; the next one catches up)
            log.exception("queue refresh of session %s failed", session_id)
        finally:
            if channel in self.local:
                self._cost[channel] = time.perf_counter() - started
            self._running.discard(channel)
            self._marks.pop(channel, None)
            if channel in self._again:
                self._again.discard(channel)
                self.schedule_refresh(channel, session_id)

    @staticmethod
    def send_resident_queue(client: Client, frame: dict | None) -> None:
        """Send a resident their queue frame when it changed (nothing once they are no longer waiting)."""
        if frame is None:
            return
        text = dump(frame)
        if text != client.last_queue:
            client.last_queue = text
            client.send(text)

    def spawn(self, coro) -> None:
        """Run `coro` on the loop in the background, keeping a reference until it is done."""
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
