"""`flask --app wsgi users ...`: staff accounts.

`deactivate` and `password` end every sign-in, API token and relay token of the account and close
its open relay connections (on every relay, through Redis); `activate` brings none of them back.
"""
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


def _account(login: str):
    """The staff account with this login, or a one-line error."""
    from webapp.staff.operations import by_login

    user = by_login(login)
    if user is None:
        raise click.ClickException(f"No staff account: {login}")
    return user


@users_cli.command("deactivate")
@click.argument("login")
@domain_errors_as_clicks
def users_deactivate(login):
    """Stop an account: its sign-ins, tokens, relay connections and feed URL end; its history stays."""
    from webapp.staff.operations import deactivate

    user = deactivate(_account(login))
    click.echo(f"deactivated {user.role} {user.login}")


@users_cli.command("activate")
@click.argument("login")
@domain_errors_as_clicks
def users_activate(login):
    """Let a deactivated account sign in again (nothing it had before comes back)."""
    from webapp.staff.operations import activate

    user = activate(_account(login))
    click.echo(f"activated {user.role} {user.login}")


@users_cli.command("password")
@click.argument("login")
@click.option("--password-stdin", is_flag=True, required=True, help="Read the new password from standard input.")
@domain_errors_as_clicks
def users_password(login, password_stdin):
    """Set a new password; every sign-in and token of the account ends."""
    from webapp.staff.operations import set_password

    user = _account(login)
    set_password(user, sys.stdin.readline().rstrip("\r\n"))
    click.echo(f"new password set for {user.login}; every sign-in and token of the account has ended")


@users_cli.command("reset-2fa")
@click.argument("login")
@domain_errors_as_clicks
def users_reset_two_factor(login):
    """Turn off an account's second factor (a lost phone); it signs in with the password and enrols again."""
    from webapp.staff.twofactor.operations import turn_off

    user = _account(login)
    turn_off(user)
    click.echo(f"two-step sign-in turned off for {user.login}")
