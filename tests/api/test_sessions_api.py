"""GET/POST/PATCH /api/v1/sessions: what a calendar client and the city's admin see."""
from __future__ import annotations

import datetime as dt

import pytest

from tests.api.helpers import API, error_code, future_day

SESSION_KEYS = {"id", "date", "starts_at", "ends_at", "format", "status", "holiday", "location", "join_url",
                "promoters", "slots"}
SLOT_KEYS = {"id", "starts_at", "ends_at", "capacity", "remaining"}


# --- Reading ---------------------------------------------------------------------------------------

def test_a_session_has_every_contract_field_with_tokyo_times(client, make_user, make_session):
    make_user("sato", display_name="主任推進員 さとう")
    made = make_session(day=dt.date(2030, 12, 17), fmt="metaverse", capacity=2, promoters=["sato"],
                        join_url="https://example.org/room")
    body = client.get(f"{API}/sessions/{made.id}").get_json()
    assert SESSION_KEYS <= set(body)
    assert body["date"] == "2030-12-17"
    assert body["starts_at"] == "2030-12-17T13:30:00+09:00"
    assert body["ends_at"] == "2030-12-17T16:30:00+09:00"
    assert (body["format"], body["status"], body["holiday"]) == ("metaverse", "scheduled", False)
    assert body["join_url"] == "https://example.org/room"
    assert body["promoters"] == [{"login": "sato", "display_name": "主任推進員 さとう"}]
    assert len(body["slots"]) == 6
    first = body["slots"][0]
    assert set(first) == SLOT_KEYS
    assert first["starts_at"] == "2030-12-17T13:30:00+09:00" and first["ends_at"] == "2030-12-17T14:00:00+09:00"
    assert (first["capacity"], first["remaining"]) == (2, 2)


def test_the_list_is_ordered_by_start_and_filtered_by_inclusive_dates(client, make_session):
    later = make_session(day=dt.date(2030, 7, 16))
    earlier = make_session(day=dt.date(2030, 6, 18))
    make_session(day=dt.date(2030, 8, 20))
    response = client.get(f"{API}/sessions?from=2030-06-18&to=2030-07-16")
    assert response.status_code == 200
    assert [s["id"] for s in response.get_json()] == [earlier.id, later.id]


def test_without_dates_every_session_is_listed(client, make_session):
    may = make_session(day=dt.date(2030, 5, 10)).id
    april = make_session(day=dt.date(2030, 4, 10)).id
    assert [s["id"] for s in client.get(f"{API}/sessions").get_json()] == [april, may]


def test_an_empty_range_is_an_empty_list(client, make_session):
    make_session(day=dt.date(2030, 6, 18))
    assert client.get(f"{API}/sessions?from=2031-01-01&to=2031-12-31").get_json() == []


@pytest.mark.parametrize("query", [
    "from=2030-13-01", "from=2030-02-30", "to=tomorrow", "from=", "from=2030/06/01", "to=20300601",
    "from=2030-6-1", "from=1999-12-31", "to=9999-12-31", "from=2030-06-01T00:00:00",
])
def test_a_bad_date_in_the_query_is_invalid_date(client, query):
    response = client.get(f"{API}/sessions?{query}")
    assert response.status_code == 400
    assert error_code(response) == "invalid_date"


def test_from_after_to_is_refused(client):
    response = client.get(f"{API}/sessions?from=2030-07-01&to=2030-06-01")
    assert response.status_code == 400
    assert error_code(response) == "invalid_range"


@pytest.mark.parametrize("path", ["/sessions/999", "/sessions/99999999999999999999", "/sessions/abc",
                                  "/sessions/-1"])
def test_an_unknown_session_is_404_in_the_error_shape(client, path):
    response = client.get(API + path)
    assert response.status_code == 404
    assert error_code(response) == "not_found"


# --- Creating --------------------------------------------------------------------------------------

def test_an_admin_creates_a_session_with_slots_cut_from_slot_minutes(client, admin_headers, session_body):
    response = client.post(f"{API}/sessions", json=session_body(slot_minutes=45, capacity=1),
                           headers=admin_headers)
    assert response.status_code == 201
    body = response.get_json()
    assert response.headers["Location"].endswith(f"{API}/sessions/{body['id']}")
    # 13:30-16:30 in 45 minutes: four slots; nothing left over.
    assert [(s["starts_at"][11:16], s["ends_at"][11:16]) for s in body["slots"]] == [
        ("13:30", "14:15"), ("14:15", "15:00"), ("15:00", "15:45"), ("15:45", "16:30")]
    assert all(s["capacity"] == 1 and s["remaining"] == 1 for s in body["slots"])
    assert [p["login"] for p in body["promoters"]] == ["sato", "tanaka"]
    assert client.get(f"{API}/sessions/{body['id']}").get_json() == body


def test_a_remainder_shorter_than_a_slot_is_left_for_walk_ins(client, admin_headers, session_body):
    body = client.post(f"{API}/sessions", json=session_body(slot_minutes=40), headers=admin_headers).get_json()
    assert len(body["slots"]) == 4 and body["slots"][-1]["ends_at"][11:16] == "16:10"


def test_times_may_be_iso_with_any_offset_and_come_back_in_tokyo_time(client, admin_headers, session_body):
    day = future_day()
    body = session_body(starts_at=f"{day}T04:30:00Z", ends_at=f"{day}T16:30:00+09:00")
    created = client.post(f"{API}/sessions", json=body, headers=admin_headers)
    assert created.status_code == 201
    assert created.get_json()["starts_at"] == f"{day}T13:30:00+09:00"


def test_a_missing_location_is_the_usual_place_for_the_format(client, admin_headers, session_body):
    body = session_body(format="online", location=...)
    created = client.post(f"{API}/sessions", json=body, headers=admin_headers).get_json()
    assert created["location"] == "オンライン（ビデオ通話）"


def test_a_national_holiday_is_flagged_not_moved(client, admin_headers, session_body):
    body = session_body(date="2026-11-23")  # 勤労感謝の日
    created = client.post(f"{API}/sessions", json=body, headers=admin_headers).get_json()
    assert created["date"] == "2026-11-23" and created["holiday"] is True
    assert created["holiday_name"] == "勤労感謝の日"


@pytest.mark.parametrize("missing", ["date", "starts_at", "ends_at", "format", "slot_minutes", "capacity",
                                     "promoters"])
def test_every_required_field_is_required(client, admin_headers, session_body, missing):
    response = client.post(f"{API}/sessions", json=session_body(**{missing: ...}), headers=admin_headers)
    assert response.status_code == 400
    assert error_code(response) == "missing_field"
    assert missing in response.get_json()["error"]["message"]


@pytest.mark.parametrize("field, value, code", [
    ("date", 20301217, "invalid_date"),
    ("date", "2030-02-30", "invalid_date"),
    ("date", "17/12/2030", "invalid_date"),
    ("date", "0001-01-01", "invalid_date"),
    ("starts_at", "1:30 pm", "invalid_datetime"),
    ("starts_at", "25:00", "invalid_datetime"),
    ("starts_at", "13:30:00", "invalid_datetime"),
    ("starts_at", "2030-12-17T13:30:00", "invalid_datetime"),  # no offset
    ("starts_at", "0001-01-01T00:00:00+09:00", "invalid_datetime"),
    ("starts_at", 1330, "invalid_type"),
    ("ends_at", None, "invalid_type"),
    ("format", "hybrid", "invalid_format"),
    ("format", ["online"], "invalid_type"),
    ("slot_minutes", "30", "invalid_type"),
    ("slot_minutes", 30.5, "invalid_type"),
    ("slot_minutes", True, "invalid_type"),
    ("slot_minutes", 0, "invalid_slot_minutes"),
    ("slot_minutes", -30, "invalid_slot_minutes"),
    ("slot_minutes", 4, "invalid_slot_minutes"),
    ("slot_minutes", 100000, "invalid_slot_minutes"),
    ("slot_minutes", 10 ** 40, "invalid_slot_minutes"),
    ("slot_minutes", 200, "invalid_slot_minutes"),  # longer than the 3-hour session
    ("capacity", 0, "invalid_capacity"),
    ("capacity", 51, "invalid_capacity"),
    ("capacity", None, "invalid_type"),
    ("promoters", "sato", "invalid_type"),
    ("promoters", [1], "invalid_type"),
    ("promoters", ["sato", "nobody"], "unknown_promoter"),
    ("location", 5, "invalid_type"),
    ("location", "あ" * 201, "too_long"),
    ("join_url", "javascript:alert(1)", "invalid_url"),
    ("join_url", "https://example.org/" + "a" * 500, "too_long"),
])
def test_bad_fields_are_400_with_a_code_to_act_on(client, admin_headers, session_body, field, value, code):
    response = client.post(f"{API}/sessions", json=session_body(**{field: value}), headers=admin_headers)
    assert response.status_code == 400, response.get_json()
    assert error_code(response) == code


@pytest.mark.parametrize("starts, ends", [("16:30", "13:30"), ("13:30", "13:30")])
def test_ends_before_or_at_start_is_refused(client, admin_headers, session_body, starts, ends):
    response = client.post(f"{API}/sessions", json=session_body(starts_at=starts, ends_at=ends),
                           headers=admin_headers)
    assert response.status_code == 400
    assert error_code(response) == "invalid_times"


def test_times_on_another_day_than_date_are_refused(client, admin_headers, session_body):
    other = future_day(31)
    body = session_body(starts_at=f"{other}T13:30:00+09:00", ends_at=f"{other}T16:30:00+09:00")
    response = client.post(f"{API}/sessions", json=body, headers=admin_headers)
    assert response.status_code == 400
    assert error_code(response) == "invalid_times"


def test_an_unknown_field_is_refused_not_ignored(client, admin_headers, session_body):
    response = client.post(f"{API}/sessions", json=session_body(capacty=3), headers=admin_headers)
    assert response.status_code == 400
    assert error_code(response) == "unknown_field"
    assert "capacty" in response.get_json()["error"]["message"]


@pytest.mark.parametrize("data, content_type", [
    ("{not json", "application/json"),
    ('[{"date": "2030-12-17"}]', "application/json"),
    ('"a string"', "application/json"),
    ("42", "application/json"),
    ("null", "application/json"),
    ("", "application/json"),
    ("date=2030-12-17", "application/x-www-form-urlencoded"),
    (b"\xff\xfe\x00garbage", "application/json"),
    ('{"slot_minutes": NaN}', "application/json"),
])
def test_a_body_that_is_not_a_json_object_is_invalid_json(client, admin_headers, data, content_type):
    response = client.post(f"{API}/sessions", data=data, content_type=content_type, headers=admin_headers)
    assert response.status_code == 400
    assert error_code(response) == "invalid_json"


def test_a_huge_body_is_refused_before_it_is_read(client, admin_headers, session_body):
    response = client.post(f"{API}/sessions", json=session_body(location="x" * 20000), headers=admin_headers)
    assert response.status_code == 413
    assert error_code(response) == "request_entity_too_large"


# --- Who may write ---------------------------------------------------------------------------------

def test_without_credentials_creating_is_401_with_a_bearer_challenge(client, session_body):
    response = client.post(f"{API}/sessions", json=session_body())
    assert response.status_code == 401
    assert error_code(response) == "unauthorized"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize("header", ["Bearer not-a-real-token", "Bearer ikm_" + "x" * 43])
def test_an_unknown_token_is_401(client, session_body, header):
    response = client.post(f"{API}/sessions", json=session_body(), headers={"Authorization": header})
    assert response.status_code == 401
    assert error_code(response) == "invalid_token"


def test_a_revoked_token_is_401(client, make_user, session_body):
    from webapp.staff.operations import issue_api_token, revoke_api_tokens

    user = make_user("boss", role="admin")
    token = issue_api_token(user)
    revoke_api_tokens(user)
    response = client.post(f"{API}/sessions", json=session_body(), headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401


def test_a_promoter_may_not_create_or_change_sessions(client, promoter_headers, session_body, make_session):
    assert client.post(f"{API}/sessions", json=session_body(), headers=promoter_headers).status_code == 403
    response = client.patch(f"{API}/sessions/{make_session().id}", json={"status": "cancelled"},
                            headers=promoter_headers)
    assert response.status_code == 403
    assert error_code(response) == "forbidden"


def test_authentication_is_checked_before_the_session_is_looked_up(client):
    response = client.patch(f"{API}/sessions/999", json={"status": "cancelled"})
    assert response.status_code == 401


def test_a_logged_in_admin_may_use_the_cookie_with_the_csrf_header(client, make_user, cookie_login, session_body):
    token = cookie_login(make_user("boss", role="admin"))
    without = client.post(f"{API}/sessions", json=session_body())
    assert without.status_code == 403 and error_code(without) == "csrf_failed"
    response = client.post(f"{API}/sessions", json=session_body(), headers={"X-CSRFToken": token})
    assert response.status_code == 201


def test_a_logged_in_promoter_gets_403_not_401(client, make_user, cookie_login, session_body):
    token = cookie_login(make_user("kato", role="promoter"))
    response = client.post(f"{API}/sessions", json=session_body(), headers={"X-CSRFToken": token})
    assert response.status_code == 403 and error_code(response) == "forbidden"


# --- Changing --------------------------------------------------------------------------------------

def _patch(client, headers, session_id, body):
    return client.patch(f"{API}/sessions/{session_id}", json=body, headers=headers)


def test_cancelling_keeps_the_session_listed_as_cancelled_and_it_can_be_restored(client, admin_headers, make_session):
    made = make_session()
    response = _patch(client, admin_headers, made.id, {"status": "cancelled", "note": "台風のため中止します"})
    assert response.status_code == 200
    assert response.get_json()["status"] == "cancelled" and response.get_json()["note"] == "台風のため中止します"
    assert [s["status"] for s in client.get(f"{API}/sessions").get_json()] == ["cancelled"]
    assert _patch(client, admin_headers, made.id, {"status": "scheduled"}).get_json()["status"] == "scheduled"


def test_moving_a_session_recuts_its_free_slots(client, admin_headers, make_session):
    made = make_session(capacity=1)
    body = _patch(client, admin_headers, made.id, {"starts_at": "14:00", "ends_at": "16:00"}).get_json()
    assert body["starts_at"].endswith("T14:00:00+09:00") and body["ends_at"].endswith("T16:00:00+09:00")
    assert [s["starts_at"][11:16] for s in body["slots"]] == ["14:00", "14:30", "15:00", "15:30"]


def test_a_move_that_would_drop_a_reserved_slot_is_a_conflict(client, admin_headers, make_session):
    made = make_session(capacity=1)
    last_slot = made.slots[-1].id
    assert client.post(f"{API}/slots/{last_slot}/reservations").status_code == 201
    response = _patch(client, admin_headers, made.id, {"ends_at": "15:30"})
    assert response.status_code == 409
    assert error_code(response) == "slot_reserved"
    assert client.get(f"{API}/sessions/{made.id}").get_json()["ends_at"].endswith("T16:30:00+09:00")


def test_format_place_link_and_promoters_can_be_changed(client, admin_headers, make_user, make_session):
    make_user("sato")
    make_user("tanaka", display_name="主任推進員 たなか")
    made = make_session(promoters=["sato"])
    body = _patch(client, admin_headers, made.id, {
        "format": "online", "location": "オンライン", "join_url": "https://example.org/meet",
        "promoters": ["tanaka"]}).get_json()
    assert (body["format"], body["location"], body["join_url"]) == ("online", "オンライン", "https://example.org/meet")
    assert body["promoters"] == [{"login": "tanaka", "display_name": "主任推進員 たなか"}]


def test_an_empty_patch_changes_nothing(client, admin_headers, make_session):
    made = make_session()
    before = client.get(f"{API}/sessions/{made.id}").get_json()
    response = _patch(client, admin_headers, made.id, {})
    assert response.status_code == 200 and response.get_json() == before


@pytest.mark.parametrize("body, code", [
    ({"status": "done"}, "invalid_status"),
    ({"status": None}, "invalid_type"),
    ({"format": "radio"}, "invalid_format"),
    ({"starts_at": "soon"}, "invalid_datetime"),
    ({"ends_at": "12:00"}, "invalid_times"),
    ({"date": "2030-12-17"}, "unknown_field"),
    ({"title": "x"}, "unknown_field"),
    ({"promoters": ["ghost"]}, "unknown_promoter"),
    ({"promoters": "sato"}, "invalid_type"),
    ({"location": "x" * 201}, "too_long"),
    ({"note": "x" * 1001}, "too_long"),  # the admin page's limit, the same in the API
    ({"join_url": "ftp://example.org"}, "invalid_url"),
])
def test_bad_changes_are_400_and_change_nothing(client, admin_headers, make_session, body, code):
    made = make_session()
    before = client.get(f"{API}/sessions/{made.id}").get_json()
    response = _patch(client, admin_headers, made.id, body)
    assert response.status_code == 400, response.get_json()
    assert error_code(response) == code
    assert client.get(f"{API}/sessions/{made.id}").get_json() == before


def test_patching_an_unknown_session_is_404(client, admin_headers):
    response = _patch(client, admin_headers, 424242, {"status": "cancelled"})
    assert response.status_code == 404 and error_code(response) == "not_found"


def test_a_json_array_as_patch_is_invalid_json(client, admin_headers, make_session):
    response = client.patch(f"{API}/sessions/{make_session().id}", json=[{"status": "cancelled"}],
                            headers=admin_headers)
    assert response.status_code == 400 and error_code(response) == "invalid_json"
