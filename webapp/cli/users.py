"""`flask --app wsgi users ...`: staff accounts."""
from __future__ import annotations

import sys

import click

from webapp.cli.base import OneLineGroup, domain_errors_as_clicks

users_cli = OneLineGroup("users", help="Staff accounts.")


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


@users_cli.command("reset-2fa")
@click.argument("login")
@domain_errors_as_clicks
def users_reset_two_factor(login):
    """Turn off an account's second factor (a lost phone); it signs in with the password and enrols again."""
    from webapp.staff.operations import by_login
    from webapp.staff.twofactor.operations import turn_off

    user = by_login(login)
    if user is None:
        raise click.ClickException(f"No staff account: {login}")
    turn_off(user)
    click.echo(f"two-step sign-in turned off for {user.login}")
