"""The room frames (CONTRACT §9): entering on connect, move, emote, ask, and staff enter, exit and mute.

Moves skip the relay's per-connection bucket: a page sends one per key press or animation frame,
and the room gathers them per tick anyway (only the latest position of a tick goes out), so
none is answered with an error. Only a sustained flood far beyond ROOM_MOVES_PER_S closes the
connection (1008); a malformed move goes the ordinary way (rate-limited, one error each).
"""
from __future__ import annotations

import json
import time
from typing import TYPE_CHECKING

from realtime.handlers import FrameError, _read, _staff, refresh
from realtime.limits import TokenBucket
from realtime.room.rooms import booth_slot, practice_key, room_key
from realtime.room.state import STAFF_AVATAR, Occupant
from webapp.checkins import operations
from webapp.checkins.operations.records import load_session
from webapp.exceptions import DomainError
from webapp.rooms import operations as room_operations

if TYPE_CHECKING:
    from realtime.client import Client
    from realtime.services import RelayServices as Relay

#: At most one stamp per connection this often; the extra ones are dropped silently.
EMOTE_INTERVAL_S = 0.5
#: A connection that sends this many moves in a row beyond its bucket is flooding: closed (1008).
MOVE_FLOOD_CLOSE_AFTER = 2000


# --- entering ------------------------------------------------------------------------------------

def room_entry(checkin) -> tuple | None:
    """What a resident's connection needs to enter its session's room, read in the welcome's unit of
    work (a read of its own cost every connection an ORM load, in any session: bench/relay.py); None
    outside a metaverse session or once the check-in is over."""
    if checkin is None or checkin.session.format != "metaverse" or checkin.status not in operations.OPEN_STATUSES:
        return None
    taker = checkin.taken_by_id if checkin.status == "in_consultation" else None
    return checkin.avatar, checkin.nickname or "", taker, booth_slot(checkin.session, taker)


async def open_resident(relay: Relay, client: Client, entry: tuple | None) -> None:
    """After the welcome: a resident of a metaverse session with an open check-in (`room_entry`) enters its room."""
    if entry is None:
        return
    avatar, nickname, taker, slot = entry
    session_id = client.session_id
    occupant = Occupant(oid=relay.rooms.resident_oid(session_id, client.checkin_id), avatar=avatar,
                        nickname=nickname, x=0, y=0, checkin_id=client.checkin_id)
    booth = relay.rooms.booth_for(session_id, client.checkin_id, taker, slot) if taker is not None else None
    _start_moving(relay, client)
    await relay.rooms.enter(client, room_key(session_id), occupant, booth, session_id=session_id)


async def open_practice(relay: Relay, client: Client) -> None:
    """A 見学 visit: a room of one with the session's map; no check-in, no staff, nothing stored but its count."""
    client.send_frame({"type": "welcome", "practice": True, "session_id": client.session_id,
                       "emotes": list(relay.rooms.map.emotes)})
    client.ready()
    key = practice_key(client.practice_id)
    _start_moving(relay, client)
    await relay.rooms.enter(client, key, Occupant(oid=relay.rooms.oid(key, "p"), avatar="practice", nickname="",
                                                  x=0, y=0), session_id=client.session_id)


def _start_moving(relay: Relay, client: Client) -> None:
    rate = float(relay.config["ROOM_MOVES_PER_S"])
    client.move_bucket = TokenBucket(rate, int(rate), enabled=True)


# --- move ----------------------------------------------------------------------------------------

def fast_move(relay: Relay, client: Client, raw) -> bool | None:
    """Take a well-formed move frame of a client in a room: True when done, None to close for flooding,
    False when it is not one (the ordinary path answers it)."""
    if client.room is None or not isinstance(raw, str) or '"move"' not in raw:
        return False
    try:
        frame = json.loads(raw)
    except (ValueError, RecursionError):
        return False
    if not (isinstance(frame, dict) and frame.get("type") == "move" and _integer(frame.get("x"))
            and _integer(frame.get("y"))):
        return False
    if not client.move_bucket.allow() and client.move_bucket.refused_in_a_row >= MOVE_FLOOD_CLOSE_AFTER:
        return None
    relay.rooms.move(client, frame["x"], frame["y"])  # only the latest one of a tick goes out
    return True


def _integer(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


async def move(relay: Relay, client: Client, frame: dict) -> None:
    """The ordinary path: a move frame that is not well formed, or from someone not in a room."""
    sent = _read(frame, _sender(client))
    if client.room is None:
        raise FrameError("not_in_room", "Enter the room first.")
    relay.rooms.move(client, sent.x, sent.y)


def _sender(client: Client) -> str:
    return "staff" if client.kind == "staff" else "resident"


# --- emote ---------------------------------------------------------------------------------------

async def emote(relay: Relay, client: Client, frame: dict) -> None:
    """A stamp for everyone in the room (ids from the map's `emotes`); muted residents' stamps go nowhere."""
    stamp = _read(frame, _sender(client)).emote
    room = relay.rooms.room_of(client)
    if room is None:
        raise FrameError("not_in_room", "Enter the room first.")
    if stamp not in room.map.emotes:
        raise FrameError("invalid_emote", "Choose one of the room's stamps.")
    if client.oid in room.muted:
        raise FrameError("muted", "Staff have paused your stamps.")
    now = time.monotonic()
    if now - client.emote_at < EMOTE_INTERVAL_S:
        return
    client.emote_at = now
    await relay.rooms.publish(client.room, "emote", oid=client.oid, emote=stamp)


# --- ask -----------------------------------------------------------------------------------------

async def ask(relay: Relay, client: Client, frame: dict) -> None:
    """A visitor asks to talk: in line from now (status waiting); their `queue` frame follows."""
    _read(frame, "resident")
    checkin, changed = await relay.db(lambda: room_operations.ask(client.checkin_id))
    if changed:
        await refresh(relay, checkin.session_id)
    elif client.last_queue is not None:
        client.send(client.last_queue)


async def practice_ask(relay: Relay, client: Client, frame: dict) -> None:
    raise FrameError("practice", "This is practice (見学): nobody is on duty now. Come back during the session.")


# --- staff ---------------------------------------------------------------------------------------

async def enter(relay: Relay, client: Client, frame: dict) -> None:
    """Staff walk into a session's room (one room at a time): `room` for them, `entered` for the others."""
    session_id = _read(frame, "staff").session_id
    if session_id not in client.sessions:
        raise DomainError("forbidden", "You do not follow this session.", 403)

    def unit():
        user = _staff(client)
        if load_session(session_id).format != "metaverse":
            raise DomainError("not_found", "This session has no room.", 404)
        return user.display_name

    name = await relay.read(unit)
    occupant = Occupant(oid=relay.rooms.staff_oid(session_id, client.user_id), avatar=STAFF_AVATAR, nickname=name,
                        x=0, y=0, staff=True, display_name=name, user_id=client.user_id)
    _start_moving(relay, client)
    await relay.rooms.enter(client, room_key(session_id), occupant, session_id=session_id)


async def leave_room(relay: Relay, client: Client, frame: dict) -> None:
    """Staff walk out of the room they are in (`exit`)."""
    _read(frame, "staff")
    await relay.rooms.part(client)


async def mute(relay: Relay, client: Client, frame: dict) -> None:
    """Staff mute (or unmute) a resident's stamps in a room they follow, by the resident's oid."""
    sent = _read(frame, "staff")
    if sent.session_id not in client.sessions:
        raise DomainError("forbidden", "You do not follow this session.", 403)
    await relay.read(lambda: _staff(client))
    await relay.rooms.publish(room_key(sent.session_id), "mute", oid=sent.oid, muted=sent.muted)
    client.send_frame({"type": "muted", "session_id": sent.session_id, "oid": sent.oid, "muted": sent.muted})


RESIDENT = {"move": move, "emote": emote, "ask": ask}
STAFF = {"move": move, "emote": emote, "enter": enter, "exit": leave_room, "mute": mute}
PRACTICE = {"move": move, "emote": emote, "ask": practice_ask}
