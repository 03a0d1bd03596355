"""Keep nothing about a resident that the service does not need: no address, no user agent, no
contact columns; texts gone after the retention period (counts and outcomes stay); a resident can
end their check-in and erase what they wrote."""
from __future__ import annotations

import datetime as dt
import logging
import os
import re
import urllib.request

import pytest
from sqlalchemy import inspect, select, update
from websockets.exceptions import ConnectionClosed, InvalidStatus

from harness.processes import Process, free_port
from tests.conftest import SECRET
from tests.security.conftest import Peer, csrf_token, snapshot
from webapp.checkins import operations
from webapp.checkins.models import Announcement, CheckIn, Message, Outcome
from webapp.clock import now_tokyo
from webapp.db import db_session
from webapp.reservations.models import Reservation
from webapp.staff.models import User

ADDRESS, FORWARDED = "203.0.113.77", "198.51.100.23"  # documentation ranges: recognisable, never real
AGENT = "IkomaruSpyAgent/9.9 (privacy-marker)"
MARKERS = (ADDRESS, FORWARDED, "IkomaruSpyAgent", "privacy-marker")

#: Tables about residents and what they did.
RESIDENT_TABLES = {"checkins", "messages", "reservations", "outcomes", "outcome_topics", "announcements"}
#: Word parts of a column name that would mean personal data about someone.
PERSONAL = {"ip", "addr", "address", "agent", "ua", "useragent", "email", "mail", "phone", "tel", "name",
            "contact", "birth", "age", "gender", "device", "browser", "fingerprint", "referer", "referrer", "host"}
#: The only exceptions: staff accounts have a login and a display name; a holiday has a name; so
#: has a helpline shown to residents in crisis, and the agency an admin's edit was about; an agency's
#: phone is the public number of a consultation window residents are shown, no one's own.
ALLOWED = {("users", "login"), ("users", "display_name"), ("sessions", "holiday_name"),
           ("crisis_contacts", "name_ja"), ("crisis_contacts", "name_en"),
           ("directory_edits", "name"),  # the agency or contact an admin edited
           ("agency_details", "phone")}


def test_no_table_has_a_column_for_an_address_a_user_agent_a_contact_or_a_name(app):
    inspector = inspect(app.extensions["engine"])
    tables = set(inspector.get_table_names())
    assert RESIDENT_TABLES <= tables
    found = []
    for table in tables:
        for column in inspector.get_columns(table):
            parts = set(column["name"].lower().split("_"))
            if parts & PERSONAL and (table, column["name"]) not in ALLOWED:
                found.append(f"{table}.{column['name']}")
            if table in RESIDENT_TABLES and "name" in column["name"] and column["name"] != "nickname":
                found.append(f"{table}.{column['name']}")
    assert found == []


def _as_a_resident(client, method, path, **kwargs):
    headers = {"User-Agent": AGENT, "X-Forwarded-For": FORWARDED, "Referer": f"https://{FORWARDED}/privacy-marker"}
    return client.open(path, method=method, headers=headers, environ_base={"REMOTE_ADDR": ADDRESS}, **kwargs)


def test_a_residents_address_and_user_agent_are_stored_and_logged_nowhere(roles, relay_processes, caplog):
    caplog.set_level(logging.DEBUG)
    relay = relay_processes()
    client = roles.app.test_client()
    token = csrf_token(client)
    slot = roles.F_slot
    form = {f"s{slot}-csrf_token": token, f"s{slot}-nickname": "", f"s{slot}-topic": "相談"}
    assert _as_a_resident(client, "POST", f"/slots/{slot}/reserve", data=form).status_code == 302
    code = _as_a_resident(client, "POST", f"/api/v1/slots/{slot}/reservations", json={}).get_json()["code"]
    _as_a_resident(client, "GET", f"/reservations/{code}")
    _as_a_resident(client, "GET", f"/api/v1/reservations/{code}.ics")
    assert _as_a_resident(client, "POST", f"/sessions/{roles.S}/checkin",
                          data={"csrf_token": token, "avatar": "cat", "nickname": "", "reservation_code": ""}
                          ).status_code == 302
    _as_a_resident(client, "POST", "/checkins/message", data={"csrf_token": token, "text": "こんにちは"})
    created = _as_a_resident(client, "POST", f"/api/v1/sessions/{roles.S}/checkins", json={"avatar": "dog"}).get_json()
    _as_a_resident(client, "POST", "/staff/login", data={"csrf_token": token, "login": "sato", "password": "wrong"})
    _as_a_resident(client, "GET", "/no-such-page")
    _as_a_resident(client, "POST", "/api/v1/sessions", json={"x": 1})

    headers = {"X-Forwarded-For": FORWARDED, "X-Real-IP": ADDRESS}
    resident = Peer(relay.url(created["token"]), user_agent_header=AGENT, additional_headers=headers)
    resident.next("welcome")
    resident.send(type="message", text="リレーからも")
    resident.next("message")
    resident.ws.send("not json")
    resident.next("error")
    resident.ws.send("x" * 5000)  # oversized: this connection is closed (1009)
    with pytest.raises(ConnectionClosed):
        resident.drain(3)
    with pytest.raises(InvalidStatus):
        Peer(relay.url("forged-token"), user_agent_header=AGENT, additional_headers=headers)
    relay.terminate()

    database = repr(snapshot())
    logs = "\n".join(f"{r.name} {r.getMessage()} {r.exc_text or ''}" for r in caplog.records
                     if not r.name.startswith("websockets.client"))  # the test's own client, not the service
    relay_log = relay.log()
    assert "relay:" in relay_log  # the relay did log; just nothing about who connected
    for marker in MARKERS:
        assert marker not in database, f"{marker} stored in the database"
        assert marker not in logs, f"{marker} in the web app's log"
        assert marker not in relay_log, f"{marker} in the relay's log"
    assert not re.search(r"127\.0\.0\.1:\d+ ", relay_log.replace(f"127.0.0.1:{relay.port}", "")), \
        "the relay logged a client's address and port"


def test_the_serve_command_logs_requests_without_the_clients_address(database_url, tmp_path):
    web, relay_port = free_port(), free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "RELAY_PUBLIC_URL", "ALLOWED_ORIGINS")}
    env.update(DATABASE_URL=database_url, SECRET_KEY=SECRET, TRUST_PROXY="1")
    serve = Process(["python", "-m", "flask", "--app", "wsgi", "serve", "--host", "127.0.0.1", "--port", str(web),
                     "--relay-port", str(relay_port)], env=env, log=tmp_path / "serve.log").start()

    def help_page_answers() -> bool:
        request = urllib.request.Request(f"http://127.0.0.1:{web}/help",
                                         headers={"User-Agent": AGENT, "X-Forwarded-For": FORWARDED})
        try:
            with urllib.request.urlopen(request, timeout=5) as response:
                return response.status == 200
        except OSError:
            return False

    try:
        serve.wait_ready(help_page_answers, what="`flask serve`")
        for path in ("/", "/no-such-page", "/api/v1/sessions"):
            try:
                urllib.request.urlopen(urllib.request.Request(f"http://127.0.0.1:{web}{path}", headers={
                    "User-Agent": AGENT, "X-Forwarded-For": FORWARDED}), timeout=5).read()
            except OSError:
                pass
    finally:
        serve.stop()
    output = serve.log()
    assert '"GET /help HTTP/1.1" 200' in output  # requests are logged...
    assert "127.0.0.1 - -" not in output  # ...without the address
    for marker in MARKERS:
        assert marker not in output


# --- retention ------------------------------------------------------------------------------------

def _past_session(make_session, days_ago: int):
    day = now_tokyo().date() - dt.timedelta(days=days_ago)
    return make_session(day=day, promoters=["sato"], capacity=5)


def test_purge_blanks_texts_past_retention_while_counts_and_outcomes_stay(app, runner, make_user, make_session):
    from webapp.stats.queries import fiscal_year_stats

    sato = make_user("sato")
    old, recent = _past_session(make_session, 45), _past_session(make_session, 3)
    texts = {}
    for session, label in ((old, "old"), (recent, "recent")):
        at = session.starts_at + dt.timedelta(minutes=10)
        consulted = operations.check_in(session.id, "cat", f"{label}-nick", now=at)
        operations.post_message(consulted.id, f"{label} resident text")
        operations.take(consulted.id, sato)
        operations.post_message(consulted.id, f"{label} staff text", staff=sato)
        operations.close(consulted.id, sato, "consultation", ["money"], "information", None)
        left = operations.check_in(session.id, "dog", "", now=at)
        operations.leave(left.id)
        operations.announce(session.id, sato, f"{label} announcement")
        db_session.execute(update(Message).where(Message.checkin_id.in_([consulted.id, left.id]))
                           .values(created_at=at))
        db_session.execute(update(Announcement).where(Announcement.session_id == session.id).values(created_at=at))
        db_session.commit()
        texts[label] = consulted.id
    for session, label in ((old, "old"), (recent, "recent")):
        # reserved beforehand, with a note of what to talk about
        reservation = Reservation(code=f"{label.upper()}CODE", slot_id=session.slots[0].id, nickname=f"{label}-r",
                                  topic=f"{label} topic")
        db_session.add(reservation)
    db_session.commit()
    year = old.date.year if old.date.month >= 4 else old.date.year - 1
    counts_before = {s.id: operations.counts(s.id) for s in (old, recent)}
    stats_before = fiscal_year_stats(year)
    outcomes_before = [(o.checkin_id, o.kind, [t.key for t in o.topics], o.result.key)
                       for o in db_session.scalars(select(Outcome).order_by(Outcome.id))]

    result = runner.invoke(args=["purge"])
    assert result.exit_code == 0, result.output
    assert "purged 2 message texts and 1 announcements; blanked 2 nicknames and reservation notes" in result.output

    db_session.expire_all()
    remaining = {m.text for m in db_session.scalars(select(Message))}
    assert remaining == {None, "recent resident text", "recent staff text"}
    assert {a.text for a in db_session.scalars(select(Announcement))} == {None, "recent announcement"}
    assert db_session.get(CheckIn, texts["old"]).nickname == ""
    assert db_session.get(CheckIn, texts["recent"]).nickname == "recent-nick"
    notes = {r.code: (r.nickname, r.topic) for r in db_session.scalars(select(Reservation))}
    assert notes == {"OLDCODE": ("", ""), "RECENTCODE": ("recent-r", "recent topic")}
    assert {s.id: operations.counts(s.id) for s in (old, recent)} == counts_before
    assert fiscal_year_stats(year) == stats_before
    assert [(o.checkin_id, o.kind, [t.key for t in o.topics], o.result.key)
            for o in db_session.scalars(select(Outcome).order_by(Outcome.id))] == outcomes_before
    again = runner.invoke(args=["purge"])
    assert "purged 0 message texts and 0 announcements" in again.output


# --- a resident erases their own check-in ---------------------------------------------------------

def test_a_resident_can_end_their_checkin_and_erase_their_messages_over_the_relay(world, relay, peers):
    checkin_id, token = world.check_in(nickname="ひみつ")
    sato = peers(relay.url(world.staff_token("sato")))
    sato.next("welcome")
    resident = peers(relay.url(token))
    resident.next("welcome")
    for text in ("家のことで", "だれにも言えなくて"):
        resident.send(type="message", text=text)
        sato.next("message", checkin_id=checkin_id, text=text)
    sato.send(type="message", checkin_id=checkin_id, text="聞かせてください")
    resident.next("message", **{"from": "staff"})

    resident.send(type="erase")
    assert resident.next("closed")["reason"] == "erased"
    with pytest.raises(ConnectionClosed):
        resident.drain(5)
    assert resident.ws.close_code == 1000
    assert sato.next("erased", checkin_id=checkin_id)["session_id"] == world.session_id
    checkin = world.checkin(checkin_id)
    assert checkin.status == "left" and checkin.nickname == "" and checkin.token_version == 1
    assert {m.text for m in db_session.scalars(select(Message).where(Message.checkin_id == checkin_id))} == {None}
    assert world.counts()["visits"] == 1  # the visit still counts
    db_session.remove()
    with pytest.raises(InvalidStatus) as refused:
        peers(relay.url(token))
    assert refused.value.response.status_code == 403
    sato.send(type="history", checkin_id=checkin_id)
    assert sato.next("history", checkin_id=checkin_id)["messages"] == []


def test_without_javascript_the_leave_page_erases_too_and_a_consultation_can_still_be_closed(roles):
    resident = roles.client("resident")
    checkin_id = roles.held_checkin_id(resident)
    token = csrf_token(resident)
    resident.post("/checkins/message", data={"csrf_token": token, "text": "消してほしい"})
    sato = db_session.get(User, roles.world.user_ids["sato"])
    operations.take(checkin_id, sato)
    db_session.remove()
    assert 'href="/checkins/leave#erase-heading"' in resident.get("/checkins/wait").get_data(as_text=True)
    page = resident.get("/checkins/leave").get_data(as_text=True)
    assert 'action="/checkins/erase"' in page
    response = resident.post("/checkins/erase", data={"csrf_token": token})
    assert response.status_code == 302 and "/checkins/done" in response.headers["Location"]
    checkin = operations.get(checkin_id)
    assert checkin.status == "in_consultation" and checkin.token_version == 1
    assert [m.text for m in db_session.scalars(select(Message).where(Message.checkin_id == checkin_id))] == [None]
    outcome = operations.close(checkin_id, db_session.get(User, roles.world.user_ids["sato"]), "consultation",
                               ["money"], "listened", None)
    assert outcome.kind == "consultation"
    assert resident.get("/checkins/state").get_json() == {"status": "none"}
