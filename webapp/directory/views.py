"""The admin page of the directory's history: what was changed in the agencies and crisis contacts, by whom."""
from __future__ import annotations

from flask import Blueprint, Response, render_template
from flask_babel import gettext as _

from webapp.db import read_only
from webapp.directory import history
from webapp.http_cache import no_store
from webapp.staff.auth import admin_required
from webapp.timeutil import local

bp = Blueprint("directory", __name__, template_folder="templates")


def _labels() -> dict:
    return {
        "kind": {"agency": _("つなぎ先の機関"), "crisis_contact": _("緊急の連絡先")},
        "action": {"add": _("追加"), "update": _("内容の変更"), "retire": _("使わない"), "restore": _("元に戻す"),
                   "delete": _("削除")},
        "field": {"label_ja": _("名前（日本語）"), "label_en": _("名前（英語）"), "name_ja": _("名前（日本語）"),
                  "name_en": _("名前（英語）"), "detail_ja": _("説明（日本語）"), "detail_en": _("説明（英語）"),
                  "url": "URL", "position": _("表示順")},
    }


@bp.get("/admin/directory/history")
@admin_required
@read_only
def index():
    page = render_template("directory/history.html", edits=history.edits(), labels=_labels(),
                           local_day=lambda moment: local(moment).date(), shown=history.SHOWN)
    return no_store(Response(page), private=True)
