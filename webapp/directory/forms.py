"""The form of an agency's details (every one carries a CSRF token); the rules are the operation's (details.py)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import Length

from webapp import limits
from webapp.formchecks import plain_text


def _length(limit: int):
    return Length(max=limit, message=_l("%(max)d文字以内で入力してください。"))


class AgencyDetailsForm(FlaskForm):
    """What residents read of an agency on the help page, besides its name."""

    field = StringField(_l("分野（例: 高齢、こども）"), validators=[_length(limits.AGENCY_FIELD_MAX), plain_text])
    phone = StringField(_l("電話番号（半角数字と -）"), validators=[_length(limits.AGENCY_PHONE_MAX), plain_text])
    url = StringField(_l("リンク（https://… または tel:…）"), validators=[_length(limits.AGENCY_URL_MAX), plain_text])
    hours = StringField(_l("受付時間（例: 平日 9:00〜17:00）"),
                        validators=[_length(limits.AGENCY_HOURS_MAX), plain_text])
