"""Outcomes: what came of a check-in, checked against the current vocabulary, and closing it."""
from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping

from sqlalchemy import func, select, update

from webapp import signals
from webapp.checkins.models import OUTCOME_KINDS, CheckIn, Outcome, Term
from webapp.checkins.operations.access import require_staff, require_taker
from webapp.checkins.operations.counting import was_not_seen
from webapp.checkins.operations.records import load_checkin
from webapp.db import db_session, utcnow
from webapp.exceptions import DomainError
from webapp.staff.models import User

RESULT_KEYS = ("listened", "information", "referred", "continuing", "other")


def close(checkin_id: int, user: User, kind: str, topics: list[str], result: str | None,
          referred_to: str | None) -> Outcome:
    """Record what came of a check-in and close it.

    Only the promoter who took it (or an admin) closes a consultation; any staff member of the
    session may close a waiting or a not-seen (未対応) check-in directly as `visit_only`.
    """
    checkin = load_checkin(checkin_id)
    require_staff(user, checkin.session)
    resolved = resolve_outcome({"kind": kind, "topics": topics, "result": result, "referred_to": referred_to})
    if checkin.status == "waiting" or was_not_seen(checkin):
        if kind != "visit_only":
            raise DomainError("not_taken", "Take the resident first, or close as visit_only.", 409)
    elif checkin.status == "in_consultation":
        require_taker(checkin, user)
    else:
        raise DomainError("checkin_closed", "This check-in is already closed.", 409)
    now = utcnow()
    closed = db_session.execute(
        update(CheckIn).where(CheckIn.id == checkin.id, CheckIn.status == checkin.status,
                              CheckIn.taken_by_id.is_(checkin.taken_by_id) if checkin.taken_by_id is None
                              else CheckIn.taken_by_id == checkin.taken_by_id)
        .values(status="closed", ended_at=func.coalesce(CheckIn.ended_at, now))
        .execution_options(synchronize_session=False)
    ).rowcount == 1
    if not closed:
        db_session.rollback()
        raise DomainError("checkin_changed", "This check-in changed meanwhile; please look again.", 409)
    outcome = new_outcome(resolved, user, now)
    outcome.checkin_id = checkin.id
    db_session.add(outcome)
    db_session.commit()
    signals.checkin_closed.send(checkin, actor=user, kind=resolved.kind)
    return outcome


@dataclasses.dataclass
class ResolvedOutcome:
    """An outcome whose keys have been found in the vocabulary."""

    kind: str
    topics: list[Term]
    result: Term | None
    referred_to: Term | None


def resolve_outcome(outcome: Mapping) -> ResolvedOutcome:
    """Check an outcome against the current (non-retired) vocabulary."""
    if not isinstance(outcome, Mapping):
        raise DomainError("invalid_outcome", "outcome must be an object.", 400)
    kind, topics = outcome.get("kind"), outcome.get("topics") or []
    result, referred_to = outcome.get("result"), outcome.get("referred_to")
    if kind not in OUTCOME_KINDS:
        raise DomainError("invalid_outcome", 'kind must be "consultation" or "visit_only".', 400)
    if not isinstance(topics, list) or not all(isinstance(t, str) for t in topics):
        raise DomainError("invalid_outcome", "topics must be a list of topic keys.", 400)
    topics = list(dict.fromkeys(topics))
    found = _terms("topic", topics)
    unknown = [t for t in topics if t not in found]
    if unknown:
        raise DomainError("invalid_outcome", f"Unknown topic: {', '.join(unknown)}.", 400)
    result_term = agency = None
    if result is not None:
        result_term = _terms("result", [result]).get(result) if isinstance(result, str) else None
        if result_term is None:
            raise DomainError("invalid_outcome", f"result must be one of {', '.join(RESULT_KEYS)}.", 400)
    elif kind == "consultation":
        raise DomainError("invalid_outcome", "A consultation needs a result.", 400)
    if referred_to is not None:
        agency = _terms("agency", [referred_to]).get(referred_to) if isinstance(referred_to, str) else None
        if agency is None:
            raise DomainError("invalid_outcome", "referred_to must be a known agency key or null.", 400)
    return ResolvedOutcome(kind, [found[t] for t in topics], result_term, agency)


def _terms(kind: str, keys: list[str]) -> dict[str, Term]:
    rows = db_session.scalars(select(Term).where(Term.kind == kind, Term.key.in_(keys), Term.retired.is_(False)))
    return {term.key: term for term in rows}


def new_outcome(resolved: ResolvedOutcome, user: User, now: dt.datetime) -> Outcome:
    """An unsaved Outcome row from a resolved outcome, recorded by `user` at `now`."""
    return Outcome(kind=resolved.kind, topics=resolved.topics, result=resolved.result,
                   referred_to=resolved.referred_to, recorded_by_id=user.id, recorded_at=now)
