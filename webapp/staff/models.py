"""Staff accounts (admins and 主任推進員) and their hashed API tokens."""
from __future__ import annotations

import datetime as dt
import hashlib

from flask_login import UserMixin
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.db import Base, UTCDateTime, utcnow

ROLES = ("admin", "promoter")


class User(UserMixin, Base):
    """A staff member; residents never have accounts."""

    __tablename__ = "users"

    #: Primary key.
    id: Mapped[int] = mapped_column(primary_key=True)
    #: Login name, lower-case ASCII.
    login: Mapped[str] = mapped_column(String(64), unique=True)
    #: Name shown to residents and colleagues (e.g. 主任推進員 さとう).
    display_name: Mapped[str] = mapped_column(String(100))
    #: "admin" or "promoter".
    role: Mapped[str] = mapped_column(String(16))
    #: werkzeug scrypt hash (memory-hard); the password itself is never stored.
    password_hash: Mapped[str] = mapped_column(String(255))
    #: SHA-256 of the iCal feed token; None until one is issued.
    feed_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    #: Deactivated accounts cannot log in or use tokens, but their history stays.
    active: Mapped[bool] = mapped_column(default=True)
    #: When the account was created.
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    tokens: Mapped[list[ApiToken]] = relationship(back_populates="user", cascade="all, delete-orphan")

    @property
    def is_active(self) -> bool:  # flask-login reads this
        return self.active

    @property
    def session_stamp(self) -> str:
        """Changes whenever the password does, so a new password signs out every other session."""
        return hashlib.sha256(self.password_hash.encode()).hexdigest()[:16]

    def get_id(self) -> str:  # flask-login keeps this in the session cookie
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
