"""Anonymous reservations through /api/v1: a code is the only key, nothing personal is kept."""
from __future__ import annotations

import math
import re

import pytest
from sqlalchemy import inspect, select, text

from tests.api.helpers import API, error_code, future_day
from webapp.db import db_session
from webapp.reservations.models import Reservation
from webapp.reservations.operations import CODE_ALPHABET, CODE_GROUP_LEN, CODE_GROUPS, new_code

CODE_RE = re.compile(r"^[2-9A-HJKMNP-Z]{5}-[2-9A-HJKMNP-Z]{5}-[2-9A-HJKMNP-Z]{5}$")
RESERVATION_KEYS = {"code", "slot_id", "session_id", "starts_at", "ends_at", "status", "ics_url"}


@pytest.fixture
def slot(make_session):
    """The first slot of a session next month, one seat."""
    return make_session(capacity=1).slots[0]


def _reserve(client, slot_id, **kwargs):
    return client.post(f"{API}/slots/{slot_id}/reservations", **kwargs)


def _remaining(client, session_id, slot_id):
    slots = client.get(f"{API}/sessions/{session_id}").get_json()["slots"]
    return next(s["remaining"] for s in slots if s["id"] == slot_id)


def test_reserving_with_no_body_at_all_gives_a_code_and_the_contract_fields(client, slot):
    response = _reserve(client, slot.id)
    assert response.status_code == 201
    body = response.get_json()
    assert RESERVATION_KEYS <= set(body)
    assert CODE_RE.match(body["code"])
    assert (body["slot_id"], body["session_id"], body["status"]) == (slot.id, slot.session_id, "active")
    assert body["starts_at"].endswith("T13:30:00+09:00") and body["ends_at"].endswith("T14:00:00+09:00")
    assert body["ics_url"] == f"http://localhost{API}/reservations/{body['code']}.ics"
    assert response.headers["Location"].endswith(f"{API}/reservations/{body['code']}")
    assert response.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("kwargs", [{"json": {}}, {"data": "", "content_type": "application/json"},
                                    {"json": {"nickname": None, "topic": None}}])
def test_an_empty_body_or_empty_object_is_fine(client, slot, kwargs):
    assert _reserve(client, slot.id, **kwargs).status_code == 201


def test_a_nickname_and_topic_are_kept_and_shown_to_the_holder(client, slot):
    code = _reserve(client, slot.id, json={"nickname": " さくら ", "topic": "親の介護のこと"}).get_json()["code"]
    body = client.get(f"{API}/reservations/{code}").get_json()
    assert (body["nickname"], body["topic"]) == ("さくら", "親の介護のこと")
    assert body["session"]["format"] == "in_person" and body["session"]["location"] == "生駒市役所"


def test_the_code_can_be_typed_back_in_lower_case_or_without_dashes(client, slot):
    code = _reserve(client, slot.id).get_json()["code"]
    for typed in (code.lower(), code.replace("-", "")):
        response = client.get(f"{API}/reservations/{typed}")
        assert response.status_code == 200 and response.get_json()["code"] == code


@pytest.mark.parametrize("code", ["AAAAA-BBBBB-CCCCC", "22222-22222-22222", "not-a-code", "0O1IL-0O1IL-0O1IL",
                                  "x" * 300, "%00", "KX7P3-MQ9HT-4WZ2R.json"])
def test_unknown_and_malformed_codes_get_the_same_404(client, code):
    for method in (client.get, client.delete):
        response = method(f"{API}/reservations/{code}")
        assert response.status_code == 404
        assert response.get_json() == {"error": {"code": "not_found", "message": "No reservation with this code."}}


def test_the_slot_is_full_when_its_seats_are_taken(client, slot):
    assert _reserve(client, slot.id).status_code == 201
    response = _reserve(client, slot.id)
    assert response.status_code == 409
    assert error_code(response) == "slot_full"
    assert _remaining(client, slot.session_id, slot.id) == 0


def test_cancelling_frees_the_seat_for_someone_else(client, slot):
    code = _reserve(client, slot.id).get_json()["code"]
    response = client.delete(f"{API}/reservations/{code}")
    assert response.status_code == 204 and response.data == b""
    assert _remaining(client, slot.session_id, slot.id) == 1
    assert client.get(f"{API}/reservations/{code}").get_json()["status"] == "cancelled"
    assert _reserve(client, slot.id).status_code == 201


def test_cancelling_twice_is_a_harmless_204_and_frees_only_one_seat(client, make_session):
    slot = make_session(capacity=2).slots[0]
    code = _reserve(client, slot.id).get_json()["code"]
    _reserve(client, slot.id)
    assert client.delete(f"{API}/reservations/{code}").status_code == 204
    assert client.delete(f"{API}/reservations/{code}").status_code == 204
    assert _remaining(client, slot.session_id, slot.id) == 1


def test_an_unknown_slot_is_404(client):
    for slot_id in (4242, 2 ** 40):
        response = _reserve(client, slot_id)
        assert response.status_code == 404 and error_code(response) == "not_found"


def test_a_cancelled_session_takes_no_reservations(client, admin_headers, slot):
    client.patch(f"{API}/sessions/{slot.session_id}", json={"status": "cancelled"}, headers=admin_headers)
    response = _reserve(client, slot.id)
    assert response.status_code == 409 and error_code(response) == "session_cancelled"


def test_a_slot_that_has_started_takes_no_reservations(client, make_session):
    past = make_session(day=future_day(-7))
    response = _reserve(client, past.slots[0].id)
    assert response.status_code == 409 and error_code(response) == "slot_past"


@pytest.mark.parametrize("body, code", [
    ({"nickname": "あ" * 31}, "too_long"),
    ({"topic": "あ" * 201}, "too_long"),
    ({"nickname": 7}, "invalid_type"),
    ({"topic": ["介護"]}, "invalid_type"),
    ({"name": "生駒 太郎"}, "unknown_field"),
    ({"phone": "0743-00-0000"}, "unknown_field"),
])
def test_bad_reservation_bodies_are_400_and_take_no_seat(client, slot, body, code):
    response = _reserve(client, slot.id, json=body)
    assert response.status_code == 400 and error_code(response) == code
    assert _remaining(client, slot.session_id, slot.id) == 1


@pytest.mark.parametrize("data, content_type", [("[]", "application/json"), ("{oops", "application/json"),
                                                ("nickname=sakura", "application/x-www-form-urlencoded")])
def test_a_reservation_body_that_is_not_a_json_object_is_invalid_json(client, slot, data, content_type):
    response = _reserve(client, slot.id, data=data, content_type=content_type)
    assert response.status_code == 400 and error_code(response) == "invalid_json"


def test_a_reservation_stores_no_address_or_user_agent(app, client, slot):
    spy_agent, spy_address = "SpyBrowser/9.9 (tracking-test)", "203.0.113.77"
    code = _reserve(client, slot.id, json={"nickname": "さくら"}, headers={"User-Agent": spy_agent},
                    environ_base={"REMOTE_ADDR": spy_address}).get_json()["code"]
    columns = {c["name"] for c in inspect(app.extensions["engine"]).get_columns("reservations")}
    assert columns == {"id", "code", "slot_id", "nickname", "topic", "status", "created_at", "cancelled_at",
                       "cancelled_by_staff"}
    db_session.rollback()
    row = db_session.execute(text("SELECT * FROM reservations")).one()
    stored = " ".join(str(value) for value in row)
    assert code in stored and spy_agent not in stored and spy_address not in stored
    assert "SpyBrowser" not in stored and "203.0.113" not in stored


def test_codes_are_readable_aloud_and_carry_at_least_60_random_bits(client, make_session):
    assert not set(CODE_ALPHABET) & set("0O1IL")
    assert CODE_GROUPS * CODE_GROUP_LEN * math.log2(len(set(CODE_ALPHABET))) >= 60
    codes = {new_code() for _ in range(2000)}
    assert len(codes) == 2000 and all(CODE_RE.match(c) for c in codes)
    # Every symbol of the alphabet turns up: the codes use all of it, not a narrower set.
    assert set("".join(codes).replace("-", "")) == set(CODE_ALPHABET)
    slot = make_session(capacity=5).slots[0]
    made = [_reserve(client, slot.id).get_json()["code"] for _ in range(5)]
    assert len(set(made)) == 5 and all(CODE_RE.match(c) for c in made)
    assert set(db_session.scalars(select(Reservation.code))) == set(made)


def test_the_calendar_address_of_a_code_offers_only_the_calendar_and_cancels_nothing(client, slot):
    code = _reserve(client, slot.id).get_json()["code"]
    allowed = client.open(f"{API}/reservations/{code}.ics", method="OPTIONS").headers["Allow"]
    assert {method.strip() for method in allowed.split(",")} == {"GET", "HEAD", "OPTIONS"}
    refused = client.delete(f"{API}/reservations/{code}.ics")
    assert refused.status_code == 405 and error_code(refused) == "method_not_allowed"
    assert client.get(f"{API}/reservations/{code}").get_json()["status"] == "active"


def test_a_code_that_is_already_taken_is_drawn_again_and_the_seat_counted_once(client, make_session, monkeypatch):
    from webapp.reservations import operations

    session = make_session(capacity=2)
    first = _reserve(client, session.slots[0].id).get_json()["code"]
    fresh = iter([first, new_code()])  # the next draw collides with the first reservation's code
    monkeypatch.setattr(operations, "new_code", lambda: next(fresh))
    response = _reserve(client, session.slots[0].id)
    assert response.status_code == 201 and response.get_json()["code"] != first
    assert _remaining(client, session.id, session.slots[0].id) == 0


def test_a_code_that_collides_every_time_is_a_fault_that_surfaces_not_a_loop(client, make_session, monkeypatch):
    from sqlalchemy.exc import IntegrityError

    from webapp.reservations import operations

    session = make_session(capacity=2)
    taken = _reserve(client, session.slots[0].id).get_json()["code"]
    calls = []
    monkeypatch.setattr(operations, "new_code", lambda: calls.append(1) or taken)
    with pytest.raises(IntegrityError):
        operations.reserve(session.slots[0].id)
    db_session.rollback()
    assert len(calls) == operations.CODE_ATTEMPTS
    assert _remaining(client, session.id, session.slots[0].id) == 1  # no seat lost to the failed tries
