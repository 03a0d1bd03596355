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
    if checkin.status in ("waiting", "visiting") or was_not_seen(checkin):
        if kind != "visit_only":
            raise DomainError("not_taken", "Take the resident first, or close as visit_only.", 409)
    elif checkin.status == "in_consultation":
        require_taker(checkin, user)
    else:
        raise DomainError("checkin_closed", "This check-in is already closed.", 409)
    resolved = resolve_outcome({"kind": kind, "topics": topics, "result": result, "referred_to": referred_to})
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


#: The result that means "referred to an agency": it needs `referred_to`, and `referred_to` needs it.
REFERRED = "referred"


class OutcomeProblem(DomainError):
    """An outcome that does not add up: `field` names the input to fix, `problem` what is wrong with it.

    Pages, the API and the relay show the message next to that field (CONTRACT §6 "Outcomes").
    """

    def __init__(self, field: str, problem: str, message: str):
        super().__init__("invalid_outcome", message, 400, field=field)
        self.problem = problem

    def details(self) -> dict:
        return {"field": self.field, "problem": self.problem}


@dataclasses.dataclass
class ResolvedOutcome:
    """An outcome whose keys have been found in the vocabulary."""

    kind: str
    topics: list[Term]
    result: Term | None
    referred_to: Term | None


def resolve_outcome(outcome: Mapping) -> ResolvedOutcome:
    """Check an outcome against the current (non-retired) vocabulary, and that its parts add up.

    A consultation names at least one topic and a result; the result "referred" comes with an
    agency and an agency only with that result; a visit without a consultation (`visit_only`)
    records no topics, no result and no agency. Every caller (relay `close` and `walkin`, the API,
    the console) asks this one function.
    """
    if not isinstance(outcome, Mapping):
        raise OutcomeProblem("outcome", "not_an_object", "outcome must be an object.")
    kind, topics = outcome.get("kind"), outcome.get("topics") or []
    result, referred_to = outcome.get("result"), outcome.get("referred_to")
    if kind not in OUTCOME_KINDS:
        raise OutcomeProblem("kind", "unknown_kind", 'kind must be "consultation" or "visit_only".')
    if not isinstance(topics, list) or not all(isinstance(t, str) for t in topics):
        raise OutcomeProblem("topics", "not_a_list", "topics must be a list of topic keys.")
    if kind == "visit_only":
        _refuse_consultation_parts(topics, result, referred_to)
        return ResolvedOutcome(kind, [], None, None)
    topics = list(dict.fromkeys(topics))
    found = _terms("topic", topics)
    unknown = [t for t in topics if t not in found]
    if unknown:
        raise OutcomeProblem("topics", "unknown_topic", f"Unknown topic: {', '.join(unknown)}.")
    if not topics:
        raise OutcomeProblem("topics", "topic_needed", "A consultation needs at least one topic.")
    if result is None:
        raise OutcomeProblem("result", "result_needed", "A consultation needs a result.")
    result_term = _terms("result", [result]).get(result) if isinstance(result, str) else None
    if result_term is None:
        raise OutcomeProblem("result", "unknown_result", f"result must be one of {', '.join(RESULT_KEYS)}.")
    agency = None
    if referred_to is not None:
        agency = _terms("agency", [referred_to]).get(referred_to) if isinstance(referred_to, str) else None
        if agency is None:
            raise OutcomeProblem("referred_to", "unknown_agency", "referred_to must be a known agency key or null.")
    if result == REFERRED and agency is None:
        raise OutcomeProblem("referred_to", "agency_needed", 'The result "referred" needs the agency (referred_to).')
    if result != REFERRED and agency is not None:
        raise OutcomeProblem("result", "referral_needed",
                             'An agency (referred_to) goes with the result "referred"; choose it or no agency.')
    return ResolvedOutcome(kind, [found[t] for t in topics], result_term, agency)


def _refuse_consultation_parts(topics: list, result, referred_to) -> None:
    """A visit without a consultation records nothing of one: no topics, result or agency."""
    if topics:
        raise OutcomeProblem("topics", "visit_has_topics", "A visit_only outcome takes no topics.")
    if result is not None:
        raise OutcomeProblem("result", "visit_has_result", "A visit_only outcome takes no result.")
    if referred_to is not None:
        raise OutcomeProblem("referred_to", "visit_has_agency", "A visit_only outcome takes no referred_to.")


def _terms(kind: str, keys: list[str]) -> dict[str, Term]:
    rows = db_session.scalars(select(Term).where(Term.kind == kind, Term.key.in_(keys), Term.retired.is_(False)))
    return {term.key: term for term in rows}


def new_outcome(resolved: ResolvedOutcome, user: User, now: dt.datetime) -> Outcome:
    """An unsaved Outcome row from a resolved outcome, recorded by `user` at `now`."""
    return Outcome(kind=resolved.kind, topics=resolved.topics, result=resolved.result,
                   referred_to=resolved.referred_to, recorded_by_id=user.id, recorded_at=now)
