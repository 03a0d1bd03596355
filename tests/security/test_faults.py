"""Parts fail on purpose: the relay is killed, the database goes away, Redis goes away. Nothing
acknowledged is lost, callers get clear answers, and everything recovers without a restart."""
from __future__ import annotations

import datetime as dt
import os
import shutil
import threading
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url
from websockets.exceptions import ConnectionClosed, InvalidStatus

from harness.processes import wait_until
from realtime.tokens import issue_resident_token, issue_staff_token
from tests.conftest import BACKEND, SECRET
from tests.security.conftest import Peer, RelayProcess, ThreadRelay
from tests.security.faults import TcpLink
from webapp import create_app
from webapp.clock import now_tokyo, today_tokyo
from webapp.db import db_session
from webapp.timeutil import TOKYO

OUTCOME = {"kind": "consultation", "topics": ["money"], "result": "listened", "referred_to": None}


# --- the relay is killed ----------------------------------------------------------------------------

def test_a_relay_killed_mid_conversation_keeps_every_acknowledged_message_and_clients_resume(
        world, relay_processes, peers, client):
    relay = relay_processes(extra_env={"RATELIMIT_ENABLED": "false"})
    checkin_id, token = world.check_in(nickname="つづき")
    sato = peers(relay.url(world.staff_token("sato")))
    sato.next("welcome")
    resident = peers(relay.url(token))
    resident.next("welcome")
    sato.send(type="take", checkin_id=checkin_id, mode="text")
    sato.next("taken", checkin_id=checkin_id)
    resident.next("handoff")

    for n in range(40):  # sent back to back; the relay acknowledges each by echoing it once stored
        resident.send(type="message", text=f"line {n}")
    acknowledged = [resident.next("message")["text"] for _ in range(10)]
    relay.kill()
    try:
        while True:
            frame = resident.next("message", timeout=5)
            acknowledged.append(frame["text"])
    except (ConnectionClosed, AssertionError):
        pass
    # While the relay is down the web app still checks people in.
    created = client.post(f"/api/v1/sessions/{world.session_id}/checkins", json={"avatar": "dog"})
    assert created.status_code == 201
    db_session.remove()  # the test's request context stays open; let go of its transaction as a request would
    relay.start()

    again = peers(relay.url(token))
    welcome = again.next("welcome")
    assert welcome["status"] == "in_consultation" and welcome["handoff"]["mode"] == "text"
    stored = [m["text"] for m in welcome["messages"]]
    assert set(acknowledged) <= set(stored), "an acknowledged message was lost"
    assert len(stored) == len(set(stored)), "a message was stored twice"
    assert stored == sorted(stored, key=lambda t: int(t.split()[1])), "messages out of order"
    newcomer = peers(relay.url(created.get_json()["token"]))
    assert newcomer.next("welcome")["position"] == 1

    sato = peers(relay.url(world.staff_token("sato")))
    sato.next("welcome")
    again.send(type="message", text="また話せますか")
    assert sato.next("message", checkin_id=checkin_id)["text"] == "また話せますか"
    sato.send(type="close", checkin_id=checkin_id, outcome=OUTCOME)
    sato.next("closed", checkin_id=checkin_id)
    assert again.next("closed")
    assert world.counts() == {"visits": 2, "consultations": 1, "waiting": 1, "in_consultation": 0}


# --- the database goes away -------------------------------------------------------------------------

def _future_slot(capacity=50) -> int:
    from webapp.sessions.operations import SessionSpec, create_session

    day = today_tokyo() + dt.timedelta(days=30)
    start = dt.datetime.combine(day, dt.time(13, 30), tzinfo=TOKYO)
    session = create_session(SessionSpec(date=day, starts_at=start, ends_at=start + dt.timedelta(hours=3),
                                         format="in_person", location="", join_url="", slot_minutes=30,
                                         capacity=capacity, promoters=[]))
    return session.slots[0].id


class RelayDuringOutage:
    """A relay on the same database with a resident and a promoter connected before the outage."""

    def __init__(self, app):
        from webapp.checkins import operations
        from webapp.sessions.operations import SessionSpec, create_session
        from webapp.staff.operations import create_user

        now = now_tokyo().replace(second=0, microsecond=0)
        start = max(now - dt.timedelta(hours=1), now.replace(hour=0, minute=0))
        end = min(now + dt.timedelta(hours=2), now.replace(hour=23, minute=59))
        with app.app_context():
            user = create_user("sato", "promoter", "主任推進員 sato", "correct-horse-battery")
            session = create_session(SessionSpec(date=now.date(), starts_at=start, ends_at=end, format="online",
                                                 location="", join_url="", slot_minutes=30, capacity=2,
                                                 promoters=["sato"]))
            checkin = operations.check_in(session.id, "cat")
            self.checkin_id = checkin.id
            self.tokens = {"resident": issue_resident_token(SECRET, checkin), "staff": issue_staff_token(SECRET, user)}
        db_session.remove()
        self.relay = ThreadRelay({**app.config, "REDIS_URL": None}).start()
        self.resident = Peer(self.relay.url(self.tokens["resident"]))
        self.resident.next("welcome")
        self.staff = Peer(self.relay.url(self.tokens["staff"]))
        self.staff.next("welcome")

    def during(self) -> None:
        """Writes get a clear error frame, new connections a 503, and the relay keeps answering."""
        self.resident.send(type="message", text="届きますか")
        assert self.resident.next("error")["code"] == "service_unavailable"
        with pytest.raises(InvalidStatus) as refused:
            Peer(self.relay.url(self.tokens["resident"]))
        assert refused.value.response.status_code == 503
        self.resident.send(type="ping")
        self.resident.next("pong")

    def after(self) -> None:
        """Without a restart, the next write goes through and reaches the promoter."""
        def written() -> bool:
            self.resident.send(type="message", text="もう一度")
            return any(f["type"] == "message" and f.get("text") == "もう一度" for f in self.resident.drain(1.5))

        wait_until(written, what="the relay to write again", every=0.5)
        assert self.staff.next("message", checkin_id=self.checkin_id, text="もう一度")
        Peer(self.relay.url(self.tokens["resident"])).next("welcome")

    def stop(self) -> None:
        for peer in (self.resident, self.staff):
            try:
                peer.close()
            except Exception:  # noqa: BLE001  (already closed)
                pass
        self.relay.shutdown()


def _assert_unavailable(client, slot_id: int) -> None:
    for method, path in (("GET", "/api/v1/sessions"), ("POST", f"/api/v1/slots/{slot_id}/reservations")):
        response = client.open(path, method=method)
        assert response.status_code == 503, (path, response.status_code, response.get_data(as_text=True)[:300])
        assert response.get_json()["error"]["code"] == "service_unavailable"
        assert response.headers["Retry-After"]
    page = client.get("/")
    assert page.status_code == 503 and "ただいまご利用いただけません" in page.get_data(as_text=True)


def _assert_consistent(slot_id: int, created_codes: list[str]) -> None:
    """Every seat count matches its reservations, and every 201 the callers saw is really there."""
    from webapp.reservations.models import Reservation
    from webapp.sessions.models import Slot

    try:
        slot = db_session.get(Slot, slot_id)
        active = db_session.scalar(select(func.count(Reservation.id)).where(
            Reservation.slot_id == slot_id, Reservation.status == "active"))
        assert slot.reserved == active, "a half-written reservation: seat count and reservations disagree"
        stored = set(db_session.scalars(select(Reservation.code)))
        assert set(created_codes) <= stored, "a reservation answered 201 is missing"
    finally:
        db_session.remove()


def _hammer(app, slot_id: int, stop: threading.Event, answers: list) -> None:
    """Reserve again and again, paced so four callers stay well under the slot's 50 seats."""
    client = app.test_client()
    while not stop.wait(0.05):  # at most ~80 a second in all: a fast database must not fill the slot
        response = client.post(f"/api/v1/slots/{slot_id}/reservations")
        answers.append((response.status_code, (response.get_json() or {}).get("code")))


def test_when_the_database_is_unreachable_callers_get_503_or_an_error_frame_nothing_is_half_written_and_it_recovers(
        database_url, tmp_path):
    if BACKEND == "postgres":
        _postgres_goes_away(database_url)
    else:
        _sqlite_file_goes_away(database_url, tmp_path)


def _postgres_goes_away(database_url: str) -> None:
    url = make_url(database_url)
    link = TcpLink((url.host or "127.0.0.1", url.port or 5432)).mend()
    app = create_app({"TESTING": True, "SECRET_KEY": SECRET, "RATELIMIT_ENABLED": False,
                      "DATABASE_URL": url.set(port=link.port).render_as_string(hide_password=False)})
    relay = None
    try:
        with app.app_context():
            slot_id = _future_slot()
        db_session.remove()
        relay = RelayDuringOutage(app)
        answers, stop = [], threading.Event()
        workers = [threading.Thread(target=_hammer, args=(app, slot_id, stop, answers)) for _ in range(4)]
        [w.start() for w in workers]
        wait_until(lambda: sum(1 for status, _ in answers if status == 201) >= 10, what="reservations", every=0.01)
        link.cut()  # mid-traffic: connections reset under running transactions
        wait_until(lambda: sum(1 for status, _ in answers if status == 503) >= 3, what="503s during the outage",
                   every=0.01)
        stop.set()
        [w.join(30) for w in workers]
        client = app.test_client()
        _assert_unavailable(client, slot_id)
        assert {status for status, _ in answers} <= {201, 503}, "an outage must be a 503, never a 500"
        assert any(status == 503 for status, _ in answers)
        relay.during()

        link.mend()
        wait_until(lambda: client.get("/api/v1/sessions").status_code == 200, what="recovery without restart")
        relay.after()
        assert client.post(f"/api/v1/slots/{slot_id}/reservations").status_code == 201
        with app.app_context():
            _assert_consistent(slot_id, [code for status, code in answers if status == 201])
    finally:
        link.cut()
        if relay is not None:
            relay.stop()
        app.extensions["engine"].dispose()


def _sqlite_file_goes_away(database_url: str, tmp_path: Path) -> None:
    """SQLite: the database file's folder is not there (an unmounted volume), then comes back."""
    source = Path(make_url(database_url).database)
    volume = tmp_path / "volume"
    volume.mkdir()
    shutil.copy(source, volume / "db.sqlite3")
    app = create_app({"TESTING": True, "SECRET_KEY": SECRET, "RATELIMIT_ENABLED": False,
                      "DATABASE_URL": f"sqlite:///{volume / 'db.sqlite3'}"})
    relay = None
    try:
        with app.app_context():
            slot_id = _future_slot()
        db_session.remove()
        app.extensions["engine"].dispose()  # no connection kept open to the old file
        client = app.test_client()
        assert client.post(f"/api/v1/slots/{slot_id}/reservations").status_code == 201
        relay = RelayDuringOutage(app)
        os.rename(volume, tmp_path / "unmounted")
        app.extensions["engine"].dispose()  # connections already open would still reach the moved file
        _assert_unavailable(client, slot_id)
        relay.during()
        os.rename(tmp_path / "unmounted", volume)
        assert client.get("/api/v1/sessions").status_code == 200
        relay.after()
        created = client.post(f"/api/v1/slots/{slot_id}/reservations")
        assert created.status_code == 201
        with app.app_context():
            _assert_consistent(slot_id, [created.get_json()["code"]])
    finally:
        if relay is not None:
            relay.stop()
        app.extensions["engine"].dispose()


# --- Redis goes away ----------------------------------------------------------------------------------

def test_when_redis_goes_away_relays_say_so_keep_serving_their_own_clients_and_fan_out_again_when_it_returns(
        world, relay_processes, peers, own_redis, database_url):
    one = relay_processes(redis_url=own_redis["url"], prefix="fault:")
    two = relay_processes(redis_url=own_redis["url"], prefix="fault:")
    checkin_id, token = world.check_in()
    resident = peers(one.url(token))
    resident.next("welcome")
    near = peers(one.url(world.staff_token("sato")))   # on the resident's relay
    far = peers(two.url(world.staff_token("tanaka")))  # on the other relay
    near.next("welcome"), far.next("welcome")
    resident.send(type="message", text="はじめ")
    assert far.next("message", checkin_id=checkin_id)["text"] == "はじめ"

    own_redis["kill"]()
    wait_until(lambda: "lost Redis" in one.log() and "lost Redis" in two.log(), what="a clear log line")
    assert [line for line in one.log().splitlines() if "lost Redis" in line][0].count("\n") == 0
    resident.send(type="message", text="とちゅう")
    assert near.next("message", checkin_id=checkin_id, text="とちゅう")  # local delivery goes on
    assert resident.next("message", text="とちゅう")
    # A relay started now refuses with one clear line instead of half-working.
    late = RelayProcess(database_url, redis_url=own_redis["url"], prefix="fault:")
    late.start(wait=False)
    _, err = late.proc.communicate(timeout=60)
    assert late.proc.returncode != 0 and "Redis" in err.decode() and "Traceback" not in err.decode()

    own_redis["start"]()
    wait_until(lambda: "is back" in one.log() and "is back" in two.log(), what="both relays to reconnect")
    resident.send(type="message", text="もどった")
    assert far.next("message", checkin_id=checkin_id, text="もどった")
    far.send(type="take", checkin_id=checkin_id)
    far.next("taken", checkin_id=checkin_id)
    assert resident.next("handoff")["promoter"]["display_name"] == "主任推進員 tanaka"
    assert one.proc.poll() is None and two.proc.poll() is None


def test_a_resident_whose_token_was_voided_while_the_relay_was_down_cannot_come_back(world, relay_processes, peers):
    from webapp.checkins import operations
    from webapp.staff.models import User

    relay = relay_processes()
    checkin_id, token = world.check_in()
    peers(relay.url(token)).next("welcome")
    relay.kill()
    operations.remove(checkin_id, db_session.get(User, world.user_ids["sato"]))
    db_session.remove()
    relay.start()
    with pytest.raises(InvalidStatus) as refused:
        Peer(relay.url(token))
    assert refused.value.response.status_code == 403
