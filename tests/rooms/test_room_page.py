"""The room page /rooms/{id} as a browser gets it: who sees which room, entering as a visit, practice."""
from __future__ import annotations

import datetime as dt
import re

import pytest

from webapp.checkins.models import CheckIn
from webapp.db import db_session, utcnow
from webapp.timeutil import local


@pytest.fixture
def metaverse_now(make_user, make_session):
    """A metaverse session running right now, staffed by sato."""
    make_user("sato")
    now = local(utcnow())
    start = max(now - dt.timedelta(hours=1), now.replace(hour=0, minute=0, second=0, microsecond=0))
    end = min(now + dt.timedelta(hours=2), now.replace(hour=23, minute=59, second=0, microsecond=0))
    return make_session(day=now.date(), start=start.strftime("%H:%M"), end=end.strftime("%H:%M"), fmt="metaverse",
                        promoters=["sato"])


def csrf_of(page: str) -> str:
    found = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    assert found, "no CSRF token in the page"
    return found.group(1)


def enter(client, session_id, avatar="bear", nickname=""):
    page = client.get(f"/rooms/{session_id}").get_data(as_text=True)
    return client.post(f"/rooms/{session_id}/enter",
                       data={"csrf_token": csrf_of(page), "avatar": avatar, "nickname": nickname})


def test_a_session_of_another_format_has_no_room(client, make_session):
    assert client.get(f"/rooms/{make_session(fmt='online').id}").status_code == 404
    assert client.get("/rooms/99999").status_code == 404


def test_entering_asks_only_an_avatar_and_a_nickname_and_counts_a_visit(client, metaverse_now):
    page = client.get(f"/rooms/{metaverse_now.id}").get_data(as_text=True)
    assert "ルームに入る" in page and 'name="avatar"' in page and "本名は入れないでください" in page
    assert "reservation_code" not in page
    response = enter(client, metaverse_now.id, nickname="はなこ")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/rooms/{metaverse_now.id}")
    checkin = db_session.query(CheckIn).filter_by(session_id=metaverse_now.id).one()
    assert (checkin.status, checkin.avatar, checkin.nickname) == ("visiting", "bear", "はなこ")
    room = client.get(f"/rooms/{metaverse_now.id}")
    assert room.headers["Cache-Control"].startswith("no-store")
    assert 'id="room-map"' in room.get_data(as_text=True) and "相談する" in room.get_data(as_text=True)
    # The waiting room and the check-in page send a room visitor back to the room.
    for path in ("/checkins/wait", f"/sessions/{metaverse_now.id}/checkin"):
        answer = client.get(path, follow_redirects=True)
        assert answer.request.path == f"/rooms/{metaverse_now.id}", path
    assert client.get("/checkins/state").get_json()["status"] == "visiting"


def test_a_nickname_too_long_is_refused_next_to_its_field(client, metaverse_now):
    response = enter(client, metaverse_now.id, nickname="あ" * 200)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert 'id="nickname-error"' in page and 'aria-invalid="true"' in page
    assert db_session.query(CheckIn).count() == 0


def test_outside_hours_the_room_is_practice_with_a_tour(client, make_session):
    later = make_session(fmt="metaverse")
    page = client.get(f"/rooms/{later.id}").get_data(as_text=True)
    assert "見学（練習）" in page and 'id="tour"' in page and 'name="avatar"' not in page
    assert "次の相談会" in page
    # Entering is refused outside hours: back to the practice page, nothing stored.
    form = client.get("/staff/login").get_data(as_text=True)  # any form's token: it is the browser's
    response = client.post(f"/rooms/{later.id}/enter", data={"avatar": "cat", "csrf_token": csrf_of(form)})
    assert response.status_code == 302 and db_session.query(CheckIn).count() == 0


def test_the_promoter_of_the_session_gets_the_staff_room_and_the_console_links_it(client, auth, metaverse_now):
    auth.login("sato")
    page = client.get(f"/rooms/{metaverse_now.id}").get_data(as_text=True)
    assert "推進員の操作" in page and "ルームのみんなにあいさつする" in page and 'name="avatar"' not in page
    console = client.get(f"/staff/sessions/{metaverse_now.id}/console").get_data(as_text=True)
    assert f'href="/rooms/{metaverse_now.id}"' in console and "ルームへ" in console


def test_the_room_page_is_in_english_when_asked(client, metaverse_now):
    page = client.get(f"/rooms/{metaverse_now.id}?lang=en").get_data(as_text=True)
    assert '<html lang="en">' in page and "Enter the room" in page and "Practise the controls first" in page
