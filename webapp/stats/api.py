"""JSON and CSV fiscal-year figures (CONTRACT.md section 3, /stats)."""
from __future__ import annotations

from flask import Blueprint, Response, jsonify, request

from webapp import city
from webapp.api import parse
from webapp.http_cache import no_store
from webapp.schemas.stats import StatsQuery
from webapp.staff.auth import require_api_staff
from webapp.stats import csvexport, queries

bp = Blueprint("stats_api", __name__, url_prefix="/api/v1")


def fiscal_year_arg() -> int:
    """The `fiscal_year` query parameter as a year, or a 400 the caller can act on."""
    return parse.valid(StatsQuery, request.args.to_dict()).fiscal_year


@bp.get("/stats")
@require_api_staff("promoter", "admin")
def stats():
    year = fiscal_year_arg()
    return no_store(jsonify(queries.fiscal_year_stats(year)), private=True)


@bp.get("/stats.csv")
@require_api_staff("promoter", "admin")
def stats_csv():
    year = fiscal_year_arg()
    body = csvexport.to_csv(queries.fiscal_year_stats(year), title=city.profile().programme.name)
    return Response(body, mimetype="text/csv", headers={
        "Content-Type": "text/csv; charset=utf-8",
        "Content-Disposition": f'attachment; filename="{city.slug()}-stats-{year}.csv"',
        "Cache-Control": "private, no-store",
    })
