"""Rules written once and asked by every side: when a session is open, and which sessions a promoter runs."""
from __future__ import annotations

import pytest

from realtime import frames
from tests.realtime.conftest import open_today
from webapp.checkins import operations
from webapp.db import db_session
from webapp.sessions.operations import cancel_session
from webapp.staff.operations import rotate_feed_token

JOIN_NOW = "今すぐ参加する"
AVATAR_CHOICE = 'name="avatar"'


@pytest.fixture
def people(make_user):
    return {login: make_user(login, role=role) for login, role in
            (("sato", "promoter"), ("tanaka", "promoter"), ("boss", "admin"))}


def _check_in(client, session):
    return client.post(f"/api/v1/sessions/{session.id}/checkins", json={"avatar": "cat"}).status_code


@pytest.mark.parametrize("which", ["later", "cancelled"])
def test_a_session_not_open_is_closed_for_the_api_the_relay_and_the_pages(client, people, make_session, which):
    if which == "later":
        session = make_session(promoters=["sato"])
    else:
        session = cancel_session(open_today(make_session, promoters=("sato",)))
    db_session.remove()
    assert _check_in(client, session) == 409
    assert frames.session_summary(session)["open"] is False
    assert JOIN_NOW not in client.get(f"/sessions/{session.id}").get_data(as_text=True)
    assert AVATAR_CHOICE not in client.get(f"/sessions/{session.id}/checkin").get_data(as_text=True)


def test_a_running_session_is_open_for_the_api_the_relay_and_the_pages(client, people, make_session):
    session = open_today(make_session, promoters=("sato",))
    assert frames.session_summary(session)["open"] is True
    assert JOIN_NOW in client.get(f"/sessions/{session.id}").get_data(as_text=True)
    assert AVATAR_CHOICE in client.get(f"/sessions/{session.id}/checkin").get_data(as_text=True)
    assert _check_in(client, session) == 201


def _console_links(client, auth, login):
    auth.login(login)
    page = client.get("/staff/").get_data(as_text=True)
    auth.logout()
    return page


def _feed(client, user):
    return client.get(f"/calendars/staff/{rotate_feed_token(user)}.ics").get_data(as_text=True)


def test_the_sessions_a_promoter_runs_are_the_same_everywhere(client, auth, people, make_session):
    today = open_today(make_session, promoters=("sato",))
    later = make_session(promoters=["sato"])
    theirs = make_session(promoters=["tanaka"])
    sato = people["sato"]

    assert [s.id for s in operations.followed_sessions(sato)] == [today.id]
    assert [operations.can_staff(sato, s) for s in (today, later, theirs)] == [True, True, False]
    home = _console_links(client, auth, "sato")
    feed = _feed(client, sato)
    for session, runs in ((today, True), (later, True), (theirs, False)):
        assert (f"/staff/sessions/{session.id}/console" in home) is runs
        assert (f"session-{session.id}@" in feed) is runs
    auth.login("sato")
    assert client.get(f"/staff/stats/sessions/{later.id}").status_code == 200
    assert client.get(f"/staff/stats/sessions/{theirs.id}").status_code == 403


def test_an_admin_runs_every_session_but_subscribes_only_to_their_own(client, auth, people, make_session):
    sessions = [open_today(make_session, promoters=("sato",)), make_session(promoters=["tanaka"])]
    boss = people["boss"]
    assert [s.id for s in operations.followed_sessions(boss)] == [sessions[0].id]
    home = _console_links(client, auth, "boss")
    feed = _feed(client, boss)
    auth.login("boss")
    for session in sessions:
        assert f"/staff/sessions/{session.id}/console" in home
        assert f"session-{session.id}@" not in feed
        assert client.get(f"/staff/stats/sessions/{session.id}").status_code == 200
