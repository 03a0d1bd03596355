"""The relay and the domain run without the web stack: importing them loads no Flask."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
WEB_STACK = ("flask", "flask_login", "flask_wtf", "flask_babel", "werkzeug")
DOMAIN = ("webapp.models", "webapp.exceptions", "webapp.config", "webapp.db", "webapp.timeutil",
          "webapp.checkins.operations", "webapp.checkins.retention", "webapp.sessions.operations",
          "webapp.reservations.operations", "webapp.staff.operations", "webapp.staff.twofactor.operations",
          "webapp.staff.login_sessions",
          "webapp.stats.queries", "webapp.audit.operations", "webapp.audit.receivers",
          "realtime.tokens", "realtime.frames")


def _web_stack_loaded_by(*modules: str) -> list[str]:
    """The web-stack packages a fresh interpreter holds after importing `modules`."""
    code = (f"import importlib, json, sys\nfor m in {list(modules)!r}: importlib.import_module(m)\n"
            f"print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in {WEB_STACK!r})))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


@pytest.mark.parametrize("modules", [("realtime.server",), ("realtime.__main__",), DOMAIN],
                         ids=["relay", "relay-command", "domain"])
def test_the_relay_and_the_domain_import_no_flask(modules):
    assert _web_stack_loaded_by(*modules) == []


def test_passwords_hashed_by_werkzeug_still_verify_and_ours_verify_there():
    from werkzeug.security import check_password_hash, generate_password_hash

    from webapp.staff.passwords import hash_password, password_matches

    assert password_matches(generate_password_hash("correct horse battery"), "correct horse battery")
    assert password_matches(generate_password_hash("correct horse battery", "pbkdf2:sha256:1000"),
                            "correct horse battery")
    ours = hash_password("correct horse battery")
    assert check_password_hash(ours, "correct horse battery")
    assert not password_matches(ours, "wrong horse battery")
    assert not password_matches("plain-text", "plain-text")
