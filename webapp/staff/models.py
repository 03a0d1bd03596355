"""Staff accounts (admins and 主任推進員) and their hashed API tokens."""
from __future__ import annotations

import datetime as dt
import hashlib

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.db import Base, UTCDateTime, utcnow

ROLES = ("admin", "promoter")


class User(Base):
    """A staff member; residents never have accounts.

    `is_active`, `is_authenticated`, `is_anonymous` and `get_id` are what a login session asks of an
    account (webapp.staff.auth hands it to flask-login); written here so the model needs no Flask.
    """

    __tablename__ = "users"

    #: Primary key.
    id: Mapped[int] = mapped_column(primary_key=True)
    #: Login name, lower-case ASCII.
    login: Mapped[str] = mapped_column(String(64), unique=True)
    #: Name shown to residents and colleagues (e.g. 主任推進員 さとう).
    display_name: Mapped[str] = mapped_column(String(100))
    #: "admin" or "promoter".
    role: Mapped[str] = mapped_column(String(16))
    #: scrypt hash (memory-hard, webapp.staff.passwords); the password itself is never stored.
    password_hash: Mapped[str] = mapped_column(String(255))
    #: SHA-256 of the iCal feed token; None until one is issued.
    feed_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    #: Deactivated accounts cannot log in or use tokens, but their history stays.
    active: Mapped[bool] = mapped_column(default=True)
    #: When the account was created.
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    tokens: Mapped[list[ApiToken]] = relationship(back_populates="user", cascade="all, delete-orphan")

    @property
    def is_active(self) -> bool:
        return self.active

    #: An account is always a signed-in person; the anonymous visitor is flask-login's own object.
    is_authenticated = True
    is_anonymous = False

    @property
    def session_stamp(self) -> str:
        """Changes whenever the password does, so a new password signs out every other session."""
        return hashlib.sha256(self.password_hash.encode()).hexdigest()[:16]

    def get_id(self) -> str:
        """What the session cookie keeps: the id and the password stamp."""
        return f"{self.id}.{self.session_stamp}"

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


class ApiToken(Base):
    """A personal API token; only its SHA-256 is kept, so a database leak reveals none."""

    __tablename__ = "api_tokens"

    #: Primary key.
    id: Mapped[int] = mapped_column(primary_key=True)
    #: Owner of the token.
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    #: SHA-256 hex of the token.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: When it was issued.
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: Set when revoked; a revoked token is refused.
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(back_populates="tokens")
