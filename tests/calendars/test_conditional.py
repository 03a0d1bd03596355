"""ETag and Last-Modified: calendar apps polling an unchanged feed get a 304, and nothing is rebuilt."""
from __future__ import annotations

from webapp.reservations.operations import reserve
from webapp.sessions.operations import cancel_session
from webapp.staff.operations import rotate_feed_token

PUBLIC = "/calendars/public.ics"


def test_a_matching_etag_gets_304_with_no_body(client, make_session):
    make_session()
    first = client.get(PUBLIC)
    assert first.status_code == 200 and first.headers["ETag"] and first.headers["Last-Modified"]
    again = client.get(PUBLIC, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    assert again.data == b""
    assert again.headers["ETag"] == first.headers["ETag"]


def test_an_unchanged_last_modified_gets_304(client, make_session):
    make_session()
    first = client.get(PUBLIC)
    again = client.get(PUBLIC, headers={"If-Modified-Since": first.headers["Last-Modified"]})
    assert again.status_code == 304


def test_a_change_after_the_etag_gets_the_new_feed(client, make_session):
    session = make_session()
    first = client.get(PUBLIC)
    cancel_session(session)
    again = client.get(PUBLIC, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 200
    assert again.headers["ETag"] != first.headers["ETag"]
    assert b"STATUS:CANCELLED" in again.data


def test_an_unchanged_feed_is_built_once_however_often_it_is_fetched(app, client, make_session):
    session = make_session()
    bodies = {client.get(PUBLIC).data for _ in range(5)}
    cache = app.extensions["calendars.cache"]
    assert len(bodies) == 1 and cache.builds == 1
    cancel_session(session)
    client.get(PUBLIC)
    client.get(PUBLIC)
    assert cache.builds == 2


def test_the_staff_feed_answers_304_until_something_it_shows_changes(client, make_user, make_session):
    sato = make_user("sato")
    session = make_session(promoters=["sato"])
    path = f"/calendars/staff/{rotate_feed_token(sato)}.ics"
    etag = client.get(path).headers["ETag"]
    assert client.get(path, headers={"If-None-Match": etag}).status_code == 304
    reserve(session.slots[0].id)
    assert client.get(path, headers={"If-None-Match": etag}).status_code == 200


def test_feeds_tell_caches_to_check_back_and_keep_personal_feeds_private(client, make_user, make_session):
    sato = make_user("sato")
    make_session(promoters=["sato"])
    assert client.get(PUBLIC).headers["Cache-Control"] == "public, no-cache"
    staff = client.get(f"/calendars/staff/{rotate_feed_token(sato)}.ics")
    assert staff.headers["Cache-Control"] == "private, no-cache"


def test_a_feed_with_no_sessions_is_still_a_valid_calendar_with_an_etag(client):
    response = client.get(PUBLIC)
    assert response.status_code == 200
    assert b"BEGIN:VCALENDAR" in response.data and b"BEGIN:VEVENT" not in response.data
    assert client.get(PUBLIC, headers={"If-None-Match": response.headers["ETag"]}).status_code == 304
