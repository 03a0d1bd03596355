"""The admin page's filters: a plain GET form (no CSRF token: it changes nothing)."""
from __future__ import annotations

import datetime as dt

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, Length, Optional, ValidationError

from webapp import limits
from webapp.audit.operations import ACTIONS

#: What each action is called on the page and in the CSV.
ACTION_LABELS = {
    "login": _l("ログイン（成功）"), "login_failed": _l("ログインの失敗"), "login_throttled": _l("ログインの一時停止"),
    "logout": _l("ログアウト"), "user_create": _l("アカウントの作成"), "user_deactivate": _l("アカウントの無効化"),
    "user_activate": _l("アカウントの有効化"), "password_change": _l("パスワードの変更"),
    "token_issue": _l("APIトークンの発行"), "token_revoke": _l("APIトークンの無効化"),
    "session_create": _l("相談会の作成"), "session_update": _l("相談会の変更"), "session_cancel": _l("相談会の中止"),
    "extend": _l("相談会の延長"), "take": _l("相談の受け持ち"), "transfer": _l("相談の引き継ぎ"),
    "remove": _l("受付の取り消し（退室）"), "close": _l("相談の記録と終了"),
    "purge": _l("保存期間を過ぎたデータの削除"),
}


def _day(form, field) -> None:
    """YYYY-MM-DD (what a date picker sends), within the years the service deals in."""
    if not field.data:
        field.parsed = None
        return
    try:
        day = dt.date.fromisoformat(field.data.strip())
    except ValueError:
        day = None
    if day is None or len(field.data.strip()) != 10 or not limits.YEAR_MIN <= day.year <= limits.YEAR_MAX:
        raise ValidationError(_l("日付は 2026-12-15 のように、年-月-日で入れてください。"))
    field.parsed = day


class AuditFilterForm(FlaskForm):
    """from, to, action, actor: each optional (the dates are days in Tokyo, both inclusive)."""

    class Meta:
        csrf = False

    first = StringField(_l("この日から"), name="from", validators=[Optional(), _day], render_kw={"type": "date"})
    last = StringField(_l("この日まで"), name="to", validators=[Optional(), _day], render_kw={"type": "date"})
    action = SelectField(_l("操作の種類"), validate_choice=False,
                         validators=[Optional(), AnyOf(ACTIONS, message=_l("一覧から操作を選んでください。"))],
                         choices=[SelectChoice("", _l("すべて")),
                                  *(SelectChoice(a, ACTION_LABELS[a]) for a in ACTIONS)])
    actor = StringField(_l("操作した人（ログイン名）"), validators=[Optional(), Length(max=limits.LOGIN_MAX)])

    def validate_last(self, field) -> None:
        first = getattr(self.first, "parsed", None)
        if first and getattr(field, "parsed", None) and field.parsed < first:
            raise ValidationError(_l("終わりの日は、始めの日と同じか後の日にしてください。"))
