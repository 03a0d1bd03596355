"""Forms of the resident check-in and the waiting room (Flask-WTF: CSRF on each)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from webapp import limits
from webapp.checkins import avatars
from webapp.formchecks import plain_text


class CheckInForm(FlaskForm):
    """Avatar, optional nickname and optional reservation code: nothing that names a person."""

    avatar = RadioField(_l("アバター"), validators=[DataRequired(message=_l("アバターを1つ選んでください。"))],
                        validate_choice=True)
    nickname = StringField(_l("ニックネーム（なくても大丈夫です）"), validators=[
        Optional(), Length(max=limits.NICKNAME_MAX, message=_l("ニックネームは%(max)d文字までにしてください。")),
        plain_text])
    reservation_code = StringField(_l("予約番号（予約した方のみ）"), validators=[
        Optional(), Length(max=limits.CODE_MAX, message=_l("予約番号を確かめてください。")), plain_text])
    submit = SubmitField(_l("待合室に入る"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.avatar.choices = [SelectChoice(a.id) for a in avatars.AVATARS]
        # Without this, WTForms' own "Not a valid choice" (English only) would show.
        self.avatar.pre_validate = self._avatar_known

    def _avatar_known(self, form) -> None:
        from wtforms.validators import ValidationError

        if self.avatar.data not in avatars.avatar_ids():
            raise ValidationError(_l("アバターを1つ選んでください。"))


class MessageForm(FlaskForm):
    """A line to the staff, for browsers without JavaScript."""

    text = TextAreaField(_l("推進員へのメッセージ"), validators=[
        DataRequired(message=_l("メッセージを入力してください。")),
        Length(max=limits.MESSAGE_MAX, message=_l("メッセージは%(max)d文字までにしてください。")), plain_text])
    submit = SubmitField(_l("送る"))


class LeaveForm(FlaskForm):
    """The confirmed 'leave' for browsers without JavaScript."""

    submit = SubmitField(_l("退出する"))
