"""The JSON frames the relay sends, built from the database (these run in worker threads).

Residents never see anything about other residents: their queue frame carries their own
place and a count, nothing else.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from webapp.checkins import operations
from webapp.checkins.models import CheckIn, Message
from webapp.checkins.operations import counting
from webapp.db import db_session, utcnow
from webapp.sessions.models import Session
from webapp.sessions.queries import next_after
from webapp.staff.models import User
from webapp.timeutil import iso

#: The check-in statuses a resident is told: the contract knows waiting, visiting (§9), in_consultation, closed.
RESIDENT_STATUS = {"waiting": "waiting", "visiting": "visiting", "in_consultation": "in_consultation",
                   "closed": "closed", "left": "closed", "removed": "closed"}


def error(code: str, message: str, **extra) -> dict:
    return {"type": "error", "code": code, "message": message, **extra}


def message(msg: Message, checkin: CheckIn, for_staff: bool) -> dict:
    """A chat line; staff frames also name the check-in and its session."""
    frame = {"type": "message", "from": msg.sender, "text": msg.text, "at": iso(msg.created_at)}
    if msg.sender == "staff":
        frame["display_name"] = msg.staff_user.display_name if msg.staff_user else ""
    if for_staff:
        frame.update(checkin_id=checkin.id, session_id=checkin.session_id, urgent=checkin.urgent)
    return frame


def history(checkin: CheckIn, for_staff: bool, limit: int = 50, messages: list[Message] | None = None) -> list[dict]:
    """The last messages of a conversation, oldest first, without the per-frame "type" (`messages`: those
    already read, operations.recent_messages_of)."""
    lines = []
    for msg in operations.recent_messages(checkin.id, limit) if messages is None else messages:
        line = message(msg, checkin, for_staff=False)
        del line["type"]
        lines.append(line)
    return lines


def handoff(checkin: CheckIn, transferred: bool = False) -> dict | None:
    """Who has the resident and how they meet; None before hand-off. After a transfer `transferred`
    is true, so the waiting room says that the one in charge changed (担当がかわりました)."""
    if checkin.taken_by is None or checkin.source != "resident":
        return None
    frame = {"type": "handoff", "promoter": {"display_name": checkin.taken_by.display_name},
             "mode": checkin.handoff_mode or "text"}
    if transferred:
        frame["transferred"] = True
    if frame["mode"] in ("online", "metaverse") and checkin.session.join_url:
        frame["join_url"] = checkin.session.join_url
    return frame


def announcement(text: str, at: dt.datetime, session_id: int) -> dict:
    return {"type": "announcement", "session_id": session_id, "text": text, "at": iso(at)}


def resident_queue(place: int | None, waiting: int, promoters: int, present_place: int | None) -> dict:
    """A resident's place; the estimate counts only those ahead who are still there (`present_place`)."""
    return {"type": "queue", "position": place, "waiting": waiting,
            "estimated_wait_s": operations.estimate_s(present_place, promoters)}


def resident_queues(session_id: int) -> dict[int, dict]:
    """checkin_id -> its queue frame, for every waiting resident of the session (two queries)."""
    places = operations.waiting_line_places(session_id)
    promoters = operations.promoter_count(session_id)
    return {checkin_id: resident_queue(place, len(places), promoters, present)
            for checkin_id, (place, present) in places.items()}


def end_reason(checkin: CheckIn) -> str:
    """Why a check-in is over, as the `closed` frame says it: the end of the session stays the reason even
    after a promoter records the visit (they were never talked with); else closed, left, removed, timeout."""
    if checkin.end_reason is not None:
        return checkin.end_reason
    return checkin.status


def resident_closed(checkin: CheckIn) -> dict:
    """The `closed` frame a resident gets when a promoter records the outcome; `consulted` says whether
    it was a consultation, so nobody is thanked for talking who did not talk."""
    return {"type": "closed", "reason": end_reason(checkin), "consulted": counting.was_consultation(checkin)}


def resident_welcome(checkin: CheckIn, known_place: dict | None = None, *, messages: list[Message] | None = None,
                     announcements: list | None = None) -> dict:
    """Everything a resident's page needs to resume: status, place, hand-off, last messages.

    `known_place`: the resident's queue frame from the relay's last refresh of the session (realtime.hub),
    used while they wait instead of counting the line again; the next refresh corrects it if it moved.
    `messages` and `announcements`: already read for every resident welcomed together (realtime/connection.py)."""
    if announcements is None:
        announcements = operations.recent_announcements(checkin.session_id)
    if known_place is not None and checkin.status == "waiting":
        queue = known_place
    else:  # two counts, not the whole line: a welcome comes with every connection (bench/relay.py)
        queue = resident_queue(operations.position(checkin), operations.waiting_count(checkin.session_id),
                               operations.promoter_count(checkin.session_id), operations.present_place(checkin))
    frame = {
        "type": "welcome", "checkin_id": checkin.id, "session_id": checkin.session_id, "number": checkin.number,
        "status": RESIDENT_STATUS[checkin.status], "position": queue["position"], "waiting": queue["waiting"],
        "estimated_wait_s": queue["estimated_wait_s"], "messages": history(checkin, for_staff=False, messages=messages),
        "announcements": [{"text": a.text, "at": iso(a.created_at)} for a in announcements],
        "avatar": checkin.avatar, "nickname": checkin.nickname, "urgent": checkin.urgent,
        "ends_at": iso(checkin.session.ends_at),
    }
    if checkin.status not in operations.OPEN_STATUSES:
        frame["reason"] = end_reason(checkin)
        frame["consulted"] = counting.was_consultation(checkin)
    handed = handoff(checkin)
    if handed is not None:
        frame["handoff"] = {k: v for k, v in handed.items() if k != "type"}
    return frame


def queue_entry(checkin: CheckIn, now: dt.datetime, connected: bool = False) -> dict:
    """One row of the staff queue. `connected`: the resident has a relay connection now; when not,
    `away_since` is when they were last seen (離席中 from then)."""
    entry = {
        "checkin_id": checkin.id, "number": checkin.number, "avatar": checkin.avatar, "nickname": checkin.nickname,
        "connected": connected,
        "away_since": None if connected or checkin.source != "resident" else iso(checkin.last_seen_at),
        "waited_s": counting.waited_s(checkin, now), "reserved": checkin.reservation_id is not None,
        "urgent": checkin.urgent, "status": checkin.status, "source": checkin.source,
        "checked_in_at": iso(checkin.created_at), "not_seen": counting.was_not_seen(checkin),
    }
    if checkin.taken_by is not None:
        entry["taken_by"] = {"login": checkin.taken_by.login, "display_name": checkin.taken_by.display_name}
        entry["mode"] = checkin.handoff_mode
    return entry


def staff_queue(session_id: int, now: dt.datetime | None = None) -> dict:
    now = now or utcnow()
    connected = operations.connected_ids(session_id, now)
    return {"type": "queue", "session_id": session_id,
            "entries": [queue_entry(c, now, c.id in connected) for c in operations.queue_rows(session_id)]}


def staff_counts(session_id: int) -> dict:
    return {"type": "counts", "session_id": session_id, **operations.counts(session_id)}


def session_summary(session: Session) -> dict:
    return {"id": session.id, "date": session.date.isoformat(), "starts_at": iso(session.starts_at),
            "ends_at": iso(session.ends_at), "format": session.format, "location": session.location,
            "join_url": session.join_url, "open": operations.session_is_open(session),
            "promoters": [{"login": p.login, "display_name": p.display_name} for p in session.promoters]}


def closing(session: Session) -> tuple[dict, dict]:
    """The closing notice (10 minutes before the end): the staff frame and the waiting residents' frame."""
    ends_at = iso(session.ends_at)
    return ({"type": "closing", "session_id": session.id, "ends_at": ends_at,
             "waiting": operations.waiting_count(session.id)},
            {"type": "closing", "ends_at": ends_at})


def session_moved(session: Session) -> dict:
    """A session's end moved (extended): to every follower, staff and residents."""
    return {"type": "session", "session_id": session.id, "ends_at": iso(session.ends_at)}


def contacts(configured: list) -> list[dict]:
    """Crisis contacts as the contract names them ({name, detail, url}, in Japanese), with both languages."""
    return [{"name": c.get("name_ja") or c.get("name", ""), "detail": c.get("detail_ja") or c.get("detail", ""),
             "url": c.get("url", ""), **c} for c in configured]


def session_ended(session: Session, contacts: list) -> dict:
    """What a resident still waiting at the end is sent: where to turn now, and the next session."""
    after = next_after(session)
    return {"type": "closed", "reason": "session_ended", "contacts": contacts,
            "next_session": None if after is None else {
                "id": after.id, "starts_at": iso(after.starts_at), "format": after.format}}


def staff_welcome(user: User, sessions: list[Session]) -> dict:
    return {"type": "welcome", "role": user.role,
            "user": {"login": user.login, "display_name": user.display_name, "role": user.role},
            "sessions": [session_summary(s) for s in sessions]}


def taken(checkin: CheckIn, **extra) -> dict:
    """The acknowledgement a taker gets: the resident is theirs, with the conversation so far."""
    return {"type": "taken", "checkin_id": checkin.id, "session_id": checkin.session_id,
            "mode": checkin.handoff_mode, "messages": history(checkin, for_staff=True), **extra}


def claimed(checkin: CheckIn) -> dict:
    """To every console of the session when someone takes a resident: drop the 新着 badges for them."""
    return {"type": "claimed", "checkin_id": checkin.id, "session_id": checkin.session_id,
            "taken_by": {"login": checkin.taken_by.login, "display_name": checkin.taken_by.display_name}}


def typing(checkin: CheckIn | None = None) -> dict:
    """Someone is writing: to staff it names the check-in; to a resident it says only that staff is.
    Never any text."""
    if checkin is None:
        return {"type": "typing", "from": "staff"}
    return {"type": "typing", "from": "resident", "checkin_id": checkin.id, "session_id": checkin.session_id}


def credited(checkin: CheckIn) -> list[dict]:
    """Everyone who had the resident, first taker first (both, after a transfer)."""
    return [{"login": h.user.login, "display_name": h.user.display_name} for h in checkin.handlers]


def outcome(out) -> dict:
    return {"kind": out.kind, "topics": [t.key for t in out.topics],
            "result": out.result.key if out.result else None,
            "referred_to": out.referred_to.key if out.referred_to else None}


def fresh_checkin(checkin_id: int) -> CheckIn | None:
    """The check-in read again, its session in the same query (a welcome needs both)."""
    return db_session.get(CheckIn, checkin_id, populate_existing=True, options=[joinedload(CheckIn.session)])


def fresh_checkins(checkin_ids) -> dict[int, CheckIn]:
    """`fresh_checkin` of each of these, in one query (the residents welcomed together); gone ones left out."""
    ids = list(set(checkin_ids))
    if not ids:
        return {}
    rows = db_session.scalars(select(CheckIn).where(CheckIn.id.in_(ids)).options(joinedload(CheckIn.session))
                              .execution_options(populate_existing=True))
    return {checkin.id: checkin for checkin in rows}
