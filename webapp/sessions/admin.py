"""Admin pages for sessions: plan the fiscal year, create, edit, cancel, assign promoters."""
from __future__ import annotations

import datetime as dt

from flask import Blueprint, current_app, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import func, select
from wtforms.fields.choices import SelectChoice

from webapp import limits
from webapp.db import db_session
from webapp.exceptions import DomainError
from webapp.http_cache import no_store
from webapp.sessions import operations, queries, reception
from webapp.sessions.forms import CancelForm, EditSessionForm, GenerateForm, RecordForm, SessionForm, show_error
from webapp.sessions.models import Session
from webapp.sessions.places import place_after_format_change
from webapp.sessions.views import get_session_or_404, state_label
from webapp.staff import operations as staff_operations
from webapp.staff.auth import admin_required
from webapp.templating import list_join, long_date, time_range, with_data
from webapp.timeutil import at_tokyo, fiscal_year_bounds, fiscal_year_of, local, reiwa_label

bp = Blueprint("admin_sessions", __name__, url_prefix="/admin/sessions", template_folder="templates")


@bp.before_request
@admin_required
def _admins_only():
    """Every page here is for admins; None lets the request go on."""


def _page(template: str, status: int = 200, **context):
    return no_store(make_response(render_template(template, **context), status))


def _promoter_choices() -> list[SelectChoice]:
    return [SelectChoice(u.login, f"{u.display_name}（{u.login}）") for u in staff_operations.promoters()]


def _year_choices(shown: int) -> list[int]:
    """Fiscal years with sessions, the current one and the next, and the one shown."""
    first, last = db_session.execute(select(func.min(Session.date), func.max(Session.date))).one()
    current = fiscal_year_of(queries.today_in_tokyo())
    low = min(fiscal_year_of(first) if first else current, current, shown)
    high = max(fiscal_year_of(last) if last else current, current + 1, shown)
    return list(range(low, high + 1))


def _year_of_list(session: Session) -> str:
    return url_for("admin_sessions.index", year=fiscal_year_of(session.date))


@bp.get("")
def index():
    current = fiscal_year_of(queries.today_in_tokyo())
    year = request.args.get("year", type=int) or current
    if not limits.YEAR_MIN <= year <= limits.YEAR_MAX:
        year = current
    sessions = queries.between(*fiscal_year_bounds(year))
    return _page("sessions/admin_list.html", year=year, years=_year_choices(year), sessions=sessions,
                 holidays=[s for s in sessions if s.holiday])


def _spec(form: SessionForm, old_format: str | None = None) -> operations.SessionSpec:
    """The form's input as a SessionSpec; an empty place, or the old format's usual one, takes the format's."""
    day = form.date.data
    return operations.SessionSpec(
        date=day, starts_at=at_tokyo(day, form.start.data), ends_at=at_tokyo(day, form.end.data),
        format=form.format.data,
        location=place_after_format_change(form.location.data, old_format or form.format.data, form.format.data,
                                           current_app.config["DEFAULT_LOCATIONS"]),
        join_url=form.join_url.data or "", slot_minutes=form.slot_minutes.data, capacity=form.capacity.data,
        promoters=list(form.promoters.data or []),
    )


def _flash_holiday(session: Session) -> None:
    if session.holiday:
        flash(with_data(_("%(date)s は祝日（%(name)s）です。日付は移動していません。このまま開催するか、日程を変更するか、中止するかを決めてください。"),  # noqa: E501
                        date=long_date(session.date), name=session.holiday_name), "info")


@bp.route("/new", methods=["GET", "POST"])
def new():
    config = current_app.config
    form = SessionForm(data={
        "start": dt.time.fromisoformat(config["SESSION_START"]), "end": dt.time.fromisoformat(config["SESSION_END"]),
        "slot_minutes": config["SLOT_MINUTES"], "capacity": config["SLOT_CAPACITY"], "format": "in_person",
    })
    form.promoters.choices = _promoter_choices()
    if form.validate_on_submit():
        try:
            session = operations.create_session(_spec(form))
        except DomainError as err:
            db_session.rollback()
            show_error(form, err)
        else:
            flash(_("%(date)s の相談会を作成しました。", date=long_date(session.date)), "success")
            _flash_holiday(session)
            return redirect(_year_of_list(session))
    return _page("sessions/admin_form.html", 400 if form.is_submitted() else 200, form=form, session=None,
                 default_places=config["DEFAULT_LOCATIONS"])


def _form_data(session: Session) -> dict:
    minutes, capacity = operations.slot_shape(session)
    return {"date": session.date, "start": local(session.starts_at).time(), "end": local(session.ends_at).time(),
            "format": session.format, "location": session.location, "join_url": session.join_url,
            "slot_minutes": minutes, "capacity": capacity, "note": session.note,
            "promoters": [u.login for u in session.promoters]}


def _changes(form: SessionForm | RecordForm, session: Session) -> dict:
    """What the form changes; a session whose times are its record (ended) changes only its words and people."""
    changes = {"location": (form.location.data or "").strip() or session.location, "join_url": form.join_url.data or "",
               "note": form.note.data or "", "promoters": list(form.promoters.data or [])}
    if isinstance(form, EditSessionForm):
        spec = _spec(form, session.format)
        changes.update(date=spec.date, starts_at=spec.starts_at, ends_at=spec.ends_at, format=spec.format,
                       location=spec.location, slot_minutes=spec.slot_minutes, capacity=spec.capacity)
    return changes


def _name_held_slots(form, session: Session) -> None:
    """Say which reserved times stand in the way, and the two ways on (docs/staff-guide.md)."""
    held = reception.held_slots(session)
    if held:
        times = list_join([_("%(time)s（%(n)d件）", time=time_range(h.starts_at, h.ends_at), n=h.reservations)
                           for h in held])
        form.form_errors.append(_("予約が入っている時間: %(times)s。この時間を残すように変更するか、予約の一覧で理由を添えて予約を取り消してから変更してください。開催中の回なら、終了時刻は変えずに「受付を早めに終了する」こともできます。", times=times))  # noqa: E501


@bp.route("/<int:session_id>/edit", methods=["GET", "POST"])
def edit(session_id: int):
    session = get_session_or_404(session_id)
    times_editable = "edit_times" in queries.actions(session)
    form = (EditSessionForm if times_editable else RecordForm)(data=_form_data(session))
    form.promoters.choices = _promoter_choices()
    if form.validate_on_submit():
        changes = _changes(form, session)
        moved = changes.get("date", session.date) != session.date
        try:
            operations.update_session(session, changes)
        except DomainError as err:
            db_session.rollback()  # nothing half-applied stays in the session
            show_error(form, err)
            if err.code == "slot_reserved":
                _name_held_slots(form, session)
        else:
            flash(_("相談会を更新しました。"), "success")
            if moved:
                _flash_holiday(session)
            return redirect(_year_of_list(session))
    return _page("sessions/admin_form.html", 400 if form.is_submitted() else 200, form=form, session=session,
                 reservations=operations.active_reservations(session),
                 default_places=current_app.config["DEFAULT_LOCATIONS"])


def _refuse(session: Session, action: str):
    """None when `action` makes sense for the session now, else a redirect saying why not."""
    if action in queries.actions(session):
        return None
    flash(_("%(date)s の相談会は%(state)sのため、この操作はできません。", date=long_date(session.date),
            state=state_label(queries.state(session))), "error")
    return redirect(url_for("admin_sessions.edit", session_id=session.id))


@bp.route("/<int:session_id>/cancel", methods=["GET", "POST"])
def cancel(session_id: int):
    session = get_session_or_404(session_id)
    refused = _refuse(session, "cancel")
    if refused:
        return refused
    form = CancelForm()
    if form.validate_on_submit():
        operations.cancel_session(session, form.note.data or "")
        flash(_("%(date)s の相談会を中止にしました。一覧と予約した方のページに「中止」と表示されます。",
                date=long_date(session.date)), "success")
        return redirect(_year_of_list(session))
    return _page("sessions/admin_cancel.html", 400 if form.is_submitted() else 200, form=form, session=session,
                 reservations=operations.active_reservations(session))


@bp.post("/<int:session_id>/restore")
def restore(session_id: int):
    session = get_session_or_404(session_id)
    refused = _refuse(session, "restore")
    if refused:
        return refused
    operations.update_session(session, {"status": "scheduled"})
    flash(_("%(date)s の相談会を開催予定に戻しました。", date=long_date(session.date)), "success")
    return redirect(_year_of_list(session))


@bp.route("/generate", methods=["GET", "POST"])
def generate():
    current = fiscal_year_of(queries.today_in_tokyo())
    form = GenerateForm(data={"fiscal_year": current + 1})
    form.promoters.choices = _promoter_choices()
    if form.validate_on_submit():
        year = form.fiscal_year.data
        try:
            created, skipped = operations.generate_fiscal_year(
                year, operations.plan_defaults(current_app.config, list(form.promoters.data or [])))
        except DomainError as err:
            db_session.rollback()
            show_error(form, err)
        else:
            return _page("sessions/admin_generated.html", year=year, label=reiwa_label(year), created=created,
                         skipped=skipped, holidays=[s for s in created if s.holiday])
    return _page("sessions/admin_generate.html", 400 if form.is_submitted() else 200, form=form)
