"""The conversation: chat lines between a resident and staff, and notices to a whole session."""
from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm.attributes import set_committed_value

from webapp import signals
from webapp.checkins.models import Announcement, CheckIn, Message
from webapp.checkins.operations.access import require_staff
from webapp.checkins.operations.chat_lines import Line, store_lines
from webapp.checkins.operations.configuration import settings
from webapp.checkins.operations.records import _clean, load_session
from webapp.db import db_session
from webapp.exceptions import DomainError
from webapp.staff.models import User


def post_message(checkin_id: int, text: str, *, staff: User | None = None) -> Message:
    """Store a chat line: from the resident (`staff` None) or from staff (the rules: chat_lines.py).

    A resident's crisis word marks the check-in urgent (first in line). Staff may write to a
    waiting resident of a session they may staff; after hand-off only the taker may write.
    """
    [stored] = store_lines([Line(checkin_id, text, staff_id=staff.id if staff is not None else None)])
    if isinstance(stored, DomainError):
        raise stored
    message = Message(id=stored.id, checkin_id=stored.checkin.id, sender=stored.sender,
                      staff_user_id=stored.staff_user_id, text=stored.text, created_at=stored.created_at)
    # A detached copy of the stored line with its check-in as now, for whoever sends it on.
    checkin = db_session.get(CheckIn, stored.checkin.id, populate_existing=True)
    set_committed_value(message, "checkin", checkin)
    set_committed_value(message, "staff_user", staff)
    signals.message_stored.send(message, checkin=checkin)
    return message


def recent_messages(checkin_id: int, limit: int = 50) -> list[Message]:
    """The last `limit` messages still holding text, oldest first."""
    return recent_messages_of([checkin_id], limit).get(checkin_id, [])


def recent_messages_of(checkin_ids, limit: int = 50) -> dict[int, list[Message]]:
    """`recent_messages` of each of these check-ins, in one query (the residents welcomed together,
    realtime/connection.py; the console's conversations); a check-in with none is left out."""
    ids = list(set(checkin_ids))
    if not ids:
        return {}
    ranked = (select(Message.id, func.row_number().over(partition_by=Message.checkin_id,
                                                       order_by=Message.id.desc()).label("back"))
              .where(Message.checkin_id.in_(ids), Message.text.is_not(None)).subquery())
    rows = db_session.scalars(select(Message).join(ranked, Message.id == ranked.c.id)
                              .where(ranked.c.back <= limit).order_by(Message.id))
    found: dict[int, list[Message]] = {}
    for msg in rows:
        found.setdefault(msg.checkin_id, []).append(msg)
    return found


def announce(session_id: int, user: User, text: str) -> Announcement:
    """A notice from staff to everyone in the session."""
    text = _clean(text, settings.message_max_chars, "text")
    session = load_session(session_id)
    require_staff(user, session)
    announcement = Announcement(session_id=session.id, user_id=user.id, text=text)
    db_session.add(announcement)
    db_session.commit()
    return announcement


def recent_announcements(session_id: int, limit: int = 5) -> list[Announcement]:
    """The last announcements of a session still holding text, oldest first."""
    rows = db_session.scalars(
        select(Announcement).where(Announcement.session_id == session_id, Announcement.text.is_not(None))
        .order_by(Announcement.id.desc()).limit(limit)
    ).all()
    return list(reversed(rows))
