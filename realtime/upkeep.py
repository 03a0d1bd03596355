"""Periodic maintenance: note who is connected, closing time, let stale check-ins go, follow new sessions
(and, should a broker message have been missed, close connections of accounts whose access ended)."""
from __future__ import annotations

import asyncio
import datetime as dt
import logging

from realtime import following, frames, handlers
from realtime.broker import checkin_channel, session_staff
from realtime.events import frame_of
from realtime.relay import Relay
from webapp.checkins import operations
from webapp.db import utcnow
from webapp.sessions import closing

log = logging.getLogger("realtime")

#: A little past a deadline, so the database already sees the moment as reached.
PAST_DEADLINE_S = 0.05


async def maintain(relay: Relay) -> None:
    """Upkeep every RELAY_MAINTENANCE_S seconds, and at once when a closing notice or an end falls due."""
    period = float(relay.config["RELAY_MAINTENANCE_S"])
    wait = period
    while True:
        await asyncio.sleep(wait)
        wait = period
        try:
            await upkeep(relay)
            wait = await _until_next_deadline(relay, period)
        except Exception:  # noqa: BLE001
            log.exception("relay upkeep failed; trying again later")


async def _until_next_deadline(relay: Relay, period: float) -> float:
    deadline = await relay.read(closing.next_deadline, None, dt.timedelta(seconds=period))
    if deadline is None:
        return period
    return min(period, max((deadline - utcnow()).total_seconds() + PAST_DEADLINE_S, PAST_DEADLINE_S))


async def upkeep(relay: Relay) -> None:
    await relay.presence.touch_connected()
    await _send_closing_notices(relay)
    await _let_go_stale(relay)
    relay.hub.refresh_staff()  # waited_s moves on; visitors recorded over HTTP show up
    for client in [c for c in relay.hub.clients if c.kind == "staff" and c.backlog is None]:
        await following.follow(relay, client)  # new sessions of today; closed if the account was revoked


async def _send_closing_notices(relay: Relay) -> None:
    """10 minutes before the end: staff and each waiting resident, once (this relay won the claim)."""
    def unit():
        return [(s.id, *frames.closing(s), operations.waiting_line(s.id)) for s in closing.claim_closing_notices()]

    for session_id, staff_frame, resident_frame, waiting in await relay.db(unit):
        await relay.publish(session_staff(session_id), frame_of(staff_frame))
        for checkin_id in waiting:
            await relay.publish(checkin_channel(checkin_id), frame_of(resident_frame))


async def _let_go_stale(relay: Relay) -> None:
    """Residents gone too long, and those still waiting when their session ended (with where to turn)."""
    def unit():
        contacts = frames.contacts(operations.crisis_contacts())  # the ones admins keep at /admin/crisis
        ended, let_go = {}, []
        for checkin in operations.expire_stale():
            if checkin.end_reason == "session_ended":
                if checkin.session_id not in ended:
                    ended[checkin.session_id] = frames.session_ended(checkin.session, contacts)
                let_go.append((checkin.id, checkin.session_id, ended[checkin.session_id]))
            else:
                let_go.append((checkin.id, checkin.session_id, {"type": "closed", "reason": "timeout"}))
        return let_go

    sessions = set()
    for checkin_id, session_id, frame in await relay.db(unit):
        await relay.publish(checkin_channel(checkin_id), frame_of(frame))
        await relay.rooms.checked_out(session_id, checkin_id)  # a metaverse room's visitor leaves it too
        sessions.add(session_id)
    for session_id in sessions:
        await handlers.refresh(relay, session_id)
