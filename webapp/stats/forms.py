"""Forms of the admin's vocabulary pages (every one carries a CSRF token)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, StringField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp

from webapp.stats.vocabulary import LABEL_LIMIT


class TermForm(FlaskForm):
    """A term's labels and place in the list."""

    label_ja = StringField(_l("日本語の表示名"), validators=[DataRequired(_l("日本語の表示名を入れてください。")),
                                                        Length(max=LABEL_LIMIT)])
    label_en = StringField(_l("英語の表示名"), validators=[Optional(), Length(max=LABEL_LIMIT)])
    position = IntegerField(_l("並び順"), validators=[Optional(), NumberRange(min=0, max=9999,
                                                     message=_l("0から9999までの数字で入れてください。"))])


class NewTermForm(TermForm):
    """A new topic or agency; the key may be left empty and is then made up."""

    key = StringField(_l("キー（半角英小文字・数字・_、空欄なら自動）"), validators=[
        Optional(), Length(max=64),
        Regexp(r"^[a-z][a-z0-9_]*$", message=_l("半角の英小文字で始め、英小文字・数字・_ だけを使ってください。")),
    ])


class ActionForm(FlaskForm):
    """A button that changes something: only the CSRF token."""
