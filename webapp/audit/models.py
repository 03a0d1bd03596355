"""One row per audited event: when, who, what, on which record. Never a resident's text, never an address."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from webapp.db import Base, UTCDateTime, utcnow


class AuditEvent(Base):
    """Something a staff member (or the command line) did, or a sign-in attempt."""

    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_at", "at"),)

    #: Primary key.
    id: Mapped[int] = mapped_column(primary_key=True)
    #: When it happened (UTC).
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: The account that acted; None for the command line, the system or nobody signed in (a failed login).
    #: Kept when the account goes (SET NULL): `actor` still names it.
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: The actor as people read it: the login, or "(cli)", "(system)", "" (nobody signed in).
    actor: Mapped[str] = mapped_column(String(64), default="")
    #: What was done, e.g. "login", "take" (webapp/audit/operations.py ACTIONS).
    action: Mapped[str] = mapped_column(String(32))
    #: What it was done to, as an id only: "checkin:123", "session:45", "user:sato" (or "").
    target: Mapped[str] = mapped_column(String(100), default="")
