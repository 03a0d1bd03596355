"""Who is calling: a logged-in staff member (cookie) or a bearer token (API); signing in and out.

The flask-login adapter of webapp.staff.login_sessions: the cookie's user id is a server-side session id.
"""
from __future__ import annotations

import functools

from flask import current_app, g, request
from flask_login import current_user, login_user, logout_user
from flask_wtf.csrf import CSRFError, validate_csrf

from webapp.exceptions import ApiError
from webapp.extensions import login_manager
from webapp.staff import login_sessions, operations
from webapp.staff.models import User


@login_manager.user_loader
def _load_user(session_key: str) -> User | None:
    """The account of the live server-side session the login cookie names (webapp.staff.login_sessions), or None.

    flask-login's "remember me" cookie, were one ever set, holds the same id and is checked the same way.
    """
    user = login_sessions.resume(session_key, login_sessions.Limits.from_config(current_app.config))
    if user is not None:
        user.staff_session_key = session_key
    return user


def sign_in(user: User) -> None:
    """Begin a server-side staff session for `user` (every sign-in step passed) and keep only its id in the cookie."""
    user.staff_session_key = login_sessions.begin(user)
    login_user(user)


def sign_out() -> None:
    """End this browser's staff session on the server, then forget it in the cookie."""
    if current_user.is_authenticated:
        login_sessions.end(current_user.get_id())
    logout_user()


def _bearer() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def api_staff() -> User | None:
    """The staff member behind this API call, or None for an anonymous one.

    A bearer token wins. A cookie session counts only with a valid CSRF token on
    unsafe methods, so another site cannot act with a staff member's cookie.
    """
    if "api_staff" in g:
        return g.api_staff
    user = None
    token = _bearer()
    if token is not None:
        user = operations.user_for_api_token(token)
        if user is None:
            raise ApiError(401, "invalid_token", "The API token is unknown, revoked or belongs to an inactive account.")
    elif current_user.is_authenticated:
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            try:
                validate_csrf(request.headers.get("X-CSRFToken", ""))
            except CSRFError as err:
                raise ApiError(403, "csrf_failed", "A logged-in call needs the X-CSRFToken header.") from err
            except Exception as err:  # flask-wtf raises ValidationError for a missing/bad token
                raise ApiError(403, "csrf_failed", "A logged-in call needs the X-CSRFToken header.") from err
        user = current_user._get_current_object()
    g.api_staff = user
    return user


def require_api_staff(*roles: str):
    """Decorator: the API call needs a staff member, of one of `roles` if given."""

    def wrap(view):
        @functools.wraps(view)
        def inner(*args, **kwargs):
            user = api_staff()
            if user is None:
                raise ApiError(401, "unauthorized", "Sign in or send Authorization: Bearer <token>.")
            if roles and user.role not in roles:
                raise ApiError(403, "forbidden", "Your account may not do this.")
            return view(*args, **kwargs)

        return inner

    return wrap


def admin_required(view):
    """Decorator for admin pages."""

    @functools.wraps(view)
    def inner(*args, **kwargs):
        from flask import abort
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        if not current_user.is_admin:
            abort(403)
        return view(*args, **kwargs)

    return inner
