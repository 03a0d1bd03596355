"""One phone cannot book out a session: a cap per client and session, kind words, no address stored."""
from __future__ import annotations

import datetime as dt
import uuid

import pytest
from flask import g
from sqlalchemy import text

from tests.conftest import SECRET
from webapp import create_app
from webapp.clock import now_tokyo
from webapp.db import db_session

from .conftest import csrf_from, text_of

PHONE, OTHER_PHONE = "203.0.113.7", "203.0.113.8"  # TEST-NET-3: never a real resident


@pytest.fixture
def capped(database_url):
    """An app with its limits on (in memory), and a session next month with many seats."""
    from webapp.sessions.operations import SessionSpec, create_session
    from webapp.timeutil import TOKYO

    app = create_app({"TESTING": True, "DATABASE_URL": database_url, "SECRET_KEY": SECRET,
                      "WTF_CSRF_ENABLED": True, "RATELIMIT_ENABLED": True})
    app.before_request_funcs.setdefault(None, []).insert(0, lambda: g.__dict__.clear())  # as tests/conftest.py
    ctx = app.app_context()
    ctx.push()
    day = now_tokyo().date() + dt.timedelta(days=30)
    session = create_session(SessionSpec(
        date=day, starts_at=dt.datetime.combine(day, dt.time(13, 30), tzinfo=TOKYO),
        ends_at=dt.datetime.combine(day, dt.time(16, 30), tzinfo=TOKYO), format="in_person",
        location="生駒市役所", join_url="", slot_minutes=30, capacity=2, promoters=[]))
    yield app, session
    ctx.pop()
    db_session.remove()
    app.extensions["engine"].dispose()


def book(client, session, slot, address):
    page = client.get(f"/sessions/{session.id}", environ_base={"REMOTE_ADDR": address}).get_data(as_text=True)
    token = csrf_from(page, f"s{slot.id}-")
    return client.post(f"/slots/{slot.id}/reserve", data={f"s{slot.id}-csrf_token": token},
                       environ_base={"REMOTE_ADDR": address})


def test_a_third_reservation_from_one_phone_is_refused_kindly_and_others_still_book(capped):
    app, session = capped
    phone, other = app.test_client(), app.test_client()
    assert book(phone, session, session.slots[0], PHONE).status_code == 302
    assert book(phone, session, session.slots[1], PHONE).status_code == 302
    refused = book(phone, session, session.slots[2], PHONE)
    assert refused.status_code == 429
    assert "ひとつの端末から同じ相談会に予約できるのは2件までです" in text_of(refused)
    assert "予約がなくても、当日そのまま参加できます" in text_of(refused)
    assert book(other, session, session.slots[2], OTHER_PHONE).status_code == 302
    seats = db_session.execute(text("SELECT sum(reserved) FROM slots WHERE session_id = :s"), {"s": session.id})
    assert seats.scalar() == 3
    # The refused one left no row behind (PostgreSQL commits the seat as it takes it, then undoes it).
    held = db_session.execute(text("SELECT count(*) FROM reservations r JOIN slots s ON s.id = r.slot_id "
                                   "WHERE s.session_id = :s"), {"s": session.id})
    assert held.scalar() == 3


def test_the_api_keeps_the_same_cap_and_a_cancellation_gives_a_place_back(capped):
    app, session = capped
    api = app.test_client()
    env = {"REMOTE_ADDR": PHONE}
    codes = [api.post(f"/api/v1/slots/{s.id}/reservations", environ_base=env).get_json()["code"]
             for s in session.slots[:2]]
    refused = api.post(f"/api/v1/slots/{session.slots[2].id}/reservations", environ_base=env)
    assert refused.status_code == 429 and refused.get_json()["error"]["code"] == "too_many_reservations"
    assert api.delete(f"/api/v1/reservations/{codes[0]}", environ_base=env).status_code == 204
    assert api.post(f"/api/v1/slots/{session.slots[2].id}/reservations", environ_base=env).status_code == 201


def test_with_redis_a_cancellation_gives_the_place_back_too(database_url, make_session, redis_url):
    """The Redis storage has no decr: the place must come back through Redis as it does in memory."""
    url = redis_url
    session = make_session(capacity=5)
    db_session.remove()
    app = create_app({"TESTING": True, "DATABASE_URL": database_url, "SECRET_KEY": SECRET, "REDIS_URL": url,
                      "RATELIMIT_ENABLED": True, "RATELIMIT_KEY_PREFIX": f"test-cap-{uuid.uuid4().hex[:8]}"})
    try:
        api, env = app.test_client(), {"REMOTE_ADDR": PHONE}
        codes = [api.post(f"/api/v1/slots/{s.id}/reservations", environ_base=env).get_json()["code"]
                 for s in session.slots[:2]]
        assert api.post(f"/api/v1/slots/{session.slots[2].id}/reservations", environ_base=env).status_code == 429
        assert api.delete(f"/api/v1/reservations/{codes[0]}", environ_base=env).status_code == 204
        assert api.post(f"/api/v1/slots/{session.slots[2].id}/reservations", environ_base=env).status_code == 201
    finally:
        app.extensions["engine"].dispose()
