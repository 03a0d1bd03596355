"""The staff page of a session's reservations: who holds which time, and cancelling one (with a confirmation)."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from webapp.db import db_session
from webapp.http_cache import no_store
from webapp.reservations import operations
from webapp.reservations.forms import ConfirmForm
from webapp.reservations.models import Reservation
from webapp.sessions.models import Session, Slot
from webapp.sessions.views import get_staffed_session
from webapp.templating import time_range

bp = Blueprint("reservations_staff", __name__, template_folder="templates")

#: Staff see only the end of a code: enough to tell reservations apart with a resident, not to use one.
CODE_TAIL = 4


bp.after_request(no_store)


def code_tail(code: str) -> str:
    return "…" + code[-CODE_TAIL:]


def _reservations(session: Session) -> list[Reservation]:
    return list(db_session.scalars(
        select(Reservation).join(Slot).where(Slot.session_id == session.id)
        .options(selectinload(Reservation.slot)).order_by(Slot.starts_at, Reservation.created_at)))


@bp.get("/staff/sessions/<int:session_id>/reservations")
@login_required
def index(session_id: int):
    session = get_staffed_session(session_id)
    return render_template("reservations/staff_list.html", session=session, reservations=_reservations(session),
                           code_tail=code_tail, cancellable=operations.cancellable)


@bp.route("/staff/sessions/<int:session_id>/reservations/<int:reservation_id>/cancel", methods=["GET", "POST"])
@login_required
def cancel(session_id: int, reservation_id: int):
    session = get_staffed_session(session_id)
    reservation = db_session.get(Reservation, reservation_id)
    if reservation is None or reservation.slot.session_id != session.id:
        abort(404)
    back = url_for(".index", session_id=session.id)
    if not operations.cancellable(reservation):
        flash(_("この予約はすでに取り消されているか、時間が過ぎています。"), "info")
        return redirect(back)
    form = ConfirmForm()
    if form.validate_on_submit():
        operations.cancel(reservation, by_staff=True)
        when = time_range(reservation.slot.starts_at, reservation.slot.ends_at)
        flash(_("予約を取り消しました（%(time)s、予約番号 %(tail)s）。予約した方が番号を開くと、職員が取り消したことが表示されます。",  # noqa: E501
                time=when, tail=code_tail(reservation.code)), "success")
        return redirect(back)
    return render_template("reservations/staff_cancel.html", session=session, reservation=reservation,
                           code_tail=code_tail, form=form, back=back)
