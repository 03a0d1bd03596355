"""Script tags and HTML posted through every text field and the chat come back inert everywhere they show."""
from __future__ import annotations

import datetime as dt
from html.parser import HTMLParser

import pytest

from tests.security.conftest import csrf_token
from webapp.checkins import operations
from webapp.clock import today_tokyo
from webapp.db import db_session
from webapp.staff.models import User


def payload(marker: str) -> str:
    """Markup that would run script if it reached a page unescaped; `marker` shows where it came from."""
    return f'<script>alert("{marker}")</script>"><img src=x onerror=alert("{marker}")>'


class _Tags(HTMLParser):
    """Collects what a browser would execute: scripts, event-handler attributes, javascript: links."""

    def __init__(self):
        super().__init__()
        self.executable = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script" and not attrs.get("src") and attrs.get("type") != "application/json":
            self.executable.append(f"inline <script> {attrs}")
        for name, value in attrs.items():
            if name.startswith("on"):
                self.executable.append(f"<{tag} {name}=...>")
            link = (value or "").strip().lower()
            if name in ("href", "src", "action", "formaction") and link.startswith("javascript:"):
                self.executable.append(f"<{tag} {name}={value}>")


def assert_inert(response, *markers: str) -> None:
    """The page shows each marker (so the field was rendered) and nothing in it would run."""
    assert response.status_code == 200, response.request.path
    html = response.get_data(as_text=True)
    for marker in markers:
        assert marker in html, f"{marker} is not shown on {response.request.path}"
        assert f'<script>alert("{marker}")' not in html and f'onerror=alert("{marker}")>' not in html
    parser = _Tags()
    parser.feed(html)
    assert parser.executable == [], response.request.path


@pytest.fixture
def admin_client(roles):
    return roles.client("admin")


def test_every_staff_written_field_is_shown_escaped(roles, admin_client, peers, relay):
    # accounts: a display name residents see at hand-off
    token = csrf_token(admin_client)
    assert admin_client.post("/admin/users/new", data={
        "csrf_token": token, "login": "evil", "role": "promoter", "display_name": payload("name")[:100],
        "password": "long-enough-pass"}).status_code == 302
    # sessions: place and note through the admin form, place through the API
    day = today_tokyo() + dt.timedelta(days=80)
    form = {"csrf_token": token, "date": day.isoformat(), "start": "13:30", "end": "16:30", "format": "online",
            "location": payload("place")[:200], "join_url": "https://example.org/room", "slot_minutes": "30",
            "capacity": "2", "promoters": ["evil"]}
    assert admin_client.post("/admin/sessions/new", data=form).status_code == 302
    from webapp.sessions.queries import between
    created = between(day, day)[0]
    form.update(note=payload("note"))
    assert admin_client.post(f"/admin/sessions/{created.id}/edit", data=form).status_code == 302
    api = {"Authorization": f"Bearer {roles.bearer['admin']}"}
    assert admin_client.patch(f"/api/v1/sessions/{roles.S}", json={"location": payload("apiplace")[:200]},
                              headers=api).status_code == 200
    # vocabulary: a topic label promoters pick and the statistics show
    assert admin_client.post("/admin/vocabulary/topic", data={
        "topic-csrf_token": token, "topic-label_ja": payload("label")[:60], "topic-label_en": "x",
        "topic-key": ""}).status_code == 302
    # a cancellation note
    assert admin_client.post(f"/admin/sessions/{roles.F}/cancel", data={
        "csrf_token": token, "note": payload("cancel")}).status_code == 302

    anyone = roles.app.test_client()
    assert_inert(anyone.get(f"/sessions/{created.id}"), "place", "name")
    assert_inert(admin_client.get(f"/admin/sessions/{created.id}/edit"), "place", "note")
    assert_inert(anyone.get(f"/sessions/{roles.F}"), "cancel")
    assert_inert(anyone.get("/"), "place")
    assert_inert(admin_client.get("/admin/users"), "name")
    assert_inert(admin_client.get("/staff/"), "place")
    assert_inert(admin_client.get("/admin/vocabulary"), "label")
    assert_inert(admin_client.get(f"/staff/sessions/{roles.S}/console"), "apiplace", "label")
    for path in (f"/api/v1/sessions/{created.id}", "/calendars/public.ics"):
        response = anyone.get(path)
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.mimetype in ("application/json", "text/calendar")


def test_a_join_link_must_be_a_web_address_never_a_script(roles, admin_client):
    token = csrf_token(admin_client)
    day = today_tokyo() + dt.timedelta(days=90)
    for link in ("javascript:alert(1)", "javascript://example.org/%0Aalert(1)", "data:text/html,<script>x</script>"):
        response = admin_client.post("/admin/sessions/new", data={
            "csrf_token": token, "date": day.isoformat(), "start": "13:30", "end": "16:30", "format": "online",
            "location": "", "join_url": link, "slot_minutes": "30", "capacity": "2"})
        assert response.status_code == 400, link
        api = admin_client.patch(f"/api/v1/sessions/{roles.F}", json={"join_url": link},
                                 headers={"Authorization": f"Bearer {roles.bearer['admin']}"})
        assert api.status_code == 400, link


def test_every_resident_written_field_and_the_chat_come_back_inert(roles, relay, peers):
    app = roles.app
    resident = app.test_client()
    token = csrf_token(resident)
    # a reservation through the form and through the API
    slot = roles.F_slot
    reserved = resident.post(f"/slots/{slot}/reserve", data={
        f"s{slot}-csrf_token": token, f"s{slot}-nickname": payload("rnick")[:30], f"s{slot}-topic": payload("topic")})
    assert reserved.status_code == 302
    assert_inert(resident.get(reserved.headers["Location"]), "rnick", "topic")
    code = resident.post(f"/api/v1/slots/{slot}/reservations",
                         json={"nickname": payload("anick")[:30], "topic": payload("atopic")}).get_json()["code"]
    assert_inert(resident.get(f"/reservations/{code}"), "anick", "atopic")
    assert_inert(resident.get(f"/reservations/{code}/cancel"))
    # a check-in with a nickname, a chat line without JavaScript and one through the relay
    response = resident.post(f"/sessions/{roles.S}/checkin", data={
        "csrf_token": token, "avatar": "cat", "nickname": payload("cnick")[:30], "reservation_code": ""})
    assert response.status_code == 302
    checkin_id = roles.held_checkin_id(resident)
    assert resident.post("/checkins/message", data={"csrf_token": token, "text": payload("form")}).status_code == 302
    with resident.session_transaction() as cookie:
        relay_token = cookie["checkin"]["token"]
    sato = peers(relay.url(roles.world.staff_token("sato")))
    sato.next("welcome")
    live = peers(relay.url(relay_token))
    live.next("welcome")
    live.send(type="message", text=payload("chat"))
    got = sato.next("message", checkin_id=checkin_id)
    assert got["text"] == payload("chat")  # carried as data; the console shows it with textContent
    sato.send(type="announce", session_id=roles.S, text=payload("announce"))
    live.next("announcement")
    assert_inert(resident.get("/checkins/wait"), "cnick", "form", "chat")

    promoter = roles.client("promoter")
    assert_inert(promoter.get(f"/staff/sessions/{roles.S}/console"), "cnick", "form", "chat")
    operations.take(checkin_id, db_session.get(User, roles.world.user_ids["sato"]))
    db_session.remove()
    assert_inert(resident.get("/checkins/wait"), "cnick", "form", "chat")
    assert_inert(promoter.get(f"/staff/stats/sessions/{roles.S}"), "cnick")


def test_what_people_type_into_login_and_lookup_is_echoed_escaped(roles):
    client = roles.app.test_client()
    token = csrf_token(client)
    response = client.post("/staff/login", data={"csrf_token": token, "login": payload("login"), "password": "x"})
    assert response.status_code == 400
    parser = _Tags()
    parser.feed(response.get_data(as_text=True))
    assert parser.executable == [] and '<script>alert("login")' not in response.get_data(as_text=True)
    response = client.post("/reservations", data={"csrf_token": token, "code": payload("code")})
    assert '<script>alert("code")' not in response.get_data(as_text=True)
    parser = _Tags()
    parser.feed(response.get_data(as_text=True))
    assert parser.executable == []
