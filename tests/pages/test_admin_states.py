"""Session states that follow time, actions only where they make sense, ending reception early, a format's own
place, figures that count only what was held, the staff feed counted alike, secrets shown once (issue 15)."""
from __future__ import annotations

import datetime as dt
import re

import pytest

from webapp.checkins import operations as checkins
from webapp.clock import now_tokyo, utcnow
from webapp.db import db_session
from webapp.exceptions import DomainError
from webapp.reservations.operations import reserve
from webapp.sessions.directory import agencies
from webapp.sessions.models import Session
from webapp.sessions.operations import cancel_session
from webapp.staff.operations import rotate_feed_token, user_for_api_token
from webapp.stats.queries import fiscal_year_stats
from webapp.timeutil import fiscal_year_of, local

from .conftest import csrf_from, text_of

API = "/api/v1"


@pytest.fixture
def running(app):
    """A session open right now: from half an hour ago to an hour ahead, kept within today in Ikoma."""
    from webapp.sessions.operations import SessionSpec, create_session

    def make(promoters=(), slot_minutes=10):
        now = now_tokyo().replace(second=0, microsecond=0)
        midnight = now.replace(hour=0, minute=0)
        start = max(now - dt.timedelta(minutes=30), midnight)
        end = min(now + dt.timedelta(minutes=60), midnight + dt.timedelta(days=1))
        return create_session(SessionSpec(date=now.date(), starts_at=start, ends_at=end, format="online",
                                          location="オンライン（ビデオ通話）", slot_minutes=slot_minutes,
                                          capacity=2, promoters=list(promoters)))

    return make


def _days(n: int) -> dt.date:
    return now_tokyo().date() + dt.timedelta(days=n)


def _row(page: str, day: dt.date) -> str:
    """The admin list's row of `day`, as text."""
    found = re.search(rf"<tr class=\"[^\"]*\">\s*<td>{day.isoformat()}</td>.*?</tr>", page, re.S)
    assert found, f"no row for {day}"
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", found.group(0)))


# --- states and actions ----------------------------------------------------------------------------

def test_each_session_shows_the_state_time_gives_it_in_the_api_the_admin_list_and_its_page(
        client, admin, make_session, running):
    past, soon, now = make_session(day=_days(-7)), make_session(day=_days(7)), running()
    dropped = cancel_session(make_session(day=_days(14)))
    states = {s.id: client.get(f"{API}/sessions/{s.id}").get_json() for s in (past, soon, now, dropped)}
    assert [states[s.id]["state"] for s in (past, soon, now, dropped)] == ["ended", "upcoming", "open", "cancelled"]
    assert [states[s.id]["status"] for s in (past, soon, now)] == ["scheduled"] * 3  # CONTRACT §3 unchanged
    assert states[now.id]["reception_open"] is True and states[soon.id]["reception_open"] is False

    year = fiscal_year_of(_days(0))
    page = client.get(f"/admin/sessions?year={year}").get_data(as_text=True)
    if fiscal_year_of(past.date) == year:
        assert "終了" in _row(page, past.date) and "中止" not in _row(page, past.date)
    assert "開催中" in _row(page, now.date) and "受付を早めに終了する" in _row(page, now.date)
    assert "開催予定" in _row(page, soon.date) and "中止" in _row(page, soon.date)
    assert "終了" in text_of(client.get(f"/sessions/{past.id}")) and "この回は終了しました" in text_of(
        client.get(f"/sessions/{past.id}"))


def test_in_english_the_state_upcoming_and_the_action_cancel_session_are_told_apart(client, admin, make_session):
    soon = make_session(day=_days(7))
    page = client.get(f"/admin/sessions?year={fiscal_year_of(soon.date)}&lang=en").get_data(as_text=True)
    row = _row(page, soon.date)
    assert "Upcoming" in row and "Upcoming sessions" not in row
    assert "Cancel session" in row and "Cancelled" not in row


def test_a_past_session_offers_no_cancel_and_its_date_and_hours_cannot_be_edited(client, admin, make_session,
                                                                                 submit):
    past = make_session(day=_days(-7), fmt="online", location="オンライン（ビデオ通話）")
    edit = f"/admin/sessions/{past.id}/edit"
    form = client.get(edit).get_data(as_text=True)
    assert 'name="date"' not in form and 'name="start"' not in form and "この回を中止する" not in form
    refused = client.get(f"/admin/sessions/{past.id}/cancel", follow_redirects=True)
    assert "この操作はできません" in text_of(refused)
    token = csrf_from(form)
    done = client.post(edit, data={"csrf_token": token, "date": _days(30).isoformat(), "start": "10:00",
                                   "end": "11:00", "format": "metaverse", "location": "オンライン（ビデオ通話）",
                                   "join_url": "", "note": "記録のためのメモ"}, follow_redirects=True)
    assert done.status_code == 200
    db_session.refresh(past)
    assert past.date == _days(-7) and past.format == "online" and local(past.starts_at).strftime("%H:%M") == "13:30"
    assert past.note == "記録のためのメモ" and past.status == "scheduled"


# --- the figures -----------------------------------------------------------------------------------

def test_the_figures_count_only_ended_sessions_and_show_todays_as_open_now(client, make_session, running, promoter):
    past, now = make_session(day=_days(-1), promoters=["sato"]), running(promoters=["sato"])
    future = make_session(day=_days(1), promoters=["sato"])
    checkins.check_in(now.id, "cat", staff=promoter)
    year = fiscal_year_of(now.date)
    figures = fiscal_year_stats(year)
    assert figures["totals"]["sessions"] == (1 if fiscal_year_of(past.date) == year else 0)  # only the ended one
    assert figures["totals"]["visits"] == 1  # today's visitor counts at once
    page = text_of(client.get(f"/staff/stats?fiscal_year={year}"))
    assert re.search(r"開催中 1 0", page)  # today's row: 開催中, 1 visit, 0 consultations
    if fiscal_year_of(future.date) == year:
        assert re.search(r"開催予定 0 0", page) and "開催 0 0" not in page


# --- a format's own place --------------------------------------------------------------------------

def test_changing_the_format_proposes_that_formats_place_unless_the_admin_wrote_their_own(client, admin,
                                                                                         make_session, app):
    places = app.config["DEFAULT_LOCATIONS"]
    usual = make_session(day=_days(40), fmt="online", location=places["online"])
    own = make_session(day=_days(41), fmt="online", location="市民活動推進センターららポート")
    for session in (usual, own):
        edit = f"/admin/sessions/{session.id}/edit"
        token = csrf_from(client.get(edit).get_data(as_text=True))
        client.post(edit, data={"csrf_token": token, "date": session.date.isoformat(), "start": "13:30",
                                "end": "16:30", "format": "metaverse", "location": session.location,
                                "join_url": "", "slot_minutes": "30", "capacity": "2", "note": ""})
        db_session.refresh(session)
        assert session.format == "metaverse"
    assert usual.location == places["metaverse"] and own.location == "市民活動推進センターららポート"
    assert 'data-default-places="' in client.get(f"/admin/sessions/{usual.id}/edit").get_data(as_text=True)


def test_the_api_gives_a_new_format_its_place_too(client, make_session, staff_token, app):
    session = make_session(day=_days(40), fmt="online", location=app.config["DEFAULT_LOCATIONS"]["online"])
    body = client.patch(f"{API}/sessions/{session.id}", json={"format": "metaverse"},
                        headers={"Authorization": f"Bearer {staff_token('admin')}"}).get_json()
    assert body["location"] == app.config["DEFAULT_LOCATIONS"]["metaverse"]


# --- ending reception early ------------------------------------------------------------------------

def test_ending_reception_stops_new_check_ins_and_walk_ins_while_those_waiting_stay(client, running, promoter,
                                                                                  submit):
    session = running(promoters=["sato"])
    waiting = client.post(f"{API}/sessions/{session.id}/checkins", json={"avatar": "cat"})
    assert waiting.status_code == 201
    page = f"/staff/sessions/{session.id}/reception"
    confirm = text_of(client.get(page))
    assert "いまお待ちの方（1人）" in confirm
    done = submit(page, page)
    assert "受付を終了しました" in text_of(done) and "受付は終了しました" in text_of(done)

    late = client.post(f"{API}/sessions/{session.id}/checkins", json={"avatar": "dog"})
    assert late.status_code == 409 and late.get_json()["error"]["code"] == "session_not_open"
    with pytest.raises(DomainError) as refused:
        checkins.check_in(session.id, "bird", staff=promoter)
    assert refused.value.code == "session_not_open"
    assert checkins.counts(session.id)["waiting"] == 1  # the one waiting is still in line
    assert client.get(f"{API}/sessions/{session.id}").get_json()["reception_open"] is False
    public = text_of(client.get(f"/sessions/{session.id}"))
    assert "本日の受付は終了しました" in public and "今すぐ参加する" not in public


def test_after_reception_ends_later_times_cannot_be_reserved_and_holders_are_told(client, running, promoter,
                                                                                  submit):
    session = running(promoters=["sato"])
    later = next(s for s in session.slots if s.starts_at > utcnow())
    code = reserve(later.id).code
    page = f"/staff/sessions/{session.id}/reception"
    assert "これからの時間に予約が入っています" in text_of(client.get(page))
    submit(page, page)
    refused = client.post(f"{API}/slots/{later.id}/reservations", json={})
    assert refused.status_code == 409 and refused.get_json()["error"]["code"] == "reception_ended"
    assert "本日の相談会は、受付を早めに終了しました" in text_of(client.get(f"/reservations/{code}"))


def test_only_its_promoters_and_admins_end_reception_and_only_while_it_runs(client, running, make_session,
                                                                            make_user, auth):
    make_user("tanaka"), make_user("sato")
    session, soon = running(promoters=["tanaka"]), make_session(day=_days(3), promoters=["sato"])
    auth.login("sato")
    page = f"/staff/sessions/{session.id}/reception"
    assert client.get(page).status_code == 403
    assert client.post(page, data={"csrf_token": auth.csrf("/staff/")}).status_code == 403
    assert client.get(f"{API}/sessions/{session.id}").get_json()["reception_open"] is True
    not_yet = f"/staff/sessions/{soon.id}/reception"
    assert "開催中の回だけです" in text_of(client.get(not_yet))
    client.post(not_yet, data={"csrf_token": auth.csrf("/staff/")})
    assert db_session.get(Session, soon.id).reception_ended_at is None


def test_shortening_over_a_reserved_time_is_refused_naming_it_and_free_times_just_go(client, admin, make_session):
    session = make_session(day=_days(20), start="13:30", end="16:30")
    reserve(session.slots[-1].id)  # 16:00-16:30
    edit = f"/admin/sessions/{session.id}/edit"
    form = {"date": session.date.isoformat(), "start": "13:30", "end": "16:00", "format": "in_person",
            "location": "生駒市役所", "join_url": "", "slot_minutes": "30", "capacity": "2", "note": ""}
    refused = client.post(edit, data={"csrf_token": csrf_from(client.get(edit).get_data(as_text=True)), **form})
    assert refused.status_code == 400
    assert "予約が入っている時間: 16:00〜16:30（1件）" in text_of(refused)
    db_session.refresh(session)
    assert local(session.ends_at).strftime("%H:%M") == "16:30"

    other = make_session(day=_days(21), start="13:30", end="16:30")
    reserve(other.slots[0].id)  # 13:30-14:00 stays inside
    edit = f"/admin/sessions/{other.id}/edit"
    client.post(edit, data={"csrf_token": csrf_from(client.get(edit).get_data(as_text=True)),
                            **form, "date": other.date.isoformat()})
    db_session.refresh(other)
    assert local(other.ends_at).strftime("%H:%M") == "16:00"
    assert [local(s.ends_at).strftime("%H:%M") for s in other.slots][-1] == "16:00"


# --- secrets shown once ----------------------------------------------------------------------------

FEED_URL = re.compile(r"http://localhost/calendars/staff/([A-Za-z0-9_-]+)\.ics")


def test_a_new_feed_url_is_shown_once_after_a_redirect_and_a_reload_keeps_it_working(client, auth, make_user):
    make_user("sato")
    auth.login("sato")
    issued = client.post("/calendars/settings", data={"csrf_token": auth.csrf("/calendars/settings")})
    assert issued.status_code == 303 and issued.headers["Location"].endswith("/calendars/settings")
    shown = client.get("/calendars/settings").get_data(as_text=True)
    token = FEED_URL.search(shown).group(1)
    reloaded = client.get("/calendars/settings").get_data(as_text=True)
    assert not FEED_URL.search(reloaded) and "購読URLは発行済みです" in reloaded
    assert client.get(f"/calendars/staff/{token}.ics").status_code == 200  # nothing was issued again


def test_a_new_api_token_is_shown_once_after_a_redirect_and_a_reload_never_issues_another(client, admin,
                                                                                        make_user):
    user = make_user("tanaka")
    page = f"/admin/users/{user.id}"
    issued = client.post(f"{page}/tokens", data={"csrf_token": csrf_from(client.get(page).get_data(as_text=True))})
    assert issued.status_code == 303
    html = client.get(page).get_data(as_text=True)
    token = re.search(r'<p class="token-box" id="new-token">([^<]+)</p>', html).group(1)
    again = client.get(page).get_data(as_text=True)
    assert token not in again and 'id="new-token"' not in again
    assert user_for_api_token(token).login == "tanaka"


# --- the staff feed --------------------------------------------------------------------------------

def test_the_staff_feed_counts_visits_as_the_figures_do_and_links_each_session_to_its_console(
        client, make_user, running):
    import icalendar

    sato = make_user("sato")
    session = running(promoters=["sato"])
    for avatar in ("cat", "dog", "bird"):
        checkins.check_in(session.id, avatar, staff=sato)
    prank = checkins.check_in(session.id, "star", staff=sato)
    path = f"/calendars/staff/{rotate_feed_token(sato)}.ics"
    before = client.get(path)
    checkins.remove(prank.id, sato)
    after = client.get(path, headers={"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200  # a removal changes what the feed says
    event = next(e for e in icalendar.Calendar.from_ical(after.data).walk("VEVENT"))
    description = str(event["DESCRIPTION"]).replace("\\n", "\n")
    assert "受付: 3件" in description
    assert checkins.counts(session.id)["visits"] == 3
    assert str(event["URL"]) == f"http://localhost/staff/sessions/{session.id}/console"
    assert f"/staff/sessions/{session.id}/console" in description


# --- places to turn to -----------------------------------------------------------------------------

def test_the_help_page_lists_the_whole_directory_and_says_how_many(client):
    page = text_of(client.get("/help"))
    listed = [term.label_ja for term in agencies()]
    assert f"（{len(listed)} か所）" in page and "23か所" not in page
    for name in listed:
        assert name in page
    english = text_of(client.get("/help?lang=en"))
    assert "consultation desks" in english and "windows" not in english


def test_every_list_of_places_to_turn_to_shows_every_crisis_contact(client):
    from webapp.checkins.operations import crisis_contacts

    names = [c["name_ja"] for c in crisis_contacts()]
    assert len(names) >= 3
    pages = {"help": text_of(client.get("/help")), "done": text_of(client.get("/checkins/done")),
             "home": text_of(client.get("/"))}
    for where, page in pages.items():
        for name in names:
            assert name in page, f"{name} missing on the {where} page"
