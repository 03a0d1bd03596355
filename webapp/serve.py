"""`serve` (web + relay in one process, the embedded default) and `relay` (a relay alone)."""
from __future__ import annotations

import click
from flask import current_app

from webapp.cli import OneLineCommand


@click.command("serve", cls=OneLineCommand)
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, type=click.IntRange(1, 65535), show_default=True)
@click.option("--relay-port", default=8765, type=click.IntRange(1, 65535), show_default=True)
def serve_command(host, port, relay_port):
    """Run the web app and the relay together until interrupted."""
    from werkzeug.serving import run_simple

    app = current_app._get_current_object()
    click.echo(f"web:   http://{host}:{port}/")
    run_simple(host, port, app, threaded=True, use_reloader=False)


@click.command("relay", cls=OneLineCommand)
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8765, type=click.IntRange(1, 65535), show_default=True)
def relay_command(host, port):
    """Run the realtime relay alone (production: one or more behind a proxy)."""
    raise click.ClickException("The relay is not built yet.")
