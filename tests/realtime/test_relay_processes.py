"""Relays as separate processes: a crash loses nothing, Redis joins several relays, `serve` runs both halves."""
from __future__ import annotations

import json
import os
import signal
import time
import urllib.request

import pytest
from websockets.exceptions import ConnectionClosed

from harness.processes import Process, free_port, tcp_answers, wait_until
from tests.conftest import SECRET
from tests.realtime.conftest import RelayProcess

OUTCOME = {"kind": "consultation", "topics": ["money"], "result": "information", "referred_to": None}


def test_a_relay_killed_mid_session_and_restarted_loses_nothing(world, relay_processes, peers):
    relay = relay_processes()
    alice_id, alice_token = world.check_in(avatar="cat")
    bob_id, bob_token = world.check_in(avatar="dog")
    carol_id, _ = world.check_in(avatar="bird")
    sato = peers(relay.url(world.staff_token("sato")))
    sato.next("welcome")
    alice = peers(relay.url(alice_token))
    alice.next("welcome")
    alice.send(type="message", text="お金のことで相談です")
    sato.next("message", checkin_id=alice_id)
    sato.send(type="take", checkin_id=alice_id)
    sato.next("taken", checkin_id=alice_id)
    sato.send(type="message", checkin_id=alice_id, text="詳しく教えてください")
    alice.next("message", **{"from": "staff"})
    sato.send(type="take", checkin_id=carol_id)
    sato.next("taken", checkin_id=carol_id)
    sato.send(type="close", checkin_id=carol_id, outcome=OUTCOME)
    sato.next("closed", checkin_id=carol_id)

    relay.kill()
    with pytest.raises(ConnectionClosed):
        alice.ws.recv(timeout=10)
    relay.start()

    welcome = peers(relay.url(alice_token)).next("welcome")
    assert welcome["status"] == "in_consultation"
    assert welcome["handoff"]["promoter"]["display_name"] == "主任推進員 sato"
    assert [m["text"] for m in welcome["messages"]] == ["お金のことで相談です", "詳しく教えてください"]
    assert peers(relay.url(bob_token)).next("welcome")["position"] == 1
    sato = peers(relay.url(world.staff_token("sato")))
    sato.next("welcome")
    queue = sato.next("queue")
    assert {(e["checkin_id"], e["status"]) for e in queue["entries"]} == {
        (alice_id, "in_consultation"), (bob_id, "waiting")}
    assert sato.next("counts")["consultations"] == 1
    sato.send(type="close", checkin_id=alice_id, outcome=OUTCOME)
    sato.next("closed", checkin_id=alice_id)
    assert world.counts() == {"visits": 3, "consultations": 2, "waiting": 1, "in_consultation": 0}


def test_two_relays_over_redis_carry_the_whole_flow(world, relay_processes, peers, redis_url):
    prefix = f"test:{os.getpid()}:{time.monotonic_ns()}:"
    one = relay_processes(redis_url=redis_url, prefix=prefix)
    two = relay_processes(redis_url=redis_url, prefix=prefix)
    alice_id, alice_token = world.check_in()
    _, bob_token = world.check_in()
    alice = peers(one.url(alice_token))
    bob = peers(two.url(bob_token))
    alice.next("welcome"), bob.next("welcome")
    sato = peers(two.url(world.staff_token("sato")))
    tanaka = peers(one.url(world.staff_token("tanaka")))
    sato.next("welcome"), tanaka.next("welcome")

    alice.send(type="message", text="別のリレーから")
    assert sato.next("message", checkin_id=alice_id)["text"] == "別のリレーから"
    sato.send(type="announce", session_id=world.session_id, text="順番にご案内します")
    assert alice.next("announcement")["text"] == "順番にご案内します"
    assert bob.next("announcement")["text"] == "順番にご案内します"

    sato.send(type="take", checkin_id=alice_id)
    sato.next("taken")
    tanaka.send(type="take", checkin_id=alice_id)
    assert tanaka.next("error")["code"] == "already_taken"
    assert alice.next("handoff")["promoter"]["display_name"] == "主任推進員 sato"
    assert bob.next("queue", position=1)["waiting"] == 1

    alice.send(type="message", text="ここからは二人だけ")
    assert sato.next("message", checkin_id=alice_id)["text"] == "ここからは二人だけ"
    sato.send(type="close", checkin_id=alice_id, outcome=OUTCOME)
    assert alice.next("closed")
    assert tanaka.next("counts", consultations=1)["visits"] == 2
    private = [f for f in tanaka.drain() + bob.drain() + tanaka.seen + bob.seen
               if f.get("text") == "ここからは二人だけ"]
    assert private == []


def test_a_relay_refuses_to_start_when_redis_is_unreachable(database_url):
    relay = RelayProcess(database_url, redis_url=f"redis://127.0.0.1:{free_port()}/0")
    relay.start(wait=False)
    _, err = relay.proc.communicate(timeout=60)
    assert relay.proc.returncode != 0
    lines = [line for line in err.decode().splitlines() if line.strip()]
    assert len(lines) == 1 and "Redis" in lines[0] and "Traceback" not in err.decode()


def test_a_relay_that_loses_redis_keeps_serving_its_own_clients_and_reconnects(world, relay_processes, peers,
                                                                               own_redis):
    one = relay_processes(redis_url=own_redis["url"], prefix="lost:")
    two = relay_processes(redis_url=own_redis["url"], prefix="lost:")
    alice_id, alice_token = world.check_in()
    alice = peers(one.url(alice_token))
    alice.next("welcome")
    sato = peers(one.url(world.staff_token("sato")))
    tanaka = peers(two.url(world.staff_token("tanaka")))
    sato.next("welcome"), tanaka.next("welcome")

    own_redis["kill"]()
    alice.send(type="message", text="Redis がなくても届きます")
    assert sato.next("message", checkin_id=alice_id)["text"] == "Redis がなくても届きます"
    wait_until(lambda: "lost Redis" in one.log(), what="the relay to notice")

    own_redis["start"]()
    wait_until(lambda: "is back" in one.log() and "is back" in two.log(), what="both relays to reconnect")
    alice.send(type="message", text="また全員に届きます")
    assert tanaka.next("message", checkin_id=alice_id, text="また全員に届きます")
    assert one.proc.poll() is None and two.proc.poll() is None


def test_serve_runs_web_and_relay_together_and_ctrl_c_stops_both(world, database_url, peers, tmp_path):
    web_port, relay_port = free_port(), free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "RELAY_PUBLIC_URL", "ALLOWED_ORIGINS")}
    env.update(DATABASE_URL=database_url, SECRET_KEY=SECRET)
    serve = Process(["python", "-m", "flask", "--app", "wsgi", "serve", "--host", "127.0.0.1", "--port",
                     str(web_port), "--relay-port", str(relay_port)], env=env, log=tmp_path / "serve.log").start()
    proc = serve.proc
    try:
        base = f"http://127.0.0.1:{web_port}/api/v1"
        serve.wait_ready(lambda: _get(f"{base}/sessions/{world.session_id}/counts") is not None, what="the web app")
        serve.wait_ready(lambda: tcp_answers(relay_port), what="the relay")  # it may listen later
        request = urllib.request.Request(f"{base}/sessions/{world.session_id}/checkins", method="POST",
                                         data=json.dumps({"avatar": "moon"}).encode(),
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=10) as response:
            created = json.loads(response.read())
        assert created["ws_url"] == f"ws://127.0.0.1:{relay_port}/ws"
        alice = peers(f"{created['ws_url']}?token={created['token']}", origin=f"http://127.0.0.1:{web_port}")
        assert alice.next("welcome")["checkin_id"] == created["checkin_id"]

        proc.send_signal(signal.SIGINT)
        with pytest.raises(ConnectionClosed):
            alice.ws.recv(timeout=15)
        assert alice.ws.close_code == 1001
        assert proc.wait(20) == 0
        assert _get(f"{base}/sessions/{world.session_id}/counts") is None
    finally:
        serve.stop()
    output = serve.log()
    assert "Traceback" not in output
    assert "127.0.0.1 - -" not in output  # no client address in the request log


def _get(url: str):
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return json.loads(response.read())
    except OSError:
        return None
