"""Rate limits on login, reservations, check-ins and chat lines: per client address, never storing it,
in Redis when REDIS_URL is set, and still in force (then back in Redis) when Redis goes away and returns."""
from __future__ import annotations

import datetime as dt
import logging
import uuid

import pytest

from harness.processes import wait_until
from tests.conftest import SECRET
from webapp import create_app
from webapp.clock import now_tokyo
from webapp.db import db_session
from webapp.ratelimit import LIMITS

ADDRESS = "203.0.113.77"  # TEST-NET-3: recognisable, never a real resident


def make_limited_app(database_url: str, **config):
    app = create_app({"TESTING": True, "DATABASE_URL": database_url, "SECRET_KEY": SECRET,
                      "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": True,
                      # These doors are hammered on one session or account; the caps per session and per
                      # account have their own tests (test_rate_limit_caps.py).
                      "RESERVATIONS_PER_CLIENT_PER_SESSION": 0, "RESERVATIONS_PER_SESSION_PER_HOUR": 0,
                      "CHECKINS_PER_CLIENT_PER_SESSION": 0, "CHECKINS_PER_SESSION_PER_HOUR": 0,
                      "LOGIN_FAILURES_PER_ACCOUNT": 0, **config})
    return app


@pytest.fixture
def limited(database_url):
    """An app with rate limits on (in memory), a running session and a future slot."""
    from webapp.sessions.operations import SessionSpec, create_session

    app = make_limited_app(database_url)
    ctx = app.app_context()
    ctx.push()
    now = now_tokyo()
    start = max(now - dt.timedelta(hours=1), now.replace(hour=0, minute=0, second=0, microsecond=0))
    end = min(now + dt.timedelta(hours=2), now.replace(hour=23, minute=59, second=0, microsecond=0))
    running = create_session(SessionSpec(date=now.date(), starts_at=start, ends_at=end, format="online",
                                         location="", join_url="", slot_minutes=15, capacity=50, promoters=[]))
    later = now + dt.timedelta(days=20)
    future = create_session(SessionSpec(date=later.date(), starts_at=later.replace(hour=13, minute=30),
                                        ends_at=later.replace(hour=16, minute=30), format="online", location="",
                                        join_url="", slot_minutes=30, capacity=50, promoters=[]))
    app.ikomaru = {"S": running.id, "slot": future.slots[0].id}
    db_session.remove()
    yield app
    ctx.pop()
    db_session.remove()
    app.extensions["engine"].dispose()


def doors(ids: dict) -> dict:
    """endpoint -> (path, body kind, form or JSON data, allowed per minute)."""
    return {
        "staff.login": ("/staff/login", "form", {"login": "nobody", "password": "wrong-password"}, 10),
        "twofactor.verify": ("/staff/login/verify", "form", {"code": "123456"}, 10),
        "reservations.reserve": (f"/slots/{ids['slot']}/reserve", "form", {}, 20),
        "reservations.lookup": ("/reservations", "form", {"code": "AAAAA-BBBBB-CCCCC"}, 20),
        "api.create_reservation": (f"/api/v1/slots/{ids['slot']}/reservations", "json", {}, 20),
        "checkins.start": (f"/sessions/{ids['S']}/checkin", "form", {"avatar": "cat"}, 20),
        "checkins_api.create_checkin": (f"/api/v1/sessions/{ids['S']}/checkins", "json", {"avatar": "cat"}, 20),
        "checkins.send_message": ("/checkins/message", "form", {"text": "こんにちは"}, 30),
        "rooms_api.practice": (f"/api/v1/sessions/{ids['S']}/room/practice", "json", {}, 10),
    }


def post(client, door, address=ADDRESS):
    path, kind, data, _ = door
    environ = {"REMOTE_ADDR": address}
    if kind == "json":
        return client.post(path, json=data, environ_base=environ)
    return client.post(path, data=data, environ_base=environ)


def test_every_limited_endpoint_exists_and_is_tested(limited):
    assert set(LIMITS) <= set(limited.view_functions)
    assert set(doors(limited.ikomaru)) == set(LIMITS)


@pytest.mark.parametrize("endpoint", sorted(LIMITS))
def test_a_door_hammered_from_one_address_says_429_while_other_addresses_still_get_in(limited, endpoint):
    door = doors(limited.ikomaru)[endpoint]
    allowed = door[3]
    client = limited.test_client()
    answers = [post(client, door).status_code for _ in range(allowed)]
    assert 429 not in answers and 500 not in answers
    refused = post(client, door)
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) > 0
    if door[0].startswith("/api/"):
        assert refused.get_json()["error"]["code"] == "rate_limited"
    else:
        assert "少し待ってから" in refused.get_data(as_text=True)
    assert post(limited.test_client(), door, address="198.51.100.5").status_code != 429


def test_rate_limits_can_be_turned_off_for_load_tests(database_url):
    app = make_limited_app(database_url, RATELIMIT_ENABLED=False)
    try:
        client = app.test_client()
        answers = {client.post("/staff/login", data={"login": "x", "password": "y"}).status_code for _ in range(15)}
        assert answers == {400}
    finally:
        app.extensions["engine"].dispose()


# --- Redis ----------------------------------------------------------------------------------------

def _redis_keys(url: str, prefix: str) -> list[str]:
    import redis

    client = redis.Redis.from_url(url)
    try:
        return [k.decode() for k in client.scan_iter(match=f"*{prefix}*")]
    finally:
        client.close()


def test_with_redis_url_the_buckets_live_in_redis_keyed_without_the_address(database_url, redis_url):
    url = redis_url
    prefix = f"ikomaru-test-{uuid.uuid4().hex[:8]}"
    app = make_limited_app(database_url, REDIS_URL=url, RATELIMIT_KEY_PREFIX=prefix)
    try:
        client = app.test_client()
        for _ in range(10):
            post(client, ("/staff/login", "form", {"login": "x", "password": "y"}, 10))
        assert post(client, ("/staff/login", "form", {"login": "x", "password": "y"}, 10)).status_code == 429
        keys = _redis_keys(url, prefix)
        assert keys, "no rate-limit bucket in Redis"
        assert not [k for k in keys if ADDRESS in k]
        # A second app (another gunicorn worker) shares the buckets.
        other = make_limited_app(database_url, REDIS_URL=url, RATELIMIT_KEY_PREFIX=prefix)
        assert post(other.test_client(), ("/staff/login", "form", {}, 10)).status_code == 429
        other.extensions["engine"].dispose()
    finally:
        app.extensions["engine"].dispose()


def test_when_redis_goes_away_limits_fall_back_to_memory_with_a_clear_log_line_and_return_to_redis(
        database_url, own_redis, caplog):
    prefix = f"ikomaru-test-{uuid.uuid4().hex[:8]}"
    app = make_limited_app(database_url, REDIS_URL=own_redis["url"], RATELIMIT_KEY_PREFIX=prefix)
    login = ("/staff/login", "form", {"login": "x", "password": "y"}, 10)
    try:
        client = app.test_client()
        assert post(client, login).status_code == 400
        assert _redis_keys(own_redis["url"], prefix)

        own_redis["kill"]()
        with caplog.at_level(logging.WARNING):
            answers = [post(client, login).status_code for _ in range(12)]
        assert 500 not in answers and 503 not in answers
        assert answers[-1] == 429, "the limit must hold while Redis is away"
        assert any("storage unreachable" in r.getMessage() for r in caplog.records)

        own_redis["start"]()
        caplog.clear()
        def recovered() -> bool:
            if any("recovered" in r.getMessage() for r in caplog.records):
                return True
            post(client, login, address="198.51.100.9")
            return False

        with caplog.at_level(logging.INFO):
            wait_until(recovered, timeout=60, what="the limiter to go back to Redis", every=0.5)
        post(client, login, address="198.51.100.10")
        assert _redis_keys(own_redis["url"], prefix), "buckets are back in Redis"
    finally:
        app.extensions["engine"].dispose()


def test_behind_a_trusted_proxy_each_client_has_its_own_bucket_and_otherwise_forwarded_headers_are_ignored(
        database_url):
    login = ("/staff/login", "form", {"login": "x", "password": "y"}, 10)

    def last_answer(app, forwarded_for: str, times: int) -> int:
        client, headers = app.test_client(), {"X-Forwarded-For": forwarded_for}
        answers = [client.post(login[0], data=login[2], headers=headers, environ_base={"REMOTE_ADDR": "127.0.0.1"})
                   for _ in range(times)]
        return answers[-1].status_code

    trusting = make_limited_app(database_url, TRUST_PROXY=1)
    naive = make_limited_app(database_url)
    try:
        assert last_answer(trusting, "203.0.113.1", 11) == 429
        assert last_answer(trusting, "203.0.113.2", 1) != 429  # another resident behind the same nginx
        assert last_answer(naive, "203.0.113.1", 11) == 429
        assert last_answer(naive, "203.0.113.2", 1) == 429  # the header is not believed: one bucket for nginx
    finally:
        trusting.extensions["engine"].dispose()
        naive.extensions["engine"].dispose()
