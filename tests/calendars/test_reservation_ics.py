"""A resident's reservation as a calendar file: one event, two reminders, the code, nothing personal."""
from __future__ import annotations

import datetime as dt

import icalendar

from tests.calendars import parsing
from tests.calendars.conftest import at
from webapp.clock import now_tokyo
from webapp.sessions.operations import cancel_session, update_session


def _reserve(client, slot, **body) -> dict:
    response = client.post(f"/api/v1/slots/{slot.id}/reservations", json=body)
    assert response.status_code == 201
    return response.get_json()


def test_the_reservation_file_has_one_event_at_the_slot_time_with_two_reminders(client, make_session):
    session = make_session()
    made = _reserve(client, session.slots[1])
    response = client.get(made["ics_url"].replace("http://localhost", ""))
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    assert "attachment" in response.headers["Content-Disposition"]

    events = parsing.events(response.data)
    assert len(events) == 1
    event = next(iter(events.values()))
    assert event["start"] == at(made["starts_at"])
    assert event["end"] == at(made["ends_at"])
    assert event["status"] == "CONFIRMED"
    assert f"予約番号: {made['code']}" in event["description"]
    assert event["location"] == "生駒市役所"
    assert event["url"] == f"http://localhost/sessions/{session.id}"
    assert f"http://localhost/reservations/{made['code']}" in event["description"]
    calendar = icalendar.Calendar.from_ical(response.data)
    assert calendar["METHOD"] == "PUBLISH"
    assert [str(z["TZID"]) for z in calendar.walk("VTIMEZONE")] == ["Asia/Tokyo"]

    vevent = icalendar.Calendar.from_ical(response.data).walk("VEVENT")[0]
    alarms = vevent.walk("VALARM")
    assert sorted(a.decoded("TRIGGER") for a in alarms) == [-dt.timedelta(days=1), -dt.timedelta(minutes=30)]
    assert all(a["ACTION"] == "DISPLAY" and a["DESCRIPTION"] for a in alarms)
    assert b"TRIGGER:-P1D" in response.data and b"TRIGGER:-PT30M" in response.data


def test_the_reservation_file_holds_the_code_but_no_nickname_or_topic(client, make_session):
    session = make_session()
    made = _reserve(client, session.slots[0], nickname="ひみつのなまえ", topic="家族のことで悩んでいます")
    body = client.get(f"/api/v1/reservations/{made['code']}.ics").get_data(as_text=True)
    unfolded = body.replace("\r\n ", "")
    assert made["code"] in unfolded
    assert "ひみつのなまえ" not in unfolded and "家族のこと" not in unfolded
    for field in ("ATTENDEE", "ORGANIZER", "CONTACT"):
        assert field not in body
    assert "CLASS:PRIVATE" in body
    assert made["code"] not in unfolded.split("UID:")[1].split("\r\n")[0]


def test_the_code_can_be_typed_in_lower_case_and_gives_the_same_event(client, make_session):
    made = _reserve(client, make_session().slots[0])
    exact = client.get(f"/api/v1/reservations/{made['code']}.ics")
    loose = client.get(f"/api/v1/reservations/{made['code'].lower()}.ics")
    assert loose.status_code == 200
    assert list(parsing.events(loose.data)) == list(parsing.events(exact.data))


def test_a_moved_session_moves_the_reserved_slot_with_a_higher_sequence(client, make_session):
    session = make_session()
    made = _reserve(client, session.slots[0])
    path = f"/api/v1/reservations/{made['code']}.ics"
    before = next(iter(parsing.events(client.get(path).data).values()))
    update_session(session, {"starts_at": session.starts_at + dt.timedelta(minutes=30),
                             "ends_at": session.ends_at + dt.timedelta(minutes=30)})
    after = next(iter(parsing.events(client.get(path).data).values()))
    assert after["uid"] == before["uid"]
    assert after["sequence"] > before["sequence"]
    assert after["start"] == at(client.get(f"/api/v1/reservations/{made['code']}").get_json()["starts_at"])
    assert after["start"] - before["start"] == dt.timedelta(minutes=30)


def test_a_cancelled_reservation_or_session_gives_a_cancelled_event_without_reminders(client, make_session):
    mine = _reserve(client, make_session().slots[0])
    assert client.delete(f"/api/v1/reservations/{mine['code']}").status_code == 204
    session = make_session(day=now_tokyo().date() + dt.timedelta(days=40))
    theirs = _reserve(client, session.slots[0])
    cancel_session(session)
    for code in (mine["code"], theirs["code"]):
        body = client.get(f"/api/v1/reservations/{code}.ics").data
        event = next(iter(parsing.events(body).values()))
        assert event["status"] == "CANCELLED"
        assert event["sequence"] >= 1
        assert b"BEGIN:VALARM" not in body


def test_an_unknown_or_malformed_code_is_a_json_404(client):
    for code in ("AAAAA-BBBBB-CCCCC", "not-a-code", "0O1IL"):
        response = client.get(f"/api/v1/reservations/{code}.ics")
        assert response.status_code == 404
        assert response.get_json() == {"error": {"code": "not_found", "message": "No reservation with this code."}}


def test_the_reservation_file_is_never_kept_by_a_shared_cache(client, make_session):
    made = _reserve(client, make_session().slots[0])
    response = client.get(f"/api/v1/reservations/{made['code']}.ics")
    assert "no-store" in response.headers["Cache-Control"]
