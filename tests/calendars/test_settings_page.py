"""The staff console's calendar page: issue, show once, copy, re-issue (the old link dies at once)."""
from __future__ import annotations

import re

SETTINGS = "/calendars/settings"
FEED_URL = re.compile(r"http://localhost/calendars/staff/([A-Za-z0-9_-]+)\.ics")


def _issue(client, auth):
    return client.post(SETTINGS, data={"csrf_token": auth.csrf(SETTINGS)}, follow_redirects=True)


def test_the_page_needs_a_staff_login(client):
    response = client.get(SETTINGS)
    assert response.status_code == 302
    assert "/staff/login" in response.headers["Location"]


def test_issuing_shows_the_https_and_webcal_links_once_with_copy_buttons(client, auth, make_user, make_session):
    make_user("sato")
    make_session(promoters=["sato"])
    auth.login("sato")
    before = client.get(SETTINGS).get_data(as_text=True)
    assert "まだ購読URLを発行していません" in before and not FEED_URL.search(before)

    response = _issue(client, auth)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    token = FEED_URL.search(page).group(1)
    assert f"webcal://localhost/calendars/staff/{token}.ics" in page
    assert page.count('data-copy-target="personal-') == 2
    assert client.get(f"/calendars/staff/{token}.ics").status_code == 200

    later = client.get(SETTINGS).get_data(as_text=True)
    assert token not in later
    assert "購読URLは発行済みです" in later and "購読URLを再発行する" in later


def test_re_issuing_kills_the_old_link_at_once(client, auth, make_user):
    make_user("sato")
    auth.login("sato")
    old = FEED_URL.search(_issue(client, auth).get_data(as_text=True)).group(1)
    page = _issue(client, auth).get_data(as_text=True)
    new = FEED_URL.search(page).group(1)
    assert new != old
    assert "以前のURLは、たったいま使えなくなりました" in page
    assert client.get(f"/calendars/staff/{old}.ics").status_code == 404
    assert client.get(f"/calendars/staff/{new}.ics").status_code == 200


def test_issuing_without_the_csrf_token_is_refused(client, auth, make_user):
    make_user("sato")
    auth.login("sato")
    response = client.post(SETTINGS, data={})
    assert response.status_code == 400
    assert "まだ購読URLを発行していません" in client.get(SETTINGS).get_data(as_text=True)


def test_the_public_feed_links_are_offered_too(client, auth, make_user):
    make_user("sato")
    auth.login("sato")
    page = client.get(SETTINGS).get_data(as_text=True)
    assert "http://localhost/calendars/public.ics" in page
    assert "webcal://localhost/calendars/public.ics" in page


def test_the_page_is_available_in_english(app, client, auth, make_user):
    make_user("sato")
    auth.login("sato")
    # A fresh app context, as every real request has: the fixture's shared `g` would keep the first locale.
    with app.app_context():
        page = client.get(SETTINGS + "?lang=en").get_data(as_text=True)
    assert "Calendar subscription" in page
    assert "Issue a subscription link" in page
