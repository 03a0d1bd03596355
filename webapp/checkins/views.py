"""Check-in, the waiting room, the end page and the staff console (thin: rules live in operations)."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask import session as cookie
from flask_babel import gettext as _
from flask_login import current_user, login_required

from realtime.tokens import TokenError, issue_resident_token, issue_staff_token, read_token
from webapp import limits
from webapp.checkins import avatars, cap, console_view, operations, presenter
from webapp.checkins.forms import CheckInForm, LeaveForm, MessageForm
from webapp.checkins.models import CheckIn
from webapp.checkins.operations.counting import was_consultation
from webapp.db import utcnow
from webapp.exceptions import DomainError
from webapp.http_cache import no_store
from webapp.i18n import LANGUAGES
from webapp.sessions.models import Session
from webapp.sessions.queries import next_after
from webapp.sessions.views import get_session_or_404

bp = Blueprint("checkins", __name__, template_folder="templates")

#: Key of the check-in in the signed session cookie: {"id", "token"}; nothing that names a person.
COOKIE_KEY = "checkin"
#: Key of why this browser's check-in ended, kept for the done page when the check-in itself is forgotten (erase).
ENDED_KEY = "checkin_ended"
#: How old the cookie's token may be to find the check-in again (the page refreshes it while open).
HELD_TOKEN_MAX_AGE_S = 24 * 3600


def lang_url(endpoint: str, **values) -> str:
    """url_for that keeps an explicit ?lang= choice, so a page opened in English stays English."""
    chosen = request.args.get("lang")
    if chosen in LANGUAGES:
        values.setdefault("lang", chosen)
    return url_for(endpoint, **values)


@bp.context_processor
def _page_helpers():
    return {"lang_url": lang_url}


def held_checkin() -> CheckIn | None:
    """The check-in this browser holds, if any, and only while its token is still current.

    Erasing or removal raises the check-in's token version: a cookie from before then opens nothing.
    """
    held = cookie.get(COOKIE_KEY)
    if not isinstance(held, dict):
        return None
    checkin = operations.get(held.get("id"))
    try:
        claims = read_token(current_app.config["SECRET_KEY"], held.get("token"), HELD_TOKEN_MAX_AGE_S)
    except TokenError:
        return None
    if checkin is None or claims.get("checkin_id") != checkin.id or claims.get("version") != checkin.token_version:
        return None
    return checkin


# --- resident ---------------------------------------------------------------------------------

@bp.route("/sessions/<int:session_id>/checkin", methods=["GET", "POST"])
def start(session_id: int):
    """Pick an avatar and step into the waiting room; outside hours, say when and where else to turn."""
    session = get_session_or_404(session_id)
    held = held_checkin()
    if held is not None and held.session_id == session.id and held.status in operations.OPEN_STATUSES:
        return redirect(lang_url(".wait"))
    if not operations.session_is_open(session):
        return _closed_page(session, 409 if request.method == "POST" else 200)
    form = CheckInForm()
    if request.method == "GET":
        form.avatar.data = avatars.AVATARS[0].id  # a picture is ready, so Tab and Enter alone get you in
    form_error, status = None, 400 if request.method == "POST" else 200
    if form.validate_on_submit():
        try:
            with cap.counted(session):
                checkin = operations.check_in(session.id, form.avatar.data, nickname=form.nickname.data,
                                              reservation_code=form.reservation_code.data)
        except DomainError as err:
            if err.code == "session_not_open":
                return _closed_page(session, 409)
            form_error, status = place_error(form, err), err.status if err.status == 429 else 400
        else:
            cookie[COOKIE_KEY] = {"id": checkin.id,
                                  "token": issue_resident_token(current_app.config["SECRET_KEY"], checkin)}
            return redirect(lang_url(".wait"))
    return render_template("checkins/start.html", session=session, form=form, form_error=form_error,
                           avatars=presenter.avatar_list(), closed_reason=None), status


def place_error(form: CheckInForm, err: DomainError) -> str | None:
    """Put an operations error next to the field it is about; a form-wide message otherwise."""
    if err.code == "invalid_reservation":
        form.reservation_code.errors = [_("この相談会の予約番号が見つかりません。確かめてもう一度入れるか、空欄のまま受付してください。")]  # noqa: E501
    elif err.code == "already_checked_in":
        form.reservation_code.errors = [_("この予約番号では、すでに受付が済んでいます。もう一度並ぶときは、予約番号を空欄のまま受付してください。")]  # noqa: E501
    elif err.code == "invalid_avatar":
        form.avatar.errors = [_("アバターを1つ選んでください。")]
    elif err.code in ("too_long", "invalid_nickname"):
        form.nickname.errors = [_("ニックネームは30文字までにしてください。")]
    elif err.code == "too_many_checkins":
        return _("この端末からは、この相談会にもう何度も受付されています。お困りのときは、会場の職員にお声がけください。")  # noqa: E501
    elif err.code == "session_busy":
        return _("いまこの相談会の受付が集中しています。しばらく待ってからもう一度お試しください。")
    else:
        current_app.logger.warning("check-in refused: %s", err.code)
        return _("受付できませんでした。少し待ってからもう一度お試しください。")
    return None


def _closed_page(session: Session, status: int):
    return render_template("checkins/start.html", session=session, form=None, avatars=(),
                           closed_reason=presenter.closed_reason(session, utcnow()),
                           next_session=next_after(session),
                           crisis_contacts=operations.crisis_contacts()), status


@bp.get("/checkins/wait")
def wait():
    """The waiting room, rendered with the current state so it is useful before the socket connects."""
    checkin = held_checkin()
    if checkin is None:
        return render_template("checkins/none.html")
    if checkin.status not in operations.OPEN_STATUSES:
        return redirect(lang_url(".done"))
    if checkin.status == "visiting":  # in a metaverse room, not in line: their page is the room
        return redirect(lang_url("rooms.room", session_id=checkin.session_id))
    operations.touch([checkin.id])  # the resident is here, even without JavaScript
    state = presenter.resident_state(checkin)
    response = current_app.make_response(render_template(
        "checkins/wait.html", checkin=checkin, session=checkin.session, token=cookie[COOKIE_KEY]["token"],
        ws_url=current_app.config["RELAY_PUBLIC_URL"], message_form=MessageForm(), leave_form=LeaveForm(),
        message_max=operations.settings.message_max_chars,
        page_data=presenter.waiting_room_data(checkin), **state))
    return no_store(response)


@bp.get("/checkins/state")
def state():
    """For the waiting room's reconnects: is the check-in still open, and a freshly signed token."""
    checkin = held_checkin()
    if checkin is None:
        return no_store(jsonify({"status": "none"}))
    answer = {"status": checkin.status, "reason": presenter.end_reason(checkin),
              "consulted": was_consultation(checkin)}
    if checkin.status in operations.OPEN_STATUSES:
        token = issue_resident_token(current_app.config["SECRET_KEY"], checkin)
        cookie[COOKIE_KEY] = {"id": checkin.id, "token": token}
        answer["token"] = token
    return no_store(jsonify(answer))


@bp.post("/checkins/message")
def send_message():
    """A line to the staff from a browser without JavaScript."""
    checkin = held_checkin()
    if checkin is None:
        return redirect(lang_url(".wait"))
    form = MessageForm()
    if not form.validate_on_submit():
        for errors in form.errors.values():
            flash(errors[0], "error")
        return redirect(lang_url(".wait") + "#message-text")
    try:
        operations.post_message(checkin.id, form.text.data)
    except DomainError as err:
        if err.code == "checkin_closed":
            return redirect(lang_url(".done"))
        flash(_("うまく送れませんでした。もう一度お試しください。"), "error")
    return redirect(lang_url(".wait") + "#conversation")


@bp.route("/checkins/leave", methods=["GET", "POST"])
def leave():
    """Leave the waiting room: a confirmation step, then the end page."""
    checkin = held_checkin()
    if checkin is None:
        return redirect(lang_url(".done"))
    form = LeaveForm()
    if form.validate_on_submit():
        operations.leave(checkin.id)
        return redirect(lang_url(".done"))
    return render_template("checkins/leave.html", form=form)


@bp.post("/checkins/erase")
def erase():
    """Leave and erase this check-in's messages and nickname (the leave page's second button)."""
    checkin = held_checkin()
    if checkin is not None and LeaveForm().validate_on_submit():
        operations.erase_own(checkin.id)
        cookie.pop(COOKIE_KEY, None)
        cookie[ENDED_KEY] = "erased"
    return redirect(lang_url(".done"))


@bp.get("/checkins/done")
def done():
    """Why it ended, where to turn next (as the waiting room says it); the check-in is forgotten by this browser."""
    checkin = held_checkin()
    ended = cookie.pop(ENDED_KEY, None)
    reason = presenter.end_reason(checkin) or ended
    consulted = checkin is not None and was_consultation(checkin)
    page = {"heading": presenter.end_heading(reason), "end_text": presenter.end_text(reason, consulted),
            **presenter.where_to_turn(checkin)}
    cookie.pop(COOKIE_KEY, None)
    return no_store(current_app.make_response(render_template("checkins/done.html", **page)))


# --- staff --------------------------------------------------------------------------------------

@bp.get("/staff/sessions/<int:session_id>/console")
@login_required
def console(session_id: int):
    """The live queue, conversations, hand-offs and outcomes of one session."""
    session = get_session_or_404(session_id)
    user = current_user._get_current_object()
    if not operations.can_staff(user, session):
        abort(403)
    data = console_view.console_data(session, user)
    response = current_app.make_response(render_template(
        "checkins/console.html", session=session, is_open=operations.session_is_open(session),
        token=issue_staff_token(current_app.config["SECRET_KEY"], user),
        ws_url=current_app.config["RELAY_PUBLIC_URL"], token_url=url_for("checkins_api.realtime_token"),
        message_max=operations.settings.message_max_chars, avatars=presenter.avatar_list(),
        transfer_note_max=limits.TRANSFER_NOTE_MAX,
        counts=operations.counts(session.id), queue=data["rendered_queue"], modes=presenter.modes(session),
        other_promoters=[p for p in session.promoters if p.id != user.id and p.active],
        topics=presenter.terms("topic"), results=presenter.terms("result"), agencies=presenter.terms("agency"),
        referred_label=console_view.referred_label(),
        page_data=data["page_data"]))
    return no_store(response)
