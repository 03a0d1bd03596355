"""The pure feed builders: same sessions, same bytes; exactly what icalendar itself would write."""
from __future__ import annotations

import datetime as dt

import icalendar

from calendars import feeds
from webapp.clock import now_tokyo
from webapp.sessions.operations import update_session


def _url(session) -> str:
    return f"https://example.org/sessions/{session.id}"


def _sessions(make_session, count=3):
    today = now_tokyo().date()
    return [make_session(day=today + dt.timedelta(days=30 * (i + 1))) for i in range(count)]


def test_the_same_sessions_always_give_the_same_bytes(app, make_session):
    sessions = _sessions(make_session)
    with app.test_request_context():
        first = feeds.public_calendar(sessions, session_url=_url)
        feeds.forget_serialized()
        assert feeds.public_calendar(sessions, session_url=_url) == first


def test_a_feed_is_byte_for_byte_what_icalendar_writes_for_it(app, make_session):
    sessions = _sessions(make_session)
    with app.test_request_context():
        body = feeds.staff_calendar(sessions, staff_name="主任推進員 さとう",
                                    counts={sessions[0].id: feeds.SessionCounts(2, 1)}, session_url=_url)
    assert icalendar.Calendar.from_ical(body).to_ical() == body


def test_a_change_to_one_session_changes_only_its_event(app, make_session):
    sessions = _sessions(make_session)
    with app.test_request_context():
        before = icalendar.Calendar.from_ical(feeds.public_calendar(sessions, session_url=_url))
        update_session(sessions[1], {"location": "生駒市コミュニティセンター"})
        after = icalendar.Calendar.from_ical(feeds.public_calendar(sessions, session_url=_url))
    pairs = zip(before.walk("VEVENT"), after.walk("VEVENT"), strict=True)
    changed = [b["UID"] for b, a in pairs if b.to_ical() != a.to_ical()]
    assert changed == [feeds.session_uid(sessions[1].id)]
