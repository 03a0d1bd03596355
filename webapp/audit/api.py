"""GET /api/v1/audit (admins): the audit log between two dates, oldest first (CONTRACT §7)."""
from __future__ import annotations

from flask import Blueprint, jsonify, request

from webapp.api import parse
from webapp.audit import operations
from webapp.db import db_session
from webapp.http_cache import no_store
from webapp.schemas.audit import AuditRange
from webapp.staff.auth import require_api_staff
from webapp.timeutil import iso

bp = Blueprint("audit_api", __name__, url_prefix="/api/v1")


@bp.teardown_request
def _end_transaction(_exc) -> None:
    """End the request's transaction, so no lock or stale row outlives it (SQLite locks on BEGIN)."""
    db_session.rollback()


def event(row) -> dict:
    """One event on the wire: {at, actor, action, target}."""
    return {"at": iso(row.at), "actor": row.actor, "action": row.action, "target": row.target}


@bp.get("/audit")
@require_api_staff("admin")
def audit_log():
    query = parse.valid(AuditRange, request.args.to_dict())
    response = jsonify([event(row) for row in operations.between(query.first, query.last)])
    return no_store(response, private=True)
