"""Resident pages for reservations: reserve, see the code, look up, cancel."""
from __future__ import annotations

from flask import Blueprint, abort, flash, make_response, redirect, render_template, url_for
from flask_babel import gettext as _

from webapp.db import db_session
from webapp.exceptions import DomainError
from webapp.http_cache import no_store
from webapp.reservations import cap, operations
from webapp.reservations.forms import ConfirmForm, LookupForm, MoveForm, ReserveForm, place_error, reservation_error
from webapp.reservations.joining import video_app
from webapp.sessions.models import Slot
from webapp.sessions.queries import next_after
from webapp.sessions.views import render_detail, slot_state
from webapp.templating import time_range

bp = Blueprint("reservations", __name__, template_folder="templates")
bp.add_app_template_global(video_app)


def _not_found(form: LookupForm | None = None):
    """The lookup form with one kind sentence; unknown and malformed codes get the same answer (no hints)."""
    form = form or LookupForm(formdata=None)
    form.code.errors = [_("この予約番号は見つかりませんでした。もう一度お確かめください。")]
    return no_store(make_response(render_template("reservations/lookup.html", form=form), 404))


def _offers_cancel(reservation) -> bool:
    """A cancelled session is off for everyone: offering to cancel a seat in it would suggest it is still on."""
    return operations.cancellable(reservation) and operations.session_of(reservation).status == "scheduled"


@bp.post("/slots/<int:slot_id>/reserve")
def reserve(slot_id: int):
    slot = db_session.get(Slot, slot_id)
    if slot is None:
        abort(404)
    form = ReserveForm(prefix=f"s{slot.id}")
    if not form.validate_on_submit():
        return render_detail(slot.session, form, slot.id, status=400)
    try:
        reservation = operations.reserve(slot.id, form.nickname.data, form.topic.data, caps=cap.counted)
    except DomainError as err:
        place_error(form, err)
        return render_detail(db_session.get(Slot, slot_id).session, form, slot_id, status=err.status)
    flash(_("予約しました。予約番号を控えてください。"), "success")
    return redirect(url_for("reservations.show", code=reservation.code))


@bp.get("/reservations/<code>")
def show(code: str):
    reservation = operations.find(code)
    if reservation is None:
        return _not_found()
    if reservation.code != code:
        return redirect(url_for("reservations.show", code=reservation.code))
    return _show(reservation)


def _show(reservation, move_form: MoveForm | None = None, status: int = 200):
    slot = reservation.slot
    offers_cancel = _offers_cancel(reservation)
    move_form = move_form or MoveForm(formdata=None)
    move_form.slot.choices = _other_times(reservation) if offers_cancel else []
    return no_store(make_response(render_template(
        "reservations/show.html", reservation=reservation, slot=slot, session=slot.session,
        cancellable=offers_cancel, move_form=move_form,
        next_session=next_after(slot.session) if slot.session.status == "cancelled" else None,
        ics_url=f"/api/v1/reservations/{reservation.code}.ics",
    ), status))


def _other_times(reservation) -> list[tuple[int, str]]:
    """The session's other slots with a free seat, as (id, "14:00–14:30") choices."""
    return [(s.id, time_range(s.starts_at, s.ends_at)) for s in operations.session_of(reservation).slots
            if s.id != reservation.slot_id and slot_state(s) == "open"]


@bp.post("/reservations/<code>/move")
def move(code: str):
    """Move the seat to another time of the same session in one step; the code stays the same."""
    reservation = operations.find(code)
    if reservation is None:
        return _not_found()
    form = MoveForm()
    if not _offers_cancel(reservation):
        return redirect(url_for("reservations.show", code=reservation.code))
    if form.validate_on_submit():
        try:
            reservation = operations.move(reservation, form.slot.data)
        except DomainError as err:
            form.slot.errors = [reservation_error(err)]
            return _show(operations.find(code), form, err.status)
        flash(_("予約の時間を変更しました。予約番号は変わりません。"), "success")
        return redirect(url_for("reservations.show", code=reservation.code))
    form.slot.errors = [_("変更先の時間を選んでください。")]  # also instead of WTForms' own (English) coerce error
    return _show(reservation, form, 400)


@bp.route("/reservations/<code>/cancel", methods=["GET", "POST"])
def cancel(code: str):
    reservation = operations.find(code)
    if reservation is None:
        return _not_found()
    form = ConfirmForm()
    if not _offers_cancel(reservation):
        return redirect(url_for("reservations.show", code=reservation.code))
    if form.validate_on_submit():
        operations.cancel(reservation)
        cap.released(operations.session_of(reservation))
        flash(_("予約を取り消しました。またいつでもお越しください。"), "success")
        return redirect(url_for("reservations.show", code=reservation.code))
    slot = reservation.slot
    return no_store(make_response(render_template(
        "reservations/cancel.html", reservation=reservation, slot=slot, session=slot.session, form=form)))


@bp.route("/reservations", methods=["GET", "POST"])
def lookup():
    form = LookupForm()
    if form.validate_on_submit():
        reservation = operations.find(form.code.data)
        if reservation is not None:
            return redirect(url_for("reservations.show", code=reservation.code))
        return _not_found(form)
    status = 400 if form.is_submitted() else 200
    return no_store(make_response(render_template("reservations/lookup.html", form=form), status))
