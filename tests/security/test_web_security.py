"""Web defences: CSRF on every form, the security headers, cookies, password and token storage."""
from __future__ import annotations

import hashlib
import re
import subprocess
import sys
from pathlib import Path

import pytest
from flask.json.tag import TaggedJSONSerializer
from itsdangerous import URLSafeTimedSerializer

from tests.conftest import SECRET
from tests.security.conftest import Roles, changed_tables, csrf_token, snapshot
from tests.security.test_authorization_http import LOGIN, ROUTES, _prepare
from webapp import create_app
from webapp.db import db_session
from webapp.staff.models import ApiToken, User
from webapp.staff.passwords import password_matches

ROOT = Path(__file__).resolve().parents[2]


def _allowed_role(call) -> str:
    """The first role that may make this call (so a refusal can only be the missing CSRF token)."""
    return next(role for role in Roles.NAMES if not call.denied(role) and call.expect[role] != LOGIN)


def test_every_form_refuses_a_post_without_its_csrf_token_and_changes_nothing(roles):
    forms = [call for call in ROUTES if call.form is not None]
    assert len(forms) >= 25
    wrong = []
    for call in forms:
        role = _allowed_role(call)
        client, path, kwargs = _prepare(roles, role, call)
        kwargs["data"] = {k: v for k, v in kwargs["data"].items() if not k.endswith("csrf_token")}
        before = snapshot()
        response = client.open(path, **kwargs)
        if response.status_code != 400:
            wrong.append(f"{call.method} {call.rule} as {role}: {response.status_code} without a CSRF token")
        elif changed := changed_tables(before, snapshot()):
            wrong.append(f"{call.method} {call.rule} as {role}: wrote to {changed} without a CSRF token")
    assert not wrong, "\n".join(wrong)


def test_a_token_from_another_browser_does_not_pass_for_this_one(roles):
    other = roles.app.test_client()
    foreign = csrf_token(other)
    admin = roles.client("admin")
    before = snapshot()
    response = admin.post("/admin/users/new", data={"csrf_token": foreign, "login": "intruder", "role": "admin",
                                                    "display_name": "侵入者", "password": "long-enough-pass"})
    assert response.status_code == 400
    assert changed_tables(before, snapshot()) == []


def test_logged_in_calls_to_the_api_need_the_csrf_header(roles):
    admin = roles.client("admin")
    before = snapshot()
    for method, path, body in (("POST", "/api/v1/sessions", {"date": "2031-01-01"}),
                               ("PATCH", f"/api/v1/sessions/{roles.F}", {"location": "よそ"}),
                               ("POST", f"/api/v1/sessions/{roles.S}/checkins", {"avatar": "cat", "source": "staff"})):
        response = admin.open(path, method=method, json=body)
        assert response.status_code == 403 and response.get_json()["error"]["code"] == "csrf_failed", path
    assert changed_tables(before, snapshot()) == []
    token = csrf_token(admin)
    response = admin.patch(f"/api/v1/sessions/{roles.F}", json={"location": "図書館"}, headers={"X-CSRFToken": token})
    assert response.status_code == 200


def test_a_resident_cannot_claim_another_checkin_by_editing_the_cookie(roles):
    owner = roles.client("resident")
    victim_id = roles.held_checkin_id(owner)
    forged = URLSafeTimedSerializer("not-the-secret", salt="cookie-session", serializer=TaggedJSONSerializer(),
                                    signer_kwargs={"key_derivation": "hmac", "digest_method": hashlib.sha1})
    intruder = roles.app.test_client()
    intruder.set_cookie("session", forged.dumps({"checkin": {"id": victim_id, "token": "x"}}))
    assert intruder.get("/checkins/state").get_json() == {"status": "none"}
    before = snapshot()
    intruder.post("/checkins/message", data={"text": "なりすまし", "csrf_token": csrf_token(intruder)})
    intruder.post("/checkins/erase", data={"csrf_token": csrf_token(intruder)})
    assert changed_tables(before, snapshot()) == []


# --- headers --------------------------------------------------------------------------------------

PAGES = ["/", "/help", "/reservations", "/staff/login", "/api/v1/sessions", "/api/v1/openapi.json",
         "/calendars/public.ics", "/no-such-page", "/api/v1/no-such-thing", "/static/style.css"]


@pytest.mark.parametrize("path", PAGES)
def test_every_kind_of_answer_carries_the_security_headers(client, path):
    response = client.get(path)
    csp = response.headers["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in csp.split(";"))
    assert directives["script-src"] == "'self'" and directives["style-src"] == "'self'"
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp and "*" not in csp
    assert directives["frame-ancestors"] == "'none'" and directives["default-src"] == "'self'"
    assert directives["base-uri"] == "'none'" and directives["form-action"] == "'self'"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_no_template_carries_inline_script_event_handler_or_style_attribute():
    templates = [p for base in ("webapp", "calendars") for p in (ROOT / base).rglob("*.html")]
    assert len(templates) > 20
    offending = []
    for path in templates:
        html = path.read_text()
        for tag in re.findall(r"<script\b[^>]*>", html, flags=re.I):
            if "src=" not in tag and 'type="application/json"' not in tag:
                offending.append(f"{path.name}: inline {tag}")
        offending += [f"{path.name}: {m}" for m in re.findall(r"<[^>]*\son[a-z]+\s*=", html, flags=re.I)]
        offending += [f"{path.name}: {m}" for m in re.findall(r"<[^>]*\sstyle\s*=", html, flags=re.I)]
        offending += [f"{path.name}: {m}" for m in re.findall(r"javascript:", html, flags=re.I)]
    assert offending == []


def test_no_script_writes_html_from_strings():
    scripts = list((ROOT / "webapp" / "static").rglob("*.js"))
    assert scripts
    risky = re.compile(r"\.innerHTML\s*=|\.outerHTML\s*=|insertAdjacentHTML|document\.write|\beval\(|new Function\(")
    assert [f"{p.name}: {m}" for p in scripts for m in risky.findall(p.read_text())] == []


# --- cookies --------------------------------------------------------------------------------------

def _session_cookie(response) -> str:
    cookies = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("session=")]
    assert cookies, "no session cookie set"
    return cookies[0]


def test_the_session_cookie_is_httponly_and_samesite_and_over_https_secure(app, database_url):
    plain = _session_cookie(app.test_client().get("/reservations"))
    assert "HttpOnly" in plain and "SameSite=Lax" in plain and "Secure" not in plain
    secure = _session_cookie(app.test_client().get("/reservations", base_url="https://soudan.example.jp"))
    assert "HttpOnly" in secure and "SameSite=Lax" in secure and "Secure" in secure
    # A forwarded scheme counts only when the proxy is trusted (TRUST_PROXY): anyone could send the header.
    forwarded = {"X-Forwarded-Proto": "https"}
    assert "Secure" not in _session_cookie(app.test_client().get("/reservations", headers=forwarded))
    behind_nginx = create_app({"TESTING": True, "DATABASE_URL": database_url, "SECRET_KEY": SECRET,
                               "TRUST_PROXY": 1, "RATELIMIT_ENABLED": False})
    try:
        assert "Secure" in _session_cookie(behind_nginx.test_client().get("/reservations", headers=forwarded))
    finally:
        behind_nginx.extensions["engine"].dispose()


def test_the_language_cookie_follows_the_same_rules(client):
    cookie = next(c for c in client.get("/lang/en", base_url="https://soudan.example.jp").headers.getlist("Set-Cookie")
                  if c.startswith("lang="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" in cookie


# --- passwords and tokens -------------------------------------------------------------------------

def _dump() -> str:
    """The whole database as text (this ends the test's database session: read objects afresh after)."""
    return repr(snapshot())


def test_passwords_are_kept_only_as_scrypt_hashes(make_user):
    make_user("yamada", password="a-very-memorable-phrase")
    stored = db_session.get(User, 1).password_hash
    assert stored.startswith("scrypt:") and password_matches(stored, "a-very-memorable-phrase")
    assert "a-very-memorable-phrase" not in _dump()


def test_the_service_as_shipped_hashes_passwords_at_a_memory_hard_cost():
    # The tests lower the cost in their own process (tests/conftest.py); a fresh interpreter has the shipped one.
    shipped = subprocess.run([sys.executable, "-c", "from webapp.staff.passwords import hash_password as h; "
                              "print(h('x'))"], capture_output=True, text=True, check=True).stdout.strip()
    method, n, r, p = shipped.split("$")[0].split(":")
    assert method == "scrypt" and int(n) >= 2**14 and int(r) >= 8


def test_api_tokens_are_kept_hashed_and_stop_working_when_revoked_or_the_account_is_disabled(client, make_user):
    from webapp.staff.operations import issue_api_token, revoke_api_tokens, update_user

    user = make_user("boss", role="admin")
    first, second = issue_api_token(user), issue_api_token(user)
    dump = _dump()
    assert first not in dump and second not in dump
    user = db_session.get(User, user.id)
    assert {t.token_hash for t in db_session.query(ApiToken)} == {
        hashlib.sha256(t.encode()).hexdigest() for t in (first, second)}
    def status(token: str) -> int:
        return client.get("/api/v1/stats?fiscal_year=2024", headers={"Authorization": f"Bearer {token}"}).status_code

    assert [status(first), status(second)] == [200, 200]
    revoke_api_tokens(user)
    assert [status(first), status(second)] == [401, 401]
    third = issue_api_token(user)
    update_user(db_session.get(User, user.id), active=False)
    assert status(third) == 401


def test_feed_tokens_are_kept_hashed_and_a_rotated_or_disabled_one_is_404(client, make_user):
    from webapp.staff.operations import rotate_feed_token, update_user

    user = make_user("sato")
    old = rotate_feed_token(user)
    assert old not in _dump()
    user = db_session.get(User, user.id)
    assert client.get(f"/calendars/staff/{old}.ics").status_code == 200
    new = rotate_feed_token(user)
    assert client.get(f"/calendars/staff/{old}.ics").status_code == 404
    assert client.get(f"/calendars/staff/{new}.ics").status_code == 200
    update_user(db_session.get(User, user.id), active=False)
    assert client.get(f"/calendars/staff/{new}.ics").status_code == 404
