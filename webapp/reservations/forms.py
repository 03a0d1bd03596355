"""Forms residents fill in: reserve a slot, find a reservation, confirm a cancellation."""
from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from webapp.exceptions import DomainError
from webapp.formchecks import plain_text
from webapp.limits import NICKNAME_MAX, TOPIC_MAX
from webapp.reservations.cap import limit as cap_limit


class ReserveForm(FlaskForm):
    """Both fields are optional: a seat needs nothing personal."""

    nickname = StringField(_l("ニックネーム（任意）"), validators=[
        Length(max=NICKNAME_MAX, message=_l("ニックネームは%(max)d文字以内でお願いします。")), plain_text])
    topic = TextAreaField(_l("相談したいこと（任意）"), validators=[
        Length(max=TOPIC_MAX, message=_l("相談したいことは%(max)d文字以内でお願いします。")), plain_text])


class LookupForm(FlaskForm):
    code = StringField(_l("予約番号"), validators=[
        DataRequired(message=_l("予約番号を入力してください。")), plain_text])


class MoveForm(FlaskForm):
    """Another time of the same session; the choices are the slots with a free seat (set by the view)."""

    slot = SelectField(_l("変更先の時間"), coerce=int, validate_choice=False,
                       validators=[DataRequired(message=_l("変更先の時間を選んでください。"))])


class ConfirmForm(FlaskForm):
    """A button and the CSRF token: used to confirm a cancellation."""


def reservation_error(err: DomainError) -> str:
    """A kind sentence for a reservation rule the resident ran into."""
    messages = {
        "slot_full": _("この時間は満席になりました。ほかの時間をお選びください。"),
        "slot_past": _("この時間はすでに始まっています。予約なしでそのままご参加いただけます。"),
        "session_cancelled": _("この相談会は中止になりました。"),
        "reception_ended": _("本日の受付は終了しました。ほかの日の相談会をご予約ください。"),
        "too_long": _("入力が長すぎます。短くしてもう一度お試しください。"),
        "not_found": _("この時間枠は見つかりませんでした。"),
        "not_movable": _("この予約は変更できません。取り消し済みか、時間が過ぎています。"),
        "too_many_reservations": _(
            "ひとつの端末から同じ相談会に予約できるのは%(n)d件までです。ほかの方も予約できるよう、ご協力をお願いします。"
            "予約がなくても、当日そのまま参加できます。", n=cap_limit()),
        "session_busy": _("いまこの相談会への予約が集中しています。しばらく待ってからもう一度お試しください。"
                          "予約がなくても、当日そのまま参加できます。"),
    }
    return messages.get(err.code, _("予約できませんでした。もう一度お試しください。"))


def place_error(form: ReserveForm, err: DomainError) -> None:
    """A contact typed into a field is explained next to that field (its text kept to edit); others above the form."""
    contact = _("匿名のままで大丈夫です。電話番号やメールアドレスは書かずに、もう一度お送りください（保存していません）。")  # noqa: E501
    if err.code == "contact_in_topic":
        form.topic.errors = [contact]
    elif err.code == "contact_in_nickname":
        form.nickname.errors = [contact]
    else:
        form.form_errors.append(reservation_error(err))
