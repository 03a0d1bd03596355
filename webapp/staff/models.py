"""Staff accounts (admins and 主任推進員), their hashed API tokens and their server-side login sessions."""
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
    #: Raised by a password change, deactivation or "sign out everywhere"; relay tokens carry it, so
    #: every relay token issued before is refused (webapp.staff.operations).
    auth_version: Mapped[int] = mapped_column(default=0, server_default="0")

    tokens: Mapped[list[ApiToken]] = relationship(back_populates="user", cascade="all, delete-orphan")

    @property
    def is_active(self) -> bool:
        return self.active

    #: An account is always a signed-in person; the anonymous visitor is flask-login's own object.
    is_authenticated = True
    is_anonymous = False

    @property
    def session_stamp(self) -> str:
        """A fingerprint of the password: a sign-in still in progress (the two-step sign-in's first step,
        webapp/staff/twofactor/pending.py) is void once it changes. Login cookies do not use it."""
        return hashlib.sha256(self.password_hash.encode()).hexdigest()[:16]

    #: The id of the server-side staff session this object was loaded for (set by webapp.staff.auth,
    #: never stored on the account): what the login cookie keeps.
    staff_session_key = None

    def get_id(self) -> str | None:
        """What the login cookie keeps: the id of a server-side staff session, never the account's own id."""
        return self.staff_session_key

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


class StaffSession(Base):
    """One sign-in of a staff member (webapp.staff.login_sessions): the login cookie holds its id, we keep its SHA-256.

    Ended by logging out, "sign out everywhere", a password change or deactivation; refused after
    STAFF_IDLE_TIMEOUT_MINUTES without a request or STAFF_SESSION_MAX_HOURS after sign-in.
    """

    __tablename__ = "staff_sessions"

    #: SHA-256 hex of the random id in the cookie; a database leak reveals no usable cookie.
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    #: Whose session it is.
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    #: When the staff member signed in (the absolute limit counts from here).
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: The last request seen, to the minute (the idle timeout counts from here).
    last_seen_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: Set when the session was ended; an ended session never comes back.
    ended_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()
