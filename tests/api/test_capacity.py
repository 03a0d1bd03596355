"""The capacity guarantee: however many people press 予約 at once, a slot never takes more than its seats."""
from __future__ import annotations

import threading
from collections import Counter

import pytest
from sqlalchemy import func, select

from tests.api.helpers import API
from webapp.db import db_session
from webapp.reservations.models import Reservation
from webapp.sessions.models import Slot


def _race(app, slot_id: int, people: int) -> list[tuple[int, str | None]]:
    """`people` threads, each with its own client, reserve the same slot at the same moment."""
    db_session.remove()  # the test thread holds no transaction (and no SQLite lock) during the race
    start = threading.Barrier(people)
    results: list[tuple[int, str | None]] = []
    lock = threading.Lock()

    def person():
        client = app.test_client()
        start.wait(timeout=60)
        response = client.post(f"{API}/slots/{slot_id}/reservations", json={})
        body = response.get_json() or {}
        with lock:
            results.append((response.status_code, body.get("error", {}).get("code")))

    threads = [threading.Thread(target=person) for _ in range(people)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a reservation hung"
    return results


def _held(slot_id: int) -> tuple[int, int]:
    """(reserved counter, active reservations) as the database has them."""
    db_session.rollback()
    reserved = db_session.scalar(select(Slot.reserved).where(Slot.id == slot_id))
    active = db_session.scalar(select(func.count(Reservation.id)).where(
        Reservation.slot_id == slot_id, Reservation.status == "active"))
    return reserved, active


def test_fifty_people_at_once_on_a_one_seat_slot_give_exactly_one_reservation(app, client, make_session):
    made = make_session(capacity=1)
    slot_id, session_id = made.slots[0].id, made.id
    results = _race(app, slot_id, 50)
    assert Counter(results) == {(201, None): 1, (409, "slot_full"): 49}
    assert _held(slot_id) == (1, 1)
    slots = client.get(f"{API}/sessions/{session_id}").get_json()["slots"]
    assert next(s["remaining"] for s in slots if s["id"] == slot_id) == 0


@pytest.mark.parametrize("seats", [3])
def test_a_crowd_fills_a_bigger_slot_exactly_to_its_seats(app, make_session, seats):
    slot_id = make_session(capacity=seats).slots[0].id
    results = _race(app, slot_id, 20)
    assert Counter(status for status, _ in results) == {201: seats, 409: 20 - seats}
    assert _held(slot_id) == (seats, seats)
