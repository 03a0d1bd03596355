"""An admin plans the year: creates, edits, cancels and restores sessions, and sees holidays flagged."""
from __future__ import annotations

import datetime as dt

import jpholiday
from sqlalchemy import select

from webapp.db import db_session
from webapp.reservations.operations import reserve
from webapp.sessions.models import Session
from webapp.timeutil import local, third_tuesday

from .conftest import text_of

DAY = dt.date(2030, 5, 21)


def session_form(**changes):
    data = {"date": DAY.isoformat(), "start": "13:30", "end": "16:30", "format": "in_person",
            "location": "", "join_url": "", "slot_minutes": "30", "capacity": "2", "promoters": ["sato"]}
    data.update(changes)
    return data


def holiday_third_tuesday() -> dt.date:
    """A third Tuesday that is a national holiday, found with jpholiday (2029-03-20 春分の日)."""
    for year in range(2026, 2041):
        for month in range(1, 13):
            day = third_tuesday(year, month)
            if jpholiday.is_holiday(day):
                return day
    raise AssertionError("no holiday on a third Tuesday in 2026-2040")


def test_the_admin_list_shows_a_fiscal_year_with_reiwa_label_weekday_format_and_counts(
        client, admin, make_user, make_session):
    make_user("sato")
    session = make_session(day=DAY, fmt="online", promoters=["sato"])
    reserve(session.slots[0].id)
    page = text_of(client.get("/admin/sessions?year=2030"))
    assert "相談会の管理: 令和12年度" in page
    # date, weekday, hours, format by icon and word, status, promoters, reservations
    assert "2030-05-21 火 13:30〜16:30 💻 オンライン 開催予定 主任推進員 sato 1" in page


def test_an_admin_creates_a_session_through_the_form(client, admin, make_user, submit):
    make_user("sato")
    page = submit("/admin/sessions/new", "/admin/sessions/new", session_form(location="", format="online"))
    assert page.request.path == "/admin/sessions"
    assert "2030年5月21日（火） の相談会を作成しました。" in text_of(page)
    session = db_session.scalar(select(Session).where(Session.date == DAY))
    assert session.format == "online" and session.location == "オンライン（ビデオ通話）"
    assert [u.login for u in session.promoters] == ["sato"]
    assert len(session.slots) == 6
    assert "2030年5月21日（火）" in text_of(client.get("/"))


def test_a_session_created_on_a_holiday_is_flagged_not_moved(client, admin, make_user, submit):
    make_user("sato")
    day = holiday_third_tuesday()
    page = submit("/admin/sessions/new", "/admin/sessions/new", session_form(date=day.isoformat()))
    text = text_of(page)
    name = jpholiday.is_holiday_name(day)
    assert f"祝日: {name}" in text
    assert "日付は移動していません" in text
    assert db_session.scalar(select(Session.date).where(Session.holiday.is_(True))) == day


def test_bad_dates_and_an_end_before_the_start_get_messages_not_errors(client, admin, make_user, submit):
    make_user("sato")
    bad_date = submit("/admin/sessions/new", "/admin/sessions/new", session_form(date="2030-02-30"))
    assert bad_date.status_code == 400
    assert 'id="date-error"' in bad_date.get_data(as_text=True)
    backwards = submit("/admin/sessions/new", "/admin/sessions/new", session_form(start="16:00", end="13:00"))
    assert backwards.status_code == 400
    assert "終了時刻は開始時刻より後の、同じ日の時刻にしてください。" in text_of(backwards)
    zero = submit("/admin/sessions/new", "/admin/sessions/new", session_form(slot_minutes="0"))
    assert zero.status_code == 400 and "予約枠の長さは5〜240分" in text_of(zero)
    assert db_session.scalar(select(Session.id)) is None


def test_an_admin_edits_time_place_and_note(client, admin, make_user, make_session, submit):
    make_user("sato")
    session = make_session(day=DAY)
    page = submit(f"/admin/sessions/{session.id}/edit", f"/admin/sessions/{session.id}/edit",
                  session_form(start="14:00", end="16:00", location="コミュニティセンター", note="2階の会議室です"))
    assert "相談会を更新しました。" in text_of(page)
    db_session.refresh(session)
    detail = text_of(client.get(f"/sessions/{session.id}"))
    assert "14:00〜16:00" in detail and "コミュニティセンター" in detail
    assert session.note == "2階の会議室です"


def test_moving_a_session_with_reservations_follows_the_rules_and_explains(client, admin, make_user,
                                                                           make_session, submit):
    make_user("sato")
    session = make_session(day=DAY)
    reserve(session.slots[0].id)  # 13:30-14:00 held
    shrink = submit(f"/admin/sessions/{session.id}/edit", f"/admin/sessions/{session.id}/edit",
                    session_form(start="14:00", end="16:30"))
    assert shrink.status_code == 400
    assert "予約が入っているため、この変更はできません。" in text_of(shrink)
    db_session.expire_all()
    assert local(db_session.get(Session, session.id).starts_at).strftime("%H:%M") == "13:30"  # unchanged
    moved = submit(f"/admin/sessions/{session.id}/edit", f"/admin/sessions/{session.id}/edit",
                   session_form(date="2030-05-28", start="13:30", end="16:30"))
    assert "相談会を更新しました。" in text_of(moved)
    db_session.expire_all()
    assert db_session.get(Session, session.id).date == dt.date(2030, 5, 28)


def test_an_admin_cancels_with_a_note_and_restores(client, admin, make_session, submit):
    session = make_session(day=DAY)
    code = reserve(session.slots[0].id).code
    confirm = text_of(client.get(f"/admin/sessions/{session.id}/cancel"))
    assert "2030年5月21日（火） の相談会を中止しますか？" in confirm and "予約が1件あります" in confirm
    submit(f"/admin/sessions/{session.id}/cancel", f"/admin/sessions/{session.id}/cancel",
           {"note": "台風のため中止します。"})
    assert "中止" in text_of(client.get("/admin/sessions?year=2030"))
    resident = text_of(client.get(f"/reservations/{code}"))
    assert "この相談会は中止になりました。" in resident and "台風のため中止します。" in resident
    page = submit("/admin/sessions?year=2030", f"/admin/sessions/{session.id}/restore")
    assert "開催予定に戻しました" in text_of(page)
    db_session.refresh(session)
    assert session.status == "scheduled"


def test_generating_fiscal_year_2026_shows_twelve_sessions(client, admin, make_user, submit):
    make_user("sato")
    form = {"fiscal_year": "2026", "promoters": ["sato"]}
    page = submit("/admin/sessions/generate", "/admin/sessions/generate", form)
    html = page.get_data(as_text=True)
    assert "令和8年度 の予定を作成しました" in text_of(page)
    assert html.count('class="created-session') == 12
    assert "12件の相談会を作成しました。" in text_of(page)
    again = submit("/admin/sessions/generate", "/admin/sessions/generate", {"fiscal_year": "2026"})
    assert "0件の相談会を作成しました。" in text_of(again) and "すでにあった12件" in text_of(again)


def test_generating_a_year_with_a_holiday_third_tuesday_flags_it(client, admin, submit):
    day = holiday_third_tuesday()
    year = day.year if day.month >= 4 else day.year - 1
    page = submit("/admin/sessions/generate", "/admin/sessions/generate", {"fiscal_year": str(year)})
    text = text_of(page)
    name = jpholiday.is_holiday_name(day)
    assert "祝日に当たる回があります" in text
    assert f"祝日: {name}" in text
    listing = text_of(client.get(f"/admin/sessions?year={year}"))
    assert f"{day.isoformat()}" in listing and f"祝日: {name}" in listing and "日付は移動していません" in listing


def test_an_unknown_fiscal_year_gets_a_message(client, admin, submit):
    old = submit("/admin/sessions/generate", "/admin/sessions/generate", {"fiscal_year": "1800"})
    assert old.status_code == 400
    assert "年度は2000〜2100の西暦で入力してください" in text_of(old)
    words = submit("/admin/sessions/generate", "/admin/sessions/generate", {"fiscal_year": "abc"})
    assert words.status_code == 400 and 'id="fiscal_year-error"' in words.get_data(as_text=True)
    assert db_session.scalar(select(Session.id)) is None


def test_admin_pages_render_in_english(client, admin, make_session):
    session = make_session(day=DAY)
    assert "Manage sessions: FY2030" in text_of(client.get("/admin/sessions?year=2030&lang=en"))
    assert "Create a session" in text_of(client.get("/admin/sessions/new?lang=en"))
    assert "Edit the session" in text_of(client.get(f"/admin/sessions/{session.id}/edit?lang=en"))
    assert "Cancel the session on" in text_of(client.get(f"/admin/sessions/{session.id}/cancel?lang=en"))
    assert "Create a fiscal year's sessions" in text_of(client.get("/admin/sessions/generate?lang=en"))
