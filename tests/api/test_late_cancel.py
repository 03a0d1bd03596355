"""Cancelling after the reserved time is over: the API and the reservation page refuse it alike."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import update

from tests.api.helpers import API, error_code
from webapp.db import db_session, utcnow
from webapp.reservations.operations import find, reserve
from webapp.sessions.models import Slot


@pytest.fixture
def over(make_session):
    """The code of an active reservation whose slot ended an hour ago."""
    slot = make_session(capacity=1).slots[0]
    code = reserve(slot.id).code
    ended = utcnow() - dt.timedelta(hours=1)
    db_session.execute(update(Slot).where(Slot.id == slot.id).values(
        starts_at=ended - dt.timedelta(minutes=30), ends_at=ended))
    db_session.commit()
    return code


def test_the_api_refuses_to_cancel_once_the_time_is_over(client, over):
    response = client.delete(f"{API}/reservations/{over}")
    assert response.status_code == 409 and error_code(response) == "slot_ended"
    assert client.get(f"{API}/reservations/{over}").get_json()["status"] == "active"


def test_the_reservation_page_offers_no_cancel_once_the_time_is_over(client, over):
    assert f'href="/reservations/{over}/cancel"' not in client.get(f"/reservations/{over}").get_data(as_text=True)
    response = client.get(f"/reservations/{over}/cancel")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/reservations/{over}")
    db_session.remove()
    assert find(over).status == "active"


def test_a_reservation_cancelled_in_time_stays_a_harmless_204_afterwards(client, make_session):
    slot = make_session(capacity=1).slots[0]
    code = reserve(slot.id).code
    assert client.delete(f"{API}/reservations/{code}").status_code == 204
    db_session.execute(update(Slot).where(Slot.id == slot.id).values(
        starts_at=utcnow() - dt.timedelta(hours=2), ends_at=utcnow() - dt.timedelta(hours=1)))
    db_session.commit()
    assert client.delete(f"{API}/reservations/{code}").status_code == 204
