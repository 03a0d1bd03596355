"""A resident without JavaScript writes and leaves by posting forms; staff consoles see it at once.

The relays here never run their upkeep during a test (an hour apart, or their first one 30 s
after start), so a frame that arrives came from the web app telling the relay, not from upkeep.
"""
from __future__ import annotations

import re
import uuid

from tests.realtime.conftest import ThreadRelay

FAST = 5  # seconds; the relay's upkeep would take 30 or more


def csrf_of(page: str) -> str:
    found = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    assert found, "no CSRF token in the page"
    return found.group(1)


def check_in_by_form(client, session_id: int) -> int:
    page = client.get(f"/sessions/{session_id}/checkin").get_data(as_text=True)
    response = client.post(f"/sessions/{session_id}/checkin",
                           data={"csrf_token": csrf_of(page), "avatar": "cat", "nickname": "フォーム"})
    assert response.status_code == 302
    from webapp.checkins.models import CheckIn
    from webapp.db import db_session
    try:
        return db_session.query(CheckIn).filter_by(nickname="フォーム").one().id
    finally:
        db_session.remove()


def write_and_leave(client, console, session_id: int, checkin_id: int) -> None:
    page = client.get("/checkins/wait").get_data(as_text=True)
    client.post("/checkins/message", data={"csrf_token": csrf_of(page), "text": "フォームから書きました"})
    got = console.next("message", timeout=FAST, checkin_id=checkin_id)
    assert got["from"] == "resident" and got["text"] == "フォームから書きました" and got["session_id"] == session_id

    confirm = client.get("/checkins/leave").get_data(as_text=True)
    client.post("/checkins/leave", data={"csrf_token": csrf_of(confirm)})
    console.shows_queue(session_id, timeout=FAST,
                        where=lambda f: checkin_id not in [e["checkin_id"] for e in f["entries"]])


def open_console(peers, relay, world, login="sato"):
    console = peers(relay.url(world.staff_token(login)))
    console.next("welcome")
    console.next("queue", session_id=world.session_id)
    return console


def test_form_posts_reach_a_relay_in_the_same_process_at_once(world, relay_config, peers, client):
    relay = ThreadRelay({**relay_config, "RELAY_MAINTENANCE_S": 3600}).start()
    try:
        console = open_console(peers, relay, world)
        checkin_id = check_in_by_form(client, world.session_id)
        write_and_leave(client, console, world.session_id, checkin_id)
    finally:
        relay.shutdown()


def test_form_posts_reach_a_relay_process_through_redis(world, relay_processes, peers, client, app, redis_url):
    url = redis_url
    prefix = f"test:{uuid.uuid4().hex[:8]}:"
    relay = relay_processes(redis_url=url, prefix=prefix)
    app.config.update(REDIS_URL=url, RELAY_CHANNEL_PREFIX=prefix)
    console = open_console(peers, relay, world)
    checkin_id = check_in_by_form(client, world.session_id)
    write_and_leave(client, console, world.session_id, checkin_id)


def test_without_a_relay_to_tell_a_form_post_is_still_stored(world, client, app):
    app.config.update(REDIS_URL="redis://127.0.0.1:1/0")  # nothing listens there
    checkin_id = check_in_by_form(client, world.session_id)
    page = client.get("/checkins/wait").get_data(as_text=True)
    response = client.post("/checkins/message", data={"csrf_token": csrf_of(page), "text": "届いていますか"})
    assert response.status_code == 302
    assert "届いていますか" in client.get("/checkins/wait").get_data(as_text=True)
    from webapp.checkins import operations
    assert operations.get(checkin_id).status == "waiting"


def test_a_check_in_by_page_or_by_the_api_shows_in_the_console_without_waiting_for_upkeep(
        world, relay_config, peers, client):
    relay = ThreadRelay({**relay_config, "RELAY_MAINTENANCE_S": 3600}).start()
    try:
        console = open_console(peers, relay, world)
        by_page = check_in_by_form(client, world.session_id)
        console.next("queue", timeout=FAST, session_id=world.session_id,
                     where=lambda f: by_page in [e["checkin_id"] for e in f["entries"]])
        answer = client.post(f"/api/v1/sessions/{world.session_id}/checkins", json={"avatar": "cat"})
        assert answer.status_code == 201
        by_api = answer.get_json()["checkin_id"]
        console.next("queue", timeout=FAST, session_id=world.session_id,
                     where=lambda f: by_api in [e["checkin_id"] for e in f["entries"]])
    finally:
        relay.shutdown()
