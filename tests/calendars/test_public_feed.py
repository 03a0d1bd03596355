"""The public feed: every scheduled and recently cancelled session, nothing about people."""
from __future__ import annotations

import datetime as dt
import re

import icalendar

from tests.calendars.conftest import at
from webapp.clock import now_tokyo
from webapp.db import db_session, utcnow
from webapp.reservations.operations import reserve
from webapp.sessions.operations import cancel_session, update_session
from webapp.timeutil import TOKYO

PUBLIC = "/calendars/public.ics"


def _uid(session) -> str:
    return f"session-{session.id}@ikomaru.ikoma"


def test_public_feed_carries_what_subscribing_calendar_apps_look_for(client, make_session):
    make_session()
    body = client.get(PUBLIC).data
    calendar = icalendar.Calendar.from_ical(body)
    assert calendar["METHOD"] == "PUBLISH"
    assert calendar["X-WR-CALNAME"] == "いこまる相談会（生駒市）"
    assert calendar["X-WR-TIMEZONE"] == "Asia/Tokyo"
    assert b"REFRESH-INTERVAL;VALUE=DURATION:PT1H" in body
    assert b"X-PUBLISHED-TTL:PT1H" in body
    zones = calendar.walk("VTIMEZONE")
    assert [str(z["TZID"]) for z in zones] == ["Asia/Tokyo"]
    standard = zones[0].walk("STANDARD")[0]
    assert standard["TZOFFSETTO"].td == dt.timedelta(hours=9)
    assert b"DTSTART;TZID=Asia/Tokyo:" in body


def test_every_parser_reads_each_start_exactly_as_the_api_reports_it(feed, make_session, api_session):
    today = now_tokyo().date()
    sessions = [
        make_session(day=today + dt.timedelta(days=20), fmt="in_person"),
        make_session(day=today + dt.timedelta(days=50), fmt="online", location="オンライン（ビデオ通話）",
                     start="10:00", end="12:00"),
        make_session(day=today + dt.timedelta(days=80), fmt="metaverse", location="メタバース空間"),
    ]
    _, events = feed(PUBLIC)
    assert len(events) == 3
    for session in sessions:
        event, api = events[_uid(session)], api_session(session.id)
        assert event["start"] == at(api["starts_at"])
        assert event["end"] == at(api["ends_at"])
        assert event["location"] == api["location"]
        assert event["status"] == "CONFIRMED"


def test_each_session_has_one_uid_that_stays_the_same_on_every_fetch(feed, make_session):
    for days in (10, 40, 70):
        make_session(day=now_tokyo().date() + dt.timedelta(days=days))
    first, first_events = feed(PUBLIC)
    second, second_events = feed(PUBLIC)
    assert len(first_events) == 3
    assert list(first_events) == list(second_events)
    assert first.data == second.data


def test_moving_a_session_raises_its_sequence_and_moves_the_event(feed, make_session, api_session):
    session = make_session()
    _, before = feed(PUBLIC)
    update_session(session, {"starts_at": session.starts_at + dt.timedelta(hours=1),
                             "ends_at": session.ends_at + dt.timedelta(hours=1)})
    _, after = feed(PUBLIC)
    assert list(after) == list(before) == [_uid(session)]
    moved = after[_uid(session)]
    assert moved["sequence"] > before[_uid(session)]["sequence"]
    assert moved["start"] == at(api_session(session.id)["starts_at"])
    assert moved["start"].astimezone(TOKYO).time() == dt.time(14, 30)


def test_a_new_place_or_link_raises_the_sequence_but_a_note_does_not(feed, make_session):
    session = make_session(fmt="online", location="オンライン", join_url="https://meet.example/a")
    sequences = []
    changes = ({"location": "オンライン（Zoom）"}, {"join_url": "https://meet.example/b"}, {"note": "お気軽にどうぞ"})
    for change in changes:
        update_session(session, change)
        sequences.append(feed(PUBLIC)[1][_uid(session)]["sequence"])
    assert sequences[0] < sequences[1] == sequences[2]


def test_a_cancelled_session_stays_in_the_feed_marked_cancelled(feed, make_session):
    kept, cancelled = make_session(), make_session(day=now_tokyo().date() + dt.timedelta(days=60))
    _, before = feed(PUBLIC)
    cancel_session(cancelled, note="台風の接近のため中止します。")
    _, after = feed(PUBLIC)
    event = after[_uid(cancelled)]
    assert event["status"] == "CANCELLED"
    assert event["sequence"] > before[_uid(cancelled)]["sequence"]
    assert event["summary"].startswith("【中止】")
    assert "台風の接近のため中止します。" in event["description"]
    assert after[_uid(kept)]["status"] == "CONFIRMED"


def test_a_session_cancelled_over_sixty_days_ago_leaves_the_feed(feed, make_session):
    old = make_session()
    cancel_session(old)
    old.cancelled_at = utcnow() - dt.timedelta(days=61)  # as if it had been cancelled two months ago
    db_session.commit()
    recent = make_session(day=now_tokyo().date() + dt.timedelta(days=60))
    cancel_session(recent)
    _, events = feed(PUBLIC)
    assert list(events) == [_uid(recent)]


def test_public_feed_holds_no_personal_data(client, make_user, make_session, add_checkins):
    make_user("sato", display_name="主任推進員 さとう")
    session = make_session(fmt="metaverse", location="メタバース空間", join_url="https://meta.example/room-secret",
                           promoters=["sato"])
    reserve(session.slots[0].id, nickname="ひみつのなまえ", topic="家族のことで悩んでいます")
    add_checkins(session, 1, nickname="こっそりさん")
    body = client.get(PUBLIC).get_data(as_text=True)
    unfolded = body.replace("\r\n ", "")
    for private in ("さとう", "sato", "ひみつのなまえ", "家族のこと", "こっそりさん", "room-secret"):
        assert private not in unfolded
    assert not re.search(r"(予約|受付): \d+件", unfolded)
    assert "ATTENDEE" not in body and "ORGANIZER" not in body


def test_public_feed_speaks_english_when_asked(feed, make_session):
    make_session()
    response, events = feed(PUBLIC + "?lang=en")
    assert icalendar.Calendar.from_ical(response.data)["X-WR-CALNAME"] == "Ikomaru consultation sessions (Ikoma City)"
    assert "Anyone may come without a reservation" in next(iter(events.values()))["description"]
