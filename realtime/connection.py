"""One accepted connection's life: registered, welcomed, read frame by frame, and let go in `finally`."""
from __future__ import annotations

import logging

from websockets.asyncio.server import ServerConnection, broadcast
from websockets.exceptions import ConnectionClosed

from realtime import frames
from realtime.broker import checkin_channel, session_residents, session_staff, user_channel
from realtime.client import Client, dump
from realtime.dispatch import dispatch, parse
from realtime.events import REVOKED_CLOSE
from realtime.gathering import each
from realtime.handshake import identity
from realtime.limits import TokenBucket
from realtime.relay import Relay
from realtime.room import handlers as room
from webapp.checkins import operations
from webapp.db import db_session
from webapp.staff.models import User
from webapp.staff.operations import relay_token_current

log = logging.getLogger("realtime")

QUEUE_FIELDS = ("position", "waiting", "estimated_wait_s")


async def handle(relay: Relay, ws: ServerConnection) -> None:
    """The websockets handler: the claims were checked in the handshake (realtime.handshake)."""
    claims = getattr(ws, "ikomaru_claims", None)
    if claims is None:
        await ws.close(1011, "no claims")
        return
    bucket = TokenBucket(float(relay.config["RELAY_MESSAGES_PER_S"]), int(relay.config["RELAY_BURST"]),
                         enabled=bool(relay.config["RATELIMIT_ENABLED"]))
    client = Client(ws=ws, kind=claims["kind"], identity=identity(claims), bucket=bucket,
                    checkin_id=claims.get("checkin_id"), session_id=claims.get("session_id"),
                    user_id=claims.get("user_id"), auth_version=claims.get("auth_version"),
                    practice_id=claims.get("practice_id"))
    relay.hub.add(client)
    try:
        if client.kind == "resident":
            await _open_resident(relay, client)
        elif client.kind == "practice":
            await room.open_practice(relay, client)
        else:
            await _open_staff(relay, client)
        await _read(relay, client)
    except ConnectionClosed:
        pass
    finally:
        relay.hub.discard(client)
        await relay.rooms.part(client)
        await relay.hub.part_all(client)
        if client.present:
            await relay.presence.closed(client.checkin_id)


async def _open_resident(relay: Relay, client: Client) -> None:
    await relay.hub.join(client, checkin_channel(client.checkin_id))
    await relay.hub.join(client, session_residents(client.session_id))

    known = relay.hub.known_place(client.session_id, client.checkin_id)  # no counting the line again
    welcome, contacts, room_entry = await relay.read_gathered(_welcomes, (client.checkin_id, known))
    broadcast([client.ws], dump(welcome))
    if welcome["status"] == "waiting":
        client.last_queue = dump({"type": "queue", **{k: welcome[k] for k in QUEUE_FIELDS}})
    if welcome["urgent"] and welcome["status"] != "closed":
        broadcast([client.ws], dump({"type": "crisis", "contacts": contacts}))
    client.ready()
    # Connected (接続中) on every console, once written; a check-in made over HTTP reaches the
    # consoles at the latest then.
    client.present = True
    relay.presence.opened(client.checkin_id, client.session_id)
    await room.open_resident(relay, client, room_entry)


def _welcomes(residents: list[tuple[int, dict | None]]) -> list:
    """The welcome, the crisis contacts and the room entry of each resident connecting at this moment
    ((checkin id, known place) each), in one reading unit of work (realtime.gathering)."""
    contacts = operations.crisis_contacts()
    # Read for all of them at once: their check-ins with sessions, their conversations, each session's notices.
    checkins = frames.fresh_checkins(checkin_id for checkin_id, _ in residents)
    messages = operations.recent_messages_of(checkins)
    announcements = {session_id: operations.recent_announcements(session_id)
                     for session_id in {checkin.session_id for checkin in checkins.values()}}

    def welcome(resident):
        checkin_id, known = resident
        checkin = checkins.get(checkin_id)
        if checkin is None:
            raise LookupError(f"check-in {checkin_id} is gone")  # removed since the handshake: this one fails alone
        return (frames.resident_welcome(checkin, known, messages=messages.get(checkin_id, []),
                                        announcements=announcements[checkin.session_id]),
                contacts, room.room_entry(checkin))

    return each(welcome, residents)


async def _open_staff(relay: Relay, client: Client) -> None:
    def sessions_unit():
        user = db_session.get(User, client.user_id)
        if not relay_token_current(user, client.auth_version):
            return None  # revoked since the handshake
        sessions = operations.followed_sessions(user)
        return frames.staff_welcome(user, sessions), [s.id for s in sessions]

    # On the account's channel first: a revocation published from now on reaches this connection.
    await relay.hub.join(client, user_channel(client.user_id))
    opened = await relay.read(sessions_unit)
    if opened is None:
        await client.ws.close(REVOKED_CLOSE, "signed out")
        return
    welcome, session_ids = opened
    for session_id in session_ids:
        await relay.hub.join(client, session_staff(session_id))
    client.sessions = set(session_ids)
    state = await relay.read(_session_frames, session_ids)
    broadcast([client.ws], dump(welcome))
    for frame in state:
        if frame["type"] == "queue":
            relay.hub.sent_queue(session_staff(frame["session_id"]), frame)
        broadcast([client.ws], dump(frame))
    client.ready()


def _session_frames(session_ids) -> list[dict]:
    state = []
    for session_id in session_ids:
        state += [frames.staff_queue(session_id), frames.staff_counts(session_id)]
    return state


async def _read(relay: Relay, client: Client) -> None:
    flood_limit = int(relay.config["RELAY_FLOOD_CLOSE_AFTER"])
    async for raw in client.ws:
        moved = room.fast_move(relay, client, raw)
        if moved is None:
            log.warning("closed a %s connection flooding moves", client.kind)
            await client.ws.close(1008, "flood")
            return
        if moved:
            continue
        if not client.bucket.allow():
            if client.bucket.refused_in_a_row >= flood_limit:
                log.warning("closed a flooding %s connection", client.kind)
                await client.ws.close(1008, "flood")
                return
            client.send_frame(frames.error("rate_limited", "Too many messages; please slow down."))
            continue
        frame = parse(client, raw)
        if frame is not None:
            await dispatch(relay, client, frame)
