"""What the room stores: practice visits only (positions and stamps are never stored)."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from webapp.db import Base, UTCDateTime, utcnow


class RoomPractice(Base):
    """One 見学 (practice) visit to a metaverse session's room outside its hours; nothing about the person."""

    __tablename__ = "room_practices"

    #: Primary key.
    id: Mapped[int] = mapped_column(primary_key=True)
    #: The metaverse session whose room was tried.
    session_id: Mapped[int] = mapped_column(ForeignKey("sessions.id"), index=True)
    #: When the practice began.
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
