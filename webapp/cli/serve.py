"""`serve` (web + relay in one process, the embedded default) and `relay` (a relay alone)."""
from __future__ import annotations

import logging
import os
import threading

import click
from flask import Flask, current_app
from werkzeug.serving import WSGIRequestHandler, make_server

from realtime.origins import default_origins
from webapp.accesslog import redact
from webapp.cli.base import OneLineCommand

log = logging.getLogger(__name__)


class _NoAddressHandler(WSGIRequestHandler):
    """werkzeug's request log without the client's address (no resident IP is ever written down),
    and without reservation codes or feed tokens in the request line."""

    def address_string(self) -> str:
        return "-"

    def log(self, type: str, message: str, *args) -> None:
        """Every line this handler writes (requests and errors) goes through `redact`."""
        super().log(type, message, *(redact(arg) if isinstance(arg, str) else arg for arg in args))


def _relay_config(app: Flask, host: str, relay_port: int, web: tuple[str, int] | None) -> dict:
    """The relay's settings from the app config; the browser URL follows --relay-port unless configured."""
    if web is not None and not os.environ.get("RELAY_PUBLIC_URL"):
        public_host = "127.0.0.1" if host in ("0.0.0.0", "::") else host
        app.config["RELAY_PUBLIC_URL"] = f"ws://{public_host}:{relay_port}/ws"
    config = dict(app.config)
    if not config.get("ALLOWED_ORIGINS"):
        config["ALLOWED_ORIGINS"] = default_origins(config["RELAY_PUBLIC_URL"], *(web or (None, None)))
    return config


def _run_relay(config: dict, host: str, port: int) -> None:
    """Run the relay in this thread until SIGINT/SIGTERM; user-facing failures become one line."""
    from realtime.broker import BrokerUnavailable
    from realtime.server import main

    try:
        main(config, host, port, bind_database=False)
    except BrokerUnavailable as err:
        raise click.ClickException(str(err)) from err
    except OSError as err:
        raise click.ClickException(f"The relay cannot listen on {host}:{port} ({err.strerror or err}).") from err


@click.command("serve", cls=OneLineCommand)
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, type=click.IntRange(1, 65535), show_default=True)
@click.option("--relay-port", default=8765, type=click.IntRange(1, 65535), show_default=True)
def serve_command(host, port, relay_port):
    """Run the web app and the relay together until interrupted (Ctrl-C stops both)."""
    if port == relay_port:
        raise click.ClickException("--port and --relay-port must differ.")
    app = current_app._get_current_object()
    config = _relay_config(app, host, relay_port, (host, port))
    try:
        web = make_server(host, port, app, threaded=True, request_handler=_NoAddressHandler)
    except (OSError, SystemExit) as err:
        raise click.ClickException(f"The web app cannot listen on {host}:{port}.") from err
    thread = threading.Thread(target=web.serve_forever, name="web", daemon=True)
    thread.start()
    click.echo(f"web:   http://{host}:{port}/")
    click.echo(f"relay: {config['RELAY_PUBLIC_URL']}")
    try:
        _run_relay(config, host, relay_port)
    finally:
        web.shutdown()
        thread.join(timeout=5)
    click.echo("stopped")


@click.command("relay", cls=OneLineCommand)
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8765, type=click.IntRange(1, 65535), show_default=True)
def relay_command(host, port):
    """Run the realtime relay alone (production: one or more behind a proxy)."""
    app = current_app._get_current_object()
    config = _relay_config(app, host, port, None)
    click.echo(f"relay: ws://{host}:{port}/ws")
    _run_relay(config, host, port)
