"""Staff accounts, passwords and tokens. Tokens are shown once and stored only as SHA-256.

A password change, a deactivation and "sign out everywhere" end the account's access at once
(`_end_access`): every login session, every relay token (`auth_version`) and, but for signing
out, every API token; a deactivation also voids the feed URL. Activating brings none of them back.
"""
from __future__ import annotations

import hashlib
import re
import secrets

from sqlalchemy import select, update

from webapp import signals
from webapp.db import db_session, utcnow
from webapp.exceptions import DomainError
from webapp.staff import login_sessions
from webapp.staff.models import ROLES, ApiToken, User
from webapp.staff.passwords import hash_password, password_matches

LOGIN_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
MIN_PASSWORD = 10


def token_hash(token: str) -> str:
    """SHA-256 hex; tokens are long random strings, so a fast hash is enough."""
    return hashlib.sha256(token.encode()).hexdigest()


def _check_password(password: str) -> None:
    if len(password or "") < MIN_PASSWORD:
        raise DomainError("weak_password", f"The password must be at least {MIN_PASSWORD} characters.", 400)


def create_user(login: str, role: str, display_name: str, password: str) -> User:
    """A new staff account; the password is hashed with scrypt (memory-hard)."""
    login = (login or "").strip().lower()
    if not LOGIN_RE.match(login):
        raise DomainError("invalid_login", "Login: 2-64 characters, a-z, 0-9, '.', '_' or '-'.", 400)
    if role not in ROLES:
        raise DomainError("invalid_role", "Role must be admin or promoter.", 400)
    display_name = (display_name or "").strip()
    if not display_name or len(display_name) > 100:
        raise DomainError("invalid_display_name", "Display name: 1-100 characters.", 400)
    _check_password(password)
    if db_session.scalar(select(User.id).where(User.login == login)):
        raise DomainError("login_taken", f"The login {login} is already in use.", 409)
    user = User(login=login, role=role, display_name=display_name, password_hash=hash_password(password))
    db_session.add(user)
    db_session.commit()
    signals.account_changed.send(user, change="created", actor=None)
    return user


def update_user(user: User, display_name: str | None = None, role: str | None = None,
                active: bool | None = None) -> User:
    """Change what an admin may change about an account (`active=False` is `deactivate`)."""
    if display_name is not None:
        if not display_name.strip() or len(display_name) > 100:
            raise DomainError("invalid_display_name", "Display name: 1-100 characters.", 400)
        user.display_name = display_name.strip()
    role_changed = role is not None and role != user.role
    if role is not None:
        if role not in ROLES:
            raise DomainError("invalid_role", "Role must be admin or promoter.", 400)
        user.role = role
    if active is False:
        return deactivate(user)
    if active:
        return activate(user)
    db_session.commit()
    if role_changed:
        signals.staff_assignments_changed.send(user)  # an admin follows every session, a promoter their own
    return user


def _end_access(user: User, api_tokens: bool = True) -> None:
    """Every login session and relay token of `user` (and its API tokens) stop working; the caller commits."""
    user.auth_version = (user.auth_version or 0) + 1
    login_sessions.end_all(user, commit=False)
    if api_tokens:
        _revoke_all(user)


def deactivate(user: User) -> User:
    """The account can no longer sign in; its sessions, tokens and feed URL end, its history stays."""
    user.active = False
    _end_access(user)
    user.feed_token_hash = None
    db_session.commit()
    signals.staff_access_revoked.send(user, reason="deactivated")
    signals.account_changed.send(user, change="deactivated", actor=None)
    return user


def activate(user: User) -> User:
    """The account may sign in again, with fresh sessions and tokens only: nothing it had before returns."""
    was_active = user.active
    user.active = True
    db_session.commit()
    if not was_active:
        signals.account_changed.send(user, change="activated", actor=None)
    return user


def set_password(user: User, password: str) -> None:
    """A new password; every session, relay token and API token of the account ends."""
    _check_password(password)
    user.password_hash = hash_password(password)
    _end_access(user)
    db_session.commit()
    signals.staff_access_revoked.send(user, reason="password_changed")
    signals.account_changed.send(user, change="password_changed", actor=None)


def sign_out_everywhere(user: User) -> None:
    """End every login session (this one too) and relay connection of `user`; API tokens stay."""
    _end_access(user, api_tokens=False)
    db_session.commit()
    signals.staff_access_revoked.send(user, reason="signed_out_everywhere")


#: What a staff relay connection is told when its account may no longer act (relay_token_current false).
NO_LONGER_ACTIVE = "This staff account is no longer active."


def relay_token_current(user: User | None, auth_version: int) -> bool:
    """Whether a staff relay token of this `auth_version` still connects and acts (the handshake, every frame)."""
    return user is not None and user.active and user.role in ROLES and (user.auth_version or 0) == auth_version


def authenticate(login: str, password: str) -> User | None:
    """The active account with this login and password, or None (same answer for both mistakes)."""
    user = db_session.scalar(select(User).where(User.login == (login or "").strip().lower()))
    if user is None or not user.active:
        password_matches(_DUMMY_HASH, password or "")  # same work either way: no login enumeration by timing
        return None
    return user if password_matches(user.password_hash, password or "") else None


_DUMMY_HASH = hash_password("not-a-real-password")


def issue_api_token(user: User) -> str:
    """A new personal API token; only its hash is kept."""
    token = "ikm_" + secrets.token_urlsafe(32)
    db_session.add(ApiToken(user_id=user.id, token_hash=token_hash(token)))
    db_session.commit()
    signals.account_changed.send(user, change="token_issued", actor=None)
    return token


def user_for_api_token(token: str) -> User | None:
    """The active owner of a valid, unrevoked token."""
    row = db_session.scalar(
        select(ApiToken).where(ApiToken.token_hash == token_hash(token or ""), ApiToken.revoked_at.is_(None))
    )
    if row is None or not row.user.active:
        return None
    return row.user


def _revoke_all(user: User) -> None:
    db_session.execute(
        update(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None)).values(revoked_at=utcnow())
    )


def revoke_api_tokens(user: User) -> None:
    """Revoke every API token of `user`."""
    _revoke_all(user)
    db_session.commit()
    signals.account_changed.send(user, change="tokens_revoked", actor=None)


def rotate_feed_token(user: User) -> str:
    """A new iCal feed token; the old one stops working at once."""
    token = secrets.token_urlsafe(24)
    user.feed_token_hash = token_hash(token)
    db_session.commit()
    return token


def user_for_feed_token(token: str) -> User | None:
    if not token:
        return None
    user = db_session.scalar(select(User).where(User.feed_token_hash == token_hash(token)))
    return user if user is not None and user.active else None


def by_login(login: str) -> User | None:
    return db_session.scalar(select(User).where(User.login == (login or "").strip().lower()))


def all_users() -> list[User]:
    return list(db_session.scalars(select(User).order_by(User.role, User.login)))


def promoters() -> list[User]:
    """Active staff who can be assigned to sessions (admins may run sessions too)."""
    return list(db_session.scalars(select(User).where(User.active.is_(True)).order_by(User.role.desc(), User.login)))
