"""Rate limits an abuser cannot step around (issue 14, finding 12): password guesses per account from any
address, look-ups by reservation code whatever the method, and caps per client and per session on check-ins
and reservations. Over a cap: 429 in the contract's shape (pages: a kind message) and nothing is counted.
Clients are told apart by X-Forwarded-For behind one trusted proxy (TRUST_PROXY=1), as in production."""
from __future__ import annotations

import datetime as dt
import time

import pytest

from harness.processes import wait_until
from tests.conftest import SECRET
from webapp import create_app
from webapp.clock import now_tokyo
from webapp.db import db_session

PROXY = {"REMOTE_ADDR": "127.0.0.1"}  # nginx in front; the client is in X-Forwarded-For


def via(address: str) -> dict:
    return {"headers": {"X-Forwarded-For": address}, "environ_base": PROXY}


def away_from_the_end_of(window_s: int) -> None:
    """Caps count in fixed windows: start a test well inside one, so it cannot roll over mid-test."""
    wait_until(lambda: time.time() % window_s < window_s - 30, timeout=60, what="a fresh counting window")


@pytest.fixture
def limited(database_url):
    """make(**config): an app with limits on (in memory) behind one proxy, a running session and a future slot."""
    from webapp.sessions.operations import SessionSpec, create_session

    made = []

    def make(**config):
        app = create_app({"TESTING": True, "DATABASE_URL": database_url, "SECRET_KEY": SECRET,
                          "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": True, "TRUST_PROXY": 1, **config})
        made.append(app)
        if len(made) == 1:
            with app.app_context():
                now = now_tokyo()
                start = max(now - dt.timedelta(hours=1), now.replace(hour=0, minute=0, second=0, microsecond=0))
                end = min(now + dt.timedelta(hours=2), now.replace(hour=23, minute=59, second=0, microsecond=0))
                running = create_session(SessionSpec(
                    date=now.date(), starts_at=start, ends_at=end, format="online", location="", join_url="",
                    slot_minutes=15, capacity=50, promoters=[]))
                later = now + dt.timedelta(days=20)
                future = create_session(SessionSpec(
                    date=later.date(), starts_at=later.replace(hour=13, minute=30),
                    ends_at=later.replace(hour=16, minute=30), format="online", location="", join_url="",
                    slot_minutes=30, capacity=50, promoters=[]))
                make.ids = {"S": running.id, "slot": future.slots[0].id}
                db_session.remove()
        return app

    yield make
    db_session.remove()
    for app in made:
        app.extensions["engine"].dispose()


def visits(client, session_id: int) -> int:
    return client.get(f"/api/v1/sessions/{session_id}/counts").get_json()["visits"]


# --- login: per account, whatever the address ------------------------------------------------------

def _account(app, login: str) -> None:
    from webapp.staff.operations import create_user

    with app.app_context():
        create_user(login, "promoter", f"主任推進員 {login}", "correct-horse-battery")
        db_session.remove()


def _log_in(app, login: str, password: str, address: str):
    return app.test_client().post("/staff/login", data={"login": login, "password": password}, **via(address))


def test_guesses_at_one_account_from_many_addresses_are_stopped_and_the_right_password_waits_too(limited):
    away_from_the_end_of(15 * 60)
    app = limited(LOGIN_FAILURES_PER_ACCOUNT=3)
    _account(app, "sato"), _account(app, "kimura")
    answers = [_log_in(app, "sato", f"guess-number-{n}", f"203.0.113.{n}").status_code for n in range(1, 4)]
    assert answers == [400, 400, 400]
    refused = _log_in(app, "sato", "guess-number-4", "198.51.100.4")  # another address changes nothing
    assert refused.status_code == 429
    assert "しばらくログインできません" in refused.get_data(as_text=True)
    assert _log_in(app, "sato", "correct-horse-battery", "198.51.100.5").status_code == 429
    assert _log_in(app, "kimura", "correct-horse-battery", "198.51.100.4").status_code == 302  # others still get in
    assert _log_in(app, "nobody-at-all", "guess", "198.51.100.4").status_code == 400

    from webapp.audit.operations import between
    with app.app_context():
        throttled = [(e.actor, e.target) for e in between(None, None) if e.action == "login_throttled"]
        db_session.remove()
    assert throttled == [("", "user:sato"), ("", "user:sato")]


def test_only_failures_count_against_an_account(limited):
    away_from_the_end_of(15 * 60)
    app = limited(LOGIN_FAILURES_PER_ACCOUNT=2)
    _account(app, "sato")
    assert _log_in(app, "sato", "guess-number-1", "203.0.113.1").status_code == 400
    assert _log_in(app, "sato", "correct-horse-battery", "203.0.113.1").status_code == 302
    assert _log_in(app, "sato", "guess-number-2", "203.0.113.2").status_code == 400
    assert _log_in(app, "sato", "guess-number-3", "203.0.113.3").status_code == 429


# --- look-ups by code: every method, one budget ----------------------------------------------------

def test_looking_codes_up_is_limited_whatever_the_method_and_the_refusal_says_so(limited):
    from webapp.ratelimit import LOOKUP_LIMIT
    from webapp.reservations.operations import reserve

    app = limited()
    with app.app_context():
        code = reserve(limited.ids["slot"]).code
        db_session.remove()
    per_minute = int(LOOKUP_LIMIT.split()[0])
    guessing = app.test_client()
    tries = [("GET", f"/api/v1/reservations/{code}", None), ("DELETE", "/api/v1/reservations/AAAAA-BBBBB-CCCCC", None),
             ("GET", f"/reservations/{code}", None), ("GET", f"/api/v1/reservations/{code}.ics", None),
             ("GET", "/reservations/AAAAA-BBBBB-CCCCD/cancel", None),
             ("POST", f"/api/v1/sessions/{limited.ids['S']}/checkins", {"avatar": "cat",
                                                                         "reservation_code": "AAAAA-BBBBB-CCCCE"})]
    answers = [guessing.open(path, method=method, json=body, **via("203.0.113.9")).status_code
               for method, path, body in (tries[n % len(tries)] for n in range(per_minute))]
    assert 429 not in answers and 500 not in answers
    api = guessing.get(f"/api/v1/reservations/{code}", **via("203.0.113.9"))
    assert api.status_code == 429 and api.get_json()["error"]["code"] == "rate_limited"
    assert int(api.headers["Retry-After"]) > 0
    page = guessing.delete("/api/v1/reservations/AAAAA-BBBBB-CCCCC", **via("203.0.113.9"))
    assert page.status_code == 429
    page = guessing.get(f"/reservations/{code}", **via("203.0.113.9"))
    assert page.status_code == 429 and "少し待ってから" in page.get_data(as_text=True)
    checkin = guessing.post(f"/api/v1/sessions/{limited.ids['S']}/checkins", **via("203.0.113.9"),
                            json={"avatar": "cat", "reservation_code": "AAAAA-BBBBB-CCCCF"})
    assert checkin.status_code == 429  # a check-in by code is a look-up too
    assert guessing.post(f"/api/v1/sessions/{limited.ids['S']}/checkins", json={"avatar": "cat"},
                         **via("203.0.113.9")).status_code == 201  # without a code it is not
    assert app.test_client().get(f"/api/v1/reservations/{code}", **via("198.51.100.9")).status_code == 200


# --- check-ins and reservations: per client and per session ----------------------------------------

def _check_in(client, session_id: int, address: str):
    return client.post(f"/api/v1/sessions/{session_id}/checkins", json={"avatar": "cat"}, **via(address))


def test_one_client_adds_no_visits_past_its_cap_and_the_refusals_are_not_counted(limited):
    app = limited(CHECKINS_PER_CLIENT_PER_SESSION=3)
    S, client = limited.ids["S"], app.test_client()
    assert [_check_in(client, S, "203.0.113.20").status_code for _ in range(3)] == [201, 201, 201]
    for _ in range(3):
        refused = _check_in(client, S, "203.0.113.20")
        assert refused.status_code == 429 and refused.get_json()["error"]["code"] == "too_many_checkins"
    assert visits(client, S) == 3
    page = app.test_client().post(f"/sessions/{S}/checkin", data={"avatar": "cat", "nickname": "",
                                                                  "reservation_code": ""}, **via("203.0.113.20"))
    assert page.status_code == 429
    assert "会場の職員にお声がけください" in page.get_data(as_text=True)
    assert visits(client, S) == 3
    assert _check_in(client, S, "198.51.100.20").status_code == 201  # a neighbour is not refused
    assert visits(client, S) == 4


def test_a_check_in_that_fails_gives_its_count_back(limited):
    app = limited(CHECKINS_PER_CLIENT_PER_SESSION=1)
    S, client = limited.ids["S"], app.test_client()
    mistyped = client.post(f"/api/v1/sessions/{S}/checkins", json={"avatar": "cat", "reservation_code": "ZZZZZ"},
                           **via("203.0.113.21"))
    assert mistyped.status_code == 400
    assert _check_in(client, S, "203.0.113.21").status_code == 201
    assert _check_in(client, S, "203.0.113.21").status_code == 429


def test_a_session_takes_a_capped_number_of_check_ins_an_hour_from_all_clients_together(limited):
    away_from_the_end_of(3600)
    app = limited(CHECKINS_PER_SESSION_PER_HOUR=4)
    S, client = limited.ids["S"], app.test_client()
    assert [_check_in(client, S, f"203.0.113.{30 + n}").status_code for n in range(4)] == [201] * 4
    busy = _check_in(client, S, "198.51.100.30")
    assert busy.status_code == 429 and busy.get_json()["error"]["code"] == "session_busy"
    assert visits(client, S) == 4


def test_a_session_takes_a_capped_number_of_reservations_an_hour(limited):
    away_from_the_end_of(3600)
    app = limited(RESERVATIONS_PER_SESSION_PER_HOUR=3)
    slot, client = limited.ids["slot"], app.test_client()
    answers = [client.post(f"/api/v1/slots/{slot}/reservations", json={}, **via(f"203.0.113.{40 + n}")).status_code
               for n in range(3)]
    assert answers == [201] * 3
    busy = client.post(f"/api/v1/slots/{slot}/reservations", json={}, **via("198.51.100.40"))
    assert busy.status_code == 429 and busy.get_json()["error"]["code"] == "session_busy"
    page = app.test_client().post(f"/slots/{slot}/reserve", data={}, **via("198.51.100.41"))
    assert page.status_code == 429 and "予約が集中しています" in page.get_data(as_text=True)
    listed = client.get("/api/v1/sessions").get_json()
    assert [s["remaining"] for item in listed for s in item["slots"] if s["id"] == slot] == [47]  # 3 seats held
