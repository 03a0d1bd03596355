"""The admin's audit page (/admin/audit): filters, newest first, paged, and the same rows as CSV for Excel."""
from __future__ import annotations

import csv
import io

from flask import Blueprint, Response, render_template, request
from flask_babel import gettext as _

from webapp import city
from webapp.audit import operations
from webapp.audit.forms import ACTION_LABELS, AuditFilterForm
from webapp.audit.operations import CLI, NOBODY, SYSTEM, Filters
from webapp.db import db_session, read_only
from webapp.http_cache import no_store
from webapp.staff.auth import admin_required
from webapp.timeutil import local

bp = Blueprint("audit", __name__, template_folder="templates")


@bp.teardown_request
def _end_transaction(_exc) -> None:
    """End the request's transaction, so no lock or stale row outlives it (SQLite locks on BEGIN)."""
    db_session.rollback()

PER_PAGE = 50


def actor_label(actor: str) -> str:
    """The actor as people read it: a login, or what acted without one."""
    return {CLI: _("コマンドライン"), SYSTEM: _("システム"), NOBODY: _("（ログイン前）")}.get(actor, actor)


@bp.app_template_global()
def audit_action_label(action: str) -> str:
    return str(ACTION_LABELS.get(action, action))


def _filters() -> tuple[AuditFilterForm, Filters | None]:
    """The filter form from the query string, and what it asks for (None when a field is wrong)."""
    form = AuditFilterForm(request.args)
    if not form.validate():
        return form, None
    return form, Filters(getattr(form.first, "parsed", None), getattr(form.last, "parsed", None),
                         form.action.data or None, (form.actor.data or "").strip() or None)


def _page_number() -> int:
    raw = request.args.get("page", "1")
    return int(raw) if raw.isascii() and raw.isdigit() and 0 < int(raw) < 10**6 else 1


def _helpers() -> dict:
    return {"actor_label": actor_label, "local_day": lambda moment: local(moment).date()}


def _no_store(response: Response) -> Response:
    return no_store(response, private=True)


@bp.get("/admin/audit")
@admin_required
@read_only
def index():
    form, filters = _filters()
    if filters is None:
        return _no_store(Response(render_template("audit/index.html", form=form, rows=[], total=0, page=1,
                                                  pages=1, query={}, **_helpers()), 400))
    total, page = operations.count(filters), _page_number()
    pages = max(1, -(-total // PER_PAGE))
    page = min(page, pages)
    rows = operations.matching(filters, limit=PER_PAGE, offset=(page - 1) * PER_PAGE)
    query = {k: v for k, v in request.args.items() if k in ("from", "to", "action", "actor", "lang") and v}
    return _no_store(Response(render_template(
        "audit/index.html", form=form, rows=rows, total=total, page=page, pages=pages, query=query,
        actors=operations.actors(), **_helpers())))


def to_csv(rows) -> bytes:
    """UTF-8 with BOM (Excel opens it as such), like the statistics' CSV. Cells are times, logins,
    action names and ids, none of which can start a formula."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([_("日時"), _("操作した人"), _("操作の種類"), _("操作の名前"), _("対象")])
    for row in rows:
        writer.writerow([local(row.at).isoformat(timespec="seconds"), actor_label(row.actor),
                         audit_action_label(row.action), row.action, row.target])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


@bp.get("/admin/audit.csv")
@admin_required
@read_only
def export():
    form, filters = _filters()
    if filters is None:
        return index()
    body = to_csv(operations.matching(filters))
    return _no_store(Response(body, mimetype="text/csv", headers={
        "Content-Type": "text/csv; charset=utf-8",
        "Content-Disposition": f'attachment; filename="{city.slug()}-audit.csv"'}))
