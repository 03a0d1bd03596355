"""Presence across two relay processes through Redis: 接続中 / 離席中 whichever relay a resident is on,
and a relay that dies does not leave its residents "connected"."""
from __future__ import annotations

import os
import time

import pytest

from harness.processes import wait_until


@pytest.fixture
def two_relays(relay_processes, redis_url):
    prefix = f"presence:{os.getpid()}:{time.monotonic_ns()}:"
    fast = {"RELAY_MAINTENANCE_S": "1"}  # the periodic queue too, so a wait never hangs on one frame
    return tuple(relay_processes(redis_url=redis_url, prefix=prefix, extra_env=fast) for _ in range(2))


def connected_is(peer, checkin_id: int, value: bool) -> dict:
    """The next staff queue showing this resident as connected (or not); waits up to 30 s. Frames
    received until then are dropped, so the next wait sees only what comes after."""
    def shows(frame):
        return any(e["checkin_id"] == checkin_id and e["connected"] is value for e in frame["entries"])

    frame = peer.next("queue", timeout=30, where=shows)
    peer.drain(0)
    return next(e for e in frame["entries"] if e["checkin_id"] == checkin_id)


def test_a_resident_on_another_relay_shows_connected_away_and_back(world, two_relays, peers):
    one, two = two_relays
    alice_id, alice_token = world.check_in(avatar="cat")
    sato = peers(one.url(world.staff_token("sato")))
    sato.next("welcome")
    alice = peers(two.url(alice_token))
    alice.next("welcome")
    assert connected_is(sato, alice_id, True)["away_since"] is None

    alice.close()
    away = connected_is(sato, alice_id, False)
    assert away["away_since"] is not None and away["status"] == "waiting"

    back = peers(one.url(alice_token))  # back through the other relay
    assert back.next("welcome")["status"] == "waiting"
    connected_is(sato, alice_id, True)


def relays_holding(checkin_id: int) -> int:
    """How many relays have noted this resident as connected (they write arrivals in batches, after the welcome)."""
    from sqlalchemy import func, select

    from webapp.checkins.models import CheckinPresence
    from webapp.db import db_session

    try:
        return db_session.scalar(select(func.count()).select_from(CheckinPresence)
                                 .where(CheckinPresence.checkin_id == checkin_id))
    finally:
        db_session.remove()


def test_a_resident_with_tabs_on_both_relays_stays_connected_until_the_last_closes(world, two_relays, peers):
    one, two = two_relays
    alice_id, alice_token = world.check_in(avatar="cat")
    sato = peers(one.url(world.staff_token("sato")))
    sato.next("welcome")
    first, second = peers(one.url(alice_token)), peers(two.url(alice_token))
    first.next("welcome"), second.next("welcome")
    connected_is(sato, alice_id, True)
    # Relays write arrivals in batches after the welcome: on a busy machine the second may lag, so "one tab
    # left" holds only once both have noted the resident.
    wait_until(lambda: relays_holding(alice_id) == 2, what="both relays noting the resident as connected")
    first.close()
    first.ws.recv_events_thread.join(10)
    sato.drain(0)
    for _ in range(3):  # the refresh the first tab's going caused, and rounds of upkeep after it
        entry = next(e for e in sato.next("queue")["entries"] if e["checkin_id"] == alice_id)
        assert entry["connected"] is True  # still there through the other relay
    second.close()
    connected_is(sato, alice_id, False)


def test_a_relay_that_dies_does_not_leave_its_residents_connected(world, two_relays, peers):
    one, two = two_relays
    alice_id, alice_token = world.check_in(avatar="cat")
    sato = peers(one.url(world.staff_token("sato")))
    sato.next("welcome")
    peers(two.url(alice_token)).next("welcome")
    connected_is(sato, alice_id, True)

    two.kill()  # no goodbye: only the heartbeat it no longer sends tells
    connected_is(sato, alice_id, False)
    assert world.checkin(alice_id).status == "waiting"  # gone from sight, not from the line
