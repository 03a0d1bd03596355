"""What a staff member's second factor keeps: the encrypted TOTP secret and hashed recovery codes."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from webapp.db import Base, UTCDateTime, utcnow


class TwoFactor(Base):
    """An account's authenticator app; the row exists only once the first code was confirmed."""

    __tablename__ = "staff_two_factor"

    #: The account (one authenticator per account); removed with it.
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    #: The base32 TOTP secret, Fernet-encrypted with a key derived from SECRET_KEY (codes.py).
    secret: Mapped[str] = mapped_column(String(255))
    #: When the first code was confirmed.
    enabled_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: The 30-second step of the last code accepted; a code of that step or earlier is refused (no replay).
    last_step: Mapped[int] = mapped_column(default=0)
    #: Wrong codes ever entered; a pending sign-in ends after a few more than when it began.
    wrong_codes: Mapped[int] = mapped_column(default=0)


class RecoveryCode(Base):
    """A one-time code for when the authenticator is not at hand; only its SHA-256 is kept."""

    __tablename__ = "staff_recovery_codes"

    #: Primary key.
    id: Mapped[int] = mapped_column(primary_key=True)
    #: Whose code it is.
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    #: SHA-256 hex of the account id and the code (codes.recovery_hash).
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: Set when the code was used; a used code is refused.
    used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
