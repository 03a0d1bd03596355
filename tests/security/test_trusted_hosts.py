"""TRUSTED_HOSTS (issue 14): a request for another Host is refused with 400 before any link is built from it,
and the links the app hands out (a reservation's calendar link, avatar images) use the allowed host."""
from __future__ import annotations

import pytest

from tests.conftest import SECRET
from webapp import create_app
from webapp.db import db_session

ALLOWED = "soudan.example.jp"


@pytest.fixture
def hosted(database_url, make_session):
    """make(**config) -> an app on this test's database, and a future slot to reserve."""
    slot_id = make_session().slots[0].id
    db_session.remove()
    made = []

    def make(**config):
        app = create_app({"TESTING": True, "DATABASE_URL": database_url, "SECRET_KEY": SECRET,
                          "RATELIMIT_ENABLED": False, **config})
        made.append(app)
        return app

    make.slot_id = slot_id
    yield make
    for app in made:
        app.extensions["engine"].dispose()


def test_a_foreign_host_is_refused_with_400_on_pages_and_the_api(hosted):
    client = hosted(TRUSTED_HOSTS=[ALLOWED]).test_client()
    page = client.get("/", headers={"Host": "evil.example"})
    assert page.status_code == 400 and "このアドレスでは表示できません" in page.get_data(as_text=True)
    api = client.post(f"/api/v1/slots/{hosted.slot_id}/reservations", json={}, headers={"Host": "evil.example"})
    assert api.status_code == 400
    assert api.get_json() == {"error": {"code": "untrusted_host", "message": "This host name is not served here."}}
    assert client.get("/", headers={"Host": f"{ALLOWED}.evil.example"}).status_code == 400


def test_links_are_built_for_the_allowed_host_only(hosted):
    client = hosted(TRUSTED_HOSTS=[ALLOWED], TRUST_PROXY=1).test_client()
    made = client.post(f"/api/v1/slots/{hosted.slot_id}/reservations", json={},
                       headers={"Host": f"{ALLOWED}:8443", "X-Forwarded-Host": "evil.example"})
    assert made.status_code == 201
    assert made.get_json()["ics_url"].startswith(f"http://{ALLOWED}:8443/api/v1/reservations/")
    avatars = client.get("/api/v1/avatars", headers={"Host": ALLOWED}).get_json()
    assert all(a["image_url"].startswith(f"http://{ALLOWED}/") for a in avatars)


def test_unset_any_host_is_served_as_in_development(hosted):
    client = hosted().test_client()
    assert client.get("/", headers={"Host": "laptop.local:5000"}).status_code == 200
