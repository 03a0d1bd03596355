"""What residents wrote lives only as long as the retention setting says; counts and outcomes stay.

Past `MESSAGE_RETENTION_DAYS`: chat and announcement texts are blanked, and so are the nicknames
of check-ins and the nickname and note ("what I want to talk about") of reservations whose time
is over. Nothing else a resident typed is kept.
"""
from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from sqlalchemy import or_, select, update

from webapp.checkins.models import Announcement, CheckIn, Message
from webapp.db import checkpoint, db_session, utcnow
from webapp.reservations.models import Reservation
from webapp.sessions.models import Slot


class Purged(NamedTuple):
    """How many texts one purge blanked."""

    messages: int
    announcements: int
    nicknames_and_notes: int


def purge_expired(retention_days: int, now: dt.datetime | None = None) -> Purged:
    """Blank every resident-written text older than `retention_days`, in one transaction."""
    cutoff = (now or utcnow()) - dt.timedelta(days=retention_days)
    messages = db_session.execute(
        update(Message).where(Message.created_at < cutoff, Message.text.is_not(None)).values(text=None)
    ).rowcount
    announcements = db_session.execute(
        update(Announcement).where(Announcement.created_at < cutoff, Announcement.text.is_not(None)).values(text=None)
    ).rowcount
    nicknames = db_session.execute(
        update(CheckIn).where(CheckIn.created_at < cutoff, CheckIn.nickname != "").values(nickname="")
    ).rowcount
    over = select(Slot.id).where(Slot.ends_at < cutoff)
    written = or_(Reservation.nickname != "", Reservation.topic != "")
    notes = db_session.execute(
        update(Reservation).where(Reservation.slot_id.in_(over), written)
        .values(nickname="", topic="").execution_options(synchronize_session=False)
    ).rowcount
    db_session.commit()
    checkpoint(db_session.get_bind())  # the blanked texts must not stay readable in SQLite's log
    return Purged(messages, announcements, nicknames + notes)
