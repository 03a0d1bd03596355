"""`flask --app wsgi schedule ...`: the fiscal year's sessions."""
from __future__ import annotations

import click
from flask import current_app

from webapp import limits
from webapp.cli.base import OneLineGroup, domain_errors_as_clicks

schedule_cli = OneLineGroup("schedule", help="The fiscal year's sessions.")


@schedule_cli.command("generate")
@click.option("--fiscal-year", type=click.IntRange(limits.YEAR_MIN, limits.YEAR_MAX), required=True,
              help="e.g. 2026 for 令和8年度")
@click.option("--promoter", "promoters", multiple=True, help="Login to assign (repeatable).")
@domain_errors_as_clicks
def schedule_generate(fiscal_year, promoters):
    """Create a fiscal year's sessions on the profile's day of each month."""
    from webapp.sessions.operations import generate_fiscal_year, plan_defaults
    from webapp.timeutil import reiwa_label

    created, skipped = generate_fiscal_year(fiscal_year, plan_defaults(current_app.config, list(promoters)))
    for s in created:
        flag = f"  holiday: {s.holiday_name}" if s.holiday else ""
        click.echo(f"{s.date}  {s.format}{flag}")
    click.echo(f"{reiwa_label(fiscal_year)}: {len(created)} created, {len(skipped)} already existed")
