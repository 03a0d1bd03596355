"""Finding the rows an operation acts on, and cleaning the text it is given."""
from __future__ import annotations

from sqlalchemy import bindparam, select

from webapp.checkins.models import CheckIn
from webapp.db import db_session
from webapp.exceptions import DomainError
from webapp.limits import ID_MAX
from webapp.sessions.models import Session

#: The statuses of a check-in in the line or with a promoter (what the staff queue shows).
LINE_STATUSES = ("waiting", "in_consultation")
#: The statuses of a check-in still open: in the line, with a promoter, or in the metaverse room (visiting).
OPEN_STATUSES = ("waiting", "visiting", "in_consultation")
#: The statuses a resident may leave from (ending the check-in as `left`).
LEAVABLE_STATUSES = ("waiting", "visiting")


def get(checkin_id: int) -> CheckIn | None:
    """The check-in with this id, fresh from the database, or None."""
    try:
        return load_checkin(checkin_id)
    except DomainError:
        return None


#: Built once: the relay's handshake asks for every connection.
_TOKEN_STATE = select(CheckIn.session_id, CheckIn.status, CheckIn.token_version).where(CheckIn.id == bindparam("id"))


def token_state(checkin_id):
    """(session_id, status, token_version) of the check-in, or None: one plain read, no ORM object
    (the relay's handshake checks a resident's token with it)."""
    if not _is_id(checkin_id):
        return None
    return db_session.connection().execute(_TOKEN_STATE, {"id": checkin_id}).one_or_none()


def load_session(session_id) -> Session:
    session = db_session.get(Session, session_id) if _is_id(session_id) else None
    if session is None:
        raise DomainError("not_found", "No such session.", 404)
    return session


def load_checkin(checkin_id) -> CheckIn:
    checkin = None
    if _is_id(checkin_id):
        checkin = db_session.get(CheckIn, checkin_id, populate_existing=True)
    if checkin is None:
        raise DomainError("not_found", "No such check-in.", 404)
    return checkin


def _is_id(value) -> bool:
    """A possible row id: an int within the databases' INTEGER range (a bigger one would be a database error)."""
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value <= ID_MAX


def _clean(text, limit: int, field: str, required: bool = True) -> str:
    if text is not None and not isinstance(text, str):
        raise DomainError(f"invalid_{field}", f"{field} must be text.", 400)
    text = (text or "").strip()
    if required and not text:
        raise DomainError(f"empty_{field}", f"{field} must not be empty.", 400)
    if len(text) > limit:
        raise DomainError("too_long", f"{field} must be at most {limit} characters.", 400)
    return text
