"""Staff forms: sign in, and the admin's account management."""
from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, PasswordField, RadioField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired

from webapp.exceptions import DomainError
from webapp.staff.operations import MIN_PASSWORD


def role_choices():
    return [SelectChoice("promoter", _l("主任推進員")), SelectChoice("admin", _l("管理者"))]


def role_label(role: str) -> str:
    return next((str(c.label) for c in role_choices() if c.value == role), role)


class LoginForm(FlaskForm):
    login = StringField(_l("ログイン名"), validators=[DataRequired(message=_l("ログイン名を入力してください。"))])
    password = PasswordField(_l("パスワード"), validators=[DataRequired(message=_l("パスワードを入力してください。"))])
    next = HiddenField()


class UserForm(FlaskForm):
    """An existing account: what an admin may change besides the password."""

    display_name = StringField(_l("表示名"), validators=[DataRequired(message=_l("表示名を入力してください。"))])
    role = RadioField(_l("役割"), choices=role_choices(), default="promoter")


class NewUserForm(UserForm):
    login = StringField(_l("ログイン名"), validators=[DataRequired(message=_l("ログイン名を入力してください。"))])
    password = PasswordField(_l("初期パスワード"),
                             validators=[DataRequired(message=_l("パスワードを入力してください。"))])


class PasswordForm(FlaskForm):
    password = PasswordField(_l("新しいパスワード"),
                             validators=[DataRequired(message=_l("パスワードを入力してください。"))])


#: Which field a broken account rule belongs to, so the message appears next to it.
ERROR_FIELDS = {"invalid_login": "login", "login_taken": "login", "weak_password": "password",
                "invalid_display_name": "display_name", "invalid_role": "role"}


def account_error(err: DomainError) -> str:
    """The account rule that was broken, in the reader's language."""
    messages = {
        "invalid_login": _("ログイン名は2〜64文字の半角英小文字・数字・「.」「_」「-」で入力してください。"),
        "login_taken": _("このログイン名はすでに使われています。"),
        "weak_password": _("パスワードは%(n)d文字以上にしてください。", n=MIN_PASSWORD),
        "invalid_display_name": _("表示名は1〜100文字で入力してください。"),
        "invalid_role": _("役割を選んでください。"),
    }
    return messages.get(err.code, err.message)


def show_error(form: FlaskForm, err: DomainError) -> None:
    """Put the message next to its field, or above the form when it belongs to no field."""
    field = getattr(form, ERROR_FIELDS.get(err.code, ""), None)
    if field is not None:
        field.errors = [*field.errors, account_error(err)]
    else:
        form.form_errors.append(account_error(err))
