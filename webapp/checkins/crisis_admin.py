"""The admin's crisis settings: the phrases that mark a crisis, and the contacts shown for one.

A change is in force in this process at once and on every relay within CRISIS_REFRESH_S seconds.
"""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from webapp.checkins.crisis_forms import ActionForm, ContactForm, PhraseForm
from webapp.checkins.crisis_models import CrisisContact, CrisisPhrase
from webapp.checkins.operations import crisis, crisis_settings
from webapp.db import db_session, read_only
from webapp.exceptions import DomainError
from webapp.http_cache import no_store
from webapp.staff.auth import admin_required
from webapp.templating import with_data

bp = Blueprint("crisis_admin", __name__, template_folder="templates")
SAMPLE_MAX = 500


bp.after_request(no_store)


@bp.get("/admin/crisis")
@admin_required
@read_only
def index():
    return _page()


def _page(phrase_form: PhraseForm | None = None, contact_form: ContactForm | None = None, status: int = 200):
    sample = (request.args.get("sample") or "")[:SAMPLE_MAX]
    return render_template(
        "checkins/crisis_settings.html", phrases=crisis_settings.phrases(), contacts=crisis_settings.contacts(),
        phrase_form=phrase_form or PhraseForm(prefix="phrase", formdata=None),
        contact_form=contact_form or ContactForm(prefix="contact", formdata=None), action=ActionForm(),
        sample=sample, sample_flagged=crisis.contains_crisis_word(sample) if sample.strip() else None), status


def _field_error(form, err: DomainError) -> None:
    """The operation's refusal shown beside the field it names."""
    messages = {"phrase_exists": _("このことばはもう一覧にあります。"),
                "invalid_field": _("この内容では登録できません。書き方を確かめてください。")}
    if err.code == "invalid_field" and getattr(err, "field", "") == "url":
        message = _("リンクは https:// で始まるアドレスか、tel: に続く電話番号にしてください。")
    elif err.code == "invalid_field" and getattr(err, "field", "") == "text":
        message = _("意味で見つけることばが読み取れませんでした。文字を確かめてください。")
    else:
        message = messages.get(err.code, err.message)
    field = getattr(form, getattr(err, "field", ""), None) or next(iter(form))
    field.errors = [*field.errors, message]


def _changed() -> None:
    crisis.forget()  # this process at once; the relays within CRISIS_REFRESH_S


@bp.post("/admin/crisis/phrases")
@admin_required
def add_phrase():
    form = PhraseForm(prefix="phrase")
    if not form.validate_on_submit():
        return _page(phrase_form=form, status=400)
    try:
        phrase = crisis_settings.add_phrase(form.text.data, form.kind.data)
    except DomainError as err:
        _field_error(form, err)
        return _page(phrase_form=form, status=400)
    _changed()
    flash(with_data(_("「%(text)s」を追加しました。"), text=phrase.text))
    return redirect(url_for(".index", _anchor="phrases"))


@bp.post("/admin/crisis/contacts")
@admin_required
def add_contact():
    form = ContactForm(prefix="contact")
    if not form.validate_on_submit():
        return _page(contact_form=form, status=400)
    try:
        contact = crisis_settings.add_contact(form.data)
    except DomainError as err:
        _field_error(form, err)
        return _page(contact_form=form, status=400)
    _changed()
    flash(with_data(_("「%(name)s」を追加しました。"), name=contact.name_ja))
    return redirect(url_for(".index", _anchor="contacts"))


def _get_or_404(model, item_id: int):
    item = db_session.get(model, item_id)
    if item is None:
        abort(404)
    return item


@bp.route("/admin/crisis/phrases/<int:item_id>/edit", methods=["GET", "POST"])
@admin_required
def edit_phrase(item_id: int):
    phrase = _get_or_404(CrisisPhrase, item_id)
    form = PhraseForm(obj=phrase)
    if form.validate_on_submit():
        try:
            crisis_settings.update_phrase(phrase, form.text.data, form.kind.data)
        except DomainError as err:
            _field_error(form, err)
        else:
            _changed()
            flash(with_data(_("「%(text)s」を保存しました。"), text=phrase.text))
            return redirect(url_for(".index", _anchor="phrases"))
    return _edit_page(form, _("ことばを編集"), "phrases")


@bp.route("/admin/crisis/contacts/<int:item_id>/edit", methods=["GET", "POST"])
@admin_required
def edit_contact(item_id: int):
    contact = _get_or_404(CrisisContact, item_id)
    form = ContactForm(obj=contact)
    if form.validate_on_submit():
        try:
            crisis_settings.update_contact(contact, form.data)
        except DomainError as err:
            _field_error(form, err)
        else:
            _changed()
            flash(with_data(_("「%(name)s」を保存しました。"), name=contact.name_ja))
            return redirect(url_for(".index", _anchor="contacts"))
    return _edit_page(form, _("窓口を編集"), "contacts")


def _edit_page(form, title: str, anchor: str):
    status = 400 if form.errors else 200
    return render_template("checkins/crisis_edit.html", form=form, title=title, anchor=anchor), status


def _set_retired(model, item_id: int, retired: bool, anchor: str):
    item = _get_or_404(model, item_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    crisis_settings.set_retired(item, retired)
    _changed()
    label = getattr(item, "text", None) or item.name_ja
    sentence = _("「%(label)s」を使わないようにしました。") if retired else _("「%(label)s」をまた使うようにしました。")
    flash(with_data(sentence, label=label))
    return redirect(url_for(".index", _anchor=anchor))


@bp.post("/admin/crisis/phrases/<int:item_id>/<any(retire, restore):action>")
@admin_required
def retire_phrase(item_id: int, action: str):
    return _set_retired(CrisisPhrase, item_id, action == "retire", "phrases")


@bp.post("/admin/crisis/contacts/<int:item_id>/<any(retire, restore):action>")
@admin_required
def retire_contact(item_id: int, action: str):
    return _set_retired(CrisisContact, item_id, action == "retire", "contacts")
