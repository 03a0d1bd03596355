"""Check-ins, the live queue, hand-offs and outcomes: every write goes through here.

The pages, the JSON API and the relay call these functions, so each rule lives in one place.
No Flask: the relay runs them in worker threads. Each write is committed before it returns,
so whatever a caller acknowledges is already in the database.

Counting (what the city reports): a *visit* is a check-in of any status and either source
(resident or staff-recorded), except `removed` ones, which staff took out as abuse. A
*consultation* is a check-in closed with an outcome of kind `consultation`.

Estimated wait: position x AVERAGE_CONSULTATION_MINUTES / (promoters assigned, at least 1).
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import unicodedata
from collections.abc import Iterable, Mapping

from sqlalchemy import and_, func, insert, or_, select, update
from sqlalchemy.orm.attributes import set_committed_value

from webapp.checkins.models import OUTCOME_KINDS, Announcement, CheckIn, Message, Outcome, Term
from webapp.config import DEFAULT_CRISIS_WORDS
from webapp.db import db_session, utcnow
from webapp.errors import DomainError
from webapp.limits import ID_MAX, MESSAGE_MAX, NICKNAME_MAX
from webapp.sessions.models import Session, session_promoters
from webapp.staff.models import User
from webapp.timeutil import local

OPEN_STATUSES = ("waiting", "in_consultation")
HANDOFF_MODES = ("text", "online", "metaverse", "in_person")
RESULT_KEYS = ("listened", "information", "referred", "continuing", "other")
MAX_ID = ID_MAX


@dataclasses.dataclass
class Settings:
    """The numbers behind the rules; `configure` copies them from the app config."""

    crisis_words: tuple[str, ...] = tuple(DEFAULT_CRISIS_WORDS)
    average_consultation_minutes: int = 20
    checkin_timeout_minutes: int = 15
    message_max_chars: int = MESSAGE_MAX


settings = Settings()


def configure(config: Mapping) -> None:
    """Take the settings from a config mapping (the web app and the relay call this at start)."""
    settings.crisis_words = tuple(config.get("CRISIS_WORDS") or DEFAULT_CRISIS_WORDS)
    settings.average_consultation_minutes = int(config.get("AVERAGE_CONSULTATION_MINUTES", 20))
    settings.checkin_timeout_minutes = int(config.get("CHECKIN_TIMEOUT_MINUTES", 15))
    settings.message_max_chars = int(config.get("MESSAGE_MAX_CHARS", MESSAGE_MAX))


# --- small rules -----------------------------------------------------------------------------

def _fold(text: str) -> str:
    """Text folded for word matching: NFKC, no spaces, katakana as hiragana, lower case."""
    text = unicodedata.normalize("NFKC", text or "")
    text = "".join(ch for ch in text if not ch.isspace())
    return "".join(chr(ord(ch) - 0x60) if "ァ" <= ch <= "ヶ" else ch for ch in text).lower()


def contains_crisis_word(text: str) -> bool:
    """True when `text` holds one of the configured crisis words (シニタイ matches しにたい)."""
    folded = _fold(text)
    return any(_fold(word) and _fold(word) in folded for word in settings.crisis_words)


def _clean(text, limit: int, field: str, required: bool = True) -> str:
    if text is not None and not isinstance(text, str):
        raise DomainError(f"invalid_{field}", f"{field} must be text.", 400)
    text = (text or "").strip()
    if required and not text:
        raise DomainError(f"empty_{field}", f"{field} must not be empty.", 400)
    if len(text) > limit:
        raise DomainError("too_long", f"{field} must be at most {limit} characters.", 400)
    return text


def _is_id(value) -> bool:
    """A possible row id: an int within the databases' INTEGER range (a bigger one would be a database error)."""
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value <= MAX_ID


def _session(session_id) -> Session:
    session = db_session.get(Session, session_id) if _is_id(session_id) else None
    if session is None:
        raise DomainError("not_found", "No such session.", 404)
    return session


def _checkin(checkin_id) -> CheckIn:
    checkin = None
    if _is_id(checkin_id):
        checkin = db_session.get(CheckIn, checkin_id, populate_existing=True)
    if checkin is None:
        raise DomainError("not_found", "No such check-in.", 404)
    return checkin


def get(checkin_id: int) -> CheckIn | None:
    """The check-in with this id, fresh from the database, or None."""
    try:
        return _checkin(checkin_id)
    except DomainError:
        return None


def can_staff(user: User | None, session: Session | int) -> bool:
    """Admins may staff every session; a promoter only the sessions they are assigned to.

    `session` may be given by its id, so a caller holding only a check-in loads nothing more.
    """
    if user is None or not user.active:
        return False
    if user.role == "admin":
        return True
    session_id = session if isinstance(session, int) else session.id
    return db_session.scalar(
        select(func.count()).select_from(session_promoters).where(
            session_promoters.c.session_id == session_id, session_promoters.c.user_id == user.id)
    ) > 0


def _require_staff(user: User, session: Session | int) -> None:
    if not can_staff(user, session):
        raise DomainError("forbidden", "You are not assigned to this session.", 403)


def session_is_open(session: Session, now: dt.datetime | None = None) -> bool:
    """Residents can check in: scheduled and within its hours."""
    now = now or utcnow()
    return session.status == "scheduled" and session.starts_at <= now < session.ends_at


def followed_sessions(user: User, now: dt.datetime | None = None) -> list[Session]:
    """Sessions a staff connection follows: today's (Asia/Tokyo) scheduled ones they may staff."""
    now = now or utcnow()
    today = local(now).date()
    query = select(Session).where(Session.status == "scheduled", Session.date == today).order_by(Session.starts_at)
    if user.role != "admin":
        query = query.join(session_promoters, session_promoters.c.session_id == Session.id).where(
            session_promoters.c.user_id == user.id)
    return list(db_session.scalars(query))


# --- check-in -------------------------------------------------------------------------------

def _avatar_ids() -> tuple[str, ...]:
    from webapp.checkins.avatars import avatar_ids

    return tuple(avatar_ids())


def _reservation_for(session: Session, code) -> int | None:
    from webapp.reservations.operations import find

    if code is None or (isinstance(code, str) and not code.strip()):
        return None
    reservation = find(code) if isinstance(code, str) else None
    if reservation is None or reservation.status != "active" or reservation.slot.session_id != session.id:
        raise DomainError("invalid_reservation", "That reservation code is not an active reservation for this session.", 400)
    return reservation.id


def check_in(session_id: int, avatar: str, nickname: str | None = None, reservation_code: str | None = None, *,
             staff: User | None = None, now: dt.datetime | None = None, outcome: Mapping | None = None) -> CheckIn:
    """Check a resident in (they start waiting), or record a visitor seen by staff.

    A resident may check in only while the session runs. A staff member (`staff`) may record a
    visitor on the session's day: it counts as a visit, starts `in_consultation` taken by them,
    and is closed at once when `outcome` ({kind, topics, result, referred_to}) is given.
    """
    now = now or utcnow()
    session = _session(session_id)
    if not isinstance(avatar, str) or avatar not in _avatar_ids():
        raise DomainError("invalid_avatar", "Please choose one of the avatars.", 400)
    nickname = _clean(nickname, NICKNAME_MAX, "nickname", required=False)
    if staff is None:
        if not session_is_open(session, now):
            raise DomainError("session_not_open", "This session is not open for check-in now.", 409)
    else:
        _require_staff(staff, session)
        if session.status != "scheduled" or local(now).date() != session.date:
            raise DomainError("session_not_open", "Visitors can be recorded only on the session's day.", 409)
    checkin = CheckIn(session_id=session.id, avatar=avatar, nickname=nickname, created_at=now, last_seen_at=now,
                      reservation_id=_reservation_for(session, reservation_code))
    if staff is not None:
        checkin.source, checkin.status = "staff", "in_consultation"
        checkin.taken_by_id, checkin.taken_at, checkin.handoff_mode = staff.id, now, session.format
        if outcome is not None:
            resolved = _resolve_outcome(outcome)
            checkin.status, checkin.ended_at = "closed", now
            checkin.outcome = _outcome(resolved, staff, now)
    db_session.add(checkin)
    db_session.commit()
    return checkin


# --- the queue ------------------------------------------------------------------------------

def _line_order():
    return (CheckIn.urgent.desc(), CheckIn.created_at, CheckIn.id)


def queue(session_id: int) -> list[CheckIn]:
    """Waiting and in-consultation check-ins: urgent first, then in order of arrival."""
    return list(db_session.scalars(
        select(CheckIn).where(CheckIn.session_id == session_id, CheckIn.status.in_(OPEN_STATUSES)).order_by(*_line_order())
    ))


def waiting_line(session_id: int) -> list[int]:
    """Ids of the waiting check-ins in queue order (position = index + 1)."""
    return list(db_session.scalars(
        select(CheckIn.id).where(CheckIn.session_id == session_id, CheckIn.status == "waiting").order_by(*_line_order())
    ))


def waiting_count(session_id: int) -> int:
    """How many wait in the session now."""
    return db_session.scalar(select(func.count(CheckIn.id)).where(
        CheckIn.session_id == session_id, CheckIn.status == "waiting")) or 0


def position(checkin: CheckIn) -> int | None:
    """1-based place among the waiting, None when not waiting."""
    if checkin.status != "waiting":
        return None
    earlier = or_(CheckIn.created_at < checkin.created_at,
                  and_(CheckIn.created_at == checkin.created_at, CheckIn.id < checkin.id))
    ahead = and_(CheckIn.urgent.is_(True), earlier) if checkin.urgent else or_(CheckIn.urgent.is_(True), earlier)
    count = db_session.scalar(select(func.count(CheckIn.id)).where(
        CheckIn.session_id == checkin.session_id, CheckIn.status == "waiting", CheckIn.id != checkin.id, ahead))
    return (count or 0) + 1


def promoter_count(session_id: int) -> int:
    """How many promoters are assigned (at least 1, so an estimate always exists)."""
    count = db_session.scalar(
        select(func.count()).select_from(session_promoters).where(session_promoters.c.session_id == session_id))
    return max(count or 0, 1)


def estimate_s(place: int | None, promoters: int) -> int | None:
    """Seconds to wait at `place`: place x average consultation / promoters."""
    if place is None:
        return None
    return int(place * settings.average_consultation_minutes * 60 // max(promoters, 1))


def estimated_wait_s(checkin: CheckIn) -> int | None:
    """The documented estimate for this check-in, None when not waiting."""
    return estimate_s(position(checkin), promoter_count(checkin.session_id))


def counts(session_id: int) -> dict:
    """{visits, consultations, waiting, in_consultation} of one session (removed ones are not visits)."""
    by_status = dict(db_session.execute(
        select(CheckIn.status, func.count(CheckIn.id)).where(CheckIn.session_id == session_id).group_by(CheckIn.status)
    ).all())
    consultations = db_session.scalar(
        select(func.count(Outcome.id)).join(CheckIn, Outcome.checkin_id == CheckIn.id).where(
            CheckIn.session_id == session_id, CheckIn.status == "closed", Outcome.kind == "consultation"))
    return {
        "visits": sum(n for status, n in by_status.items() if status != "removed"),
        "consultations": consultations or 0,
        "waiting": by_status.get("waiting", 0),
        "in_consultation": by_status.get("in_consultation", 0),
    }


# --- hand-off -------------------------------------------------------------------------------

def _not_open_error(checkin: CheckIn) -> DomainError:
    if checkin.status == "in_consultation":
        return DomainError("already_taken", "Another promoter has already taken this resident.", 409)
    return DomainError("checkin_closed", "This check-in is no longer waiting.", 409)


def take(checkin_id: int, user: User, mode: str | None = None) -> CheckIn:
    """Take a waiting resident; exactly one of several simultaneous takers wins."""
    checkin = _checkin(checkin_id)
    session = checkin.session
    _require_staff(user, session)
    mode = mode or session.format
    if mode not in ("text", session.format):
        raise DomainError("invalid_mode", f'mode must be "text" or "{session.format}".', 400)
    won = db_session.execute(
        update(CheckIn).where(CheckIn.id == checkin.id, CheckIn.status == "waiting")
        .values(status="in_consultation", taken_by_id=user.id, taken_at=utcnow(), handoff_mode=mode)
        .execution_options(synchronize_session=False)
    ).rowcount == 1
    db_session.commit()
    checkin = _checkin(checkin.id)
    if not won:
        raise _not_open_error(checkin)
    return checkin


def _require_taker(checkin: CheckIn, user: User) -> None:
    if checkin.status != "in_consultation":
        raise DomainError("not_in_consultation", "This check-in is not in consultation.", 409)
    if checkin.taken_by_id != user.id and user.role != "admin":
        raise DomainError("not_your_checkin", "Another promoter is with this resident.", 403)


def transfer(checkin_id: int, user: User, to_login: str) -> CheckIn:
    """Hand a taken resident to another promoter of the same session."""
    from webapp.staff.operations import by_login

    checkin = _checkin(checkin_id)
    _require_staff(user, checkin.session)
    _require_taker(checkin, user)
    target = by_login(to_login) if isinstance(to_login, str) else None
    if target is None or not can_staff(target, checkin.session):
        raise DomainError("invalid_transfer", "That staff member cannot take residents of this session.", 400)
    if target.id == checkin.taken_by_id:
        raise DomainError("invalid_transfer", "This resident is already with that staff member.", 400)
    moved = db_session.execute(
        update(CheckIn).where(CheckIn.id == checkin.id, CheckIn.status == "in_consultation",
                              CheckIn.taken_by_id == checkin.taken_by_id)
        .values(taken_by_id=target.id).execution_options(synchronize_session=False)
    ).rowcount == 1
    db_session.commit()
    if not moved:
        raise DomainError("checkin_changed", "This check-in changed meanwhile; please look again.", 409)
    return _checkin(checkin.id)


# --- conversation ---------------------------------------------------------------------------

def post_message(checkin_id: int, text: str, *, staff: User | None = None) -> Message:
    """Store a chat line: from the resident (`staff` None) or from staff.

    A resident's crisis word marks the check-in urgent (first in line). Staff may write to a
    waiting resident of a session they may staff; after hand-off only the taker may write.
    """
    text = _clean(text, settings.message_max_chars, "text")
    checkin = _checkin(checkin_id)
    if checkin.status not in OPEN_STATUSES:
        raise DomainError("checkin_closed", "This conversation has ended.", 409)
    if staff is not None:
        _require_staff(staff, checkin.session_id)
        if checkin.status == "in_consultation" and checkin.taken_by_id != staff.id:
            raise DomainError("not_your_checkin", "Another promoter is with this resident.", 403)
    elif contains_crisis_word(text):
        checkin.urgent = True
    values = {"checkin_id": checkin.id, "sender": "resident" if staff is None else "staff",
              "staff_user_id": staff.id if staff is not None else None, "text": text, "created_at": utcnow()}
    # A plain INSERT … RETURNING: the ORM's unit of work cost as much as the rest of a chat line.
    message_id = db_session.execute(insert(Message).values(**values).returning(Message.id)).scalar_one()
    db_session.commit()
    message = Message(id=message_id, **values)  # a detached copy of the stored line, to send on
    # The check-in as it was when the line was stored (the write lock was held): who gets the
    # line is decided from that, with no second transaction to read it again.
    set_committed_value(message, "checkin", checkin)
    set_committed_value(message, "staff_user", staff)
    return message


def recent_messages(checkin_id: int, limit: int = 50) -> list[Message]:
    """The last `limit` messages still holding text, oldest first."""
    rows = db_session.scalars(
        select(Message).where(Message.checkin_id == checkin_id, Message.text.is_not(None))
        .order_by(Message.id.desc()).limit(limit)
    ).all()
    return list(reversed(rows))


def announce(session_id: int, user: User, text: str) -> Announcement:
    """A notice from staff to everyone in the session."""
    text = _clean(text, settings.message_max_chars, "text")
    session = _session(session_id)
    _require_staff(user, session)
    announcement = Announcement(session_id=session.id, user_id=user.id, text=text)
    db_session.add(announcement)
    db_session.commit()
    return announcement


def recent_announcements(session_id: int, limit: int = 5) -> list[Announcement]:
    """The last announcements of a session still holding text, oldest first."""
    rows = db_session.scalars(
        select(Announcement).where(Announcement.session_id == session_id, Announcement.text.is_not(None))
        .order_by(Announcement.id.desc()).limit(limit)
    ).all()
    return list(reversed(rows))


# --- leaving and removal --------------------------------------------------------------------

def leave(checkin_id: int) -> CheckIn:
    """The resident stops waiting: status `left`, the time waited kept (created_at..ended_at).

    Someone already in consultation stays so: the promoter records what came of it.
    """
    checkin = _checkin(checkin_id)
    db_session.execute(
        update(CheckIn).where(CheckIn.id == checkin.id, CheckIn.status == "waiting")
        .values(status="left", ended_at=utcnow()).execution_options(synchronize_session=False)
    )
    db_session.commit()
    return _checkin(checkin.id)


def erase_own(checkin_id: int) -> CheckIn:
    """The resident ends their check-in and erases what was written in it, in one transaction.

    Every message text of the conversation and the nickname are blanked; times, counts and any
    outcome stay. A waiting check-in becomes `left` (one in consultation stays so, for the
    promoter's outcome). The token version rises, so no token issued before opens it again.
    """
    checkin = _checkin(checkin_id)
    db_session.execute(update(Message).where(Message.checkin_id == checkin.id, Message.text.is_not(None))
                       .values(text=None).execution_options(synchronize_session=False))
    db_session.execute(
        update(CheckIn).where(CheckIn.id == checkin.id, CheckIn.status == "waiting")
        .values(status="left", ended_at=utcnow()).execution_options(synchronize_session=False))
    db_session.execute(
        update(CheckIn).where(CheckIn.id == checkin.id)
        .values(nickname="", token_version=CheckIn.token_version + 1).execution_options(synchronize_session=False))
    db_session.commit()
    return _checkin(checkin.id)


def remove(checkin_id: int, user: User) -> CheckIn:
    """Take an abusive check-in out: status `removed`, its tokens void at once, not a visit."""
    checkin = _checkin(checkin_id)
    _require_staff(user, checkin.session)
    if checkin.status == "closed":
        raise DomainError("checkin_closed", "A closed check-in cannot be removed.", 409)
    db_session.execute(
        update(CheckIn).where(CheckIn.id == checkin.id, CheckIn.status != "closed")
        .values(status="removed", token_version=CheckIn.token_version + 1,
                ended_at=func.coalesce(CheckIn.ended_at, utcnow()))
        .execution_options(synchronize_session=False)
    )
    db_session.commit()
    return _checkin(checkin.id)


def touch(checkin_ids: Iterable[int], now: dt.datetime | None = None) -> None:
    """Note that these residents are connected now (the relay calls this), so they do not time out."""
    ids = list(checkin_ids)
    if not ids:
        return
    db_session.execute(
        update(CheckIn).where(CheckIn.id.in_(ids), CheckIn.status.in_(OPEN_STATUSES))
        .values(last_seen_at=now or utcnow()).execution_options(synchronize_session=False)
    )
    db_session.commit()


def expire_stale(now: dt.datetime | None = None) -> list[CheckIn]:
    """Mark `left` whoever is still waiting but gone for CHECKIN_TIMEOUT_MINUTES, or whose session ended.

    ended_at is when they were last seen (capped at the session's end), so the time they waited stays true.
    """
    now = now or utcnow()
    cutoff = now - dt.timedelta(minutes=settings.checkin_timeout_minutes)
    seen = func.coalesce(CheckIn.last_seen_at, CheckIn.created_at)
    stale = db_session.execute(
        select(CheckIn.id, seen, CheckIn.created_at, Session.ends_at).join(Session, CheckIn.session_id == Session.id)
        .where(CheckIn.status == "waiting", or_(Session.ends_at <= now, seen < cutoff))
    ).all()
    expired = []
    for checkin_id, last_seen, created_at, ends_at in stale:
        ended_at = max(created_at, min(last_seen, ends_at, now))
        done = db_session.execute(
            update(CheckIn).where(CheckIn.id == checkin_id, CheckIn.status == "waiting")
            .values(status="left", ended_at=ended_at).execution_options(synchronize_session=False)
        ).rowcount
        if done:
            expired.append(checkin_id)
    db_session.commit()
    return [_checkin(checkin_id) for checkin_id in expired]


# --- outcomes -------------------------------------------------------------------------------

@dataclasses.dataclass
class _ResolvedOutcome:
    kind: str
    topics: list[Term]
    result: Term | None
    referred_to: Term | None


def _terms(kind: str, keys: list[str]) -> dict[str, Term]:
    rows = db_session.scalars(select(Term).where(Term.kind == kind, Term.key.in_(keys), Term.retired.is_(False)))
    return {term.key: term for term in rows}


def _resolve_outcome(outcome: Mapping) -> _ResolvedOutcome:
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
    return _ResolvedOutcome(kind, [found[t] for t in topics], result_term, agency)


def _outcome(resolved: _ResolvedOutcome, user: User, now: dt.datetime) -> Outcome:
    return Outcome(kind=resolved.kind, topics=resolved.topics, result=resolved.result,
                   referred_to=resolved.referred_to, recorded_by_id=user.id, recorded_at=now)


def close(checkin_id: int, user: User, kind: str, topics: list[str], result: str | None,
          referred_to: str | None) -> Outcome:
    """Record what came of a check-in and close it.

    Only the promoter who took it (or an admin) closes a consultation; any staff member of the
    session may close a waiting check-in directly as `visit_only`.
    """
    checkin = _checkin(checkin_id)
    _require_staff(user, checkin.session)
    resolved = _resolve_outcome({"kind": kind, "topics": topics, "result": result, "referred_to": referred_to})
    if checkin.status == "waiting":
        if kind != "visit_only":
            raise DomainError("not_taken", "Take the resident first, or close as visit_only.", 409)
    elif checkin.status == "in_consultation":
        _require_taker(checkin, user)
    else:
        raise DomainError("checkin_closed", "This check-in is already closed.", 409)
    now = utcnow()
    closed = db_session.execute(
        update(CheckIn).where(CheckIn.id == checkin.id, CheckIn.status == checkin.status,
                              CheckIn.taken_by_id.is_(checkin.taken_by_id) if checkin.taken_by_id is None
                              else CheckIn.taken_by_id == checkin.taken_by_id)
        .values(status="closed", ended_at=now).execution_options(synchronize_session=False)
    ).rowcount == 1
    if not closed:
        db_session.rollback()
        raise DomainError("checkin_changed", "This check-in changed meanwhile; please look again.", 409)
    outcome = _outcome(resolved, user, now)
    outcome.checkin_id = checkin.id
    db_session.add(outcome)
    db_session.commit()
    return outcome
