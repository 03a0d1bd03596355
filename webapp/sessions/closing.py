"""Closing time: when staff and residents are told the end is near.

The notice goes out once per end time: the relay that wins a conditional UPDATE of
`closing_notice_for` sends it, so a restart or a second relay never sends it again, and an
extension (a new `ends_at`) earns a new one.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import or_, select, update

from webapp.db import db_session, utcnow
from webapp.sessions.models import Session

#: How long before `ends_at` the closing notice goes out.
CLOSING_NOTICE = dt.timedelta(minutes=10)


def claim_closing_notices(now: dt.datetime | None = None) -> list[Session]:
    """The sessions whose closing notice this caller won the right to send now (committed)."""
    now = now or utcnow()
    due = db_session.execute(
        select(Session.id, Session.ends_at).where(
            Session.status == "scheduled", Session.ends_at > now, Session.ends_at <= now + CLOSING_NOTICE,
            or_(Session.closing_notice_for.is_(None), Session.closing_notice_for != Session.ends_at))).all()
    won = []
    for session_id, ends_at in due:
        claimed = db_session.execute(
            update(Session).where(Session.id == session_id, Session.ends_at == ends_at,
                                  or_(Session.closing_notice_for.is_(None), Session.closing_notice_for != ends_at))
            .values(closing_notice_for=ends_at).execution_options(synchronize_session=False)).rowcount
        if claimed:
            won.append(session_id)
    db_session.commit()
    return [db_session.get(Session, session_id, populate_existing=True) for session_id in won]


def next_deadline(now: dt.datetime | None = None, within: dt.timedelta = dt.timedelta(hours=1)) -> dt.datetime | None:
    """The next moment a notice or an end falls due (within `within`), so the relay wakes on time."""
    now = now or utcnow()
    rows = db_session.execute(select(Session.ends_at, Session.closing_notice_for).where(
        Session.status == "scheduled", Session.ends_at > now, Session.ends_at <= now + within + CLOSING_NOTICE))
    moments = []
    for ends_at, notice_for in rows:
        if notice_for != ends_at:
            moments.append(max(ends_at - CLOSING_NOTICE, now))
        moments.append(ends_at)
    return min((at for at in moments if at <= now + within), default=None)

