"""Fiscal-year figures for staff, a masked public summary, per-session records, the vocabulary."""
from __future__ import annotations

import functools

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from webapp.checkins.models import CheckIn, CheckinPromoter, Outcome
from webapp.checkins.operations import can_staff
from webapp.db import db_session
from webapp.exceptions import DomainError
from webapp.extensions import login_manager
from webapp.http_cache import no_store
from webapp.sessions.models import Session
from webapp.sessions.queries import promoter_session_ids
from webapp.staff.auth import admin_required
from webapp.stats import presenter, queries, vocabulary
from webapp.stats.forms import ActionForm, NewTermForm, TermForm
from webapp.templating import with_data

bp = Blueprint("stats", __name__, template_folder="templates")

STAFF_ROLES = ("admin", "promoter")
KIND_TITLES = {"topic": "相談内容", "result": "相談結果", "agency": "つなぎ先"}


@bp.after_request
def _no_store(response):
    """Staff pages name visitors by nickname: keep them out of caches (the public summary may be cached)."""
    return response if request.endpoint == "stats.public" else no_store(response)


def staff_required(view):
    """Decorator for pages promoters and admins see."""

    @functools.wraps(view)
    def inner(*args, **kwargs):
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        if current_user.role not in STAFF_ROLES:
            abort(403)
        return view(*args, **kwargs)

    return inner


def _asked_year(allowed: list[int], default: int) -> tuple[int, str | None]:
    """The fiscal year asked for in ?fiscal_year=, or `default` with a message saying why."""
    raw = request.args.get("fiscal_year")
    if raw is None or raw == "":
        return default, None
    if raw.isascii() and raw.isdigit() and int(raw) in allowed:
        return int(raw), None
    return default, _("その年度は選べません。一覧から選んでください。")


@bp.get("/staff/stats")
@staff_required
def index():
    choices = presenter.year_choices()
    year, error = _asked_year([y for y, _ in choices], presenter.current_fiscal_year())
    stats = queries.fiscal_year_stats(year)
    return render_template("stats/index.html", stats=stats, choices=choices, year=year, year_error=error,
                           sessions=queries.session_rows(year), p=presenter,
                           records_open=_records_open_to(current_user))


def _records_open_to(user) -> set[int] | None:
    """Ids of the sessions whose visitor record `user` may open (None: every one, for admins)."""
    if user.is_admin:
        return None
    return set(db_session.scalars(promoter_session_ids(user.id)))


@bp.get("/staff/stats/sessions/<int:session_id>")
@staff_required
def session_record(session_id: int):
    session = db_session.get(Session, session_id)
    if session is None:
        abort(404)
    if not can_staff(current_user, session):
        abort(403)  # who came and what they talked about: for the session's own promoters and admins
    checkins = db_session.scalars(
        select(CheckIn).where(CheckIn.session_id == session.id).order_by(CheckIn.created_at, CheckIn.id)
        .options(selectinload(CheckIn.taken_by), selectinload(CheckIn.reservation),
                 selectinload(CheckIn.handlers).selectinload(CheckinPromoter.user),
                 selectinload(CheckIn.outcome).selectinload(Outcome.topics),
                 selectinload(CheckIn.outcome).selectinload(Outcome.result),
                 selectinload(CheckIn.outcome).selectinload(Outcome.referred_to))
    ).all()
    return render_template("stats/session.html", session=session, checkins=checkins, p=presenter,
                           label=vocabulary.label)


@bp.get("/stats/public")
def public():
    if not current_app.config.get("STATS_PUBLIC_ENABLED", True):
        abort(404)
    threshold = int(current_app.config.get("STATS_PUBLIC_THRESHOLD", 3))
    # Only years that are over: a running year's figures could point at last week's visitors.
    choices = presenter.year_choices(latest=presenter.current_fiscal_year() - 1)
    year, error = _asked_year([y for y, _ in choices], choices[0][0])
    return render_template("stats/public.html", stats=queries.fiscal_year_stats(year), choices=choices,
                           year=year, year_error=error, threshold=threshold, p=presenter)


@bp.get("/admin/vocabulary")
@admin_required
def vocabulary_index():
    return _vocabulary_page()


def _vocabulary_page(forms: dict | None = None, status: int = 200):
    forms = forms or {}
    add_forms = {kind: forms.get(kind) or NewTermForm(prefix=kind, formdata=None)
                 for kind in vocabulary.ADDABLE_KINDS}
    lists = {kind: vocabulary.terms(kind) for kind in KIND_TITLES}
    return render_template("stats/vocabulary.html", lists=lists, add_forms=add_forms, titles=KIND_TITLES,
                           usage=vocabulary.usage_counts(), action=ActionForm()), status


@bp.post("/admin/vocabulary/<kind>")
@admin_required
def add_term(kind: str):
    if kind not in vocabulary.ADDABLE_KINDS:
        abort(404)
    form = NewTermForm(prefix=kind)
    if not form.validate_on_submit():
        return _vocabulary_page({kind: form}, 400)
    try:
        term = vocabulary.add_term(kind, form.label_ja.data, form.label_en.data, form.key.data, form.position.data)
    except DomainError as err:
        form.key.errors = [*form.key.errors, _term_error(err)]
        return _vocabulary_page({kind: form}, 400)
    flash(with_data(_("「%(label)s」を追加しました。"), label=term.label_ja))
    return redirect(url_for("stats.vocabulary_index", _anchor=f"kind-{kind}"))


def _term_error(err: DomainError) -> str:
    messages = {
        "term_exists": _("そのキーはもう使われています。別のキーにしてください。"),
        "invalid_key": _("キーは半角の英小文字で始め、英小文字・数字・_ だけを使ってください。"),
        "term_in_use": _("この語は記録で使われているので削除できません。廃止にしてください。"),
    }
    return messages.get(err.code, err.message)


def _term_or_404(term_id: int):
    term = vocabulary.get(term_id)
    if term is None:
        abort(404)
    return term


@bp.route("/admin/vocabulary/<int:term_id>/edit", methods=["GET", "POST"])
@admin_required
def edit_term(term_id: int):
    term = _term_or_404(term_id)
    form = TermForm(obj=term)
    if form.validate_on_submit():
        position = term.position if form.position.data is None else form.position.data
        vocabulary.update_term(term, form.label_ja.data, form.label_en.data, position)
        flash(with_data(_("「%(label)s」を保存しました。"), label=term.label_ja))
        return redirect(url_for("stats.vocabulary_index", _anchor=f"kind-{term.kind}"))
    status = 400 if form.errors else 200
    return render_template("stats/term_edit.html", term=term, form=form, title=KIND_TITLES[term.kind],
                           in_use=vocabulary.in_use(term)), status


def _term_action(term_id: int, action, message):
    """Run `action` on a term and flash `message(label)` (a `with_data` sentence)."""
    term = _term_or_404(term_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        action(term)
    except DomainError as err:
        flash(_term_error(err), "error")
    else:
        flash(message(term.label_ja))
    return redirect(url_for("stats.vocabulary_index", _anchor=f"kind-{term.kind}"))


@bp.post("/admin/vocabulary/<int:term_id>/retire")
@admin_required
def retire_term(term_id: int):
    return _term_action(
        term_id, vocabulary.retire_term,
        lambda name: with_data(_("「%(label)s」を廃止しました。これまでの記録には残ります。"), label=name))


@bp.post("/admin/vocabulary/<int:term_id>/restore")
@admin_required
def restore_term(term_id: int):
    return _term_action(term_id, vocabulary.restore_term,
                        lambda name: with_data(_("「%(label)s」をまた選べるようにしました。"), label=name))


@bp.post("/admin/vocabulary/<int:term_id>/delete")
@admin_required
def delete_term(term_id: int):
    return _term_action(term_id, vocabulary.delete_term,
                        lambda name: with_data(_("「%(label)s」を削除しました。"), label=name))
