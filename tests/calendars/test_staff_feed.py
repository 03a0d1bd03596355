"""A staff member's own feed: only their sessions, with counts and the join link; a bad token is 404."""
from __future__ import annotations

import datetime as dt

import icalendar

from tests.calendars.conftest import at
from webapp.clock import now_tokyo
from webapp.reservations.operations import cancel, find, reserve
from webapp.sessions.operations import cancel_session, update_session
from webapp.staff.operations import rotate_feed_token, update_user


def _day(days: int) -> dt.date:
    return now_tokyo().date() + dt.timedelta(days=days)


def _uid(session) -> str:
    return f"session-{session.id}@ikomaru.ikoma"


def test_staff_feed_shows_only_the_sessions_that_person_is_assigned_to(feed, make_user, make_session):
    sato, tanaka = make_user("sato"), make_user("tanaka")
    admin = make_user("boss", role="admin")
    both = make_session(day=_day(10), promoters=["sato", "tanaka"])
    only_sato = make_session(day=_day(40), promoters=["sato"])
    only_tanaka = make_session(day=_day(70), promoters=["tanaka"])
    make_session(day=_day(100))  # nobody yet

    assert set(feed(f"/calendars/staff/{rotate_feed_token(sato)}.ics")[1]) == {_uid(both), _uid(only_sato)}
    assert set(feed(f"/calendars/staff/{rotate_feed_token(tanaka)}.ics")[1]) == {_uid(both), _uid(only_tanaka)}
    # An admin sees every session in the console, but their calendar holds only what they run.
    assert feed(f"/calendars/staff/{rotate_feed_token(admin)}.ics")[1] == {}


def test_staff_feed_names_the_person_and_keeps_the_contract_headers(client, make_user, make_session):
    sato = make_user("sato", display_name="主任推進員 さとう")
    make_session(promoters=["sato"])
    body = client.get(f"/calendars/staff/{rotate_feed_token(sato)}.ics").data
    calendar = icalendar.Calendar.from_ical(body)
    assert calendar["X-WR-CALNAME"] == "いこまる相談会（担当: 主任推進員 さとう）"
    assert calendar["METHOD"] == "PUBLISH"
    assert calendar["X-WR-TIMEZONE"] == "Asia/Tokyo"
    assert b"REFRESH-INTERVAL;VALUE=DURATION:" in body
    assert [str(z["TZID"]) for z in calendar.walk("VTIMEZONE")] == ["Asia/Tokyo"]


def test_staff_feed_starts_match_the_api_and_show_counts_and_the_join_link(
        feed, make_user, make_session, api_session, add_checkins):
    sato = make_user("sato")
    online = make_session(day=_day(20), fmt="online", location="オンライン（ビデオ通話）",
                          join_url="https://meet.example/ikomaru", promoters=["sato"])
    venue = make_session(day=_day(50), fmt="in_person", location="生駒市役所 401会議室", promoters=["sato"])
    reserve(online.slots[0].id)
    reserve(online.slots[1].id)
    cancel(find(reserve(online.slots[2].id).code))  # reserve() answers plain values; find() the row
    add_checkins(online, 3)

    _, events = feed(f"/calendars/staff/{rotate_feed_token(sato)}.ics")
    for session in (online, venue):
        assert events[_uid(session)]["start"] == at(api_session(session.id)["starts_at"])
    assert "予約: 2件 / 受付: 3件" in events[_uid(online)]["description"]
    assert "参加リンク: https://meet.example/ikomaru" in events[_uid(online)]["description"]
    assert events[_uid(online)]["url"] == f"http://localhost/staff/sessions/{online.id}/console"
    assert "予約: 0件 / 受付: 0件" in events[_uid(venue)]["description"]
    assert events[_uid(venue)]["location"] == "生駒市役所 401会議室"


def test_a_new_reservation_shows_up_in_the_staff_feed_at_once(client, feed, make_user, make_session):
    sato = make_user("sato")
    session = make_session(promoters=["sato"])
    path = f"/calendars/staff/{rotate_feed_token(sato)}.ics"
    first, _ = feed(path)
    reserve(session.slots[0].id)
    second, events = feed(path, **{"If-None-Match": first.headers["ETag"]})
    assert second.headers["ETag"] != first.headers["ETag"]
    assert "予約: 1件" in events[_uid(session)]["description"]


def test_staff_feed_follows_moves_and_keeps_cancellations(feed, make_user, make_session):
    sato = make_user("sato")
    moved, dropped = make_session(day=_day(20), promoters=["sato"]), make_session(day=_day(50), promoters=["sato"])
    path = f"/calendars/staff/{rotate_feed_token(sato)}.ics"
    _, before = feed(path)
    update_session(moved, {"join_url": "https://meet.example/new"})
    cancel_session(dropped)
    _, after = feed(path)
    assert after[_uid(moved)]["sequence"] > before[_uid(moved)]["sequence"]
    assert after[_uid(dropped)]["status"] == "CANCELLED"
    assert after[_uid(dropped)]["sequence"] > before[_uid(dropped)]["sequence"]


def test_an_unknown_token_is_404(client, make_user):
    rotate_feed_token(make_user("sato"))
    for token in ("not-a-token", "x" * 32):
        response = client.get(f"/calendars/staff/{token}.ics")
        assert response.status_code == 404
        assert response.mimetype == "text/plain"
    assert client.get("/calendars/staff/.ics").status_code == 404


def test_a_rotated_token_is_404_at_once_and_the_new_one_works(client, make_user, make_session):
    sato = make_user("sato")
    make_session(promoters=["sato"])
    old = rotate_feed_token(sato)
    assert client.get(f"/calendars/staff/{old}.ics").status_code == 200
    new = rotate_feed_token(sato)
    assert client.get(f"/calendars/staff/{old}.ics").status_code == 404
    assert client.get(f"/calendars/staff/{new}.ics").status_code == 200


def test_a_deactivated_account_feed_is_404(client, make_user):
    sato = make_user("sato")
    token = rotate_feed_token(sato)
    update_user(sato, active=False)
    assert client.get(f"/calendars/staff/{token}.ics").status_code == 404
