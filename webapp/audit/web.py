"""The audit log's hooks into the web app and the CLI: who is acting there, and sign-ins and sign-outs.

Operations called from a page, the API or a command do not say who called them; the sources
registered here do (the request's staff member, by token or cookie; "(cli)" inside a command).
Sign-in attempts are recorded by the login view through the functions below: a failed one names
the account tried only when that account exists, and never the password or the address.
"""
from __future__ import annotations

import click
from flask import Flask, g, has_request_context
from flask_login import current_user

from webapp.audit import operations, receivers
from webapp.audit.operations import CLI, NOBODY, record, user_target
from webapp.staff.operations import by_login


def _request_actor():
    """The staff member of this request: the API's (token or cookie), else the page's signed-in user."""
    if not has_request_context():
        return None
    staff = g.get("api_staff")
    if staff is not None:
        return staff
    return current_user._get_current_object() if current_user.is_authenticated else None


def _command_actor():
    return CLI if click.get_current_context(silent=True) is not None else None


def init_app(app: Flask) -> None:
    """Record the domain's events, knowing who acts in a request or a command."""
    operations.add_actor_source(_request_actor)
    operations.add_actor_source(_command_actor)
    receivers.connect()


def signed_in(user) -> None:
    record(user, "login", user_target(user))


def _tried(login: str) -> str:
    """The target of a failed attempt: the account, only when one has this login."""
    user = by_login(login)
    return user_target(user) if user is not None else ""


def login_failed(login: str) -> None:
    record(NOBODY, "login_failed", _tried(login))


def login_throttled(login: str) -> None:
    record(NOBODY, "login_throttled", _tried(login))


def signing_out() -> None:
    """Called just before the session ends, while we still know whose it is."""
    if current_user.is_authenticated:
        user = current_user._get_current_object()
        record(user, "logout", user_target(user))
