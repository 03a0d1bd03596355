"""The domain's signals (webapp/signals.py) written down in the audit log.

Connected by the web app (create_app) and by every relay (realtime.server.run), so a take or a
close made over the relay, with no web request anywhere, is recorded as one made from a page.
Targets are ids only: a check-in, a session or a login, never what a resident wrote.
"""
from __future__ import annotations

from webapp import signals
from webapp.audit.operations import record, user_target

#: account_changed's `change` -> the audit action.
ACCOUNT_ACTIONS = {
    "created": "user_create", "deactivated": "user_deactivate", "activated": "user_activate",
    "password_changed": "password_change", "token_issued": "token_issue", "tokens_revoked": "token_revoke",
}


def _session_created(session, actor=None, **_):
    record(actor, "session_create", f"session:{session.id}")


def _session_updated(session, actor=None, status_before=None, **_):
    cancelled = session.status == "cancelled" and status_before != "cancelled"
    record(actor, "session_cancel" if cancelled else "session_update", f"session:{session.id}")


def _session_extended(session, actor=None, **_):
    record(actor, "extend", f"session:{session.id}")


def _taken(checkin, actor=None, **_):
    record(actor, "take", f"checkin:{checkin.id}")


def _transferred(checkin, actor=None, to=None, **_):
    record(actor, "transfer", f"checkin:{checkin.id}" + (f" to user:{to.login}" if to is not None else ""))


def _removed(checkin, actor=None, **_):
    record(actor, "remove", f"checkin:{checkin.id}")


def _closed(checkin, actor=None, **_):
    record(actor, "close", f"checkin:{checkin.id}")


def _account_changed(user, change=None, actor=None, **_):
    action = ACCOUNT_ACTIONS.get(change)
    if action is not None:
        record(actor, action, user_target(user))


#: signal -> receiver; blinker keeps one connection per function, so connecting twice is harmless.
RECEIVERS = (
    (signals.session_created, _session_created),
    (signals.session_updated, _session_updated),
    (signals.session_extended, _session_extended),
    (signals.checkin_taken, _taken),
    (signals.checkin_transferred, _transferred),
    (signals.checkin_removed, _removed),
    (signals.checkin_closed, _closed),
    (signals.account_changed, _account_changed),
)


def connect() -> None:
    """Start recording (the web app and each relay call this once at start)."""
    for signal, receiver in RECEIVERS:
        signal.connect(receiver)
