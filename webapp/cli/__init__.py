"""`flask --app wsgi ...` commands. User mistakes end in one line on stderr and a non-zero exit."""
from __future__ import annotations

from flask import Flask

from webapp.cli.data import demo_command, purge_command
from webapp.cli.profile import profile_cli
from webapp.cli.schedule import schedule_cli
from webapp.cli.serve import relay_command, serve_command
from webapp.cli.users import users_cli


def init_app(app: Flask) -> None:
    """Register the commands on the app."""
    for command in (users_cli, schedule_cli, profile_cli, demo_command, purge_command, serve_command, relay_command):
        app.cli.add_command(command)
