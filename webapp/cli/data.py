"""`flask --app wsgi demo` and `purge`: data loaded into an empty database, and data past its retention."""
from __future__ import annotations

import click
from flask import current_app

from webapp.cli.base import OneLineCommand, domain_errors_as_clicks


@click.command("demo", cls=OneLineCommand)
@click.option("--if-empty", is_flag=True, help="Do nothing (exit 0) when the database already has data.")
@domain_errors_as_clicks
def demo_command(if_empty):
    """Load demo data into an empty database."""
    from webapp import demo

    if not demo.database_is_empty():
        if if_empty:
            click.echo("demo: the database already has data; left as it is")
            return
        raise click.ClickException("The database is not empty; demo data goes only into an empty one.")
    for line in demo.load(current_app.config):
        click.echo(line)


@click.command("purge", cls=OneLineCommand)
def purge_command():
    """Delete message texts, nicknames and reservation notes past their retention (counts and outcomes stay),
    and staff sign-ins that have ended, and audit events past theirs."""
    from webapp.audit import operations as audit
    from webapp.checkins.retention import purge_expired
    from webapp.staff import login_sessions

    ended = login_sessions.prune(login_sessions.Limits.from_config(current_app.config))
    events = audit.purge_older_than(current_app.config["AUDIT_RETENTION_DAYS"])
    purged = purge_expired(current_app.config["MESSAGE_RETENTION_DAYS"])  # last: it checkpoints SQLite's log
    audit.record(None, "purge", f"messages:{purged.messages} audit_events:{events}")  # no text in it
    click.echo(f"purged {purged.messages} message texts and {purged.announcements} announcements; "
               f"blanked {purged.nicknames_and_notes} nicknames and reservation notes; "
               f"deleted {events} audit events past AUDIT_RETENTION_DAYS")
    click.echo(f"removed {ended} ended staff sign-ins")
