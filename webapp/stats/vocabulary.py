"""The outcome vocabulary (topics, results, agencies), kept as data and edited by admins.

A term is never deleted once an outcome uses it: it is retired instead, so it leaves the
choices offered to promoters while old outcomes and past years' figures keep their label.
The result keys are fixed by CONTRACT.md (the relay's close frame), so admins may relabel,
reorder and retire results but add only topics and agencies.
"""
from __future__ import annotations

import re

from sqlalchemy import func, or_, select

from webapp.checkins.models import Outcome, Term, outcome_topics
from webapp.db import db_session
from webapp.directory import history
from webapp.exceptions import DomainError

#: Kinds an admin may add terms to.
ADDABLE_KINDS = ("topic", "agency")
KEY_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
LABEL_LIMIT = 100


def terms(kind: str, include_retired: bool = True) -> list[Term]:
    """Terms of `kind` in display order."""
    query = select(Term).where(Term.kind == kind).order_by(Term.position, Term.id)
    if not include_retired:
        query = query.where(Term.retired.is_(False))
    return list(db_session.scalars(query))


def choices(kind: str) -> list[Term]:
    """What a promoter may pick now: the terms of `kind` that are not retired."""
    return terms(kind, include_retired=False)


def get(term_id: int) -> Term | None:
    return db_session.get(Term, term_id)


def label(term: Term | None, lang: str = "ja") -> str:
    """The term's label in `lang` (Japanese when no English is given)."""
    if term is None:
        return ""
    return term.label_en if lang == "en" and term.label_en else term.label_ja


def usage_counts() -> dict[int, int]:
    """term id -> outcomes that use it (as topic, result or referral)."""
    counts: dict[int, int] = {}
    queries = (
        select(outcome_topics.c.term_id, func.count()).group_by(outcome_topics.c.term_id),
        select(Outcome.result_id, func.count()).where(Outcome.result_id.is_not(None)).group_by(Outcome.result_id),
        select(Outcome.referred_to_id, func.count()).where(Outcome.referred_to_id.is_not(None))
        .group_by(Outcome.referred_to_id),
    )
    for query in queries:
        for term_id, n in db_session.execute(query):
            counts[term_id] = counts.get(term_id, 0) + n
    return counts


def in_use(term: Term) -> bool:
    """True when any outcome names `term`."""
    used = select(Outcome.id).where(or_(Outcome.result_id == term.id, Outcome.referred_to_id == term.id)).limit(1)
    as_topic = select(outcome_topics.c.outcome_id).where(outcome_topics.c.term_id == term.id).limit(1)
    return db_session.scalar(used) is not None or db_session.scalar(as_topic) is not None


def _clean_label(value: str | None, field: str, required: bool) -> str:
    text = (value or "").strip()
    if required and not text:
        raise DomainError("invalid_label", f"{field} is required.", 400)
    if len(text) > LABEL_LIMIT:
        raise DomainError("invalid_label", f"{field} must be at most {LABEL_LIMIT} characters.", 400)
    return text


def _next_key(kind: str) -> str:
    existing = set(db_session.scalars(select(Term.key).where(Term.kind == kind)))
    n = len(existing) + 1
    while f"{kind}_{n}" in existing:
        n += 1
    return f"{kind}_{n}"


def _fields(term: Term) -> dict:
    return {"label_ja": term.label_ja, "label_en": term.label_en, "position": term.position}


def _history(term: Term, action: str, before: dict | None = None) -> None:
    """Agencies are the referral directory: every change to one is kept with who made it (webapp/directory/)."""
    if term.kind == "agency":
        history.record("agency", term.key, term.label_ja, action, before, _fields(term))


def add_term(kind: str, label_ja: str, label_en: str = "", key: str | None = None,
             position: int | None = None) -> Term:
    """Add a topic or an agency; `key` (the id on the wire) is made up when not given."""
    if kind not in ADDABLE_KINDS:
        raise DomainError("kind_not_addable", "Only topics and agencies can be added; results are fixed.", 400)
    key = (key or "").strip().lower() or _next_key(kind)
    if not KEY_PATTERN.match(key):
        raise DomainError("invalid_key", "key: lower-case letters, digits and _ , starting with a letter.", 400)
    if db_session.scalar(select(Term.id).where(Term.kind == kind, Term.key == key)) is not None:
        raise DomainError("term_exists", f"A {kind} with the key {key} already exists.", 409)
    if position is None:
        position = (db_session.scalar(select(func.max(Term.position)).where(Term.kind == kind)) or 0) + 1
    term = Term(kind=kind, key=key, label_ja=_clean_label(label_ja, "label_ja", True),
                label_en=_clean_label(label_en, "label_en", False), position=position)
    db_session.add(term)
    _history(term, "add")
    db_session.commit()
    return term


def update_term(term: Term, label_ja: str, label_en: str, position: int) -> Term:
    """Change a term's labels and order; its key stays, so old outcomes and exports keep matching."""
    before = _fields(term)
    term.label_ja = _clean_label(label_ja, "label_ja", True)
    term.label_en = _clean_label(label_en, "label_en", False)
    term.position = position
    _history(term, "update", before)
    db_session.commit()
    return term


def retire_term(term: Term) -> Term:
    """Stop offering `term`; outcomes that use it keep it."""
    term.retired = True
    _history(term, "retire")
    db_session.commit()
    return term


def restore_term(term: Term) -> Term:
    """Offer a retired term again."""
    term.retired = False
    _history(term, "restore")
    db_session.commit()
    return term


def delete_term(term: Term) -> None:
    """Delete a topic or agency no outcome uses (a typo); a used term can only be retired."""
    if term.kind not in ADDABLE_KINDS:
        raise DomainError("kind_not_addable", "Results are fixed by the contract; retire one instead.", 409)
    if in_use(term):
        raise DomainError("term_in_use", "This term is used by recorded outcomes; retire it instead.", 409)
    _history(term, "delete")
    db_session.delete(term)
    db_session.commit()
