"""Message texts live only as long as the retention setting says; counts and outcomes stay."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import update

from webapp.checkins.models import Announcement, Message
from webapp.db import db_session, utcnow


def purge_expired(retention_days: int, now: dt.datetime | None = None) -> tuple[int, int]:
    """Blank the texts older than `retention_days`; returns (messages, announcements) purged."""
    cutoff = (now or utcnow()) - dt.timedelta(days=retention_days)
    messages = db_session.execute(
        update(Message).where(Message.created_at < cutoff, Message.text.is_not(None)).values(text=None)
    ).rowcount
    announcements = db_session.execute(
        update(Announcement).where(Announcement.created_at < cutoff, Announcement.text.is_not(None)).values(text=None)
    ).rowcount
    db_session.commit()
    return messages, announcements
