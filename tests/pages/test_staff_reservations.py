"""The staff page of a session's reservations: the end of each code only, and cancelling one with a confirmation."""
from __future__ import annotations

import datetime as dt

from webapp.reservations.operations import reserve

from .conftest import text_of


def test_the_sessions_promoter_sees_its_reservations_with_only_the_end_of_each_code(client, make_session, promoter):
    session = make_session(day=dt.date(2030, 5, 21), promoters=["sato"])
    code = reserve(session.slots[1].id, topic="仕事のこと").code
    page = client.get(f"/staff/sessions/{session.id}/reservations")
    html, shown = page.get_data(as_text=True), text_of(page)
    assert page.status_code == 200
    assert "14:00" in shown and "仕事のこと" in shown and "予約中" in shown
    assert "…" + code[-4:] in shown and code not in html and code[:5] not in html
    assert f'/staff/sessions/{session.id}/reservations' in client.get("/staff/").get_data(as_text=True)


def test_staff_cancel_after_a_confirmation_and_the_resident_sees_it_was_the_staff(client, make_session, submit,
                                                                                  promoter):
    session = make_session(day=dt.date(2030, 5, 21), capacity=1, promoters=["sato"])
    reservation = reserve(session.slots[0].id)
    page = f"/staff/sessions/{session.id}/reservations/{reservation.id}/cancel"
    assert "この予約を取り消しますか？" in text_of(client.get(page))
    assert client.post(page, data={}).status_code == 400  # no CSRF token: nothing happens
    done = submit(page, page)
    assert "予約を取り消しました" in text_of(done) and "職員が取り消し" in text_of(done)
    resident = text_of(client.get(f"/reservations/{reservation.code}"))
    assert "この予約は職員が取り消しました" in resident and "予約中" not in resident
    assert "残り1席" in text_of(client.get(f"/sessions/{session.id}"))


def test_other_promoters_and_visitors_cannot_see_a_sessions_reservations(client, make_session, make_user, auth):
    make_user("tanaka")
    session = make_session(day=dt.date(2030, 5, 21), promoters=["tanaka"])
    reservation = reserve(session.slots[0].id)
    listing = f"/staff/sessions/{session.id}/reservations"
    assert client.get(listing).status_code in (302, 401)
    make_user("sato")
    auth.login("sato")
    assert client.get(listing).status_code == 403
    assert client.get(f"{listing}/{reservation.id}/cancel").status_code == 403


def test_an_admin_may_cancel_in_any_session(client, make_session, submit, admin):
    session = make_session(day=dt.date(2030, 5, 21))
    reservation = reserve(session.slots[0].id)
    page = f"/staff/sessions/{session.id}/reservations/{reservation.id}/cancel"
    submit(page, page)
    assert "職員が取り消し" in text_of(client.get(f"/staff/sessions/{session.id}/reservations"))
