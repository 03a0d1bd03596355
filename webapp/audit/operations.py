"""Writing and reading the audit log (no Flask: the relay records through here too).

`record(actor, action, target)` is the one way in: the receivers of the domain's signals call it,
and so do the login views. Whoever acts is named by the caller, or else by the first registered
actor source that knows (the web request's user, the command line); nothing else is written down.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from collections.abc import Callable

from sqlalchemy import delete, func, select

from webapp.audit.models import AuditEvent
from webapp.db import db_session, utcnow
from webapp.staff.models import User
from webapp.timeutil import TOKYO

log = logging.getLogger(__name__)

#: Every action the log knows, in the order the admin page offers them.
ACTIONS = (
    "login", "login_failed", "login_throttled", "logout",
    "user_create", "user_deactivate", "user_activate", "password_change", "token_issue", "token_revoke",
    "session_create", "session_update", "session_cancel", "extend",
    "take", "transfer", "remove", "close", "purge",
)
#: What the actor column says when no account acted.
CLI, SYSTEM, NOBODY = "(cli)", "(system)", ""

Actor = User | str | None
_actor_sources: list[Callable[[], Actor]] = []


def add_actor_source(source: Callable[[], Actor]) -> None:
    """Register a function that names who is acting when an operation does not say (None: it does not know)."""
    if source not in _actor_sources:
        _actor_sources.append(source)


def current_actor() -> Actor:
    """The first answer of the registered sources, or None."""
    for source in _actor_sources:
        found = source()
        if found is not None:
            return found
    return None


def user_target(user: User) -> str:
    return f"user:{user.login}"


def acting(actor: Actor = None) -> tuple[int | None, str]:
    """(account id, name as people read it) of `actor`, or of whoever is acting now when it is None."""
    actor = actor if actor is not None else current_actor()
    if isinstance(actor, User):
        return actor.id, actor.login
    return None, SYSTEM if actor is None else actor


def record(actor: Actor, action: str, target: str = "") -> None:
    """Append one event and commit it. A failure is logged, never raised: the act itself is already committed."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action: {action}")
    actor_id, name = acting(actor)
    try:
        db_session.add(AuditEvent(at=utcnow(), actor_id=actor_id, actor=name, action=action, target=target[:100]))
        db_session.commit()
    except Exception:  # noqa: BLE001  (the database went away between the act and its record)
        db_session.rollback()
        log.error("audit event not recorded: %s %s by %s", action, target, name, exc_info=True)


@dataclasses.dataclass
class Filters:
    """What the admin page and the API narrow the log by; every part optional. Dates are days in Tokyo (Asia/Tokyo)."""

    first: dt.date | None = None
    last: dt.date | None = None
    action: str | None = None
    actor: str | None = None

    def where(self) -> list:
        clauses = []
        if self.first is not None:
            clauses.append(AuditEvent.at >= dt.datetime.combine(self.first, dt.time(0), tzinfo=TOKYO))
        if self.last is not None:
            end = dt.datetime.combine(self.last + dt.timedelta(days=1), dt.time(0), tzinfo=TOKYO)
            clauses.append(AuditEvent.at < end)
        if self.action:
            clauses.append(AuditEvent.action == self.action)
        if self.actor:
            clauses.append(AuditEvent.actor == self.actor.strip().lower())
        return clauses


def between(first: dt.date | None, last: dt.date | None) -> list[AuditEvent]:
    """Events from `first` to `last` (inclusive Tokyo days, each optional), oldest first."""
    return matching(Filters(first, last), newest_first=False)


def matching(filters: Filters, newest_first: bool = True, limit: int | None = None,
             offset: int = 0) -> list[AuditEvent]:
    """Events passing `filters`, newest first unless asked otherwise (ties in the order they were written)."""
    order = (AuditEvent.at.desc(), AuditEvent.id.desc()) if newest_first else (AuditEvent.at, AuditEvent.id)
    query = select(AuditEvent).where(*filters.where()).order_by(*order).offset(offset)
    if limit is not None:
        query = query.limit(limit)
    return list(db_session.scalars(query))


def count(filters: Filters) -> int:
    return db_session.scalar(select(func.count(AuditEvent.id)).where(*filters.where())) or 0


def actors() -> list[str]:
    """Every actor name the log holds, for the page's filter."""
    return list(db_session.scalars(select(AuditEvent.actor).distinct().order_by(AuditEvent.actor)))


def purge_older_than(days: int, now: dt.datetime | None = None) -> int:
    """Delete events older than `days`; how many went."""
    cutoff = (now or utcnow()) - dt.timedelta(days=days)
    gone = db_session.execute(delete(AuditEvent).where(AuditEvent.at < cutoff)).rowcount
    db_session.commit()
    return gone
