"""What admins keep of the referral directory on top of the profile: agencies' details, and every change made."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from webapp.db import Base, UTCDateTime, utcnow

#: What a change was made to.
KINDS = ("agency", "crisis_contact")
#: What was done.
ACTIONS = ("add", "update", "retire", "restore", "delete")


class DirectoryEdit(Base):
    """A field of an agency or a crisis contact as it was before and after one edit, by whom and when."""

    __tablename__ = "directory_edits"
    __table_args__ = (Index("ix_directory_edits_at", "at"),)

    #: Primary key.
    id: Mapped[int] = mapped_column(primary_key=True)
    #: When (UTC).
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: The admin who made it; None for the command line (`profile apply`). Kept as `actor` when the account goes.
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: The login, or "(cli)" / "(system)".
    actor: Mapped[str] = mapped_column(String(64), default="")
    #: "agency" or "crisis_contact".
    kind: Mapped[str] = mapped_column(String(20))
    #: The agency's key (its outcome `referred_to` id) or the contact's "contact:<id>".
    item: Mapped[str] = mapped_column(String(60))
    #: The name it had when edited, so the history reads even after a delete.
    name: Mapped[str] = mapped_column(String(100), default="")
    #: add, update, retire, restore or delete.
    action: Mapped[str] = mapped_column(String(16))
    #: The field that changed ("" for add, retire, restore, delete).
    field: Mapped[str] = mapped_column(String(30), default="")
    #: Its value before and after.
    old_value: Mapped[str] = mapped_column(Text, default="")
    new_value: Mapped[str] = mapped_column(Text, default="")


class AgencyDetails(Base):
    """An admin's field, phone, link and hours of one agency, over the profile's: None follows the profile."""

    __tablename__ = "agency_details"

    #: The agency (an outcome-vocabulary term of kind "agency"); its details go with it.
    term_id: Mapped[int] = mapped_column(ForeignKey("terms.id", ondelete="CASCADE"), primary_key=True)
    #: E.g. 高齢, こども; "" when the admin cleared it, None to show the profile's.
    field: Mapped[str | None] = mapped_column(String(30))
    #: A phone number (digits and dashes), same None/"" rule.
    phone: Mapped[str | None] = mapped_column(String(20))
    #: https://… or tel:…, same None/"" rule.
    url: Mapped[str | None] = mapped_column(String(300))
    #: When it takes calls or visitors, e.g. 平日 9:00〜17:00; same None/"" rule.
    hours: Mapped[str | None] = mapped_column(String(100))
    #: Last change (UTC).
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
