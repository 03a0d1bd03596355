"""The resident check-in, waiting room and end pages, and the staff console, as a browser gets them."""
from __future__ import annotations

import datetime as dt
import re

from webapp.checkins import operations
from webapp.checkins.avatars import AVATARS
from webapp.checkins.models import CheckIn, Term
from webapp.clock import now_tokyo
from webapp.db import db_session


def csrf_of(page: str) -> str:
    found = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    assert found, "no CSRF token in the page"
    return found.group(1)


def check_in(client, session_id, avatar="cat", nickname="", code=""):
    page = client.get(f"/sessions/{session_id}/checkin").get_data(as_text=True)
    return client.post(f"/sessions/{session_id}/checkin", data={
        "csrf_token": csrf_of(page), "avatar": avatar, "nickname": nickname, "reservation_code": code})


def test_the_checkin_page_offers_every_avatar_as_a_labelled_radio_button(client, open_session):
    page = client.get(f"/sessions/{open_session.id}/checkin").get_data(as_text=True)
    assert "<legend>アバターを選んでください</legend>" in page
    for avatar in AVATARS:
        assert f'type="radio" name="avatar" id="avatar-{avatar.id}" value="{avatar.id}"' in page
        assert f'<label for="avatar-{avatar.id}">' in page
        assert avatar.label_ja in page
    assert "本名は入れないでください" in page
    assert "いつでも退出できます" in page


def test_checking_in_outside_the_sessions_hours_explains_and_points_elsewhere(client, make_session, open_session):
    later = make_session()  # thirty days ahead
    page = client.get(f"/sessions/{later.id}/checkin").get_data(as_text=True)
    assert "いまは受付をしていません" in page
    assert 'name="avatar"' not in page
    form = client.get(f"/sessions/{open_session.id}/checkin").get_data(as_text=True)
    response = client.post(f"/sessions/{later.id}/checkin", data={"avatar": "cat", "csrf_token": csrf_of(form)})
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert f"受付は {later.date.year}年{later.date.month}月{later.date.day}日" in page and "13:30 からです" in page
    assert 'href="/help"' in page and "いこまる相談窓口" in page
    assert "あなたのいばしょ" in page


def test_a_cancelled_session_says_so_and_names_the_next_one(client, make_session):
    from webapp.sessions.operations import cancel_session

    today = now_tokyo().date()
    cancelled = make_session(day=today + dt.timedelta(days=3))
    following = make_session(day=today + dt.timedelta(days=33), fmt="metaverse")
    cancel_session(cancelled)
    page = client.get(f"/sessions/{cancelled.id}/checkin").get_data(as_text=True)
    assert "中止になりました" in page
    assert f"{following.date.month}月{following.date.day}日" in page


def test_checking_in_during_hours_leads_to_the_waiting_room_with_the_place_in_line(client, open_session):
    earlier = operations.check_in(open_session.id, "bear", nickname="たろう")  # someone already waiting
    response = check_in(client, open_session.id, avatar="cat", nickname="はなこ")
    assert response.status_code == 302 and response.headers["Location"].endswith("/checkins/wait")

    page = client.get("/checkins/wait")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "あなたは 2 番目です。" in text
    assert "待ち時間の目安：約" in text
    assert 'role="log"' in text and 'aria-live="polite"' in text
    assert "はなこ" in text and "たろう" not in text  # nothing about other residents
    assert page.headers["Cache-Control"] == "no-store"
    assert re.search(r'data-token="[^"]{20,}"', text)
    assert 'data-ws-url="ws://' in text

    operations.leave(earlier.id)
    assert "次があなたの番です。" in client.get("/checkins/wait").get_data(as_text=True)


def test_a_checkin_without_an_avatar_is_sent_back_with_the_error_next_to_the_pictures(client, open_session):
    page = client.get(f"/sessions/{open_session.id}/checkin").get_data(as_text=True)
    response = client.post(f"/sessions/{open_session.id}/checkin", data={"csrf_token": csrf_of(page), "avatar": ""})
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert 'class="field-error" id="avatar-error">アバターを1つ選んでください。' in text
    assert db_session.query(CheckIn).count() == 0


def test_an_unknown_reservation_code_is_explained_next_to_its_field(client, open_session):
    response = check_in(client, open_session.id, code="ZZZZ-ZZZZ-ZZZZ")
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert 'id="code-error">この相談会の予約番号が見つかりません' in text
    assert 'aria-invalid="true"' in text


def test_a_message_sent_without_javascript_reaches_the_conversation(client, open_session):
    check_in(client, open_session.id)
    page = client.get("/checkins/wait").get_data(as_text=True)
    response = client.post("/checkins/message", data={"csrf_token": csrf_of(page), "text": "相談したいことがあります"})
    assert response.status_code == 302
    page = client.get("/checkins/wait").get_data(as_text=True)
    assert "相談したいことがあります" in page


def test_after_hand_off_the_waiting_room_shows_the_promoter_and_the_room_link(client, open_session):
    from webapp.staff.operations import by_login

    check_in(client, open_session.id)
    checkin = db_session.query(CheckIn).one()
    operations.take(checkin.id, by_login("sato"))
    page = client.get("/checkins/wait").get_data(as_text=True)
    assert "担当：主任推進員 sato" in page
    assert 'href="https://example.org/room"' in page and "部屋に入る" in page


def test_leaving_asks_first_then_ends_on_the_thank_you_page(client, open_session):
    check_in(client, open_session.id)
    confirm = client.get("/checkins/leave").get_data(as_text=True)
    assert "待合室から退出しますか？" in confirm
    response = client.post("/checkins/leave", data={"csrf_token": csrf_of(confirm)})
    assert response.headers["Location"].endswith("/checkins/done")
    assert db_session.query(CheckIn).one().status == "left"


def test_the_end_page_points_to_the_citys_windows_and_forgets_the_checkin(client, open_session):
    check_in(client, open_session.id)
    page = client.get("/checkins/done").get_data(as_text=True)
    assert 'href="/help"' in page and "いこまる相談窓口" in page
    assert "あなたのいばしょ" in page
    assert "いま受付をしていません" in client.get("/checkins/wait").get_data(as_text=True)
    assert client.get("/checkins/state").get_json() == {"status": "none"}


def test_the_state_endpoint_hands_a_fresh_token_while_waiting(client, open_session):
    check_in(client, open_session.id)
    state = client.get("/checkins/state").get_json()
    assert state["status"] == "waiting" and len(state["token"]) > 20


def test_the_console_needs_a_login(client, open_session):
    response = client.get(f"/staff/sessions/{open_session.id}/console")
    assert response.status_code == 302
    assert "/staff/login" in response.headers["Location"]


def test_the_console_refuses_a_promoter_not_assigned_to_the_session(client, auth, make_user, open_session):
    make_user("suzuki")
    auth.login("suzuki")
    assert client.get(f"/staff/sessions/{open_session.id}/console").status_code == 403


def test_the_console_shows_the_queue_counts_and_outcome_choices_before_the_socket_connects(
        client, auth, open_session):
    operations.check_in(open_session.id, "rabbit", nickname="みどり")
    db_session.execute(Term.__table__.update().where(Term.key == "work").values(retired=True))
    db_session.commit()
    auth.login("sato")
    response = client.get(f"/staff/sessions/{open_session.id}/console")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert 'id="count-visits">1<' in page and 'id="count-waiting">1<' in page
    assert "うさぎ" in page and "みどり" in page
    assert re.search(r'data-token="[^"]{20,}"', page)
    assert "地域包括支援センター" in page  # an agency
    assert "ひきこもり" in page  # a topic
    assert 'value="work"' not in page  # retired topics cannot be chosen
    assert '<option value="tanaka">主任推進員 tanaka</option>' in page  # transfer to the colleague
    assert 'type="application/json" id="console-data"' in page


def test_an_admin_can_open_any_sessions_console(client, auth, make_user, open_session):
    make_user("boss", role="admin")
    auth.login("boss")
    assert client.get(f"/staff/sessions/{open_session.id}/console").status_code == 200


def test_the_pages_read_in_english(client, auth, open_session):
    page = client.get(f"/sessions/{open_session.id}/checkin?lang=en").get_data(as_text=True)
    assert "Choose an avatar" in page and "Cat" in page
    assert "アバターを選んでください" not in page
    check_in(client, open_session.id)
    page = client.get("/checkins/wait?lang=en").get_data(as_text=True)
    assert "Waiting room" in page and "You are next." in page
    assert "Reconnecting" in page  # the strings for JS come translated too
    page = client.get("/checkins/done?lang=en").get_data(as_text=True)
    assert "Thank you" in page
    auth.login("sato")
    page = client.get(f"/staff/sessions/{open_session.id}/console?lang=en").get_data(as_text=True)
    assert "Session console" in page and "Waiting" in page


def test_an_empty_message_without_javascript_says_what_to_do(client, open_session):
    check_in(client, open_session.id)
    page = client.get("/checkins/wait").get_data(as_text=True)
    response = client.post("/checkins/message", data={"csrf_token": csrf_of(page), "text": "  "},
                           follow_redirects=True)
    assert "メッセージを入力してください。" in response.get_data(as_text=True)
