"""Reservations as residents expect: codes as typed, errors where the eye is, a cancelled session is off."""
from __future__ import annotations

import datetime as dt
import re
import unicodedata

from webapp.reservations.operations import reserve
from webapp.sessions.operations import cancel_session

from .conftest import csrf_from, text_of


def full_width(code: str) -> str:
    """What a Japanese keyboard in full-width mode gives: ４ＡＨ７Ｘ－…"""
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in code)


def test_full_width_lower_case_code_with_spaces_finds_the_reservation(client, make_session, submit):
    session = make_session(day=dt.date(2030, 5, 21))
    code = reserve(session.slots[0].id).code
    typed = full_width(code.lower()).replace("－", "ー", 1).replace("－", "\u3000")
    assert unicodedata.normalize("NFKC", typed) != code
    response = submit("/reservations", "/reservations", {"code": typed})
    assert response.status_code == 200
    assert response.request.path == f"/reservations/{code}"


def test_a_full_width_code_in_the_address_opens_the_reservation(client, make_session):
    session = make_session(day=dt.date(2030, 5, 21))
    code = reserve(session.slots[0].id).code
    response = client.get(f"/reservations/{full_width(code)}", follow_redirects=True)
    assert response.status_code == 200 and response.request.path == f"/reservations/{code}"
    cancel = client.get(f"/reservations/{full_width(code)}/cancel")
    assert cancel.status_code == 200 and "予約を取り消しますか？" in text_of(cancel)


def test_an_unknown_code_opens_the_page_at_the_focused_message(client, submit):
    response = submit("/reservations", "/reservations", {"code": "AAAAA-BBBBB-CCCCC"})
    html = response.get_data(as_text=True)
    summary = re.search(r'<div class="form-errors error-summary" id="error-summary"[^>]*>', html)
    assert summary and "autofocus" in summary.group(0) and 'tabindex="-1"' in summary.group(0)
    assert 'href="#code"' in html


def test_a_slot_that_filled_meanwhile_focuses_the_message_in_its_card(client, make_session):
    session = make_session(day=dt.date(2030, 5, 21), capacity=1)
    slot = session.slots[0]
    token = csrf_from(client.get(f"/sessions/{session.id}").get_data(as_text=True), f"s{slot.id}-")
    reserve(slot.id)
    response = client.post(f"/slots/{slot.id}/reserve", data={f"s{slot.id}-csrf_token": token})
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    summary = re.search(rf'<div class="form-errors error-summary" id="errors-s{slot.id}"[^>]*>\s*<p>([^<]+)', html)
    assert summary and "autofocus" in summary.group(0)
    assert "満席になりました" in summary.group(1)
    assert html.count("autofocus") == 1


def test_a_reservation_of_a_cancelled_session_says_nothing_that_suggests_it_is_on(client, make_session):
    session = make_session(day=dt.date(2030, 5, 21))
    code = reserve(session.slots[0].id).code
    cancel_session(session, "台風のため中止します。")
    response = client.get(f"/reservations/{code}")
    page = text_of(response)
    assert "この相談会は中止になりました" in page and "台風のため中止します。" in page
    for promise in ("予約中", "カレンダーに追加", "予約を取り消す", "当日の参加方法"):
        assert promise not in page
    assert client.get(f"/reservations/{code}/cancel").status_code == 302


def test_the_cancelled_page_links_to_book_again(client, make_session, submit):
    session = make_session(day=dt.date(2030, 5, 21))
    code = reserve(session.slots[0].id).code
    done = submit(f"/reservations/{code}/cancel", f"/reservations/{code}/cancel")
    html = done.get_data(as_text=True)
    assert "この予約は取り消し済みです" in text_of(done)
    assert f'href="/sessions/{session.id}"' in html and "もう一度予約する" in html


def check_in_with(client, session_id, code):
    page = client.get(f"/sessions/{session_id}/checkin").get_data(as_text=True)
    return client.post(f"/sessions/{session_id}/checkin", data={
        "csrf_token": csrf_from(page), "avatar": "cat", "nickname": "", "reservation_code": code})


def test_check_in_calls_it_the_reservation_number_and_takes_it_full_width(client, open_session):
    session = open_session()
    code = reserve(session.slots[-1].id).code
    form = text_of(client.get(f"/sessions/{session.id}/checkin"))
    assert "予約番号" in form and "予約コード" not in form
    response = check_in_with(client, session.id, full_width(code.lower()))
    assert response.status_code == 302 and response.headers["Location"].endswith("/checkins/wait")


def test_a_wrong_code_at_check_in_opens_the_page_at_the_focused_message(client, open_session):
    session = open_session()
    response = check_in_with(client, session.id, "ZZZZZ-ZZZZZ-ZZZZZ")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    summary = re.search(r'<div class="form-errors error-summary" id="error-summary"[^>]*>', html)
    assert summary and "autofocus" in summary.group(0)
    assert '<a href="#reservation_code">この相談会の予約番号が見つかりません' in html


def test_a_phone_number_in_the_topic_is_not_stored_and_explained_next_to_the_field(client, make_session):
    session = make_session(day=dt.date(2030, 5, 21))
    slot = session.slots[0]
    page = client.get(f"/sessions/{session.id}").get_data(as_text=True)
    typed = "仕事のこと。０９０－１２３４－５６７８"
    response = client.post(f"/slots/{slot.id}/reserve", data={
        f"s{slot.id}-csrf_token": csrf_from(page, f"s{slot.id}-"), f"s{slot.id}-topic": typed})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert f'id="s{slot.id}-topic-error">匿名のままで大丈夫です' in html
    assert "０９０－１２３４－５６７８</textarea>" in html  # kept in the field to edit, never stored
    assert "残り2席" in text_of(client.get(f"/sessions/{session.id}"))


def test_pages_say_how_to_join_each_format(client, make_session):
    online = make_session(day=dt.date(2030, 5, 21), fmt="online", location="オンライン",
                          join_url="https://us02web.zoom.us/j/123")
    page = text_of(client.get(f"/sessions/{online.id}"))
    assert "ビデオ通話は Zoom を使います" in page and "相談が始まるときに画面に表示されます" in page
    code = reserve(online.slots[0].id).code
    assert "ビデオ通話は Zoom を使います" in text_of(client.get(f"/reservations/{code}"))
    english = text_of(client.get(f"/reservations/{code}?lang=en"))
    assert "The video call uses Zoom" in english and "never sent by e-mail" in english
    hall = make_session(day=dt.date(2030, 6, 18), location="生駒市役所 4階 401会議室")
    assert "会場は「生駒市役所 4階 401会議室」です" in text_of(client.get(f"/sessions/{hall.id}"))
    room = make_session(day=dt.date(2030, 7, 16), fmt="metaverse", location="")
    assert "アプリのインストールは不要" in text_of(client.get(f"/sessions/{room.id}"))


def test_a_reservation_moves_to_another_time_in_one_step_and_keeps_its_code(client, make_session, submit):
    session = make_session(day=dt.date(2030, 5, 21), capacity=1)
    first, second, third = session.slots[:3]
    code = reserve(first.id).code
    reserve(third.id)  # full: not offered
    page = client.get(f"/reservations/{code}").get_data(as_text=True)
    assert f'<option value="{second.id}">' in page and f'<option value="{third.id}">' not in page
    moved = submit(f"/reservations/{code}", f"/reservations/{code}/move", {"slot": second.id})
    assert moved.request.path == f"/reservations/{code}" and "予約の時間を変更しました" in text_of(moved)
    assert "14:00〜14:30" in text_of(moved)
    assert client.get(f"/api/v1/reservations/{code}").get_json()["slot_id"] == second.id
    slots = {s["id"]: s["remaining"] for s in client.get(f"/api/v1/sessions/{session.id}").get_json()["slots"]}
    assert (slots[first.id], slots[second.id]) == (1, 0)


def test_moving_to_a_time_that_filled_meanwhile_keeps_the_old_seat_and_says_so_at_the_field(client, make_session):
    session = make_session(day=dt.date(2030, 5, 21), capacity=1)
    first, second = session.slots[:2]
    code = reserve(first.id).code
    page = client.get(f"/reservations/{code}").get_data(as_text=True)
    reserve(second.id)  # someone else takes it meanwhile
    response = client.post(f"/reservations/{code}/move", data={"csrf_token": csrf_from(page), "slot": second.id})
    assert response.status_code == 409
    assert "満席になりました" in text_of(response) and 'id="error-summary"' in response.get_data(as_text=True)
    assert client.get(f"/api/v1/reservations/{code}").get_json()["slot_id"] == first.id
