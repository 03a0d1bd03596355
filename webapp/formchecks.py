"""WTForms validators over the one input check (webapp/schemas/fields.py), so pages refuse what the API refuses."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms.validators import ValidationError

from webapp.schemas.fields import http_url_problem, text_problem


def plain_text(form, field) -> None:
    """No control characters (but newline and tab) and no broken characters: a message next to the field."""
    if isinstance(field.data, str) and text_problem(field.data):
        raise ValidationError(_l("使えない文字（制御文字など）が含まれています。消してからもう一度お試しください。"))


def http_link(form, field) -> None:
    """Empty, or an absolute http(s) link without spaces or control characters."""
    if isinstance(field.data, str) and http_url_problem(field.data):
        raise ValidationError(_l("https:// から始まるリンクを、空白を入れずに入力してください。"))
