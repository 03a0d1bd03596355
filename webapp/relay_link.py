"""The one receiver that tells the relays what the web app changed (forms, pages, the JSON API).

Domain operations announce what happened through webapp.signals; this module turns those signals
into relay envelopes (realtime.events) and hands them to realtime.notify, so no view or API
function calls the relay's notification code itself. Changes made inside a relay (its handlers run
the same operations in worker threads, with no request) are told by that relay itself: only
changes made while a web request is being handled go through here, and changes to staff accounts
and assignments made by a command too (`flask users deactivate`): no relay makes those.
"""
from __future__ import annotations

from flask import Flask, current_app, has_app_context, has_request_context

from realtime import events, notify
from webapp import signals
from webapp.checkins import operations
from webapp.db import db_session


def _tell(changes: events.Events) -> None:
    # End this request's transaction first: on SQLite even a read holds the write lock (BEGIN
    # IMMEDIATE), and the relays are about to read what was just written.
    db_session.commit()
    notify.publish(current_app.config, changes)


def _checkin_created(checkin) -> None:
    if has_request_context():
        _tell(events.refresh(checkin.session_id, residents=False))


def _message_stored(message, checkin) -> None:
    if not has_request_context():
        return
    if message.sender == "resident":
        _tell(events.resident_wrote(message, checkin, operations.crisis_contacts()))
    else:
        _tell(events.line_stored(message, checkin))


def _resident_left(checkin) -> None:
    if has_request_context():
        _tell(events.resident_left(checkin))


def _resident_erased(checkin) -> None:
    if has_request_context():
        _tell(events.resident_erased(checkin))


def _session_changed(session) -> None:
    """An admin moved a session (its end, say): consoles and waiting rooms follow the new end."""
    if has_request_context():
        _tell(events.session_moved(session))


def _staff_access_revoked(user, reason: str) -> None:
    """A deactivation, a new password or "sign out everywhere" (pages, API or CLI): every relay closes
    that account's connections now, not at its next upkeep."""
    if has_app_context():
        _tell(events.staff_revoked(user.id, reason))


def _staff_assignments_changed(user) -> None:
    """Taken off a session, put on one, or a new role (pages, API or CLI): every relay's connections of
    that account follow exactly the sessions it may staff now."""
    if has_app_context():
        _tell(events.staff_follow(user.id))


def init_app(app: Flask) -> None:
    """Connect the receivers (once per process: blinker keeps one connection per function)."""
    signals.checkin_created.connect(_checkin_created)
    signals.message_stored.connect(_message_stored)
    signals.resident_left.connect(_resident_left)
    signals.resident_erased.connect(_resident_erased)
    signals.session_changed.connect(_session_changed)
    signals.staff_access_revoked.connect(_staff_access_revoked)
    signals.staff_assignments_changed.connect(_staff_assignments_changed)
