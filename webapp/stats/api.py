"""JSON and CSV fiscal-year figures (CONTRACT.md section 3, /stats)."""
from __future__ import annotations

from flask import Blueprint, Response, jsonify, request

from webapp.exceptions import ApiError
from webapp.staff.auth import require_api_staff
from webapp.stats import csvexport, queries

bp = Blueprint("stats_api", __name__, url_prefix="/api/v1")

FIRST_YEAR, LAST_YEAR = 2000, 2100


def fiscal_year_arg(raw: str | None) -> int:
    """The `fiscal_year` query parameter as a year, or a 400 the caller can act on."""
    if raw is None or not raw.strip():
        raise ApiError(400, "invalid_fiscal_year", "fiscal_year is required, e.g. ?fiscal_year=2024.")
    raw = raw.strip()
    if not (raw.isascii() and raw.isdigit() and len(raw) == 4 and FIRST_YEAR <= int(raw) <= LAST_YEAR):
        raise ApiError(400, "invalid_fiscal_year",
                       f"fiscal_year must be a year between {FIRST_YEAR} and {LAST_YEAR}, e.g. 2024.")
    return int(raw)


@bp.get("/stats")
@require_api_staff("promoter", "admin")
def stats():
    year = fiscal_year_arg(request.args.get("fiscal_year"))
    response = jsonify(queries.fiscal_year_stats(year))
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/stats.csv")
@require_api_staff("promoter", "admin")
def stats_csv():
    year = fiscal_year_arg(request.args.get("fiscal_year"))
    body = csvexport.to_csv(queries.fiscal_year_stats(year))
    return Response(body, mimetype="text/csv", headers={
        "Content-Type": "text/csv; charset=utf-8",
        "Content-Disposition": f'attachment; filename="ikomaru-stats-{year}.csv"',
        "Cache-Control": "private, no-store",
    })
