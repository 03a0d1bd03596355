"""The right next session, wherever one is named: a session open now first, then the soonest not cancelled.

One rule (webapp/sessions/queries.py next_after) for the check-in page of another session, the help
page, the session list, the waiting room's end and the done page.
"""
from __future__ import annotations

import datetime as dt
import re

import pytest

from tests.pages.conftest import csrf_from
from webapp.clock import now_tokyo
from webapp.sessions.operations import cancel_session
from webapp.timeutil import TOKYO, long_date


def _around_now(make_session, **kwargs):
    """A session of today that is open now (kept within the day, whatever the hour)."""
    now = now_tokyo().replace(second=0, microsecond=0)
    midnight = dt.datetime.combine(now.date(), dt.time(0, 0), tzinfo=TOKYO)
    start = max(now - dt.timedelta(hours=1), midnight)
    end = min(now + dt.timedelta(hours=2), midnight + dt.timedelta(hours=23, minutes=59))
    return make_session(day=now.date(), start=start.strftime("%H:%M"), end=end.strftime("%H:%M"), **kwargs)


def next_lines(page: str) -> list[str]:
    """The "next session" lines of a page, tags removed."""
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", line)).strip()
            for line in re.findall(r'<p class="next-session">(.*?)</p>', page, flags=re.S)]


@pytest.fixture
def calendar(make_user, make_session):
    """An old session, one open now, a cancelled one soon and a scheduled one later."""
    make_user("sato")
    today = now_tokyo().date()
    old = make_session(day=today - dt.timedelta(days=60), promoters=["sato"])
    cancelled = make_session(day=today + dt.timedelta(days=10), promoters=["sato"])
    cancel_session(cancelled, "台風のため")
    later = make_session(day=today + dt.timedelta(days=30), promoters=["sato"])
    return {"old": old, "cancelled": cancelled, "later": later, "make_session": make_session}


def test_an_old_sessions_checkin_page_points_to_the_session_open_now(client, calendar):
    now_open = _around_now(calendar["make_session"], promoters=["sato"])
    page = client.get(f"/sessions/{calendar['old'].id}/checkin").get_data(as_text=True)
    [line] = next_lines(page)
    assert line.startswith("いま開いている相談会：") and long_date(now_open.date, "ja") in line
    assert f'href="/sessions/{now_open.id}/checkin"' in page
    assert long_date(calendar["later"].date, "ja") not in line


def test_with_none_open_the_next_is_the_soonest_that_is_not_cancelled(client, calendar):
    for path in (f"/sessions/{calendar['old'].id}/checkin", "/help", "/"):
        page = client.get(path).get_data(as_text=True)
        [line] = next_lines(page)
        assert line.startswith("次の相談会："), path
        assert long_date(calendar["later"].date, "ja") in line, path
        assert long_date(calendar["cancelled"].date, "ja") not in line, path


def test_the_help_page_names_the_session_open_now(client, calendar):
    now_open = _around_now(calendar["make_session"], promoters=["sato"], fmt="online")
    page = client.get("/help").get_data(as_text=True)
    [line] = next_lines(page)
    assert line.startswith("いま開いている相談会：") and long_date(now_open.date, "ja") in line


def test_a_resident_who_left_is_pointed_past_their_own_session_and_the_cancelled_one(client, calendar):
    here = _around_now(calendar["make_session"], promoters=["sato"])
    form = client.get(f"/sessions/{here.id}/checkin").get_data(as_text=True)
    client.post(f"/sessions/{here.id}/checkin", data={"csrf_token": csrf_from(form), "avatar": "cat"})
    waiting_room = client.get("/checkins/wait").get_data(as_text=True)
    [line] = next_lines(waiting_room)  # shown by the waiting room once the check-in ends
    assert long_date(calendar["later"].date, "ja") in line
    leave = client.get("/checkins/leave").get_data(as_text=True)
    client.post("/checkins/leave", data={"csrf_token": csrf_from(leave)})
    [line] = next_lines(client.get("/checkins/done").get_data(as_text=True))
    assert line.startswith("次の相談会：") and long_date(calendar["later"].date, "ja") in line


def test_a_reservation_for_a_session_later_cancelled_names_the_next_one(client, calendar):
    from webapp.reservations.operations import reserve

    today = now_tokyo().date()
    doomed = calendar["make_session"](day=today + dt.timedelta(days=3), promoters=["sato"])
    code = reserve(doomed.slots[0].id).code
    cancel_session(doomed, "台風のため")
    [line] = next_lines(client.get(f"/reservations/{code}").get_data(as_text=True))
    assert line.startswith("次の相談会：") and long_date(calendar["later"].date, "ja") in line
