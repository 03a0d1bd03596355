"""What the relays are told after a resident acts: (channel, envelope) pairs.

One place for the rule, used by the relay's own frame handlers and by the web app's forms for
browsers without JavaScript (through realtime.notify), so a line written either way reaches the
same people in the same shape. Call these inside a unit of database work: they read the check-in.
"""
from __future__ import annotations

from realtime import frames
from realtime.broker import checkin_channel, session_residents, session_staff, user_channel
from webapp.checkins import operations
from webapp.checkins.models import CheckIn, Message

Events = list[tuple[str, dict]]


def frame_of(frame: dict) -> dict:
    """An envelope that sends `frame` as it is to every local connection on the channel."""
    return {"kind": "frame", "frame": frame}


def refresh(session_id: int, residents: bool = True) -> Events:
    """The session's queue changed: staff (and residents' places in line) are recomputed."""
    events = [(session_staff(session_id), {"kind": "refresh", "session_id": session_id})]
    if residents:
        events.append((session_residents(session_id), {"kind": "refresh", "session_id": session_id}))
    return events


def arrived(session_id: int, checkin_ids: list[int]) -> Events:
    """Residents of a session connected: consoles see them connected (applied to the relays' last queue,
    realtime.hub, with no read), and the waiting room's estimates are recomputed."""
    return [(session_staff(session_id), {"kind": "present", "session_id": session_id, "checkin_ids": checkin_ids}),
            (session_residents(session_id), {"kind": "refresh", "session_id": session_id})]


def session_moved(session) -> Events:
    """A session's end moved (extended, or edited by an admin): every follower, staff and residents."""
    moved = frame_of(frames.session_moved(session))
    return [(session_staff(session.id), moved), (session_residents(session.id), moved)]


#: The close code of a staff connection whose account's access ended (an application code: 4000-4999).
REVOKED_CLOSE = 4401
#: The close reason people see for each way access ends (webapp.signals.staff_access_revoked `reason`).
REVOKED_REASONS = {"deactivated": "account deactivated", "password_changed": "password changed",
                   "signed_out_everywhere": "signed out everywhere"}


def staff_revoked(user_id: int, reason: str) -> Events:
    """The account's access ended: every relay closes its connections with 4401 and the reason."""
    return [(user_channel(user_id),
             {"kind": "kick", "code": REVOKED_CLOSE, "reason": REVOKED_REASONS.get(reason, "signed out")})]


def staff_follow(user_id: int) -> Events:
    """What the account may staff changed: its connections on every relay follow exactly that now."""
    return [(user_channel(user_id), {"kind": "follow"})]


def _staff_audience(checkin: CheckIn) -> str:
    """Before hand-off every staff member of the session; after it only the promoter who took them."""
    if checkin.status == "in_consultation" and checkin.taken_by_id is not None:
        return user_channel(checkin.taken_by_id)
    return session_staff(checkin.session_id)


def line_stored(msg: Message, checkin: CheckIn) -> Events:
    """A stored chat line, from either side: to the resident's tabs, and to the staff who may see it."""
    return [(checkin_channel(checkin.id), frame_of(frames.message(msg, checkin, for_staff=False))),
            (_staff_audience(checkin), frame_of(frames.message(msg, checkin, for_staff=True)))]


def resident_wrote(msg: Message, checkin: CheckIn, crisis_contacts: list) -> Events:
    """A resident's stored line: echoed to their own tabs, sent to staff; a crisis word also
    brings the crisis contacts to the resident and the check-in to the top of the queue."""
    events = line_stored(msg, checkin)
    if operations.contains_crisis_word(msg.text or ""):
        events.append((checkin_channel(checkin.id), frame_of({"type": "crisis", "contacts": crisis_contacts})))
        events += refresh(checkin.session_id)
    return events


def resident_typing(checkin: CheckIn | None) -> Events:
    """A resident is writing: to the staff who would read the line (no text, nothing to other residents)."""
    if checkin is None or checkin.status not in operations.OPEN_STATUSES:
        return []
    return [(_staff_audience(checkin), frame_of(frames.typing(checkin)))]


def resident_left(checkin: CheckIn) -> Events:
    """A resident pressed "leave": the promoter in consultation with them is told; the queue moves."""
    events = []
    if checkin.status == "in_consultation" and checkin.taken_by_id is not None:
        events.append((user_channel(checkin.taken_by_id), frame_of(
            {"type": "resident_left", "checkin_id": checkin.id, "session_id": checkin.session_id})))
    events.append((checkin_channel(checkin.id), frame_of({"type": "closed", "reason": "left"})))
    return events + refresh(checkin.session_id)


def resident_erased(checkin: CheckIn) -> Events:
    """A resident erased their conversation: staff drop the texts shown, the resident's tabs close."""
    erased = {"type": "erased", "checkin_id": checkin.id, "session_id": checkin.session_id}
    channel = checkin_channel(checkin.id)
    return [(_staff_audience(checkin), frame_of(erased)),
            (channel, frame_of({"type": "closed", "reason": "erased"})),
            (channel, {"kind": "kick", "code": 1000, "reason": "erased"})] + refresh(checkin.session_id)
