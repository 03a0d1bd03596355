"""Who is calling: a logged-in staff member (cookie) or a bearer token (API)."""
from __future__ import annotations

import functools
import hmac

from flask import g, request
from flask_login import current_user
from flask_wtf.csrf import CSRFError, validate_csrf

from webapp.db import db_session
from webapp.exceptions import ApiError
from webapp.extensions import login_manager
from webapp.staff import operations
from webapp.staff.models import User


@login_manager.user_loader
def _load_user(cookie_id: str) -> User | None:
    """The signed-in account, unless it was deactivated or its password changed since sign-in."""
    user_id, _, stamp = cookie_id.partition(".")
    user = db_session.get(User, int(user_id)) if user_id.isdigit() and len(user_id) < 10 else None
    if user is None or not user.active or not hmac.compare_digest(stamp, user.session_stamp):
        return None
    return user


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
