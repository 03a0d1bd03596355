"""What a resident sees and does: upcoming sessions, reserving, the code, looking up, cancelling."""
from __future__ import annotations

import datetime as dt
import re

from webapp.reservations.operations import CODE_ALPHABET, reserve
from webapp.sessions.operations import cancel_session

from .conftest import csrf_from, text_of

CODE_RE = re.compile(rf"[{CODE_ALPHABET}]{{5}}-[{CODE_ALPHABET}]{{5}}-[{CODE_ALPHABET}]{{5}}")


def reserve_through_form(client, session, slot, data=None, follow=True):
    page = client.get(f"/sessions/{session.id}").get_data(as_text=True)
    token = csrf_from(page, f"s{slot.id}-")
    form = {f"s{slot.id}-csrf_token": token, **{f"s{slot.id}-{k}": v for k, v in (data or {}).items()}}
    return client.post(f"/slots/{slot.id}/reserve", data=form, follow_redirects=follow)


def test_home_lists_upcoming_sessions_with_date_format_place_and_seats(client, make_session):
    make_session(day=dt.date(2030, 5, 21), fmt="online", location="オンライン（ビデオ通話）", capacity=2)
    page = text_of(client.get("/"))
    assert "2030年5月21日（火）" in page
    assert "13:30〜16:30" in page
    assert "💻 オンライン" in page
    assert "オンライン（ビデオ通話）" in page
    assert "残り12席" in page  # six 30-minute slots of two seats
    assert "第3火曜日" in page and "匿名・顔出しなし" in page


def test_home_outside_session_hours_points_to_the_madoguchi_and_the_24_hour_chat(app, client, make_session):
    make_session(day=dt.date(2030, 5, 21))
    html = client.get("/").get_data(as_text=True)
    assert "開催時間外のご相談" in html
    assert 'href="/help"' in html
    chat = app.config["CRISIS_CONTACTS"][0]
    assert f'href="{chat["url"]}" target="_blank" rel="noopener"' in html
    assert "今すぐ参加する" not in html


def test_home_offers_join_now_while_a_session_is_open(client, open_session):
    session = open_session(fmt="metaverse")
    html = client.get("/").get_data(as_text=True)
    assert "いま開催中です" in html
    assert "今すぐ参加する" in html
    assert "開催時間外のご相談" not in html
    join = re.search(r'<a class="button button-join" href="([^"]+)"', html).group(1)
    assert join in (f"/sessions/{session.id}/checkin", f"/sessions/{session.id}")


def test_help_page_explains_the_madoguchi_and_lists_the_chat_first(app, client):
    response = client.get("/help")
    page = text_of(response)
    assert "23か所" not in page  # the page says how many it lists, and lists them (tests/pages/test_admin_states.py)
    for agency in ("地域包括支援センター", "生活支援センター", "こども家庭センター", "くらしとしごと支援センター",
                   "社会福祉協議会", "地域共生社会推進課"):
        assert agency in page
    html = response.get_data(as_text=True)
    assert f'href="{app.config["CITY_MADOGUCHI_URL"]}"' in html
    names = [c["name_ja"] for c in app.config["CRISIS_CONTACTS"]]
    assert names[0].startswith("あなたのいばしょ")
    assert [page.index(n) for n in names] == sorted(page.index(n) for n in names)
    assert "24時間365日" in page


def test_reserving_through_the_form_shows_the_code_large_with_copy_and_calendar(client, make_session):
    session = make_session(day=dt.date(2030, 5, 21))
    slot = session.slots[0]
    response = reserve_through_form(client, session, slot, {"nickname": "みどり", "topic": "家族のこと"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    code = re.search(r'<p class="code-box" id="reservation-code">([^<]+)</p>', html).group(1)
    assert CODE_RE.fullmatch(code)
    assert f'href="/api/v1/reservations/{code}.ics"' in html
    assert "カレンダーに追加" in html
    assert 'data-copy-target="reservation-code"' in html and 'aria-live="polite"' in html
    assert "/static/js/copy.js" in html
    page = text_of(response)
    assert "メモ" in page and "2030年5月21日（火） 13:30〜14:00" in page
    assert "みどり" in page and "家族のこと" in page
    assert response.headers["Cache-Control"] == "no-store"
    assert "残り1席" in text_of(client.get(f"/sessions/{session.id}"))


def test_reserving_redirects_so_a_reload_does_not_reserve_twice(client, make_session):
    session = make_session(day=dt.date(2030, 5, 21))
    response = reserve_through_form(client, session, session.slots[0], follow=False)
    assert response.status_code == 302
    assert re.fullmatch(r"/reservations/" + CODE_RE.pattern, response.headers["Location"])


def test_a_reservation_needs_nothing_at_all(client, make_session):
    session = make_session(day=dt.date(2030, 5, 21))
    response = reserve_through_form(client, session, session.slots[1])
    assert CODE_RE.search(text_of(response))


def test_a_too_long_nickname_gets_a_message_next_to_the_field_and_no_seat_is_taken(client, make_session):
    session = make_session(day=dt.date(2030, 5, 21))
    slot = session.slots[0]
    response = reserve_through_form(client, session, slot, {"nickname": "あ" * 31})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "30文字以内" in html
    assert f'id="s{slot.id}-nickname-error"' in html
    assert f'aria-describedby="s{slot.id}-nickname-hint s{slot.id}-nickname-error"' in html
    assert "<details class=\"reserve\" open>" in html
    assert "残り2席" in text_of(client.get(f"/sessions/{session.id}"))


def test_a_full_slot_shows_manseki_and_refuses_a_reservation(client, make_session):
    session = make_session(day=dt.date(2030, 5, 21), capacity=1)
    slot = session.slots[0]
    token = csrf_from(client.get(f"/sessions/{session.id}").get_data(as_text=True), f"s{slot.id}-")
    reserve(slot.id)  # someone else takes the last seat meanwhile
    html = client.get(f"/sessions/{session.id}").get_data(as_text=True)
    assert "満席" in html
    assert f'action="/slots/{slot.id}/reserve"' not in html
    response = client.post(f"/slots/{slot.id}/reserve", data={f"s{slot.id}-csrf_token": token})
    assert response.status_code == 409
    assert "満席になりました" in text_of(response)


def test_past_slots_of_an_open_session_cannot_be_reserved(client, open_session):
    session = open_session()
    html = client.get(f"/sessions/{session.id}").get_data(as_text=True)
    first = session.slots[0]
    assert "受付終了" in html
    assert f'action="/slots/{first.id}/reserve"' not in html
    assert "今すぐ参加する" in html


def test_a_cancelled_session_shows_its_cancellation_and_offers_no_forms(client, make_session, submit):
    session = make_session(day=dt.date(2030, 5, 21))
    page = f"/sessions/{session.id}"
    token = csrf_from(client.get(page).get_data(as_text=True), f"s{session.slots[0].id}-")
    cancel_session(session, "台風のため中止します。")
    home = text_of(client.get("/"))
    assert "中止" in home and "台風のため中止します。" in home
    html = client.get(page).get_data(as_text=True)
    assert "この回は中止になりました。" in html and "台風のため中止します。" in html
    assert "/reserve" not in html
    slot = session.slots[0]
    response = client.post(f"/slots/{slot.id}/reserve", data={f"s{slot.id}-csrf_token": token})
    assert response.status_code == 409
    assert "中止になりました" in text_of(response)


def test_looking_up_a_code_accepts_lower_case_spaces_and_missing_dashes(client, make_session, submit):
    session = make_session(day=dt.date(2030, 5, 21))
    code = reserve(session.slots[0].id).code
    typed = " " + code.lower().replace("-", " ") + " "
    response = submit("/reservations", "/reservations", {"code": typed})
    assert response.status_code == 200
    assert code in text_of(response)
    assert response.request.path == f"/reservations/{code}"


def test_unknown_and_malformed_codes_get_the_same_kind_message(client, submit):
    unknown = submit("/reservations", "/reservations", {"code": "AAAAA-BBBBB-CCCCC"})
    malformed = submit("/reservations", "/reservations", {"code": "hello"})
    assert unknown.status_code == malformed.status_code == 404
    message = "この予約番号は見つかりませんでした。"
    assert message in text_of(unknown) and message in text_of(malformed)
    assert text_of(unknown).replace("AAAAA-BBBBB-CCCCC", "") == text_of(malformed).replace("hello", "")
    assert message in text_of(client.get("/reservations/ZZZZZ-ZZZZZ-ZZZZZ"))


def test_cancelling_goes_through_a_confirm_page_and_frees_the_seat(client, make_session, submit):
    session = make_session(day=dt.date(2030, 5, 21), capacity=1)
    code = reserve(session.slots[0].id).code
    show = client.get(f"/reservations/{code}").get_data(as_text=True)
    assert f'href="/reservations/{code}/cancel"' in show
    confirm = client.get(f"/reservations/{code}/cancel")
    assert "予約を取り消しますか？" in text_of(confirm)
    assert "満席" in text_of(client.get(f"/sessions/{session.id}"))  # still held until confirmed
    done = submit(f"/reservations/{code}/cancel", f"/reservations/{code}/cancel")
    page = text_of(done)
    assert "この予約は取り消し済みです" in page and "予約を取り消しました" in page
    assert f'href="/reservations/{code}/cancel"' not in done.get_data(as_text=True)
    assert "残り1席" in text_of(client.get(f"/sessions/{session.id}"))


def test_a_post_without_csrf_token_is_refused(client, make_session):
    session = make_session(day=dt.date(2030, 5, 21))
    slot = session.slots[0]
    code = reserve(slot.id).code
    assert client.post(f"/slots/{slot.id}/reserve", data={}).status_code == 400
    assert client.post(f"/reservations/{code}/cancel", data={}).status_code == 400
    assert "予約中" in text_of(client.get(f"/reservations/{code}"))


def test_resident_pages_render_in_english(client, make_session):
    session = make_session(day=dt.date(2030, 5, 21), fmt="online")
    code = reserve(session.slots[0].id).code
    home = text_of(client.get("/?lang=en"))
    assert "Tue 21 May 2030" in home and "Online" in home and "seats left" in home
    assert "third Tuesday" in home
    detail = text_of(client.get(f"/sessions/{session.id}?lang=en"))
    assert "Reserve this time" in detail and "Nickname (optional)" in detail
    assert "Please don't use your real name" in detail
    shown = text_of(client.get(f"/reservations/{code}?lang=en"))
    assert "Reservation number" in shown and "Add to calendar" in shown
    assert "Check or cancel a reservation" in text_of(client.get("/reservations?lang=en"))
    assert "Other places to turn to" in text_of(client.get("/help?lang=en"))
    for page in (home, detail, shown):
        assert not re.search(r"[\u3040-\u30ff]{4,}", page.replace("メタバース空間", "")), page


def test_the_language_switch_remembers_english_and_back(client):
    response = client.get("/lang/en?next=/help%3Flang%3Dja")
    assert response.headers["Location"] == "/help"
    assert "Other places to turn to" in text_of(client.get("/help"))
    assert client.get("/lang/ja?next=//evil.example/").headers["Location"] == "/"


def test_a_note_on_a_scheduled_session_is_shown_to_residents(client, make_session):
    from webapp.sessions.operations import update_session

    session = update_session(make_session(), {"note": "当日は2階の相談室です。"})
    assert "当日は2階の相談室です。" in client.get("/").get_data(as_text=True)
    assert "当日は2階の相談室です。" in client.get(f"/sessions/{session.id}").get_data(as_text=True)
