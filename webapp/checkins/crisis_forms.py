"""Forms of the admin's crisis settings page (every one carries a CSRF token)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, RadioField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from webapp.checkins.operations.crisis_settings import DETAIL_MAX, NAME_MAX, PHRASE_MAX, URL_MAX


class PhraseForm(FlaskForm):
    """A crisis phrase, as a resident would write it."""

    text = StringField(_l("ことば"), validators=[DataRequired(_l("ことばを入れてください。")),
                                                Length(max=PHRASE_MAX)])
    kind = RadioField(_l("見つけ方"), default="phrase", choices=[
        SelectChoice("phrase", _l("意味で見つける（活用・ひらがな・カタカナも）")),
        SelectChoice("word", _l("書いたとおりの文字で見つける")),
    ])


class ContactForm(FlaskForm):
    """A crisis contact shown to a resident at once."""

    name_ja = StringField(_l("窓口の名前（日本語）"), validators=[DataRequired(_l("窓口の名前を入れてください。")),
                                                          Length(max=NAME_MAX)])
    name_en = StringField(_l("窓口の名前（英語）"), validators=[Optional(), Length(max=NAME_MAX)])
    detail_ja = StringField(_l("説明（日本語）"), validators=[Optional(), Length(max=DETAIL_MAX)])
    detail_en = StringField(_l("説明（英語）"), validators=[Optional(), Length(max=DETAIL_MAX)])
    url = StringField(_l("リンク（https://… または tel:…）"), validators=[Optional(), Length(max=URL_MAX)])
    position = IntegerField(_l("並び順"), validators=[Optional(), NumberRange(
        min=0, max=9999, message=_l("0から9999までの数字で入れてください。"))])


class ActionForm(FlaskForm):
    """A button that changes something: only the CSRF token."""
