"""Check-ins to a running session, their messages, announcements and outcomes."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, Column, ForeignKey, Index, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.db import Base, UTCDateTime, utcnow
from webapp.reservations.models import Reservation
from webapp.sessions.models import Session
from webapp.staff.models import User

CHECKIN_STATUSES = ("waiting", "visiting", "in_consultation", "closed", "left", "removed")
OUTCOME_KINDS = ("consultation", "visit_only")
TERM_KINDS = ("topic", "result", "agency")


class CheckIn(Base):
    """One visit: a resident (or a walk-in counted by staff) at one session. No name, no face."""

    __tablename__ = "checkins"
    __table_args__ = (
        CheckConstraint(
            "status IN ('waiting','visiting','in_consultation','closed','left','removed')", name="status"
        ),
        CheckConstraint("source IN ('resident','staff')", name="source"),
        # The queue, the place in line and the counts all ask "this session's check-ins in this status".
        Index("ix_checkins_session_id_status", "session_id", "status"),
        # 受付番号: one number per arrival within a session (check_in assigns it; the index decides races).
        Index("ix_checkins_session_id_number", "session_id", "number", unique=True),
    )

    #: Primary key.
    id: Mapped[int] = mapped_column(primary_key=True)
    #: The session visited.
    session_id: Mapped[int] = mapped_column(ForeignKey("sessions.id"), index=True)
    #: 受付番号: 1, 2, 3... in order of arrival within the session, so two くま can be told apart.
    number: Mapped[int | None] = mapped_column()
    #: Avatar id from the avatar list.
    avatar: Mapped[str] = mapped_column(String(32))
    #: Optional nickname (may be empty).
    nickname: Mapped[str] = mapped_column(String(30), default="")
    #: "resident" (checked in themselves) or "staff" (a walk-in counted by staff).
    source: Mapped[str] = mapped_column(String(16), default="resident")
    #: The reservation brought along, if any; unique: one code, one visit (CONTRACT §6).
    reservation_id: Mapped[int | None] = mapped_column(ForeignKey("reservations.id"), index=True, unique=True)
    #: waiting, visiting (in the metaverse room, not in line), in_consultation, closed, left (without
    #: consulting) or removed (by staff).
    status: Mapped[str] = mapped_column(String(16), default="waiting", index=True)
    #: A crisis word was seen: first in line, highlighted for staff.
    urgent: Mapped[bool] = mapped_column(default=False)
    #: Bumped to invalidate every token issued for this check-in (removal, erase).
    token_version: Mapped[int] = mapped_column(default=0)
    #: "visit": checked in to be in the metaverse room without joining the line (CONTRACT §9); else None.
    intent: Mapped[str | None] = mapped_column(String(16))
    #: When a visitor of the room asked to talk (`ask`): the line and the wait run from then.
    asked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    #: When they checked in.
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: When a promoter took them.
    taken_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    #: The promoter who has them now.
    taken_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    #: How the hand-off happens: text, online, metaverse or in_person.
    handoff_mode: Mapped[str | None] = mapped_column(String(16))
    #: When closed, left or removed.
    ended_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    #: Last time the relay saw the resident connected; a waiting check-in gone too long is `left`.
    last_seen_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    #: Why a waiting check-in was let go by the clock: "session_ended" (未対応 for staff until a
    #: promoter closes it) or "timeout"; None otherwise.
    end_reason: Mapped[str | None] = mapped_column(String(16))

    session: Mapped[Session] = relationship()
    reservation: Mapped[Reservation | None] = relationship()
    taken_by: Mapped[User | None] = relationship()
    outcome: Mapped[Outcome | None] = relationship(back_populates="checkin", uselist=False)
    #: Everyone who had this resident, first taker first (a transfer adds the next one).
    handlers: Mapped[list[CheckinPromoter]] = relationship(order_by="CheckinPromoter.since",
                                                           cascade="all, delete-orphan")


class CheckinPromoter(Base):
    """A promoter who had a resident: the one who took them, and each one they were transferred to."""

    __tablename__ = "checkin_promoters"

    #: The check-in.
    checkin_id: Mapped[int] = mapped_column(ForeignKey("checkins.id", ondelete="CASCADE"), primary_key=True)
    #: The promoter (or admin) credited.
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    #: When they got the resident.
    since: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship()


class RelayHeartbeat(Base):
    """One relay process, and when it last said it was alive: its residents are connected while it is."""

    __tablename__ = "relay_heartbeats"

    #: A random id per relay process.
    relay_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    #: The relay's last heartbeat (every RELAY_PRESENCE_HEARTBEAT_S).
    seen_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class CheckinPresence(Base):
    """A resident's open connection on one relay (no row: not connected there).

    Counts as connected while that relay's heartbeat is fresh (PRESENCE_TTL_S): a relay that dies
    stops beating, so its residents turn "not connected" by themselves; the next heartbeat of any
    relay deletes what it left behind.
    """

    __tablename__ = "checkin_presence"

    #: The resident's check-in.
    checkin_id: Mapped[int] = mapped_column(ForeignKey("checkins.id", ondelete="CASCADE"), primary_key=True)
    #: The relay process holding the connection.
    relay_id: Mapped[str] = mapped_column(String(32), primary_key=True, index=True)


class Message(Base):
    """A line of chat; its text is erased by `purge` once past the retention period."""

    __tablename__ = "messages"
    __table_args__ = (CheckConstraint("sender IN ('resident','staff')", name="sender"),)

    #: Primary key (also the order of the conversation).
    id: Mapped[int] = mapped_column(primary_key=True)
    #: The conversation it belongs to.
    checkin_id: Mapped[int] = mapped_column(ForeignKey("checkins.id", ondelete="CASCADE"), index=True)
    #: "resident" or "staff".
    sender: Mapped[str] = mapped_column(String(16))
    #: Staff author, for staff messages.
    staff_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    #: The text; None once purged or erased.
    text: Mapped[str | None] = mapped_column(Text)
    #: When sent.
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    staff_user: Mapped[User | None] = relationship()
    #: Set when the message is stored, so whoever sends it on reads the check-in as it was then.
    checkin: Mapped[CheckIn] = relationship(viewonly=True)


class Announcement(Base):
    """A notice from staff to everyone waiting in a session."""

    __tablename__ = "announcements"

    #: Primary key.
    id: Mapped[int] = mapped_column(primary_key=True)
    #: The session.
    session_id: Mapped[int] = mapped_column(ForeignKey("sessions.id", ondelete="CASCADE"), index=True)
    #: Author.
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    #: The text; None once purged.
    text: Mapped[str | None] = mapped_column(Text)
    #: When announced.
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class Term(Base):
    """A word of the outcome vocabulary: a topic, a result or an agency one can be referred to."""

    __tablename__ = "terms"
    __table_args__ = (
        UniqueConstraint("kind", "key", name="uq_terms_kind_key"),
        CheckConstraint("kind IN ('topic','result','agency')", name="kind"),
    )

    #: Primary key.
    id: Mapped[int] = mapped_column(primary_key=True)
    #: "topic", "result" or "agency".
    kind: Mapped[str] = mapped_column(String(16))
    #: Stable identifier used on the wire (e.g. "elderly", "referred", "chiiki_houkatsu").
    key: Mapped[str] = mapped_column(String(64))
    #: Japanese label.
    label_ja: Mapped[str] = mapped_column(String(100))
    #: English label.
    label_en: Mapped[str] = mapped_column(String(100))
    #: Display order.
    position: Mapped[int] = mapped_column(default=0)
    #: Retired terms cannot be chosen any more but keep old outcomes readable.
    retired: Mapped[bool] = mapped_column(default=False)


outcome_topics = Table(
    "outcome_topics",
    Base.metadata,
    Column("outcome_id", ForeignKey("outcomes.id", ondelete="CASCADE"), primary_key=True),
    Column("term_id", ForeignKey("terms.id"), primary_key=True),
)


class Outcome(Base):
    """What came of one check-in, recorded by the promoter who closed it."""

    __tablename__ = "outcomes"
    __table_args__ = (CheckConstraint("kind IN ('consultation','visit_only')", name="kind"),)

    #: Primary key.
    id: Mapped[int] = mapped_column(primary_key=True)
    #: The check-in (one outcome each).
    checkin_id: Mapped[int] = mapped_column(ForeignKey("checkins.id", ondelete="CASCADE"), unique=True)
    #: "consultation" or "visit_only"; a consultation is what the city reports as 相談.
    kind: Mapped[str] = mapped_column(String(16))
    #: 相談結果 (a result term).
    result_id: Mapped[int | None] = mapped_column(ForeignKey("terms.id"))
    #: つなぎ先 (an agency term), when referred.
    referred_to_id: Mapped[int | None] = mapped_column(ForeignKey("terms.id"))
    #: Who recorded it.
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    #: When recorded.
    recorded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    checkin: Mapped[CheckIn] = relationship(back_populates="outcome")
    topics: Mapped[list[Term]] = relationship(secondary=outcome_topics, order_by=Term.position)
    result: Mapped[Term | None] = relationship(foreign_keys=[result_id])
    referred_to: Mapped[Term | None] = relationship(foreign_keys=[referred_to_id])
    recorded_by: Mapped[User | None] = relationship()
