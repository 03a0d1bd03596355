"""`flask --app wsgi ...` commands. User mistakes end in one line on stderr and a non-zero exit."""
from __future__ import annotations

import sys

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from webapp import limits
from webapp.errors import DomainError


class OneLineCommand(click.Command):
    """A command whose usage errors are one line, not a usage block."""

    def make_context(self, info_name, args, parent=None, **extra):
        try:
            return super().make_context(info_name, args, parent=parent, **extra)
        except click.UsageError as err:
            raise click.ClickException(f"{err.format_message()} (see --help)") from err


class OneLineGroup(AppGroup):
    """A group whose subcommands report usage errors in one line."""

    command_class = OneLineCommand

    def make_context(self, info_name, args, parent=None, **extra):
        try:
            return super().make_context(info_name, args, parent=parent, **extra)
        except click.UsageError as err:
            raise click.ClickException(f"{err.format_message()} (see --help)") from err


def domain_errors_as_clicks(func):
    """Turn a broken rule into `Error: <message>` and exit 1."""
    import functools

    @functools.wraps(func)
    def inner(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except DomainError as err:
            raise click.ClickException(err.message) from err

    return inner


users_cli = OneLineGroup("users", help="Staff accounts.")
schedule_cli = OneLineGroup("schedule", help="The fiscal year's sessions.")


@users_cli.command("create")
@click.argument("login")
@click.option("--role", type=click.Choice(["admin", "promoter"]), required=True)
@click.option("--display-name", required=True, help="Name shown to residents, e.g. 主任推進員 さとう")
@click.option("--password-stdin", is_flag=True, required=True, help="Read the password from standard input.")
@domain_errors_as_clicks
def users_create(login, role, display_name, password_stdin):
    """Create a staff account."""
    from webapp.staff.operations import create_user

    password = sys.stdin.readline().rstrip("\r\n")
    user = create_user(login, role, display_name, password)
    click.echo(f"created {user.role} {user.login}")


@users_cli.command("token")
@click.argument("login")
@domain_errors_as_clicks
def users_token(login):
    """Print a new personal API token (shown once)."""
    from webapp.staff.operations import by_login, issue_api_token

    user = by_login(login)
    if user is None or not user.active:
        raise click.ClickException(f"No active staff account: {login}")
    click.echo(issue_api_token(user))


@schedule_cli.command("generate")
@click.option("--fiscal-year", type=click.IntRange(limits.YEAR_MIN, limits.YEAR_MAX), required=True,
              help="e.g. 2026 for 令和8年度")
@click.option("--promoter", "promoters", multiple=True, help="Login to assign (repeatable).")
@domain_errors_as_clicks
def schedule_generate(fiscal_year, promoters):
    """Create the third-Tuesday sessions of a fiscal year."""
    from webapp.sessions.operations import generate_fiscal_year, plan_defaults
    from webapp.timeutil import reiwa_label

    created, skipped = generate_fiscal_year(fiscal_year, plan_defaults(current_app.config, list(promoters)))
    for s in created:
        flag = f"  holiday: {s.holiday_name}" if s.holiday else ""
        click.echo(f"{s.date}  {s.format}{flag}")
    click.echo(f"{reiwa_label(fiscal_year)}: {len(created)} created, {len(skipped)} already existed")


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
    """Delete message texts, nicknames and reservation notes past their retention (counts and outcomes stay)."""
    from webapp.checkins.retention import purge_expired

    purged = purge_expired(current_app.config["MESSAGE_RETENTION_DAYS"])
    click.echo(f"purged {purged.messages} message texts and {purged.announcements} announcements; "
               f"blanked {purged.nicknames_and_notes} nicknames and reservation notes")


def init_app(app: Flask) -> None:
    """Register the commands on the app."""
    from webapp.serve import relay_command, serve_command

    for command in (users_cli, schedule_cli, demo_command, purge_command, serve_command, relay_command):
        app.cli.add_command(command)
