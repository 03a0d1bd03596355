"""Periodic maintenance: note who is connected, let stale check-ins go, follow new sessions."""
from __future__ import annotations

import asyncio
import logging

from realtime import frames, handlers
from realtime.broker import checkin_channel, session_staff
from realtime.events import frame_of
from realtime.hub import Client
from realtime.relay import Relay
from webapp.checkins import operations
from webapp.db import db_session
from webapp.staff.models import User

log = logging.getLogger("realtime")


async def maintain(relay: Relay) -> None:
    """Every RELAY_MAINTENANCE_S seconds, until cancelled: one round of upkeep (a failed one is retried)."""
    while True:
        await asyncio.sleep(float(relay.config["RELAY_MAINTENANCE_S"]))
        try:
            await upkeep(relay)
        except Exception:  # noqa: BLE001
            log.exception("relay upkeep failed; trying again later")


async def upkeep(relay: Relay) -> None:
    await relay.arrivals.touch([c.checkin_id for c in relay.hub.clients if c.kind == "resident"])

    def expire():
        return [(c.id, c.session_id, c.ended_at >= c.session.ends_at) for c in operations.expire_stale()]

    sessions = set()
    for checkin_id, session_id, at_end in await relay.db(expire):
        reason = "session_ended" if at_end else "timeout"
        await relay.publish(checkin_channel(checkin_id), frame_of({"type": "closed", "reason": reason}))
        sessions.add(session_id)
    for session_id in sessions:
        await handlers.refresh(relay, session_id)
    relay.hub.refresh_staff()  # waited_s moves on; visitors recorded over HTTP show up
    for client in [c for c in relay.hub.clients if c.kind == "staff" and c.backlog is None]:
        await _follow_new_sessions(relay, client)


async def _follow_new_sessions(relay: Relay, client: Client) -> None:
    def unit():
        user = db_session.get(User, client.user_id)
        sessions = operations.followed_sessions(user) if user is not None and user.active else []
        return [s.id for s in sessions], [frames.session_summary(s) for s in sessions]

    session_ids, summaries = await relay.read(unit)
    if set(session_ids) == client.sessions:
        return
    for session_id in set(session_ids) - client.sessions:
        await relay.hub.join(client, session_staff(session_id))
        relay.hub.schedule_refresh(session_staff(session_id), session_id)
    for session_id in client.sessions - set(session_ids):
        await relay.hub.part(client, session_staff(session_id))
    client.sessions = set(session_ids)
    client.send_frame({"type": "sessions", "sessions": summaries})
