"""Issue 14 (trust, round two), findings 2, 6, 7, 8 and 9, each replayed from outside: HTTP and the relay.

Every test here runs on SQLite and, with TEST_BACKEND=postgres, on PostgreSQL (where NUL used to answer 500).
"""
from __future__ import annotations

import json
import threading

import pytest

from webapp.db import db_session

API = "/api/v1"
SURROGATE = '"\\ud800"'  # a lone surrogate as JSON writes it: valid JSON, not text


def _raw_frame(peer, text_json: str) -> None:
    """Send a message frame whose text is `text_json` verbatim (json.dumps could not encode a surrogate)."""
    peer.ws.send('{"type": "message", "text": ' + text_json + "}")


# --- 2: a colleague cannot remove a resident another promoter has taken ---------------------------

def test_a_colleague_cannot_remove_a_resident_another_promoter_has_taken(world, relay, peers):
    checkin_id, token = world.check_in()
    resident = peers(relay.url(token))
    resident.next("welcome")
    sato, tanaka = peers(relay.url(world.staff_token("sato"))), peers(relay.url(world.staff_token("tanaka")))
    sato.next("welcome")
    tanaka.next("welcome")
    sato.send(type="take", checkin_id=checkin_id, mode="text")
    sato.next("taken", checkin_id=checkin_id)
    tanaka.send(type="remove", checkin_id=checkin_id)
    assert tanaka.next("error", checkin_id=checkin_id)["code"] == "forbidden"
    assert world.checkin(checkin_id).status == "in_consultation"
    sato.send(type="remove", checkin_id=checkin_id)
    sato.next("removed", checkin_id=checkin_id)
    assert world.checkin(checkin_id).status == "removed"


def test_an_admin_may_remove_a_resident_a_promoter_has_taken(world, relay, peers):
    checkin_id, _token = world.check_in()
    sato, boss = peers(relay.url(world.staff_token("sato"))), peers(relay.url(world.staff_token("boss")))
    sato.next("welcome")
    boss.next("welcome")
    sato.send(type="take", checkin_id=checkin_id, mode="text")
    sato.next("taken", checkin_id=checkin_id)
    boss.send(type="remove", checkin_id=checkin_id)
    boss.next("removed", checkin_id=checkin_id)
    assert world.checkin(checkin_id).status == "removed"


# --- 6: one reservation code, one visit ------------------------------------------------------------

def _code_for_today(client, world) -> str:
    slot_id = world.session.slots[-1].id  # the last slot of the running session is still ahead
    response = client.post(f"{API}/slots/{slot_id}/reservations", json={})
    assert response.status_code == 201
    return response.get_json()["code"]


def test_a_reservation_code_checks_in_once(client, world):
    code = _code_for_today(client, world)
    url = f"{API}/sessions/{world.session_id}/checkins"
    assert client.post(url, json={"avatar": "cat", "reservation_code": code}).status_code == 201
    again = client.post(url, json={"avatar": "dog", "reservation_code": code.lower()})
    assert again.status_code == 409
    assert again.get_json()["error"]["code"] == "already_checked_in"
    assert world.counts()["visits"] == 1


def test_twenty_check_ins_at_once_with_one_code_make_one_visit(app, client, world):
    code = _code_for_today(client, world)
    url = f"{API}/sessions/{world.session_id}/checkins"
    start, answers = threading.Barrier(20, timeout=60), []

    def check_in():
        start.wait()
        answers.append(app.test_client().post(url, json={"avatar": "cat", "reservation_code": code}).status_code)
        db_session.remove()

    threads = [threading.Thread(target=check_in) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    print(f"\n20 check-ins with one code: {sorted(answers)}")
    assert sorted(answers) == [201] + [409] * 19
    assert world.counts()["visits"] == 1


def test_the_check_in_page_says_next_to_the_code_that_it_was_used(app, client, world):
    from tests.security.conftest import csrf_token

    code = _code_for_today(client, world)
    page = f"/sessions/{world.session_id}/checkin"
    form = {"avatar": "cat", "nickname": "", "reservation_code": code}
    assert client.post(page, data={**form, "csrf_token": csrf_token(client, page)}).status_code == 302
    other = app.test_client()  # another phone, or the same one after clearing its cookies
    again = other.post(page, data={**form, "csrf_token": csrf_token(other, page)})
    assert again.status_code == 400
    assert "すでに受付が済んでいます" in again.get_data(as_text=True)
    assert world.counts()["visits"] == 1


# --- 7: control characters and lone surrogates are refused, never a 500 ---------------------------

@pytest.mark.parametrize("bad", ["\ud800", "a\u0000b", "\u0007", "x\u009b"])
def test_text_with_control_or_broken_characters_is_a_400(client, world, bad):
    def post(url, body):  # json.dumps writes the surrogate as the escape \ud800, as an attacker would
        return client.post(url, data=json.dumps(body), content_type="application/json")

    response = post(f"{API}/sessions/{world.session_id}/checkins", {"avatar": "cat", "nickname": bad})
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "invalid_text"
    slot_id = world.session.slots[-1].id
    response = post(f"{API}/slots/{slot_id}/reservations", {"topic": bad})
    assert response.status_code == 400
    assert world.counts()["visits"] == 0


def test_a_surrogate_in_a_raw_json_body_is_a_400(client, world):
    body = '{"avatar": "cat", "nickname": ' + SURROGATE + "}"
    response = client.post(f"{API}/sessions/{world.session_id}/checkins", data=body,
                           content_type="application/json")
    assert response.status_code == 400


def test_newlines_and_tabs_are_still_text(client, world):
    slot_id = world.session.slots[-1].id
    response = client.post(f"{API}/slots/{slot_id}/reservations", json={"topic": "家計のこと\r\n\t介護のこと"})
    assert response.status_code == 201


def test_a_session_location_with_nul_is_a_400_from_the_api_and_a_field_message_on_the_page(
        client, world, staff_token, auth):
    admin = {"Authorization": f"Bearer {staff_token('admin')}"}
    response = client.patch(f"{API}/sessions/{world.session_id}", json={"location": "市役所\u0000"}, headers=admin)
    assert response.status_code == 400
    auth.login("boss")
    page = f"/admin/sessions/{world.session_id}/edit"
    session = world.session
    form = {"date": session.date.isoformat(), "start": "00:00", "end": "23:00", "format": "in_person",
            "location": "市役所\u0000", "join_url": "", "slot_minutes": "30", "capacity": "2", "note": "",
            "promoters": ["sato"], "csrf_token": auth.csrf(page)}
    answer = client.post(page, data=form)
    assert answer.status_code == 400
    assert "使えない文字" in answer.get_data(as_text=True)


def test_a_resident_message_with_a_lone_surrogate_or_nul_is_bad_frame_and_the_line_stays(world, relay, peers):
    _checkin_id, token = world.check_in()
    resident = peers(relay.url(token))
    resident.next("welcome")
    for bad in (SURROGATE, '"a\\u0000b"'):
        _raw_frame(resident, bad)
        assert resident.next("error")["code"] == "bad_frame"
    resident.send(type="message", text="こんにちは")
    resident.send(type="ping")
    resident.next("pong")
    assert not [f for f in resident.seen if f.get("code") == "internal_error"]


# --- 8: join_url is an absolute http(s) URL with nothing else in it -------------------------------

@pytest.mark.parametrize("link", ["https://example.org/room\r\nX-Evil: 1", "https://exa mple.org/", "/relative",
                                  "javascript:alert(1)", "https://example.org/\u0000"])
def test_a_join_url_that_is_not_a_clean_http_link_is_a_400_and_the_staff_feed_still_answers(
        client, world, staff_token, link):
    from webapp.staff.models import User
    from webapp.staff.operations import rotate_feed_token

    admin = {"Authorization": f"Bearer {staff_token('admin')}"}
    response = client.patch(f"{API}/sessions/{world.session_id}", json={"join_url": link}, headers=admin)
    assert response.status_code == 400
    feed = rotate_feed_token(db_session.get(User, world.user_ids["sato"]))
    db_session.remove()
    answer = client.get(f"/calendars/staff/{feed}.ics")
    assert answer.status_code == 200
    assert b"X-Evil" not in answer.data


# --- 9: JSON nested too deep on the relay -----------------------------------------------------------

def test_json_nested_too_deep_is_bad_json_and_the_connection_stays(world, relay, peers):
    _checkin_id, token = world.check_in()
    resident = peers(relay.url(token))
    resident.next("welcome")
    resident.ws.send("[" * 4000)
    assert resident.next("error")["code"] == "bad_json"
    resident.ws.send('{"type": "ping", "x": ' + "[" * 1500 + "]" * 1500 + "}")
    resident.send(type="ping")
    resident.next("pong")


def test_nul_in_a_form_no_field_check_covers_is_a_400_not_a_500(client, world, auth):
    answer = client.post("/staff/login", data={"login": "sa\u0000to", "password": "x\u0000",
                                               "csrf_token": auth.csrf()})
    assert answer.status_code < 500
