"""What every command shares: usage errors and broken rules end in one line on stderr and a non-zero exit."""
from __future__ import annotations

import functools

import click
from flask.cli import AppGroup

from webapp.exceptions import DomainError


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

    @functools.wraps(func)
    def inner(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except DomainError as err:
            raise click.ClickException(err.message) from err

    return inner
