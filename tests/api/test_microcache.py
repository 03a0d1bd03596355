"""The micro-cache of public reads (webapp/microcache.py): kept for the window, dropped at once on a change here."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import event, text

from harness.processes import wait_until
from tests.api.helpers import API, future_day
from webapp.clock import utcnow
from webapp.db import db_session
from webapp.microcache import MicroCache, public_cache

LIST = f"{API}/sessions"
FEED = "/calendars/public.ics"


class Clock:
    """A monotonic clock the test moves by hand."""

    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def fresh_cache(app, seconds: float) -> MicroCache:
    """Start over with a new cache of a `seconds` window, as a restart with that setting would."""
    app.config["PUBLIC_CACHE_SECONDS"] = seconds
    app.extensions.pop("microcache", None)
    return public_cache()


@pytest.fixture
def clock(app):
    """A fresh cache with a 1-second window on a hand-moved clock."""
    cache = fresh_cache(app, 1)
    cache.clock = Clock()
    return cache.clock


def behind_the_apps_back(app, sql: str, **params) -> None:
    """Change the database directly, as another process would: no signal is sent here."""
    db_session.rollback()  # the test keeps one app context, so end its transaction (SQLite's lock) first
    with app.extensions["engine"].begin() as conn:
        conn.execute(text(sql), params)


def locations(client, path=LIST) -> list[str]:
    return [s["location"] for s in client.get(path).get_json()]


def count_queries(app):
    """A list that grows by one per SQL statement sent, for as long as the test runs."""
    seen = []
    event.listen(app.extensions["engine"], "before_cursor_execute", lambda *args: seen.append(args[2]))
    return seen


# --- the window ------------------------------------------------------------------------------

def test_a_change_behind_the_apps_back_shows_only_after_the_window(app, client, clock, make_session):
    make_session(location="before")
    assert locations(client) == ["before"]
    behind_the_apps_back(app, "UPDATE sessions SET location = 'after'")
    clock.now += 0.9
    assert locations(client) == ["before"]
    clock.now += 0.2
    assert locations(client) == ["after"]


def test_the_window_on_the_real_clock(app, client, make_session):
    fresh_cache(app, 2.0)  # long enough that the second look surely falls inside it, even on a busy machine
    make_session(location="before")
    assert locations(client) == ["before"]
    behind_the_apps_back(app, "UPDATE sessions SET location = 'after'")
    assert locations(client) == ["before"]
    wait_until(lambda: locations(client) == ["after"], timeout=60, what="the window to end", every=0.1)


def test_each_range_is_kept_apart_and_errors_are_not_kept(app, client, clock, make_session):
    make_session(day=future_day(10), location="near")
    make_session(day=future_day(40), location="far")
    assert locations(client, f"{LIST}?to={future_day(20)}") == ["near"]
    assert locations(client, f"{LIST}?from={future_day(20)}") == ["far"]
    assert locations(client) == ["near", "far"]
    assert client.get(f"{LIST}?from=tomorrow").status_code == 400
    assert client.get(f"{LIST}?from=tomorrow").status_code == 400


def test_a_conditional_feed_request_within_the_window_sends_no_query(app, client, clock, make_session):
    make_session()
    first = client.get(FEED)
    queries = count_queries(app)
    again = client.get(FEED, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and queries == []
    assert again.headers["ETag"] == first.headers["ETag"]


def test_a_feed_change_behind_the_apps_back_shows_only_after_the_window(app, client, clock, make_session):
    make_session()
    etag = client.get(FEED).headers["ETag"]
    later = (utcnow() + dt.timedelta(minutes=1)).replace(tzinfo=None)
    behind_the_apps_back(app, "UPDATE sessions SET location = 'moved', updated_at = :t", t=later)
    assert client.get(FEED, headers={"If-None-Match": etag}).status_code == 304
    clock.now += 1.1
    changed = client.get(FEED, headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    assert b"LOCATION:moved" in changed.data


# --- changes through the app are seen at once ------------------------------------------------

def test_reservations_through_the_api_are_seen_at_once(client, clock, make_session):
    make_session(capacity=2)
    slot = client.get(LIST).get_json()[0]["slots"][0]
    assert slot["remaining"] == 2
    code = client.post(f"{API}/slots/{slot['id']}/reservations", json={}).get_json()["code"]
    assert client.get(LIST).get_json()[0]["slots"][0]["remaining"] == 1
    assert client.delete(f"{API}/reservations/{code}").status_code == 204
    assert client.get(LIST).get_json()[0]["slots"][0]["remaining"] == 2


def test_session_changes_through_the_api_are_seen_at_once(client, clock, session_body, admin_headers):
    assert client.get(LIST).get_json() == []
    created = client.post(LIST, json=session_body(location="first"), headers=admin_headers).get_json()
    assert locations(client) == ["first"]
    etag = client.get(FEED).headers["ETag"]
    client.patch(f"{LIST}/{created['id']}", json={"location": "second"}, headers=admin_headers)
    assert locations(client) == ["second"]
    assert client.get(FEED, headers={"If-None-Match": etag}).status_code == 200


def _create(app, make_session):
    make_session()


def _update(app, make_session):
    from webapp.sessions.operations import update_session

    update_session(make_session(), {"location": "elsewhere"})


def _cancel(app, make_session):
    from webapp.sessions.operations import cancel_session

    cancel_session(make_session())


def _generate(app, make_session):
    from webapp.sessions.operations import generate_fiscal_year, plan_defaults
    from webapp.timeutil import fiscal_year_of

    generate_fiscal_year(fiscal_year_of(future_day(400)), plan_defaults(app.config))


def _reserve(app, make_session):
    from webapp.reservations.operations import reserve

    reserve(make_session().slots[0].id)


def _cancel_reservation(app, make_session):
    from webapp.reservations.operations import cancel, find, reserve

    cancel(find(reserve(make_session().slots[0].id).code))


@pytest.mark.parametrize("change", [_create, _update, _cancel, _generate, _reserve, _cancel_reservation])
def test_every_change_path_clears_the_cache(app, clock, make_session, change):
    cache = public_cache()
    assert cache.get("probe", lambda: "old") == "old"
    change(app, make_session)
    assert cache.get("probe", lambda: "new") == "new"


# --- off, staff, same answer -----------------------------------------------------------------

def test_zero_seconds_turns_it_off(app, client, make_session):
    fresh_cache(app, 0)
    make_session(location="before")
    assert locations(client) == ["before"]
    behind_the_apps_back(app, "UPDATE sessions SET location = 'after'")
    assert locations(client) == ["after"]
    assert public_cache().builds == 0


def test_the_staff_feed_never_comes_from_the_cache(app, client, clock, make_user, make_session):
    from webapp.staff.operations import rotate_feed_token

    user = make_user("sato")
    make_session(promoters=["sato"])
    path = f"/calendars/staff/{rotate_feed_token(user)}.ics"
    etag = client.get(path).headers["ETag"]
    later = (utcnow() + dt.timedelta(minutes=1)).replace(tzinfo=None)
    behind_the_apps_back(app, "UPDATE sessions SET location = 'moved', updated_at = :t", t=later)
    changed = client.get(path, headers={"If-None-Match": etag})
    assert changed.status_code == 200 and b"LOCATION:moved" in changed.data
    # The public fingerprint was never asked for, so nothing staff-specific can be held.
    assert public_cache().builds == 0


def test_a_session_read_by_id_is_never_cached(app, client, clock, make_session):
    session = make_session(location="before")
    assert client.get(LIST).status_code == 200
    behind_the_apps_back(app, "UPDATE sessions SET location = 'after'")
    assert client.get(f"{LIST}/{session.id}").get_json()["location"] == "after"


def _answer(response) -> tuple:
    headers = {k: v for k, v in response.headers.items() if k not in ("Date", "Set-Cookie")}
    return response.status_code, headers, response.data


def test_the_cached_answer_is_the_uncached_one(app, client, make_session):
    make_session()
    fresh_cache(app, 0)
    uncached = _answer(client.get(LIST)), _answer(client.get(FEED))
    fresh_cache(app, 60)
    built, held = [(_answer(client.get(LIST)), _answer(client.get(FEED))) for _ in range(2)]
    assert built == held == uncached
    assert uncached[0][1]["Content-Type"] == "application/json"
    assert uncached[0][1]["Cache-Control"] == "no-store"


def test_a_build_that_overlaps_a_change_is_not_kept():
    cache = MicroCache(60)

    def build():
        cache.clear()  # a change committed while the answer was being built
        return "maybe stale"

    assert cache.get("key", build) == "maybe stale"
    assert cache.get("key", lambda: "fresh") == "fresh"
