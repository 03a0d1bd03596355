"""The crisis phrases and contacts admins edit: stored in the database, read back by crisis.py.

Nothing is deleted: a phrase or contact is retired, so the list shows what was tried and a
restore is one click. Every change moves `updated_at`, which is what the relays look at.
"""
from __future__ import annotations

from sqlalchemy import func, select

from webapp.checkins.crisis_models import PHRASE_KINDS, CrisisContact, CrisisPhrase
from webapp.checkins.operations import crisis_lemmas
from webapp.db import db_session, reading
from webapp.directory import history
from webapp.exceptions import DomainError
from webapp.schemas.fields import contact_link_problem

PHRASE_MAX = 100
NAME_MAX = 100
DETAIL_MAX = 200
URL_MAX = 300
_CONTACT_FIELDS = ("name_ja", "name_en", "detail_ja", "detail_en", "url")


def _error(code: str, message: str, status: int, field: str) -> DomainError:
    """A DomainError naming the form field at fault, so the page shows it beside that field."""
    error = DomainError(code, message, status)
    error.field = field
    return error


def version() -> tuple:
    """A token that changes whenever an admin adds, edits, retires or restores anything here.

    Read on a connection of its own, so the caller's transaction (a chat line being stored) is
    neither widened nor, on PostgreSQL, aborted should the tables be missing.
    """
    with reading(), db_session.get_bind().connect() as conn:
        return tuple(conn.execute(select(func.count(), func.max(model.updated_at))).one()
                     for model in (CrisisPhrase, CrisisContact))


def stored() -> tuple[list[str], list[str], list[dict]] | None:
    """(phrases, words, contacts) in force, or None while the tables are empty (never seeded)."""
    with reading(), db_session.get_bind().connect() as conn:
        rows = conn.execute(select(CrisisPhrase.text, CrisisPhrase.kind, CrisisPhrase.retired)).all()
        contacts = conn.execute(select(*(getattr(CrisisContact, f) for f in _CONTACT_FIELDS))
                                .where(CrisisContact.retired.is_(False))
                                .order_by(CrisisContact.position, CrisisContact.id)).all()
    if not rows:
        return None
    live = [(text, kind) for text, kind, retired in rows if not retired]
    return ([t for t, k in live if k == "phrase"], [t for t, k in live if k == "word"],
            [dict(zip(_CONTACT_FIELDS, row, strict=True)) for row in contacts])


def phrases() -> list[CrisisPhrase]:
    """Every phrase, in force first, then alphabetical."""
    return list(db_session.scalars(select(CrisisPhrase).order_by(CrisisPhrase.retired, CrisisPhrase.text)))


def contacts() -> list[CrisisContact]:
    """Every contact in display order, retired ones last."""
    return list(db_session.scalars(select(CrisisContact).order_by(
        CrisisContact.retired, CrisisContact.position, CrisisContact.id)))


def _text(value: str | None, field: str, limit: int, required: bool = False) -> str:
    text = " ".join((value or "").split())
    if required and not text:
        raise _error("invalid_field", f"{field} is required.", 400, field)
    if len(text) > limit:
        raise _error("invalid_field", f"{field} must be at most {limit} characters.", 400, field)
    return text


def _phrase_values(text: str, kind: str) -> dict:
    if kind not in PHRASE_KINDS:
        raise _error("invalid_field", "kind must be phrase or word.", 400, "kind")
    text = _text(text, "text", PHRASE_MAX, required=True)
    if kind == "phrase" and not crisis_lemmas.compile_phrase(text):
        raise _error("invalid_field", "This phrase holds no word to match.", 400, "text")
    return {"text": text, "kind": kind}


def add_phrase(text: str, kind: str = "phrase") -> CrisisPhrase:
    """A new phrase (matched by meaning) or word (matched as written), in force at once."""
    values = _phrase_values(text, kind)
    if db_session.scalar(select(CrisisPhrase.id).where(CrisisPhrase.text == values["text"],
                                                       CrisisPhrase.kind == kind)) is not None:
        raise _error("phrase_exists", "This phrase is already in the list.", 409, "text")
    phrase = CrisisPhrase(**values)
    db_session.add(phrase)
    db_session.commit()
    return phrase


def update_phrase(phrase: CrisisPhrase, text: str, kind: str) -> CrisisPhrase:
    for key, value in _phrase_values(text, kind).items():
        setattr(phrase, key, value)
    db_session.commit()
    return phrase


def _contact_values(data: dict) -> dict:
    values = {"name_ja": _text(data.get("name_ja"), "name_ja", NAME_MAX, required=True),
              "name_en": _text(data.get("name_en"), "name_en", NAME_MAX),
              "detail_ja": _text(data.get("detail_ja"), "detail_ja", DETAIL_MAX),
              "detail_en": _text(data.get("detail_en"), "detail_en", DETAIL_MAX),
              "url": _text(data.get("url"), "url", URL_MAX)}
    problem = contact_link_problem(values["url"])
    if problem:
        raise _error("invalid_field", f"url {problem}", 400, "url")
    return values


def _fields(contact: CrisisContact) -> dict:
    return {key: getattr(contact, key) for key in ("name_ja", "name_en", "detail_ja", "detail_en", "url", "position")}


def _history(contact: CrisisContact, action: str, before: dict | None = None) -> None:
    """Every change to a contact is kept with who made it (webapp/directory/)."""
    history.record("crisis_contact", f"contact:{contact.id}", contact.name_ja, action, before, _fields(contact))


def add_contact(data: dict) -> CrisisContact:
    """A new contact, shown last."""
    position = (db_session.scalar(select(func.max(CrisisContact.position))) or 0) + 1
    contact = CrisisContact(**_contact_values(data), position=position)
    db_session.add(contact)
    db_session.flush()  # its id names it in the history
    _history(contact, "add")
    db_session.commit()
    return contact


def update_contact(contact: CrisisContact, data: dict) -> CrisisContact:
    before = _fields(contact)
    for key, value in _contact_values(data).items():
        setattr(contact, key, value)
    if data.get("position") is not None:
        contact.position = int(data["position"])
    _history(contact, "update", before)
    db_session.commit()
    return contact


def set_retired(item: CrisisPhrase | CrisisContact, retired: bool) -> None:
    """Retire (no longer in force) or restore a phrase or a contact."""
    item.retired = retired
    if isinstance(item, CrisisContact):
        _history(item, "retire" if retired else "restore")
    db_session.commit()
