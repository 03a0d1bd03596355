"""What the relay does with each incoming frame, by sender and `"type"`.

Every handler stores first (through webapp.checkins.operations, in a worker thread) and only
then publishes and acknowledges, so nothing acknowledged is lost if the relay dies.
"""
from __future__ import annotations

import time
from typing import TYPE_CHECKING

from pydantic import ValidationError

from realtime import events, frames
from realtime.broker import checkin_channel, session_residents, session_staff, user_channel
from realtime.events import frame_of
from realtime.room.rooms import booth_slot
from webapp import limits
from webapp.checkins import operations
from webapp.checkins.operations.chat_lines import Line
from webapp.checkins.operations.records import load_session
from webapp.db import db_session
from webapp.exceptions import DomainError
from webapp.schemas.errors import frame_problem
from webapp.schemas.frames import MODELS, read_frame
from webapp.sessions.operations import extend_session
from webapp.staff.models import User
from webapp.staff.operations import NO_LONGER_ACTIVE, relay_token_current

if TYPE_CHECKING:
    from realtime.client import Client
    from realtime.services import RelayServices as Relay


class FrameError(Exception):
    """The frame is malformed: a missing or mistyped field."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


def _read(frame: dict, sender: str):
    """The frame as its model (webapp/schemas/frames.py), or a FrameError naming the field."""
    try:
        return read_frame(frame, sender, text_checked=True)  # every frame handled here came through dispatch.parse
    except ValidationError as err:
        raise FrameError(*frame_problem(err, MODELS[sender][frame["type"]])) from None


def _staff(client: Client) -> User:
    """The staff member behind a connection, still active and not signed out since (checked on every action)."""
    user = db_session.get(User, client.user_id, populate_existing=True)
    if not relay_token_current(user, client.auth_version):
        raise DomainError("forbidden", NO_LONGER_ACTIVE, 403)
    return user


async def publish_all(relay: Relay, changes: events.Events) -> None:
    for channel, envelope in changes:
        await relay.publish(channel, envelope)


async def refresh(relay: Relay, session_id: int, residents: bool = True) -> None:
    """Tell every relay that this session's queue changed."""
    await publish_all(relay, events.refresh(session_id, residents))


# --- residents ------------------------------------------------------------------------------
# The web app's forms for browsers without JavaScript tell the relays the same events.

async def resident_message(relay: Relay, client: Client, frame: dict) -> None:
    text = _read(frame, "resident").text
    # Stored with the other lines of the moment in one transaction (realtime/group_commit.py).
    await publish_all(relay, await relay.store_line(Line(client.checkin_id, text)))


async def resident_leave(relay: Relay, client: Client, frame: dict) -> None:
    await publish_all(relay, await relay.db(lambda: events.resident_left(operations.leave(client.checkin_id))))
    await relay.rooms.checked_out(client.session_id, client.checkin_id)


async def resident_erase(relay: Relay, client: Client, frame: dict) -> None:
    """Extension: end the check-in and erase its conversation; staff consoles drop the texts they show."""
    await publish_all(relay, await relay.db(lambda: events.resident_erased(operations.erase_own(client.checkin_id))))
    await relay.rooms.checked_out(client.session_id, client.checkin_id)


def _may_type(client: Client) -> bool:
    """At most one `typing` per connection every TYPING_INTERVAL_S; the extra ones are dropped silently."""
    now = time.monotonic()
    if now - client.typing_at < limits.TYPING_INTERVAL_S:
        return False
    client.typing_at = now
    return True


async def resident_typing(relay: Relay, client: Client, frame: dict) -> None:
    """The resident is writing: to the promoter who has them, or the session's staff before hand-off."""
    _read(frame, "resident")
    if _may_type(client):
        await publish_all(relay, await relay.read(lambda: events.resident_typing(operations.get(client.checkin_id))))


# --- staff ----------------------------------------------------------------------------------

async def staff_take(relay: Relay, client: Client, frame: dict) -> None:
    take = _read(frame, "staff")
    checkin_id, mode = take.checkin_id, take.mode

    def unit():
        checkin = operations.take(checkin_id, _staff(client), mode)
        slot = booth_slot(checkin.session, client.user_id) if checkin.session.format == "metaverse" else None
        return checkin.session_id, frames.handoff(checkin), frames.taken(checkin), frames.claimed(checkin), slot

    session_id, handoff, taken, claimed, slot = await relay.db(unit)
    if slot is not None:  # a metaverse room: both sit in the promoter's booth
        await relay.rooms.taken(session_id, checkin_id, client.user_id, slot)
    if handoff is not None:
        await relay.publish(checkin_channel(checkin_id), frame_of(handoff))
    await relay.publish(session_staff(session_id), frame_of(claimed))  # every console drops its 新着 badge
    await refresh(relay, session_id)
    client.send_frame(taken)


async def staff_message(relay: Relay, client: Client, frame: dict) -> None:
    message = _read(frame, "staff")
    # The account is checked again in the batch's transaction (active, token not revoked, assigned).
    # Before hand-off colleagues see the reply too; after it, only the taker (the writer) does.
    line = Line(message.checkin_id, message.text, staff_id=client.user_id, auth_version=client.auth_version)
    await publish_all(relay, await relay.store_line(line))


async def staff_announce(relay: Relay, client: Client, frame: dict) -> None:
    announce = _read(frame, "staff")
    session_id, text = announce.session_id, announce.text

    def unit():
        announcement = operations.announce(session_id, _staff(client), text)
        return frames.announcement(announcement.text, announcement.created_at, session_id)

    notice = await relay.db(unit)
    await relay.publish(session_residents(session_id), frame_of(notice))
    await relay.publish(session_staff(session_id), frame_of(notice))


async def staff_close(relay: Relay, client: Client, frame: dict) -> None:
    close = _read(frame, "staff")
    checkin_id, outcome = close.checkin_id, close.outcome

    def unit():
        out = operations.close(checkin_id, _staff(client), outcome.get("kind"), outcome.get("topics") or [],
                               outcome.get("result"), outcome.get("referred_to"))
        checkin = frames.fresh_checkin(checkin_id)
        return checkin.session_id, frames.outcome(out), frames.credited(checkin), frames.resident_closed(checkin)

    session_id, recorded, promoters, to_resident = await relay.db(unit)
    await relay.publish(checkin_channel(checkin_id), frame_of(to_resident))
    await relay.rooms.checked_out(session_id, checkin_id)
    await refresh(relay, session_id)
    client.send_frame({"type": "closed", "checkin_id": checkin_id, "session_id": session_id, "outcome": recorded,
                       "promoters": promoters})


async def staff_walkin(relay: Relay, client: Client, frame: dict) -> None:
    """Extension: count a visitor seen in the venue or the metaverse space (optionally closed at once)."""
    walkin = _read(frame, "staff")
    session_id, avatar, nickname, outcome = walkin.session_id, walkin.avatar, walkin.nickname, walkin.outcome

    def unit():
        checkin = operations.check_in(session_id, avatar, nickname, staff=_staff(client), outcome=outcome)
        return checkin.id, checkin.status

    checkin_id, status = await relay.db(unit)
    await refresh(relay, session_id, residents=False)
    client.send_frame({"type": "walkin", "checkin_id": checkin_id, "session_id": session_id, "status": status})


async def staff_transfer(relay: Relay, client: Client, frame: dict) -> None:
    """Hand a taken resident to another promoter of the session, with an optional note for them.

    The note is not stored: it travels only in the new promoter's `taken` frame."""
    transfer = _read(frame, "staff")
    checkin_id, to_login, note = transfer.checkin_id, transfer.to_login, (transfer.note or "").strip()

    def unit():
        user = _staff(client)
        checkin = operations.transfer(checkin_id, user, to_login)
        target = checkin.taken_by
        return (checkin.session_id, frames.handoff(checkin, transferred=True), target.id,
                {"login": target.login, "display_name": target.display_name},
                frames.taken(checkin, transferred_from={"login": user.login, "display_name": user.display_name},
                             note=note or None))

    session_id, handoff, target_id, target, taken = await relay.db(unit)
    if handoff is not None:
        await relay.publish(checkin_channel(checkin_id), frame_of(handoff))
    await relay.publish(user_channel(target_id), frame_of(taken))
    await refresh(relay, session_id, residents=False)
    client.send_frame({"type": "transferred", "checkin_id": checkin_id, "session_id": session_id, "to": target})


async def staff_remove(relay: Relay, client: Client, frame: dict) -> None:
    """Extension: take an abusive check-in out; its token stops working and its connections close (1008)."""
    sent = _read(frame, "staff")
    checkin_id = sent.checkin_id or relay.rooms.checkin_of(sent.session_id, sent.oid)
    if checkin_id is None:
        raise FrameError("missing_field", "Name the check-in (checkin_id), or the room's session_id and oid.")

    def unit():
        return operations.remove(checkin_id, _staff(client)).session_id

    session_id = await relay.db(unit)
    channel = checkin_channel(checkin_id)
    await relay.publish(channel, frame_of({"type": "closed", "reason": "removed"}))
    await relay.publish(channel, {"kind": "kick", "code": 1008, "reason": "removed"})
    await relay.rooms.checked_out(session_id, checkin_id)
    await refresh(relay, session_id)
    client.send_frame({"type": "removed", "checkin_id": checkin_id, "session_id": session_id})


async def staff_history(relay: Relay, client: Client, frame: dict) -> None:
    """Extension: the conversation so far (waiting: any staff of the session; after hand-off: the taker)."""
    checkin_id = _read(frame, "staff").checkin_id

    def unit():
        user = _staff(client)
        checkin = operations.get(checkin_id)
        if checkin is None or not operations.can_staff(user, checkin.session):
            raise DomainError("not_found", "No such check-in in your sessions.", 404)
        if checkin.status != "waiting" and checkin.taken_by_id not in (None, user.id):
            raise DomainError("not_your_checkin", "This conversation is private to the promoter who took it.", 403)
        return {"type": "history", "checkin_id": checkin.id, "session_id": checkin.session_id,
                "status": checkin.status, "messages": frames.history(checkin, for_staff=True)}

    client.send_frame(await relay.read(unit))


async def staff_extend(relay: Relay, client: Client, frame: dict) -> None:
    """Move the session's end later; every follower, staff and residents, hears the new end."""
    extend = _read(frame, "staff")

    def unit():
        session = load_session(extend.session_id)
        return events.session_moved(extend_session(session, _staff(client), extend.minutes))

    await publish_all(relay, await relay.db(unit))


async def staff_typing(relay: Relay, client: Client, frame: dict) -> None:
    """The promoter is writing to a resident they have taken: to that resident only (else nothing)."""
    checkin_id = _read(frame, "staff").checkin_id
    if not _may_type(client):
        return

    def unit():
        user = _staff(client)
        checkin = operations.get(checkin_id)
        if checkin is None or checkin.status != "in_consultation" or checkin.taken_by_id != user.id:
            return []
        return [(checkin_channel(checkin.id), frame_of(frames.typing()))]

    await publish_all(relay, await relay.read(unit))


async def staff_queue(relay: Relay, client: Client, frame: dict) -> None:
    """Extension: the full `queue` and `counts` of a followed session again (changes come as `queue_delta`)."""
    session_id = _read(frame, "staff").session_id
    if session_id not in client.sessions or session_id in client.dropped:
        raise DomainError("forbidden", "You are not assigned to this session.", 403)
    for snapshot in await relay.read(lambda: (frames.staff_queue(session_id), frames.staff_counts(session_id))):
        client.send_frame(snapshot)


async def ping(relay: Relay, client: Client, frame: dict) -> None:
    client.send_frame({"type": "pong"})


RESIDENT = {"message": resident_message, "leave": resident_leave, "erase": resident_erase, "typing": resident_typing,
            "ping": ping}
STAFF = {"announce": staff_announce, "take": staff_take, "message": staff_message, "close": staff_close,
         "walkin": staff_walkin, "transfer": staff_transfer, "remove": staff_remove, "history": staff_history,
         "extend": staff_extend, "typing": staff_typing, "queue": staff_queue, "ping": ping}
