"""Public pages: upcoming sessions, a session's slots, other places to turn to, language."""
from __future__ import annotations

import datetime as dt
from dataclasses import asdict
from urllib.parse import parse_qsl, urlencode, urlsplit

from flask import Blueprint, abort, current_app, make_response, redirect, render_template, request, url_for
from flask_babel import lazy_pgettext
from flask_login import current_user
from werkzeug.routing import BuildError

from webapp.checkins.operations import can_staff, crisis_contacts
from webapp.db import db_session, read_only, utcnow
from webapp.i18n import LANG_COOKIE, LANGUAGES
from webapp.reservations.forms import ReserveForm
from webapp.reservations.operations import NICKNAME_MAX, TOPIC_MAX
from webapp.sessions import directory, queries
from webapp.sessions.models import Session, Slot
from webapp.stats import vocabulary
from webapp.templating import lang
from webapp.timeutil import weekday_short

bp = Blueprint("sessions", __name__, template_folder="templates")


@bp.app_template_global()
def optional_url(endpoint: str, **values) -> str | None:
    """url_for, or None while the page behind `endpoint` is not built (another area's page)."""
    if endpoint not in current_app.view_functions:
        return None
    try:
        return url_for(endpoint, **values)
    except BuildError:
        return None


@bp.app_template_global()
def weekday(day: dt.date) -> str:
    """火 / Tue."""
    return weekday_short(day, lang())


@bp.app_template_global()
def local_text(item: dict, key: str) -> str:
    """item["<key>_en"] in English, item["<key>_ja"] otherwise (config entries such as crisis contacts)."""
    return item.get(f"{key}_{lang()}") or item.get(f"{key}_ja", "")


@bp.app_template_global()
def seats_left(session: Session) -> int:
    """Seats still free in slots that have not started."""
    now = utcnow()
    return sum(slot.remaining for slot in session.slots if slot.starts_at > now)


@bp.app_template_global()
def slot_state(slot: Slot) -> str:
    """"open", "full" or "past": what a resident can do with a slot."""
    if slot.starts_at <= utcnow() or queries.reception_ended(slot.session):
        return "past"
    return "full" if slot.remaining == 0 else "open"


@bp.app_template_global()
def is_open(session: Session) -> bool:
    return queries.is_open(session)


#: How each state reads (docs/glossary.md): the state 開催予定 is "Upcoming", 中止 "Cancelled".
STATE_LABELS = {"upcoming": lazy_pgettext("session state", "開催予定"),
                "open": lazy_pgettext("session state", "開催中"),
                "ended": lazy_pgettext("session state", "終了"),
                "cancelled": lazy_pgettext("session state", "中止")}


@bp.app_template_global()
def session_state(session) -> str:
    """"upcoming", "open", "ended" or "cancelled" (webapp/sessions/queries.py `state`)."""
    return queries.state(session)


@bp.app_template_global()
def state_label(state: str) -> str:
    return str(STATE_LABELS[state])


@bp.app_template_global()
def session_actions(session: Session) -> frozenset[str]:
    """What staff may do with the session now (webapp/sessions/queries.py `actions`)."""
    return queries.actions(session)


@bp.app_template_global()
def reception_ended(session: Session) -> bool:
    return queries.reception_ended(session)


@bp.app_template_global()
def madoguchi() -> list[dict]:
    """The city's directory of windows in the page's language (webapp/sessions/directory.py), with the
    field, phone, URL and hours of each (the admin's over the profile's)."""
    return [{"name": vocabulary.label(term, lang()), **asdict(details)}
            for term, details in directory.with_details(current_app.config["PROFILE"])]


def get_session_or_404(session_id: int) -> Session:
    session = db_session.get(Session, session_id)
    if session is None:
        abort(404)
    return session


def get_staffed_session(session_id: int) -> Session:
    """The session, for an admin or one of its promoters only (404 unknown, 403 for anyone else)."""
    session = get_session_or_404(session_id)
    if not can_staff(current_user._get_current_object(), session):
        abort(403)
    return session


def render_detail(session: Session, failed: ReserveForm | None = None, failed_slot: int | None = None, status=200):
    """The session page; a form that failed keeps its input and errors next to its slot."""
    forms = {slot.id: ReserveForm(prefix=f"s{slot.id}", formdata=None) for slot in session.slots}
    if failed is not None:
        forms[failed_slot] = failed
    return render_template("sessions/detail.html", session=session, forms=forms,
                           nickname_max=NICKNAME_MAX, topic_max=TOPIC_MAX), status


@bp.get("/")
@read_only
def index():
    sessions = queries.upcoming()
    open_now = [s for s in sessions if queries.is_open(s)]
    return render_template("sessions/index.html", sessions=sessions, open_now=open_now, contacts=crisis_contacts(),
                           next_session=None if open_now else queries.next_after())


@bp.get("/sessions/<int:session_id>")
@read_only
def detail(session_id: int):
    return render_detail(get_session_or_404(session_id))


@bp.get("/help")
def help():
    return render_template("sessions/help.html", contacts=crisis_contacts(), next_session=queries.next_after(),
                           madoguchi_url=current_app.config["CITY_MADOGUCHI_URL"])


def safe_next(target: str | None, default: str) -> str:
    """`target` when it is a path on this site, else `default`: never an open redirect."""
    # Browsers read "/\\host" and "/<tab>/host" as "//host", so backslashes and control characters are refused too.
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target \
            or any(ord(c) < 32 for c in target):
        return default
    parts = urlsplit(target)
    return default if parts.scheme or parts.netloc else target


@bp.get("/lang/<code>")
def set_language(code: str):
    """Remember the language in a cookie and go back where the person was (without ?lang=, which would win)."""
    target = urlsplit(safe_next(request.args.get("next"), url_for("sessions.index")))
    query = urlencode([(k, v) for k, v in parse_qsl(target.query) if k != "lang"])
    response = make_response(redirect(target.path + (f"?{query}" if query else "")))
    if code in LANGUAGES:
        response.set_cookie(LANG_COOKIE, code, max_age=365 * 24 * 3600, samesite="Lax", httponly=True,
                            secure=request.is_secure)
    return response
