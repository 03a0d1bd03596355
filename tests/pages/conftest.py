"""Helpers for page tests: read a form's CSRF token, submit forms as a browser would."""
from __future__ import annotations

import datetime as dt
import re

import flask_babel
import pytest

from webapp.clock import now_tokyo


def csrf_from(html: str, prefix: str = "") -> str:
    """The CSRF token of the form whose field prefix is `prefix` (e.g. "s12-")."""
    name = re.escape(f"{prefix}csrf_token")
    found = re.search(rf'name="{name}"[^>]*value="([^"]+)"', html)
    assert found, f"no {prefix}csrf_token on the page"
    return found.group(1)


def text_of(response) -> str:
    """The page as text, tags removed, whitespace collapsed: what a reader sees."""
    html = response.get_data(as_text=True)
    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.fixture(autouse=True)
def _locale_per_request(app):
    """Choose the language afresh on every request, as production does.

    The shared `app` fixture keeps one app context pushed for the whole test and Flask reuses it
    for each request, so Flask-Babel's locale (cached on `g`) would leak from one request to the next.
    """
    app.before_request(flask_babel.refresh)


@pytest.fixture
def submit(client):
    """GET `page`, then POST `data` to `action` with the CSRF token found on the page."""

    def post(page: str, action: str, data: dict | None = None, prefix: str = "", follow: bool = True):
        token = csrf_from(client.get(page).get_data(as_text=True), prefix)
        return client.post(action, data={f"{prefix}csrf_token": token, **(data or {})}, follow_redirects=follow)

    return post


@pytest.fixture
def open_session(make_session):
    """A session running right now (today, around the current time)."""

    def make(**kwargs):
        now = now_tokyo()
        if now.hour == 23 and now.minute >= 50 or now.hour == 0 and now.minute < 10:
            pytest.skip("too close to midnight for a session around now")
        start = (now - dt.timedelta(minutes=60)).replace(second=0, microsecond=0)
        start = max(start, now.replace(hour=0, minute=0, second=0, microsecond=0))
        end = min(now + dt.timedelta(minutes=90), now.replace(hour=23, minute=59, second=0, microsecond=0))
        return make_session(day=now.date(), start=start.strftime("%H:%M"), end=end.strftime("%H:%M"),
                            slot_minutes=10, **kwargs)

    return make


@pytest.fixture
def admin(make_user, auth):
    """An admin, logged in."""
    user = make_user("admin1", role="admin")
    auth.login("admin1")
    return user


@pytest.fixture
def promoter(make_user, auth):
    """A promoter, logged in."""
    user = make_user("sato", role="promoter")
    auth.login("sato")
    return user
