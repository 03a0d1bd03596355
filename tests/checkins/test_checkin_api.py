"""POST /sessions/{id}/checkins, GET /sessions/{id}/counts and GET /realtime/token (CONTRACT.md section 3)."""
from __future__ import annotations

import pytest

from realtime.tokens import read_token
from tests.conftest import SECRET
from tests.realtime.conftest import open_today
from webapp.db import db_session


@pytest.fixture
def running(make_user, make_session):
    make_user("sato", role="promoter")
    make_user("kimura", role="promoter")
    session = open_today(make_session, fmt="metaverse", promoters=("sato",))
    db_session.remove()
    return session


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


def next_request():
    """Forget who called last: the app fixture keeps one app context (and so one `g`) for the whole test."""
    from flask import g

    g.pop("api_staff", None)


def test_a_resident_checks_in_and_gets_a_token_for_the_relay(client, running, app):
    response = client.post(f"/api/v1/sessions/{running.id}/checkins", json={"avatar": "cat", "nickname": "はなこ"})
    assert response.status_code == 201
    body = response.get_json()
    assert body["ws_url"] == app.config["RELAY_PUBLIC_URL"]
    assert body["position"] == 1 and isinstance(body["checkin_id"], int)
    claims = read_token(SECRET, body["token"], 60)
    assert claims == {"kind": "resident", "checkin_id": body["checkin_id"], "version": 0}
    second = client.post(f"/api/v1/sessions/{running.id}/checkins", json={"avatar": "dog"}).get_json()
    assert second["position"] == 2


def test_checking_in_to_a_session_that_is_not_running_is_a_409(client, make_session, running):
    later = make_session(promoters=["sato"])
    response = client.post(f"/api/v1/sessions/{later.id}/checkins", json={"avatar": "cat"})
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "session_not_open"


@pytest.mark.parametrize("body, code", [
    ({"avatar": "dragon"}, "invalid_avatar"),
    ({}, "invalid_avatar"),
    ({"avatar": "cat", "nickname": "x" * 31}, "too_long"),
    ({"avatar": "cat", "nickname": 5}, "invalid_nickname"),
    ({"avatar": "cat", "reservation_code": "NOPE"}, "invalid_reservation"),
    ({"avatar": "cat", "name": "山田"}, "unknown_field"),
    ({"avatar": "cat", "outcome": {"kind": "visit_only"}}, "unknown_field"),
    (["cat"], "invalid_json"),
])
def test_bad_checkin_bodies_get_a_400_naming_the_problem(client, running, body, code):
    response = client.post(f"/api/v1/sessions/{running.id}/checkins", json=body)
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == code


def test_non_json_and_unknown_sessions_never_give_a_500(client, running):
    response = client.post(f"/api/v1/sessions/{running.id}/checkins", data="avatar=cat",
                           content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400
    assert client.post("/api/v1/sessions/99999/checkins", json={"avatar": "cat"}).status_code == 404
    assert client.get("/api/v1/sessions/99999/counts").status_code == 404


def test_staff_record_a_visitor_who_counts_as_a_visit(client, running, staff_token):
    from webapp.staff.operations import by_login, issue_api_token

    token = issue_api_token(by_login("sato"))
    db_session.remove()
    url = f"/api/v1/sessions/{running.id}/checkins"
    seen = client.post(url, json={"avatar": "tree", "source": "staff"}, headers=bearer(token))
    assert seen.status_code == 201 and seen.get_json()["status"] == "in_consultation"
    closed = client.post(url, json={"avatar": "star", "source": "staff", "status": "closed"}, headers=bearer(token))
    assert closed.get_json()["status"] == "closed"
    talked = client.post(url, headers=bearer(token), json={
        "avatar": "moon", "source": "staff",
        "outcome": {"kind": "consultation", "topics": ["family"], "result": "listened", "referred_to": None}})
    assert talked.status_code == 201
    assert client.get(f"/api/v1/sessions/{running.id}/counts").get_json() == {
        "visits": 3, "consultations": 1, "waiting": 0, "in_consultation": 1}


def test_recording_a_visitor_needs_staff_of_that_session(client, running):
    from webapp.staff.operations import by_login, issue_api_token

    url = f"/api/v1/sessions/{running.id}/checkins"
    assert client.post(url, json={"avatar": "cat", "source": "staff"}).status_code == 401
    next_request()
    assert client.post(url, json={"avatar": "cat", "source": "staff"}, headers=bearer("ikm_wrong")).status_code == 401
    next_request()
    other = issue_api_token(by_login("kimura"))
    db_session.remove()
    response = client.post(url, json={"avatar": "cat", "source": "staff"}, headers=bearer(other))
    assert response.status_code == 403


def test_a_logged_in_promoter_records_a_visitor_with_the_csrf_header(client, auth, running):
    auth.login("sato")
    url = f"/api/v1/sessions/{running.id}/checkins"
    assert client.post(url, json={"avatar": "cat", "source": "staff"}).status_code == 403
    next_request()
    csrf = auth.csrf("/staff/")
    response = client.post(url, json={"avatar": "cat", "source": "staff"}, headers={"X-CSRFToken": csrf})
    assert response.status_code == 201


def test_anyone_can_read_a_sessions_counts(client, running):
    client.post(f"/api/v1/sessions/{running.id}/checkins", json={"avatar": "cat"})
    assert client.get(f"/api/v1/sessions/{running.id}/counts").get_json() == {
        "visits": 1, "consultations": 0, "waiting": 1, "in_consultation": 0}


def test_staff_get_a_realtime_token_and_residents_do_not(client, running, app):
    from webapp.staff.operations import by_login, issue_api_token

    assert client.get("/api/v1/realtime/token").status_code == 401
    next_request()
    user = by_login("sato")
    token = issue_api_token(user)
    db_session.remove()
    body = client.get("/api/v1/realtime/token", headers=bearer(token)).get_json()
    assert body["ws_url"] == app.config["RELAY_PUBLIC_URL"]
    assert read_token(SECRET, body["token"], 60) == {"kind": "staff", "user_id": user.id, "auth_version": 0}
