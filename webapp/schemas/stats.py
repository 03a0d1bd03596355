"""The query of GET /stats and /stats.csv."""
from __future__ import annotations

from pydantic import Field

from webapp.schemas.base import Query
from webapp.schemas.fields import FiscalYear


class StatsQuery(Query):
    """?fiscal_year=YYYY, required."""

    error_codes = {"fiscal_year": "invalid_fiscal_year"}

    fiscal_year: FiscalYear = Field(
        description="年度, named by the year it starts in: 2024 = 令和6年度 (2024-04-01..2025-03-31).")
