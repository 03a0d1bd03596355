"""Takes, transfers, removes, closes and extensions made over the relay are audited like any other act, with
no web request anywhere: in a relay thread of this process and in `python -m realtime` (which loads no Flask).
Nothing a resident wrote reaches the log, its page or its CSV."""
from __future__ import annotations

import datetime as dt
import os

from harness.processes import Process, free_port, http_answers
from tests.audit.conftest import table
from tests.conftest import SECRET
from tests.realtime.conftest import Peer
from webapp.db import db_session, utcnow
from webapp.sessions.models import Session

MARKER = "ひみつのめじるし7Q"  # a resident's words, which must never reach the audit log
VISIT = {"kind": "visit_only", "topics": []}


def ends_soon(world) -> None:
    """The running session ends in 10 minutes, so extending it stays within the day at any hour."""
    session = db_session.get(Session, world.session_id)
    session.ends_at = (utcnow() + dt.timedelta(minutes=10)).replace(microsecond=0)
    db_session.commit()
    db_session.remove()


def staff(peers, relay, world, login: str) -> Peer:
    peer = peers(relay.url(world.staff_token(login)))
    peer.next("welcome")
    return peer


def test_hand_offs_and_closing_over_the_relay_are_logged_and_hold_no_resident_text(
        world, relay, peers, read_log, client, auth):
    ends_soon(world)
    alice_id, alice_token = world.check_in(nickname=MARKER[:8])
    bob_id, _ = world.check_in()
    alice = peers(relay.url(alice_token))
    alice.next("welcome")
    sato, tanaka = staff(peers, relay, world, "sato"), staff(peers, relay, world, "tanaka")
    alice.send(type="message", text=f"{MARKER} について相談したいです")
    sato.next("message", checkin_id=alice_id)

    sato.send(type="take", checkin_id=alice_id)
    sato.next("taken", checkin_id=alice_id)
    sato.send(type="message", checkin_id=alice_id, text=f"{MARKER} ですね")
    sato.send(type="transfer", checkin_id=alice_id, to_login="tanaka")
    sato.next("transferred", checkin_id=alice_id)
    tanaka.send(type="close", checkin_id=alice_id, outcome=VISIT)
    tanaka.next("closed", checkin_id=alice_id)
    sato.send(type="remove", checkin_id=bob_id)
    sato.next("removed", checkin_id=bob_id)
    sato.send(type="extend", session_id=world.session_id, minutes=15)
    sato.next("session", session_id=world.session_id)

    log = read_log()
    assert ("sato", "take", f"checkin:{alice_id}") in log
    assert ("sato", "transfer", f"checkin:{alice_id} to user:tanaka") in log
    assert ("tanaka", "close", f"checkin:{alice_id}") in log
    assert ("sato", "remove", f"checkin:{bob_id}") in log
    assert ("sato", "extend", f"session:{world.session_id}") in log

    auth.login("boss")
    page = client.get("/admin/audit").get_data(as_text=True)
    csv = client.get("/admin/audit.csv").get_data().decode("utf-8-sig")
    assert "checkin:" in page and "checkin:" in csv
    for where in (table(), repr(log), page, csv):
        assert MARKER not in where and MARKER[:8] not in where


def test_a_relay_without_flask_records_takes_closes_and_extensions(world, read_log, database_url, tmp_path):
    ends_soon(world)
    alice_id, alice_token = world.check_in()
    port = free_port()
    env = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": SECRET,
           "RELAY_PUBLIC_URL": f"ws://127.0.0.1:{port}/ws"}
    env.pop("REDIS_URL", None)
    relay = Process(["python", "-m", "realtime", "--host", "127.0.0.1", "--port", str(port)], env=env,
                    log=tmp_path / "relay.log").start()
    opened = []
    try:
        relay.wait_ready(lambda: http_answers(port, "/healthz"), what="python -m realtime")
        sato = Peer(f"ws://127.0.0.1:{port}/ws?token={world.staff_token('sato')}")
        opened.append(sato)
        sato.next("welcome")
        sato.send(type="take", checkin_id=alice_id)
        sato.next("taken", checkin_id=alice_id)
        sato.send(type="close", checkin_id=alice_id, outcome=VISIT)
        sato.next("closed", checkin_id=alice_id)
        sato.send(type="extend", session_id=world.session_id, minutes=15)
        sato.next("session", session_id=world.session_id)
    finally:
        for peer in opened:
            peer.close()
        relay.stop()
    log = read_log()
    for action, target in (("take", f"checkin:{alice_id}"), ("close", f"checkin:{alice_id}"),
                           ("extend", f"session:{world.session_id}")):
        assert ("sato", action, target) in log, (action, relay.log())
