"""Bad tokens, foreign pages, junk, oversized frames and floods: refused, while everyone else carries on."""
from __future__ import annotations

import json
import time

import pytest
from itsdangerous import TimestampSigner, URLSafeTimedSerializer
from websockets.exceptions import ConnectionClosed, InvalidStatus

from realtime import tokens
from tests.conftest import SECRET
from tests.realtime.conftest import ThreadRelay


def refused_status(peers, url, **kwargs) -> int:
    with pytest.raises(InvalidStatus) as refused:
        peers(url, **kwargs)
    return refused.value.response.status_code


def closed_code(peer, timeout=10) -> int:
    """Read until the server closes the connection; its close code."""
    deadline = time.monotonic() + timeout
    with pytest.raises(ConnectionClosed):
        while time.monotonic() < deadline:
            peer._pull(deadline - time.monotonic())
    return peer.ws.close_code


def old_token(payload: dict, age_s: int) -> str:
    """A correctly signed token issued `age_s` seconds ago."""

    class Past(TimestampSigner):
        def get_timestamp(self):
            return int(time.time()) - age_s

    return URLSafeTimedSerializer(SECRET, salt=tokens.SALT, signer=Past).dumps(payload)


def test_a_bad_token_is_refused_in_the_handshake(world, relay, peers):
    assert refused_status(peers, relay.url("not-a-token")) == 401
    assert refused_status(peers, relay.url("")) == 401
    forged = URLSafeTimedSerializer("another-secret", salt=tokens.SALT).dumps({"k": "s", "u": world.user_ids["boss"]})
    assert refused_status(peers, relay.url(forged)) == 401


def test_an_expired_token_is_refused_in_the_handshake(world, relay, peers):
    checkin_id, _ = world.check_in()
    assert refused_status(peers, relay.url(old_token({"k": "r", "c": checkin_id, "v": 0}, 13 * 3600))) == 401
    peers(relay.url(old_token({"k": "r", "c": checkin_id, "v": 0}, 60))).next("welcome")


def test_a_token_for_an_inactive_account_or_unknown_checkin_is_forbidden(world, relay, peers):
    from webapp.db import db_session
    from webapp.staff.models import User
    from webapp.staff.operations import update_user

    token = world.staff_token("kimura")
    update_user(db_session.get(User, world.user_ids["kimura"]), active=False)
    db_session.remove()
    assert refused_status(peers, relay.url(token)) == 403
    assert refused_status(peers, relay.url(old_token({"k": "r", "c": 4242, "v": 0}, 0))) == 403


def test_a_page_from_another_origin_is_refused_but_the_web_apps_own_is_welcome(world, relay_config, peers):
    relay_config["ALLOWED_ORIGINS"] = ["http://127.0.0.1:5000"]
    relay = ThreadRelay(relay_config).start()
    try:
        token = world.staff_token("sato")
        assert refused_status(peers, relay.url(token), origin="https://evil.example") == 403
        peers(relay.url(token), origin="http://127.0.0.1:5000").next("welcome")
        peers(relay.url(token)).next("welcome")  # no Origin: not a browser
    finally:
        relay.shutdown()


def test_one_token_may_hold_only_a_few_connections(world, relay, peers):
    _, token = world.check_in()
    for _ in range(3):
        peers(relay.url(token)).next("welcome")
    assert refused_status(peers, relay.url(token)) == 429


def test_junk_frames_get_error_frames_and_the_connection_stays_usable(world, relay, peers):
    _, token = world.check_in()
    alice = peers(relay.url(token))
    alice.next("welcome")
    alice.ws.send("this is not json")
    assert alice.next("error")["code"] == "bad_json"
    alice.ws.send(json.dumps(["a", "list"]))
    assert alice.next("error")["code"] == "bad_frame"
    alice.send(type="shout", text="!!!")
    assert alice.next("error")["code"] == "unknown_type"
    alice.send(type="take", checkin_id=1)  # a staff action from a resident
    assert alice.next("error")["code"] == "unknown_type"
    alice.ws.send(b"\x00\x01binary")
    assert alice.next("error")["code"] == "bad_frame"
    alice.send(type="message", text="x" * 1001)
    assert alice.next("error")["code"] == "too_long"
    alice.send(type="message", text="still here")
    assert alice.next("message")["text"] == "still here"


def test_an_oversized_frame_closes_only_that_connection_with_1009(world, relay, peers):
    _, token = world.check_in()
    _, other = world.check_in()
    big, calm = peers(relay.url(token)), peers(relay.url(other))
    big.next("welcome"), calm.next("welcome")
    big.ws.send(json.dumps({"type": "message", "text": "あ" * 2000}))  # 6 KB of UTF-8
    assert closed_code(big) == 1009
    calm.send(type="message", text="大丈夫")
    assert calm.next("message")["text"] == "大丈夫"


def test_a_flood_gets_rate_limited_then_closed_with_1008_while_others_carry_on(world, relay_config, peers):
    relay_config["RATELIMIT_ENABLED"] = True  # the test app turns limits off
    relay = ThreadRelay(relay_config).start()
    try:
        flood_then_calm(world, relay, peers)
    finally:
        relay.shutdown()


def test_rate_limits_can_be_turned_off_for_load_tests(world, relay, peers):
    _, token = world.check_in()
    quick = peers(relay.url(token))
    quick.next("welcome")
    for _ in range(40):
        quick.send(type="ping")
    for _ in range(40):
        quick.next("pong")


def flood_then_calm(world, relay, peers):
    _, token = world.check_in()
    _, other = world.check_in()
    flood, calm = peers(relay.url(token)), peers(relay.url(other))
    flood.next("welcome"), calm.next("welcome")
    sato = peers(relay.url(world.staff_token("sato")))
    sato.next("welcome")
    for _ in range(60):
        try:
            flood.send(type="ping")
        except ConnectionClosed:
            break
    assert closed_code(flood) == 1008
    assert any(f.get("code") == "rate_limited" for f in flood.seen)
    calm.send(type="message", text="順番はまだですか")
    assert sato.next("message")["text"] == "順番はまだですか"


def test_a_relay_shutting_down_says_going_away_1001(world, relay_config, peers):
    relay = ThreadRelay(relay_config).start()
    _, token = world.check_in()
    alice = peers(relay.url(token))
    alice.next("welcome")
    relay.shutdown()
    assert closed_code(alice) == 1001


def test_unknown_paths_get_404_and_the_health_check_answers(relay):
    import urllib.error
    import urllib.request

    with urllib.request.urlopen(f"http://127.0.0.1:{relay.port}/healthz", timeout=5) as response:
        assert response.status == 200
    with pytest.raises(urllib.error.HTTPError) as missing:
        urllib.request.urlopen(f"http://127.0.0.1:{relay.port}/other", timeout=5)
    assert missing.value.code == 404
    missing.value.close()  # the error holds the connection open; the relay would wait for it when stopping


@pytest.mark.parametrize("raw", [
    '{"type": "message", "text": "a\x7fb"}',          # DEL, written out: JSON lets it through unescaped
    '{"type": "message", "text": "x\x9b"}',           # a C1 control, written out
    '{"type": "message", "text": "a\\u0000b"}',       # NUL, escaped
    '{"type": "message", "text": "\\ud800"}',         # a lone surrogate, escaped
    '{"type": "message", "text": "ok", "\\u0007": 1}',  # in a key
])
def test_a_line_that_is_not_text_is_refused_however_it_is_written_and_nothing_is_stored(world, relay, peers, raw):
    """The relay judges most frames from their raw text (one search) and walks the rest: both ways refuse."""
    checkin_id, token = world.check_in()
    alice = peers(relay.url(token))
    alice.next("welcome")
    alice.ws.send(raw)
    assert alice.next("error")["code"] == "bad_frame"
    alice.send(type="message", text="改行は\nそのまま")
    assert alice.next("message")["text"] == "改行は\nそのまま"
    from webapp.checkins import operations
    from webapp.db import db_session
    db_session.remove()
    assert [m.text for m in operations.recent_messages(checkin_id)] == ["改行は\nそのまま"]
