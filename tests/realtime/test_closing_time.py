"""Closing time on the relay: the notice 10 minutes before, extending, and the end (CONTRACT §6)."""
from __future__ import annotations

import datetime as dt

from tests.realtime.conftest import ThreadRelay
from webapp.db import db_session, utcnow
from webapp.sessions.models import Session
from webapp.timeutil import TOKYO, iso, local


def end_in(world, **delta) -> dt.datetime:
    """Move the running session's end to `delta` from now (as if the clock had moved on)."""
    session = db_session.get(Session, world.session_id)
    session.ends_at = (utcnow() + dt.timedelta(**delta)).replace(microsecond=0)
    db_session.commit()
    ends_at = session.ends_at
    db_session.remove()
    return ends_at


def test_staff_and_waiting_residents_are_warned_once_ten_minutes_before_the_end(world, relay_config, peers):
    alice_id, alice_token = world.check_in(avatar="cat")
    relay = ThreadRelay(relay_config).start()
    sato = peers(relay.url(world.staff_token("sato")))
    sato.next("welcome")
    alice = peers(relay.url(alice_token))
    alice.next("welcome")
    ends_at = end_in(world, minutes=5)

    assert sato.next("closing") == {"type": "closing", "session_id": world.session_id, "ends_at": iso(ends_at),
                                    "waiting": 1}
    assert alice.next("closing") == {"type": "closing", "ends_at": iso(ends_at)}

    relay.shutdown()  # a restarted relay does not warn again
    relay = ThreadRelay(relay_config).start()
    try:
        tanaka = peers(relay.url(world.staff_token("tanaka")))
        tanaka.next("welcome"), tanaka.next("queue")
        tanaka.next("queue"), tanaka.next("queue")  # two rounds of upkeep have passed
        assert [f for f in tanaka.seen if f["type"] == "closing"] == []
    finally:
        relay.shutdown()


def test_a_promoter_extends_and_every_follower_and_the_api_see_the_new_end(world, relay, peers, client):
    _, alice_token = world.check_in(avatar="cat")
    before = end_in(world, minutes=5)  # early enough that 15 more minutes stay within the day
    sato = peers(relay.url(world.staff_token("sato")))
    tanaka = peers(relay.url(world.staff_token("tanaka")))
    sato.next("welcome"), tanaka.next("welcome")
    alice = peers(relay.url(alice_token))
    alice.next("welcome")

    sato.send(type="extend", session_id=world.session_id, minutes=15)
    later = iso(before + dt.timedelta(minutes=15))
    expected = {"type": "session", "session_id": world.session_id, "ends_at": later}
    assert sato.next("session") == expected
    assert tanaka.next("session") == expected
    assert alice.next("session") == expected
    assert client.get(f"/api/v1/sessions/{world.session_id}").get_json()["ends_at"] == later


def test_extend_is_refused_to_outsiders_and_outside_one_to_120_minutes(world, relay, peers):
    kimura = peers(relay.url(world.staff_token("kimura")))  # a promoter, not of this session
    kimura.next("welcome")
    kimura.send(type="extend", session_id=world.session_id, minutes=15)
    assert kimura.next("error")["code"] == "forbidden"
    boss = peers(relay.url(world.staff_token("boss")))
    boss.next("welcome")
    for minutes in (0, 121, "15"):
        boss.send(type="extend", session_id=world.session_id, minutes=minutes)
        assert boss.next("error")["code"] in ("invalid_minutes", "bad_frame")
    before = end_in(world, minutes=5)
    # A session stays within its day (Asia/Tokyo): late in the evening, the longest extension the day allows.
    day_end = dt.datetime.combine(local(before).date(), dt.time(23, 59), tzinfo=TOKYO)
    minutes = max(1, min(120, int((day_end - before).total_seconds() // 60)))
    boss.send(type="extend", session_id=world.session_id, minutes=minutes)  # an admin may
    assert boss.next("session")["ends_at"] == iso(before + dt.timedelta(minutes=minutes))


def test_at_the_end_a_waiting_resident_gets_contacts_and_the_next_session_and_an_urgent_one_stays(
        world, relay, peers, make_session):
    upcoming = make_session(promoters=["sato"])
    alice_id, alice_token = world.check_in(avatar="cat")
    bob_id, bob_token = world.check_in(avatar="dog")
    sato = peers(relay.url(world.staff_token("sato")))
    sato.next("welcome")
    alice, bob = peers(relay.url(alice_token)), peers(relay.url(bob_token))
    alice.next("welcome"), bob.next("welcome")
    bob.send(type="message", text="もう死にたい")
    bob.next("crisis")

    end_in(world, seconds=2)
    closed = alice.next("closed")
    assert closed["reason"] == "session_ended"
    assert closed["contacts"] and all(c["name"] and c["detail"] and c["url"] for c in closed["contacts"])
    assert closed["next_session"] == {"id": upcoming.id, "starts_at": iso(upcoming.starts_at),
                                      "format": upcoming.format}

    queue = sato.next("queue", where=lambda f: any(e["not_seen"] for e in f["entries"]))
    shown = {e["checkin_id"]: e for e in queue["entries"]}
    assert shown[alice_id]["not_seen"] and shown[bob_id]["status"] == "waiting" and not shown[bob_id]["not_seen"]
    assert "closed" not in [f["type"] for f in bob.drain(0)]
    assert world.checkin(bob_id).status == "waiting"
    assert world.counts()["visits"] == 2

    sato.send(type="close", checkin_id=alice_id, outcome={"kind": "visit_only", "topics": [], "result": None,
                                                          "referred_to": None})
    sato.next("closed", checkin_id=alice_id)
    queue = sato.next("queue", where=lambda f: alice_id not in [e["checkin_id"] for e in f["entries"]])
    assert [e["checkin_id"] for e in queue["entries"]] == [bob_id]
    assert world.counts()["visits"] == 2
    assert peers(relay.url(alice_token)).next("welcome")["status"] == "closed"


def test_two_relays_over_redis_warn_once_and_carry_an_extension(world, relay_processes, peers, redis_url):
    prefix = f"closing:{world.session_id}:{utcnow().timestamp()}:"
    fast = {"RELAY_MAINTENANCE_S": "1"}
    one = relay_processes(redis_url=redis_url, prefix=prefix, extra_env=fast)
    two = relay_processes(redis_url=redis_url, prefix=prefix, extra_env=fast)
    _, alice_token = world.check_in(avatar="cat")
    alice = peers(two.url(alice_token))
    sato = peers(one.url(world.staff_token("sato")))
    tanaka = peers(two.url(world.staff_token("tanaka")))
    alice.next("welcome"), sato.next("welcome"), tanaka.next("welcome")
    ends_at = end_in(world, minutes=5)

    for peer in (sato, tanaka):
        assert peer.next("closing")["ends_at"] == iso(ends_at)
    assert alice.next("closing") == {"type": "closing", "ends_at": iso(ends_at)}
    for _ in range(3):  # three more rounds of upkeep on both relays
        sato.next("queue"), tanaka.next("queue")
    assert [f["type"] for f in sato.seen + tanaka.seen + alice.seen].count("closing") == 3

    tanaka.send(type="extend", session_id=world.session_id, minutes=30)
    later = iso(ends_at + dt.timedelta(minutes=30))
    for peer in (sato, tanaka, alice):
        assert peer.next("session")["ends_at"] == later
