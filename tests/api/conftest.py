"""Helpers for the /api/v1 tests: staff credentials and a valid session body."""
from __future__ import annotations

import pytest
from flask import session as cookie_session
from flask_wtf.csrf import generate_csrf

from tests.api.helpers import future_day


@pytest.fixture
def admin_headers(staff_token):
    return {"Authorization": f"Bearer {staff_token('admin')}"}


@pytest.fixture
def promoter_headers(staff_token):
    return {"Authorization": f"Bearer {staff_token('promoter')}"}


@pytest.fixture
def session_body(make_user):
    """A valid POST /sessions body; call it with overrides: session_body(capacity=1)."""
    make_user("sato", role="promoter", display_name="主任推進員 さとう")
    make_user("tanaka", role="promoter", display_name="主任推進員 たなか")

    def body(**overrides):
        data = {"date": future_day().isoformat(), "starts_at": "13:30", "ends_at": "16:30",
                "format": "in_person", "location": "生駒市役所", "slot_minutes": 30, "capacity": 2,
                "promoters": ["sato", "tanaka"]}
        data.update(overrides)
        return {k: v for k, v in data.items() if v is not ...}

    return body


@pytest.fixture
def cookie_login(app, client):
    """Sign `user` in on `client` through its session cookie (a real server-side staff session); returns the
    X-CSRFToken value to send."""
    from webapp.staff import login_sessions

    def login(user) -> str:
        with app.test_request_context():
            token = generate_csrf()
            raw = cookie_session[app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")]
        with client.session_transaction() as sess:
            sess["_user_id"] = login_sessions.begin(user)
            sess["_fresh"] = True
            sess[app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")] = raw
        return token

    return login

