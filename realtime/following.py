"""Which sessions a staff connection follows: checked again when its assignments change, and at upkeep.

A connection follows the sessions of today its account may staff (an admin: every one). When that
changes (webapp.signals.staff_assignments_changed, told through the broker), the connection joins
the new sessions' channels and leaves the others at once; frames about a session the account may no
longer staff stop reaching it even on the person's own channel (`Client.dropped`). An account whose
access ended (deactivated, new password, signed out everywhere) has its connection closed.
"""
from __future__ import annotations

from realtime import frames
from realtime.broker import session_staff
from realtime.client import Client
from realtime.events import REVOKED_CLOSE
from realtime.relay import Relay
from webapp.checkins import operations
from webapp.db import db_session
from webapp.staff.models import User
from webapp.staff.operations import relay_token_current


async def follow(relay: Relay, client: Client) -> None:
    """Bring the sessions `client` follows up to date (or close it when its account may no longer connect)."""
    def unit():
        user = db_session.get(User, client.user_id)
        if not relay_token_current(user, client.auth_version):
            return None
        sessions = operations.followed_sessions(user)
        ids = {s.id for s in sessions}
        gone = (client.sessions | client.dropped) - ids
        dropped = {session_id for session_id in gone if not operations.can_staff(user, session_id)}
        return ids, [frames.session_summary(s) for s in sessions], dropped

    answer = await relay.read(unit)
    if answer is None:
        await client.ws.close(REVOKED_CLOSE, "signed out")
        return
    session_ids, summaries, dropped = answer
    client.dropped = dropped
    if session_ids == client.sessions:
        return
    for session_id in session_ids - client.sessions:
        await relay.hub.join(client, session_staff(session_id))
        relay.hub.schedule_refresh(session_staff(session_id), session_id)
    for session_id in client.sessions - session_ids:
        await relay.hub.part(client, session_staff(session_id))
    client.sessions = session_ids
    client.send_frame({"type": "sessions", "sessions": summaries})
