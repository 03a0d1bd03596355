"""Crisis phrases and crisis contacts, kept as data and edited by admins (crisis settings page)."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, String
from sqlalchemy.orm import Mapped, mapped_column

from webapp.db import Base, UTCDateTime, utcnow

PHRASE_KINDS = ("phrase", "word")


class CrisisPhrase(Base):
    """A way of writing the wish to die or disappear; a message holding it puts the resident first."""

    __tablename__ = "crisis_phrases"
    __table_args__ = (CheckConstraint("kind IN ('phrase','word')", name="kind"),)

    #: Primary key.
    id: Mapped[int] = mapped_column(primary_key=True)
    #: As a resident would write it (「消えてしまいたい」); `...` allows a few words in between.
    text: Mapped[str] = mapped_column(String(100))
    #: "phrase": matched by meaning (lemmas, any inflection); "word": matched as written.
    kind: Mapped[str] = mapped_column(String(16), default="phrase")
    #: Retired phrases no longer match but stay listed, so an admin sees what was tried.
    retired: Mapped[bool] = mapped_column(default=False)
    #: Last change: the relays reload their phrases when this moves.
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class CrisisContact(Base):
    """A place a resident in crisis can reach at once, shown in the `crisis` frame and on the pages."""

    __tablename__ = "crisis_contacts"

    #: Primary key.
    id: Mapped[int] = mapped_column(primary_key=True)
    #: Name in Japanese, and in English (may be empty: the Japanese is shown).
    name_ja: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(100), default="")
    #: When and how to reach it, in Japanese and in English.
    detail_ja: Mapped[str] = mapped_column(String(200), default="")
    detail_en: Mapped[str] = mapped_column(String(200), default="")
    #: A link: https://… or tel:….
    url: Mapped[str] = mapped_column(String(300), default="")
    #: Display order.
    position: Mapped[int] = mapped_column(default=0)
    #: Retired contacts are no longer shown.
    retired: Mapped[bool] = mapped_column(default=False)
    #: Last change: the relays reload their contacts when this moves.
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
