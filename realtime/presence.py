"""This relay's residents with an open connection, told to the database so every relay's consoles
show them as connected (接続中) or away (離席中); the rule is webapp/checkins/operations/presence.py.

Arrivals are written in batches: one statement (and commit) for everyone who connects meanwhile
(a commit each was a third of a connection's database time). A heartbeat every
RELAY_PRESENCE_HEARTBEAT_S says this relay is alive (one row, however many residents), puts its
rows right if they slipped, and clears what a dead relay left behind.
"""
from __future__ import annotations

import asyncio
import logging
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable

from realtime import events
from realtime.hub import Hub
from webapp.checkins import operations
from webapp.exceptions import database_unreachable

log = logging.getLogger("realtime")

#: Residents noted as seen in one unit of work (chat lines get the database thread in between).
TOUCH_CHUNK = 500


class Presence:
    """Residents connected here: counted per check-in, written when the first opens and the last closes."""

    def __init__(self, hub: Hub, db: Callable[..., Awaitable], publish: Callable[[str, dict], Awaitable]):
        self.hub = hub
        self.db = db
        self.publish = publish
        #: A random id per process: its row in `relay_heartbeats` and its rows in `checkin_presence`.
        self.relay_id = uuid.uuid4().hex
        self.open: Counter[int] = Counter()
        self._sessions: dict[int, int] = {}
        self._arrived: set[int] = set()
        self._writing = False
        #: Sessions whose waiting room hears the shorter wait a little later, and those asked again meanwhile.
        self._later: set[int] = set()
        self._later_again: set[int] = set()

    def opened(self, checkin_id: int, session_id: int) -> None:
        """A resident's connection opened here: noted together with everyone who connects meanwhile,
        then the session's consoles and waiting room are refreshed."""
        self.open[checkin_id] += 1
        self._sessions[checkin_id] = session_id
        self._arrived.add(checkin_id)
        if not self._writing:
            self._writing = True
            self.hub.spawn(self._write_arrivals())

    async def _write_arrivals(self) -> None:
        try:
            while self._arrived:  # those who arrived during one write go in the next
                ids, self._arrived = list(self._arrived), set()
                try:
                    sessions = await self.db(operations.arrived, self.relay_id, ids)
                except Exception:  # noqa: BLE001  (the heartbeat puts them right; consoles still hear of them)
                    log.exception("could not note residents as connected")
                    sessions = sorted({self._sessions[i] for i in ids if i in self._sessions})
                await self._announce_arrivals(ids, sessions)
        finally:
            self._writing = False

    async def _announce_arrivals(self, ids: list[int], sessions: list[int]) -> None:
        """Each session's consoles hear who of its residents connected (a change to their queue, no
        recomputation); a session whose arrivals all left again meanwhile gets a plain refresh."""
        arrived: dict[int, list[int]] = {}
        for checkin_id in ids:
            if checkin_id in self._sessions:
                arrived.setdefault(self._sessions[checkin_id], []).append(checkin_id)
        for session_id in sessions:
            changes = events.arrived(session_id, arrived[session_id]) if session_id in arrived \
                else events.refresh(session_id)
            for channel, envelope in changes:
                await self.publish(channel, envelope)

    async def closed(self, checkin_id: int) -> None:
        """A resident's connection here closed; at their last one they are away from now."""
        self.open[checkin_id] -= 1
        try:
            if self.open[checkin_id] > 0:
                await self.db(operations.touch, [checkin_id])
                return
            del self.open[checkin_id]
            self._arrived.discard(checkin_id)
            session_id = self._sessions.pop(checkin_id, None)
            try:
                sessions = await self.db(operations.departed, self.relay_id, [checkin_id])
            except Exception:  # noqa: BLE001
                log.exception("could not note a resident as gone; the heartbeat will")
                sessions = [session_id] if session_id is not None else []
            await self._refresh(sessions)
            for session_id in sessions:
                self._refresh_later(session_id)
        except Exception:  # noqa: BLE001  (a missed touch only shortens a time-out)
            log.exception("could not note a resident as seen")

    async def touch_connected(self) -> None:
        """Note every resident connected here as seen now (upkeep, before anyone may time out).

        A chunk at a time, each its own unit of work: with 10,000 residents one UPDATE held the
        database thread for up to 0.8 s, and every chat line behind it waited (bench/relay.py)."""
        ids = list(self.open)
        try:
            for start in range(0, len(ids), TOUCH_CHUNK):
                await self.db(operations.touch, ids[start:start + TOUCH_CHUNK])
        except Exception:  # noqa: BLE001
            log.exception("could not note residents as connected")

    async def heartbeat(self) -> None:
        """Say this relay is alive; refresh the sessions whose presence changed. While arrivals are being
        written its rows lag behind `open`, and putting them right then wrote those arrivals a second
        time and recomputed every session's queue at each beat (bench/relay.py: 10,000 arriving)."""
        settled = not self._writing and not self._arrived
        await self._refresh(await self.db(operations.heartbeat, self.relay_id, list(self.open) if settled else None))

    async def beat(self, period_s: float) -> None:
        """The heartbeat, forever (a task of the relay); a failure is logged once until it works again."""
        failing = False
        while True:
            await asyncio.sleep(period_s)
            try:
                await self.heartbeat()
                failing = False
            except Exception as err:  # noqa: BLE001
                if not failing:
                    if database_unreachable(err):
                        log.error("presence heartbeat: database unreachable (%s)", getattr(err, "orig", err))
                    else:
                        log.exception("presence heartbeat failed; trying again")
                failing = True

    def _refresh_later(self, session_id: int) -> None:
        """Others' estimates count someone gone for PRESENCE_TTL_S more (a page reload is no leaving);
        then the session's waiting room hears the shorter wait. One timer per session at a time."""
        if session_id in self._later:
            self._later_again.add(session_id)
            return
        self._later.add(session_id)
        self.hub.spawn(self._later_refresh(session_id))

    async def _later_refresh(self, session_id: int) -> None:
        await asyncio.sleep(operations.settings.presence_ttl_s + 0.5)  # cancelled at shutdown: nothing more
        self._later.discard(session_id)
        again = session_id in self._later_again
        self._later_again.discard(session_id)
        await self._refresh([session_id])
        if again:
            self._refresh_later(session_id)

    async def _refresh(self, session_ids) -> None:
        for session_id in session_ids:
            for channel, envelope in events.refresh(session_id):
                await self.publish(channel, envelope)
