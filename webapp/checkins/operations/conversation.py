"""The conversation: chat lines between a resident and staff, and notices to a whole session."""
from __future__ import annotations

from sqlalchemy import insert, select
from sqlalchemy.orm.attributes import set_committed_value

from webapp import signals
from webapp.checkins.models import Announcement, Message
from webapp.checkins.operations.access import require_staff
from webapp.checkins.operations.configuration import settings
from webapp.checkins.operations.crisis import contains_crisis_word
from webapp.checkins.operations.records import OPEN_STATUSES, _clean, load_checkin, load_session
from webapp.db import db_session, utcnow
from webapp.exceptions import DomainError
from webapp.staff.models import User


def post_message(checkin_id: int, text: str, *, staff: User | None = None) -> Message:
    """Store a chat line: from the resident (`staff` None) or from staff.

    A resident's crisis word marks the check-in urgent (first in line). Staff may write to a
    waiting resident of a session they may staff; after hand-off only the taker may write.
    """
    text = _clean(text, settings.message_max_chars, "text")
    checkin = load_checkin(checkin_id)
    if checkin.status not in OPEN_STATUSES:
        raise DomainError("checkin_closed", "This conversation has ended.", 409)
    if staff is not None:
        require_staff(staff, checkin.session_id)
        if checkin.status == "in_consultation" and checkin.taken_by_id != staff.id:
            raise DomainError("not_your_checkin", "Another promoter is with this resident.", 403)
    elif contains_crisis_word(text):
        checkin.urgent = True
    values = {"checkin_id": checkin.id, "sender": "resident" if staff is None else "staff",
              "staff_user_id": staff.id if staff is not None else None, "text": text, "created_at": utcnow()}
    # A plain INSERT … RETURNING: the ORM's unit of work cost as much as the rest of a chat line.
    message_id = db_session.execute(insert(Message).values(**values).returning(Message.id)).scalar_one()
    db_session.commit()
    message = Message(id=message_id, **values)  # a detached copy of the stored line, to send on
    # The check-in as it was when the line was stored (the write lock was held): who gets the
    # line is decided from that, with no second transaction to read it again.
    set_committed_value(message, "checkin", checkin)
    set_committed_value(message, "staff_user", staff)
    signals.message_stored.send(message, checkin=checkin)
    return message


def recent_messages(checkin_id: int, limit: int = 50) -> list[Message]:
    """The last `limit` messages still holding text, oldest first."""
    rows = db_session.scalars(
        select(Message).where(Message.checkin_id == checkin_id, Message.text.is_not(None))
        .order_by(Message.id.desc()).limit(limit)
    ).all()
    return list(reversed(rows))


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
