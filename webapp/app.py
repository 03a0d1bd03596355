"""The application factory."""
from __future__ import annotations

import importlib
import logging
from pathlib import Path

from flask import Flask
from werkzeug.routing import BaseConverter, IntegerConverter

from webapp import config, errors, i18n, security
from webapp.db import Base, bind, db_session
from webapp.extensions import csrf, login_manager, migrate

#: Modules that each define a blueprint `bp`, one per area of the service.
BLUEPRINTS = (
    "webapp.sessions.views",
    "webapp.sessions.admin",
    "webapp.sessions.staff",
    "webapp.reservations.views",
    "webapp.reservations.staff",
    "webapp.staff.views",
    "webapp.staff.twofactor.views",
    "webapp.checkins.views",
    "webapp.checkins.api",
    "webapp.rooms.api",
    "webapp.checkins.crisis_admin",
    "webapp.stats.views",
    "webapp.stats.api",
    "webapp.api.views",
    "calendars.views",
    "webapp.look",
    "webapp.directory.views",
    "webapp.audit.views",
    "webapp.audit.api",
    "webapp.rooms.views",
)


class BoundedIntConverter(IntegerConverter):
    """`<int:...>` capped at PostgreSQL's INTEGER: a huge id is a 404, never a database error."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(map, *args, **kwargs)


class ReservationCodeConverter(BaseConverter):
    """`<code:...>`: a reservation code as typed, not ending in `.ics`, so `/reservations/<code>.ics` is the
    calendar's route alone (DELETE on it is a 405, and its `Allow` lists only what it does)."""

    regex = r"[^/]+(?<!\.ics)"


class _MigrationTarget:
    """What Flask-Migrate's env.py needs: the metadata and the engine."""

    def __init__(self, engine):
        self.metadata = Base.metadata
        self.engine = engine


def create_app(test_config: dict | None = None) -> Flask:
    """Create and configure the app; `test_config` overrides the environment."""
    app = Flask(__name__)
    app.url_map.converters["int"] = BoundedIntConverter
    app.url_map.converters["code"] = ReservationCodeConverter
    app.json.ensure_ascii = False  # Japanese stays readable in API answers
    app.config.update(config.load(Path(app.instance_path)))
    if test_config:
        app.config.update(test_config)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")

    import webapp.models  # noqa: F401  (every table on Base.metadata)

    engine = bind(app.config["DATABASE_URL"])
    app.extensions["engine"] = engine
    app.teardown_appcontext(lambda _exc: db_session.remove())

    migrate.init_app(app, _MigrationTarget(engine), directory=str(Path(__file__).parent.parent / "migrations"))
    csrf.init_app(app)
    login_manager.init_app(app)
    i18n.init_app(app)
    errors.init_app(app)
    security.init_app(app)

    from webapp import city, templating
    templating.init_app(app)
    city.init_app(app)

    for name in BLUEPRINTS:
        app.register_blueprint(importlib.import_module(name).bp)

    from webapp import cli, ratelimit, relay_link, trusted_hosts
    from webapp.audit import web as audit
    ratelimit.init_app(app)
    audit.init_app(app)
    trusted_hosts.init_app(app)
    relay_link.init_app(app)
    cli.init_app(app)
    return app
