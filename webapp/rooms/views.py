"""The built-in room of a metaverse session (CONTRACT §9): entering, the live room, practice (見学).

Thin: who may staff, when a session is open and how a check-in starts live in checkins/operations;
the map and the frames come from the relay's side (GET /api/v1/sessions/{id}/room, realtime/).
"""
from __future__ import annotations

from flask import Blueprint, abort, current_app, redirect, render_template, request
from flask import session as cookie
from flask_login import current_user

from realtime.tokens import issue_resident_token, issue_staff_token
from webapp.checkins import avatars, cap, operations
from webapp.checkins import presenter as checkin_presenter
from webapp.checkins.forms import CheckInForm
from webapp.checkins.views import COOKIE_KEY, held_checkin, lang_url, place_error
from webapp.exceptions import DomainError
from webapp.http_cache import no_store
from webapp.rooms import presenter
from webapp.sessions.models import Session
from webapp.sessions.queries import next_after
from webapp.sessions.views import get_session_or_404

bp = Blueprint("rooms", __name__, template_folder="templates")


@bp.context_processor
def _page_helpers():
    return {"lang_url": lang_url}


def _metaverse_or_404(session_id: int) -> Session:
    session = get_session_or_404(session_id)
    if session.format != "metaverse":
        abort(404)
    return session


@bp.get("/rooms/<int:session_id>")
def room(session_id: int):
    """Staff: the live room; a resident with a check-in here: the live room; otherwise enter or practise."""
    session = _metaverse_or_404(session_id)
    practice = request.args.get("mode") == "practice" or not operations.session_is_open(session)
    user = current_user._get_current_object() if current_user.is_authenticated else None
    if user is not None and operations.can_staff(user, session) and not practice:
        return _live(session, issue_staff_token(current_app.config["SECRET_KEY"], user), staff=user)
    checkin = held_checkin()
    if checkin is not None and checkin.session_id == session.id and checkin.status in operations.OPEN_STATUSES:
        return _live(session, cookie[COOKIE_KEY]["token"], checkin=checkin)
    if practice:
        return _page(session, mode="practice")
    return _entry(session, CheckInForm(formdata=None, avatar=avatars.AVATARS[0].id))


@bp.post("/rooms/<int:session_id>/enter")
def enter(session_id: int):
    """Step in: a check-in with intent "visit" (counted as a visit, not in line), avatar and nickname only."""
    session = _metaverse_or_404(session_id)
    if not operations.session_is_open(session):
        return redirect(lang_url(".room", session_id=session.id))
    form = CheckInForm()
    form.reservation_code.data = None  # the room asks nothing but an avatar and a nickname
    if not form.validate_on_submit():
        return _entry(session, form, status=400)
    try:
        with cap.counted(session):
            checkin = operations.check_in(session.id, form.avatar.data, nickname=form.nickname.data, intent="visit")
    except DomainError as err:
        if err.code == "session_not_open":
            return redirect(lang_url(".room", session_id=session.id))
        return _entry(session, form, error=place_error(form, err), status=err.status if err.status == 429 else 400)
    cookie[COOKIE_KEY] = {"id": checkin.id, "token": issue_resident_token(current_app.config["SECRET_KEY"], checkin)}
    return redirect(lang_url(".room", session_id=session.id))


def _entry(session: Session, form: CheckInForm, error: str | None = None, status: int = 200):
    return _page(session, mode="entry", form=form, form_error=error,
                 avatars=checkin_presenter.avatar_list()), status


def _live(session: Session, token: str, checkin=None, staff=None):
    mode = "staff" if staff is not None else "resident"
    return _page(session, mode=mode, token=token, checkin=checkin, staff=staff)


def _page(session: Session, mode: str, checkin=None, staff=None, token: str | None = None, **extra):
    """Every mode shares the map, the places list, the stamps and the notice board."""
    data = presenter.page_data(session, mode, checkin=checkin, staff=staff)
    response = current_app.make_response(render_template(
        "rooms/room.html", session=session, mode=mode, checkin=checkin, staff=staff, token=token,
        ws_url=current_app.config["RELAY_PUBLIC_URL"], page_data=data,
        crisis_contacts=operations.crisis_contacts(), next_session=next_after(session),
        message_max=operations.settings.message_max_chars, **extra))
    return no_store(response)
