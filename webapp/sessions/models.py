"""Consultation sessions and the reservable slots cut from them."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, Column, ForeignKey, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.db import Base, UTCDateTime, utcnow
from webapp.staff.models import User

FORMATS = ("in_person", "online", "metaverse")
STATUSES = ("scheduled", "cancelled")

session_promoters = Table(
    "session_promoters",
    Base.metadata,
    Column("session_id", ForeignKey("sessions.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
)


class Session(Base):
    """One monthly session (the profile's rule, e.g. the third Tuesday), in one format."""

    __tablename__ = "sessions"
    __table_args__ = (
        CheckConstraint("format IN ('in_person','online','metaverse')", name="format"),
        CheckConstraint("status IN ('scheduled','cancelled')", name="status"),
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
    )

    #: Primary key.
    id: Mapped[int] = mapped_column(primary_key=True)
    #: Local (Asia/Tokyo) calendar date of the session.
    date: Mapped[dt.date] = mapped_column(index=True)
    #: Start, stored in UTC.
    starts_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, index=True)
    #: End, stored in UTC.
    ends_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    #: "in_person", "online" or "metaverse".
    format: Mapped[str] = mapped_column(String(16))
    #: Venue (in person) or the name of the online/metaverse space.
    location: Mapped[str] = mapped_column(String(200), default="")
    #: Link to the online meeting or metaverse room; handed to residents at hand-off.
    join_url: Mapped[str] = mapped_column(String(500), default="")
    #: "scheduled" or "cancelled"; cancelled sessions are kept, never deleted.
    status: Mapped[str] = mapped_column(String(16), default="scheduled")
    #: True when the date is a Japanese national holiday (flagged, never silently moved).
    holiday: Mapped[bool] = mapped_column(default=False)
    #: Name of the holiday, for the admin's eyes.
    holiday_name: Mapped[str] = mapped_column(String(50), default="")
    #: Note for residents (e.g. why a session was cancelled).
    note: Mapped[str] = mapped_column(Text, default="")
    #: iCalendar SEQUENCE: raised on every change that matters to an attendee.
    sequence: Mapped[int] = mapped_column(default=0)
    #: When created.
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: Last change of anything (drives feed ETags).
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    #: When it was cancelled, if it was.
    cancelled_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    #: The `ends_at` the closing notice (10 minutes before) was sent for; set by one relay alone.
    closing_notice_for: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    #: When staff ended reception early (no more check-ins or walk-ins; those waiting are still seen).
    reception_ended_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    promoters: Mapped[list[User]] = relationship(secondary=session_promoters, order_by=User.id)
    slots: Mapped[list[Slot]] = relationship(
        back_populates="session", order_by="Slot.starts_at", cascade="all, delete-orphan"
    )


class Slot(Base):
    """A reservable time within a session; `reserved` is kept in step atomically."""

    __tablename__ = "slots"
    __table_args__ = (CheckConstraint("reserved >= 0 AND reserved <= capacity", name="within_capacity"),)

    #: Primary key.
    id: Mapped[int] = mapped_column(primary_key=True)
    #: The session the slot belongs to.
    session_id: Mapped[int] = mapped_column(ForeignKey("sessions.id", ondelete="CASCADE"), index=True)
    #: Start (UTC).
    starts_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    #: End (UTC).
    ends_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    #: Seats; the two 主任推進員 usually make it 1 or 2.
    capacity: Mapped[int] = mapped_column(default=1)
    #: Active reservations, changed only by a conditional UPDATE so it never passes capacity.
    reserved: Mapped[int] = mapped_column(default=0)

    session: Mapped[Session] = relationship(back_populates="slots")

    @property
    def remaining(self) -> int:
        return max(self.capacity - self.reserved, 0)
