"""Issue 14, findings 4 and 5: when an account's access ends or a promoter is taken off a session,
every relay acts at once, through the broker (CONTRACT §7).

A password change or a deactivation closes the account's open relay connections (code 4401) and
refuses its old cookie, API token and relay token; a deactivation also voids the feed URL, and
activating brings none of these back, whether done on the admin pages or by command
(`flask users deactivate | activate | password`). A promoter taken off a session stops following it at once;
admins follow every session. Upkeep runs only every 600 s here, so whatever arrives within the
deadline came through the broker.
"""
from __future__ import annotations

import uuid

import pytest

from tests.conftest import Auth
from tests.pages.conftest import csrf_from
from tests.realtime.conftest import ThreadRelay, closed_by_server, refused_handshake
from webapp.db import db_session

#: Seconds we wait for a relay to act: far below the 600 s of upkeep, roomy for a busy machine.
DEADLINE = 10
QUIET = {"RELAY_MAINTENANCE_S": 600}
API = "/api/v1"


@pytest.fixture
def quiet_relay(relay_config):
    """A relay in this process whose upkeep would come only after 600 s."""
    running = ThreadRelay({**relay_config, **QUIET}).start()
    yield running
    running.shutdown()


class Credentials:
    """Everything a staff member holds: a signed-in browser, an API token, a feed URL, a relay token."""

    def __init__(self, app, world, login: str):
        from webapp.staff.models import User
        from webapp.staff.operations import issue_api_token, rotate_feed_token

        self.browser = app.test_client()
        Auth(self.browser).login(login)
        user = db_session.get(User, world.user_ids[login])
        self.api_token, self.feed = issue_api_token(user), f"/calendars/staff/{rotate_feed_token(user)}.ics"
        db_session.remove()
        self.relay_token = world.staff_token(login)

    def statuses(self, client, relay) -> dict:
        db_session.remove()
        return {"cookie": self.browser.get("/staff/").status_code,
                "api": client.get(f"{API}/realtime/token", headers={"Authorization": f"Bearer {self.api_token}"})
                .status_code,
                "feed": client.get(self.feed).status_code,
                "relay": refused_handshake(relay.url(self.relay_token)) if relay else None}


#: What a staff member whose access ended gets for each old credential.
REFUSED = {"cookie": 302, "api": 401, "relay": 403}


def admin_browser(app):
    browser = app.test_client()
    Auth(browser).login("boss")
    return browser


def admin_posts(browser, user_id: int, action: str, data: dict | None = None) -> str:
    page = browser.get(f"/admin/users/{user_id}").get_data(as_text=True)
    answer = browser.post(f"/admin/users/{user_id}/{action}", data={"csrf_token": csrf_from(page), **(data or {})},
                          follow_redirects=True)
    assert answer.status_code == 200
    db_session.remove()
    return answer.get_data(as_text=True)


def test_a_new_password_closes_the_console_and_refuses_every_old_credential(app, client, world, quiet_relay,
                                                                              peers):
    sato = Credentials(app, world, "sato")
    console = peers(quiet_relay.url(sato.relay_token))
    console.next("welcome")
    admin = admin_browser(app)

    admin_posts(admin, world.user_ids["sato"], "password", {"password": "a-brand-new-password"})
    assert closed_by_server(console, DEADLINE) == (4401, "password changed")
    statuses = sato.statuses(client, quiet_relay)
    assert {k: statuses[k] for k in REFUSED} == REFUSED
    assert statuses["feed"] == 200  # a new password leaves the calendar URL alone
    assert Auth(app.test_client()).login("sato", "a-brand-new-password").request.path == "/staff/"


def test_deactivation_closes_the_console_voids_the_feed_and_activation_brings_nothing_back(app, client, world,
                                                                                         quiet_relay, peers):
    sato = Credentials(app, world, "sato")
    assert sato.statuses(client, None) == {"cookie": 200, "api": 200, "feed": 200, "relay": None}
    console = peers(quiet_relay.url(sato.relay_token))
    console.next("welcome")
    admin = admin_browser(app)

    admin_posts(admin, world.user_ids["sato"], "active")
    assert closed_by_server(console, DEADLINE) == (4401, "account deactivated")
    assert sato.statuses(client, quiet_relay) == {**REFUSED, "feed": 404}

    admin_posts(admin, world.user_ids["sato"], "active")
    assert sato.statuses(client, quiet_relay) == {**REFUSED, "feed": 404}
    assert Auth(app.test_client()).login("sato").request.path == "/staff/"  # only fresh sign-ins work


def test_sign_out_everywhere_closes_that_persons_consoles_too(app, world, quiet_relay, peers):
    sato = Credentials(app, world, "sato")
    console, colleague = peers(quiet_relay.url(sato.relay_token)), peers(quiet_relay.url(world.staff_token("tanaka")))
    console.next("welcome"), colleague.next("welcome")
    page = sato.browser.get("/staff/").get_data(as_text=True)
    sato.browser.post("/staff/sign-out-everywhere", data={"csrf_token": csrf_from(page)})
    assert closed_by_server(console, DEADLINE) == (4401, "signed out everywhere")
    colleague.send(type="ping")
    assert colleague.next("pong")


def _unassign(client, admin_token: str, session_id: int, promoters: list[str]) -> None:
    answer = client.patch(f"{API}/sessions/{session_id}", json={"promoters": promoters},
                          headers={"Authorization": f"Bearer {admin_token}"})
    assert answer.status_code == 200, answer.get_json()
    db_session.remove()


def _follows(session_id: int):
    return lambda frame: session_id in [s["id"] for s in frame["sessions"]]


def _unfollows(session_id: int):
    return lambda frame: session_id not in [s["id"] for s in frame["sessions"]]


def _admin_token(world) -> str:
    from webapp.staff.models import User
    from webapp.staff.operations import issue_api_token

    try:
        return issue_api_token(db_session.get(User, world.user_ids["boss"]))
    finally:
        db_session.remove()


def test_a_promoter_taken_off_a_session_stops_following_it_at_once_and_admins_still_do(client, world,
                                                                                       quiet_relay, peers):
    taken_id, taken_token = world.check_in(avatar="cat")
    waiting_id, waiting_token = world.check_in(avatar="dog")
    sato, tanaka, boss = (peers(quiet_relay.url(world.staff_token(login))) for login in ("sato", "tanaka", "boss"))
    for console in (sato, tanaka, boss):
        console.next("welcome")
    taken, waiting = peers(quiet_relay.url(taken_token)), peers(quiet_relay.url(waiting_token))
    taken.next("welcome"), waiting.next("welcome")
    sato.send(type="take", checkin_id=taken_id, mode="text")
    sato.next("taken", checkin_id=taken_id)

    _unassign(client, _admin_token(world), world.session_id, ["tanaka"])
    unfollowed = sato.next("sessions", timeout=DEADLINE, where=_unfollows(world.session_id))
    waiting.send(type="message", text="まだ見えていますか")
    assert tanaka.next("message", timeout=DEADLINE, checkin_id=waiting_id)["text"] == "まだ見えていますか"
    assert boss.next("message", timeout=DEADLINE, checkin_id=waiting_id)
    taken.send(type="message", text="二人だけの話")
    taken.next("message", text="二人だけの話")  # stored and sent on
    sato.drain(1.0)
    since = sato.seen[next(i for i, f in enumerate(sato.seen) if f is unfollowed) + 1:]
    assert [f for f in since if f.get("session_id") == world.session_id] == []  # no line, no queue, nothing

    _unassign(client, _admin_token(world), world.session_id, ["sato", "tanaka"])
    sato.next("sessions", timeout=DEADLINE, where=_follows(world.session_id))
    waiting.send(type="message", text="また見えますか")
    assert sato.next("message", timeout=DEADLINE, checkin_id=waiting_id)["text"] == "また見えますか"


def test_every_relay_through_redis_closes_and_unfollows_at_once(app, client, runner, world, relay_processes, peers,
                                                              redis_url):
    url = redis_url
    prefix = f"test:{uuid.uuid4().hex[:8]}:"
    relays = [relay_processes(redis_url=url, prefix=prefix, extra_env={"RELAY_MAINTENANCE_S": "600"})
              for _ in range(2)]
    app.config.update(REDIS_URL=url, RELAY_CHANNEL_PREFIX=prefix)
    tokens = {login: world.staff_token(login) for login in ("sato", "tanaka")}
    consoles = {login: [peers(relay.url(token)) for relay in relays] for login, token in tokens.items()}
    for console in consoles["sato"] + consoles["tanaka"]:
        console.next("welcome", where=_follows(world.session_id))

    _unassign(client, _admin_token(world), world.session_id, ["tanaka"])
    for console in consoles["sato"]:
        console.next("sessions", timeout=DEADLINE, where=_unfollows(world.session_id))

    password = runner.invoke(args=["users", "password", "tanaka", "--password-stdin"], input="a-brand-new-password\n")
    assert password.exit_code == 0, password.output
    assert [closed_by_server(console, DEADLINE) for console in consoles["tanaka"]] == [(4401, "password changed")] * 2

    deactivated = runner.invoke(args=["users", "deactivate", "sato"])
    assert deactivated.exit_code == 0, deactivated.output
    assert [closed_by_server(console, DEADLINE) for console in consoles["sato"]] == [(4401, "account deactivated")] * 2
    assert {refused_handshake(relay.url(token)) for relay in relays for token in tokens.values()} == {403}


def test_deactivate_by_command_refuses_every_old_credential_and_activate_brings_none_back(app, client, runner, world,
                                                                                           quiet_relay, peers):
    sato = Credentials(app, world, "sato")
    console = peers(quiet_relay.url(sato.relay_token))
    console.next("welcome")
    result = runner.invoke(args=["users", "deactivate", "sato"])
    assert result.exit_code == 0 and "deactivated promoter sato" in result.output
    assert closed_by_server(console, DEADLINE) == (4401, "account deactivated")
    assert sato.statuses(client, quiet_relay) == {**REFUSED, "feed": 404}
    assert Auth(app.test_client()).login("sato").request.path == "/staff/login"

    result = runner.invoke(args=["users", "activate", "sato"])
    assert result.exit_code == 0 and "activated promoter sato" in result.output
    assert sato.statuses(client, quiet_relay) == {**REFUSED, "feed": 404}
    assert Auth(app.test_client()).login("sato").request.path == "/staff/"


def test_a_new_password_by_command_refuses_the_old_credentials_and_the_old_password(app, client, runner, world,
                                                                                     quiet_relay, peers):
    sato = Credentials(app, world, "sato")
    console = peers(quiet_relay.url(sato.relay_token))
    console.next("welcome")
    result = runner.invoke(args=["users", "password", "sato", "--password-stdin"], input="a-brand-new-password\n")
    assert result.exit_code == 0, result.output
    assert closed_by_server(console, DEADLINE) == (4401, "password changed")
    statuses = sato.statuses(client, quiet_relay)
    assert {k: statuses[k] for k in REFUSED} == REFUSED
    assert Auth(app.test_client()).login("sato").request.path == "/staff/login"
    assert Auth(app.test_client()).login("sato", "a-brand-new-password").request.path == "/staff/"
