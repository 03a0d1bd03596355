"""Admin forms for sessions; the rules themselves stay in operations.py, these only parse input."""
from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, RadioField, SelectMultipleField, StringField, TextAreaField, TimeField
from wtforms.fields import URLField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import URL, InputRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from webapp import limits
from webapp.exceptions import DomainError
from webapp.formchecks import http_link, plain_text


class CheckboxesField(SelectMultipleField):
    """Several choices as checkboxes (promoters)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def format_choices():
    return [SelectChoice("in_person", _l("対面")), SelectChoice("online", _l("オンライン")),
            SelectChoice("metaverse", _l("メタバース"))]


def _required(label):
    return InputRequired(message=_l("%(label)sを入力してください。", label=label))


class SessionForm(FlaskForm):
    """Create a session: one day, its hours, format, place and slots."""

    date = DateField(_l("日付"), validators=[_required(_l("日付"))])
    start = TimeField(_l("開始時刻"), validators=[_required(_l("開始時刻"))])
    end = TimeField(_l("終了時刻"), validators=[_required(_l("終了時刻"))])
    format = RadioField(_l("形式"), choices=format_choices(),
                        validators=[InputRequired(message=_l("形式を選んでください。"))])
    location = StringField(_l("場所"), validators=[Length(max=limits.LOCATION_MAX), plain_text])
    join_url = URLField(_l("参加用リンク（オンライン・メタバース）"), validators=[
        Optional(), URL(message=_l("https:// から始まるリンクを入力してください。")), http_link,
        Length(max=limits.JOIN_URL_MAX)])
    slot_minutes = IntegerField(_l("予約枠の長さ（分）"), validators=[_required(_l("予約枠の長さ"))])
    capacity = IntegerField(_l("1枠の定員（人）"), validators=[_required(_l("1枠の定員"))])
    promoters = CheckboxesField(_l("担当する主任推進員"), choices=[])


class EditSessionForm(SessionForm):
    note = TextAreaField(_l("お知らせ（相談に来る方に表示）"), validators=[Length(max=limits.NOTE_MAX), plain_text])


class RecordForm(FlaskForm):
    """An ended session: its date, hours, format and slots are its record; the words and the people may change."""

    location = SessionForm.location
    join_url = SessionForm.join_url
    promoters = CheckboxesField(_l("担当する主任推進員"), choices=[])
    note = EditSessionForm.note


class CancelForm(FlaskForm):
    note = TextAreaField(_l("中止のお知らせ（任意）"), validators=[Length(max=limits.NOTE_MAX), plain_text])


class GenerateForm(FlaskForm):
    fiscal_year = IntegerField(_l("年度（西暦の開始年）"), validators=[_required(_l("年度"))])
    promoters = CheckboxesField(_l("担当する主任推進員"), choices=[])


#: Which field a broken session rule belongs to, so the message appears next to it.
ERROR_FIELDS = {"invalid_times": "end", "invalid_format": "format", "unknown_promoter": "promoters",
                "invalid_slot_minutes": "slot_minutes", "invalid_capacity": "capacity",
                "invalid_fiscal_year": "fiscal_year"}


def session_error(err: DomainError) -> str:
    """The scheduling rule that was broken, in the reader's language."""
    messages = {
        "invalid_times": _("終了時刻は開始時刻より後の、同じ日の時刻にしてください。"),
        "slot_reserved": _("予約が入っているため、この変更はできません。予約の入った枠が新しい時間に収まるように開始と終了を同じだけずらすか、枠の長さを元のままにしてください。"),  # noqa: E501
        "invalid_format": _("形式を選んでください。"),
        "unknown_promoter": _("選んだ担当者のアカウントが見つからないか、無効になっています。"),
        "invalid_slot_minutes": _("予約枠の長さは%(min)d〜%(max)d分で、相談会の時間より短くしてください。",
                                  min=limits.SLOT_MINUTES_MIN, max=limits.SLOT_MINUTES_MAX),
        "invalid_capacity": _("定員は%(min)d〜%(max)d人で、すでに入っている予約の数以上にしてください。",
                              min=limits.CAPACITY_MIN, max=limits.CAPACITY_MAX),
        "invalid_fiscal_year": _("年度は%(min)d〜%(max)dの西暦で入力してください（例: 2026 は令和8年度）。",
                                 min=limits.YEAR_MIN, max=limits.YEAR_MAX),
        "invalid_status": _("この状態には変更できません。"),
    }
    return messages.get(err.code, err.message)


def show_error(form: FlaskForm, err: DomainError) -> None:
    """Put the message next to its field, or above the form when it belongs to no field."""
    field = getattr(form, err.field or ERROR_FIELDS.get(err.code, ""), None)
    if field is not None:
        field.errors = [*field.errors, session_error(err)]
    else:
        form.form_errors.append(session_error(err))
