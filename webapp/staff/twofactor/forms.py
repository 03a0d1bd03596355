"""The code fields of the second step, of enrolment and of turning the second factor off."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired


class VerifyForm(FlaskForm):
    """Sign-in, second step: the app's code, or (folded away) a recovery code."""

    code = StringField(_l("確認コード（6桁の数字）"))
    recovery_code = StringField(_l("回復コード"))

    def typed(self) -> tuple[str, str]:
        """(the field that was filled, what was typed): the app's code wins when both were."""
        if (self.code.data or "").strip() or not (self.recovery_code.data or "").strip():
            return "code", self.code.data or ""
        return "recovery_code", self.recovery_code.data or ""


class SetupForm(FlaskForm):
    """Enrolment: the first code the app shows proves it holds the secret."""

    code = StringField(_l("確認コード（6桁の数字）"),
                       validators=[DataRequired(message=_l("認証アプリに表示されている6桁の数字を入力してください。"))])


class ProveForm(FlaskForm):
    """Before recovery codes are replaced or the second factor turned off: a current code or a recovery code."""

    code = StringField(_l("確認コードまたは回復コード"),
                       validators=[DataRequired(message=_l("確認コードか回復コードを入力してください。"))])
