"""The app started under the sample profile (みどり野市), as a deployment of another city starts it."""
from __future__ import annotations

from pathlib import Path

import pytest
from flask import g

from webapp.app import create_app
from webapp.db import db_session

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "profiles" / "sample.toml"
PASSWORD = "correct-horse-battery"


@pytest.fixture
def sample_app(database_url, monkeypatch):
    """The app as a みどり野市 deployment runs it: PROFILE set, agencies brought in line by `profile apply`."""
    monkeypatch.setenv("PROFILE", str(SAMPLE))
    # The sample keeps its public figures off; the operator's switch turns the page on, so it is crawled too.
    monkeypatch.setenv("STATS_PUBLIC_ENABLED", "true")
    app = create_app({"TESTING": True, "DATABASE_URL": database_url, "SECRET_KEY": "s" * 48,
                      "WTF_CSRF_ENABLED": True, "RATELIMIT_ENABLED": False, "ADMIN_2FA_REQUIRED": False})
    app.before_request_funcs.setdefault(None, []).insert(0, lambda: g.__dict__.clear())
    ctx = app.app_context()
    ctx.push()
    applied = app.test_cli_runner().invoke(args=["profile", "apply"])
    assert applied.exit_code == 0, applied.output
    yield app
    ctx.pop()
    db_session.remove()
    app.extensions["engine"].dispose()
