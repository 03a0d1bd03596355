"""Anonymous reservations: a code is the only key, nothing personal is kept."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, String, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.db import Base, UTCDateTime, utcnow
from webapp.sessions.models import Slot


class Reservation(Base):
    """A seat in a slot, held by whoever knows the code."""

    __tablename__ = "reservations"

    #: Primary key.
    id: Mapped[int] = mapped_column(primary_key=True)
    #: Readable, unguessable code (e.g. "KX7P-3MQ9-HT4W"); the only key to the reservation.
    code: Mapped[str] = mapped_column(String(20), unique=True)
    #: The slot held; the database refuses to delete a slot that holds reservations.
    slot_id: Mapped[int] = mapped_column(ForeignKey("slots.id", ondelete="RESTRICT"), index=True)
    #: Optional nickname the resident chose (not a name; may be empty).
    nickname: Mapped[str] = mapped_column(String(30), default="")
    #: Optional short note on what they want to talk about.
    topic: Mapped[str] = mapped_column(String(200), default="")
    #: "active" or "cancelled".
    status: Mapped[str] = mapped_column(String(16), default="active")
    #: When it was made.
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: When it was cancelled.
    cancelled_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    #: True when a promoter or admin cancelled it (the resident is told so), False when its holder did.
    cancelled_by_staff: Mapped[bool] = mapped_column(default=False, server_default=false())

    slot: Mapped[Slot] = relationship()
