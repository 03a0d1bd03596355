"""The session day on the relay (CONTRACT §6): 受付番号, presence, transfer notes, typing, badges."""
from __future__ import annotations

import time

import pytest
from sqlalchemy import select

from webapp.checkins.models import CheckinPromoter
from webapp.db import db_session

OUTCOME = {"kind": "consultation", "topics": ["elderly"], "result": "listened", "referred_to": None}
VISIT_ONLY = {"kind": "visit_only", "topics": [], "result": None, "referred_to": None}


@pytest.fixture
def console(world, relay, peers):
    """A promoter's console, connected and past its first queue."""

    def open_console(login):
        peer = peers(relay.url(world.staff_token(login)))
        peer.next("welcome")
        peer.next("queue", session_id=world.session_id)
        return peer

    return open_console


def entry_of(queue: dict, checkin_id: int) -> dict | None:
    return next((e for e in queue["entries"] if e["checkin_id"] == checkin_id), None)


def queue_where(peer, checkin_id: int, **fields) -> dict:
    """The next staff queue in which this check-in's entry has these values (waits up to 30 s). Frames
    received until then are dropped, so the next wait sees only what comes after."""
    def matches(frame):
        entry = entry_of(frame, checkin_id)
        return entry is not None and all(entry.get(k) == v for k, v in fields.items())

    entry = entry_of(peer.next("queue", timeout=30, where=matches), checkin_id)
    peer.drain(0)
    return entry


def test_each_checkin_gets_the_next_number_in_the_answer_the_welcome_and_the_queue(world, relay, peers, console,
                                                                                   client):
    answers = [client.post(f"/api/v1/sessions/{world.session_id}/checkins", json={"avatar": "bear"}).get_json()
               for _ in range(3)]
    assert [a["number"] for a in answers] == [1, 2, 3]
    welcome = peers(relay.url(answers[1]["token"])).next("welcome")
    assert welcome["number"] == 2
    sato = console("sato")
    queue = sato.next("queue", where=lambda f: len(f["entries"]) == 3)
    assert [(e["checkin_id"], e["number"]) for e in queue["entries"]] == [(a["checkin_id"], a["number"])
                                                                          for a in answers]


def test_the_console_sees_a_resident_connected_then_away_since_then_back_in_the_same_place(
        world, relay, peers, console):
    first_id, _ = world.check_in(avatar="dog")
    alice_id, alice_token = world.check_in(avatar="cat")
    sato = console("sato")
    alice = peers(relay.url(alice_token))
    assert alice.next("welcome")["position"] == 2
    assert queue_where(sato, alice_id, connected=True)["away_since"] is None

    alice.close()
    gone = queue_where(sato, alice_id, connected=False)
    assert gone["away_since"] is not None and gone["status"] == "waiting"

    back = peers(relay.url(alice_token))
    assert back.next("welcome")["position"] == 2
    assert queue_where(sato, alice_id, connected=True)["status"] == "waiting"


def test_the_estimated_wait_counts_only_residents_still_there(world, relay, peers):
    alice_id, alice_token = world.check_in(avatar="cat")
    bob_id, bob_token = world.check_in(avatar="dog")
    alice, bob = peers(relay.url(alice_token)), peers(relay.url(bob_token))
    alice.next("welcome")
    welcome = bob.next("welcome")
    assert (welcome["position"], welcome["estimated_wait_s"]) == (2, 2 * 20 * 60 // 2)

    alice.close()
    shorter = bob.next("queue", timeout=30, where=lambda f: f["estimated_wait_s"] == 1 * 20 * 60 // 2)
    assert shorter["position"] == 2 and shorter["waiting"] == 2  # alice keeps her place in line


def test_a_gone_resident_is_ended_as_a_visit_and_a_prank_removed_uncounted(world, relay, peers, console):
    gone_id, gone_token = world.check_in(avatar="cat")
    prank_id, _ = world.check_in(avatar="dog")
    sato = console("sato")
    peers(relay.url(gone_token)).close()
    queue_where(sato, gone_id, connected=False)

    sato.send(type="close", checkin_id=gone_id, outcome=VISIT_ONLY)
    assert sato.next("closed", checkin_id=gone_id)["outcome"]["kind"] == "visit_only"
    sato.send(type="remove", checkin_id=prank_id)
    sato.next("removed", checkin_id=prank_id)
    assert world.counts() == {"visits": 1, "consultations": 0, "waiting": 0, "in_consultation": 0}


def test_a_transfer_note_reaches_the_new_promoter_with_the_conversation_and_both_are_credited(
        world, relay, peers, console, auth, client):
    sato, tanaka = console("sato"), console("tanaka")
    alice_id, alice_token = world.check_in(avatar="cat")
    alice = peers(relay.url(alice_token))
    alice.next("welcome")
    sato.send(type="take", checkin_id=alice_id)
    sato.next("taken", checkin_id=alice_id)
    assert "transferred" not in alice.next("handoff")
    alice.send(type="message", text="介護のことで")
    sato.next("message", checkin_id=alice_id)

    sato.send(type="transfer", checkin_id=alice_id, to_login="tanaka", note="あ" * 501)
    assert sato.next("error")["code"] == "too_long"
    sato.send(type="transfer", checkin_id=alice_id, to_login="tanaka", note="介護保険の申請を手伝ってください")
    sato.next("transferred", checkin_id=alice_id)
    taken = tanaka.next("taken", checkin_id=alice_id)
    assert taken["note"] == "介護保険の申請を手伝ってください"
    assert taken["transferred_from"]["login"] == "sato"
    assert [m["text"] for m in taken["messages"]] == ["介護のことで"]
    handoff = alice.next("handoff")
    assert handoff["transferred"] is True and handoff["promoter"]["display_name"] == "主任推進員 tanaka"

    tanaka.send(type="close", checkin_id=alice_id, outcome=OUTCOME)
    record = tanaka.next("closed", checkin_id=alice_id)
    assert [p["login"] for p in record["promoters"]] == ["sato", "tanaka"]
    credited = db_session.scalars(select(CheckinPromoter.user_id).where(CheckinPromoter.checkin_id == alice_id)
                                  .order_by(CheckinPromoter.since)).all()
    assert credited == [world.user_ids["sato"], world.user_ids["tanaka"]]
    db_session.remove()
    auth.login("boss")
    page = client.get(f"/staff/stats/sessions/{world.session_id}").get_data(as_text=True)
    assert "主任推進員 sato → 主任推進員 tanaka" in page


def test_typing_reaches_the_right_people_without_text_and_a_burst_once(world, relay, peers, console):
    sato, tanaka = console("sato"), console("tanaka")
    alice_id, alice_token = world.check_in(avatar="cat")
    _, bob_token = world.check_in(avatar="dog")
    alice, bob = peers(relay.url(alice_token)), peers(relay.url(bob_token))
    alice.next("welcome"), bob.next("welcome")

    for _ in range(3):
        alice.send(type="typing", text="ひみつ")  # whatever a client adds, nothing of it is passed on
    for staff in (sato, tanaka):
        assert staff.next("typing") == {"type": "typing", "from": "resident", "checkin_id": alice_id,
                                        "session_id": world.session_id}
    sato.send(type="typing", checkin_id=alice_id)  # not taken yet: nothing reaches the resident
    sato.send(type="take", checkin_id=alice_id)
    sato.next("taken", checkin_id=alice_id)
    tanaka.send(type="typing", checkin_id=alice_id)  # not hers: nothing
    sato.send(type="ping")
    sato.next("pong")
    assert [f["type"] for f in sato.drain() + tanaka.drain()].count("typing") == 0  # the burst went once
    assert [f for f in alice.drain() if f["type"] == "typing"] == []

    deadline = time.monotonic() + 30
    while not [f for f in alice.drain(0.5) if f["type"] == "typing"]:  # the throttle lets the next one by
        assert time.monotonic() < deadline, "the promoter's typing never reached the resident"
        sato.send(type="typing", checkin_id=alice_id)
    assert [f for f in bob.drain() if f["type"] == "typing"] == []
    assert [f for f in alice.seen if f["type"] == "typing"][0] == {"type": "typing", "from": "staff"}


def test_taking_a_resident_tells_every_console_to_drop_its_badge(world, relay, peers, console):
    sato, tanaka = console("sato"), console("tanaka")
    alice_id, alice_token = world.check_in(avatar="cat")
    alice = peers(relay.url(alice_token))
    alice.next("welcome")
    alice.send(type="message", text="こんにちは")
    tanaka.next("message", checkin_id=alice_id)
    sato.send(type="take", checkin_id=alice_id)
    claimed = tanaka.next("claimed", checkin_id=alice_id)
    assert claimed["taken_by"] == {"login": "sato", "display_name": "主任推進員 sato"}
    assert claimed["session_id"] == world.session_id
