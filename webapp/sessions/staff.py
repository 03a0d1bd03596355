"""Staff pages for a running session: ending reception early (a promoter of the session or an admin)."""
from __future__ import annotations

from flask import Blueprint, flash, make_response, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf import FlaskForm

from webapp.checkins.operations import counts
from webapp.db import utcnow
from webapp.exceptions import DomainError
from webapp.http_cache import no_store
from webapp.sessions import queries, reception
from webapp.sessions.views import get_staffed_session

bp = Blueprint("staff_sessions", __name__, template_folder="templates")


@bp.route("/staff/sessions/<int:session_id>/reception", methods=["GET", "POST"])
@login_required
def reception_end(session_id: int):
    """Confirm, then end reception: the page says what happens to those waiting and to later reservations."""
    session = get_staffed_session(session_id)
    form = FlaskForm()
    if form.validate_on_submit():
        try:
            reception.end_reception(session, current_user._get_current_object())
        except DomainError:
            flash(_("この相談会は、いま受付を終了できる状態ではありません。"), "error")
        else:
            flash(_("受付を終了しました。"), "success")
        return redirect(url_for("staff_sessions.reception_end", session_id=session.id))
    held = reception.held_slots(session, after=utcnow())  # reservations still to come
    response = make_response(render_template(
        "sessions/reception_end.html", session=session, form=form, can_end="end_reception" in queries.actions(session),
        waiting=counts(session.id)["waiting"], held=held), 400 if form.is_submitted() else 200)
    return no_store(response)
