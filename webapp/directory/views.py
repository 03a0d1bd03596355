"""The admin pages of the directory: an agency's details residents read, and the history of every change."""
from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from webapp.checkins.models import Term
from webapp.db import db_session, read_only
from webapp.directory import details, history
from webapp.directory.forms import AgencyDetailsForm
from webapp.exceptions import DomainError
from webapp.http_cache import no_store
from webapp.staff.auth import admin_required
from webapp.templating import with_data
from webapp.timeutil import local

bp = Blueprint("directory", __name__, template_folder="templates")


def _labels() -> dict:
    return {
        "kind": {"agency": _("つなぎ先の機関"), "crisis_contact": _("緊急の連絡先")},
        "action": {"add": _("追加"), "update": _("内容の変更"), "retire": _("使わない"), "restore": _("元に戻す"),
                   "delete": _("削除")},
        "field": {"label_ja": _("名前（日本語）"), "label_en": _("名前（英語）"), "name_ja": _("名前（日本語）"),
                  "name_en": _("名前（英語）"), "detail_ja": _("説明（日本語）"), "detail_en": _("説明（英語）"),
                  "url": "URL", "position": _("表示順"), "field": _("分野"), "phone": _("電話番号"),
                  "hours": _("受付時間")},
    }


@bp.get("/admin/directory/history")
@admin_required
@read_only
def index():
    page = render_template("directory/history.html", edits=history.edits(), labels=_labels(),
                           local_day=lambda moment: local(moment).date(), shown=history.SHOWN)
    return no_store(Response(page), private=True)


def _field_error(form: AgencyDetailsForm, err: DomainError) -> None:
    """The operation's refusal shown beside the field it names."""
    messages = {"url": _("リンクは https:// で始まるアドレスか、tel: に続く電話番号にしてください。"),
                "phone": _("電話番号は半角の数字と - で入力してください。")}
    field = getattr(form, err.field or "", None) or form.field
    field.errors = [*field.errors, messages.get(err.field or "", err.message)]


@bp.route("/admin/directory/agencies/<int:term_id>", methods=["GET", "POST"])
@admin_required
def agency(term_id: int):
    term = db_session.get(Term, term_id)
    if term is None or term.kind != "agency":
        abort(404)
    profile = current_app.config["PROFILE"]
    form = AgencyDetailsForm(obj=details.shown([term], profile)[0])
    if form.validate_on_submit():
        try:
            details.update(term, form.data, profile)
        except DomainError as err:
            _field_error(form, err)
        else:
            flash(with_data(_("「%(label)s」の連絡先と受付時間を保存しました。"), label=term.label_ja))
            return redirect(url_for("stats.vocabulary_index", _anchor="kind-agency"))
    page = render_template("directory/agency.html", term=term, form=form, in_profile=details.in_profile(term, profile))
    return no_store(Response(page, status=400 if form.errors else 200), private=True)
