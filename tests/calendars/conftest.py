"""Helpers for the feed tests: fetch a feed, read the API's view of a session, add check-ins."""
from __future__ import annotations

import datetime as dt

import pytest

from tests.calendars import parsing


@pytest.fixture
def feed(client):
    """GET a feed, check it is served as iCalendar, and return (response, events by UID)."""

    def fetch(path: str, **headers):
        response = client.get(path, headers=headers)
        assert response.status_code == 200, response.get_data(as_text=True)[:300]
        assert response.mimetype == "text/calendar"
        return response, parsing.events(response.data)

    return fetch


@pytest.fixture
def api_session(client):
    """The session as GET /api/v1/sessions/{id} reports it."""

    def get(session_id: int) -> dict:
        response = client.get(f"/api/v1/sessions/{session_id}")
        assert response.status_code == 200
        return response.get_json()

    return get


@pytest.fixture
def add_checkins(app):
    """Check residents in through the real operation, at a moment within the session's hours."""
    from webapp.checkins.avatars import avatar_ids
    from webapp.checkins.operations import check_in

    def add(session, count: int, nickname: str = ""):
        during = session.starts_at + dt.timedelta(minutes=5)
        for _ in range(count):
            check_in(session.id, avatar_ids()[0], nickname or None, now=during)

    return add


def at(iso_text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(iso_text)
