"""The avatars residents pick at check-in: friendly pictures, never a face, each with a label in both languages."""
from __future__ import annotations

import re

from tests.api.helpers import API
from webapp.checkins import avatars


def test_the_avatar_list_gives_ids_labels_and_pictures(client):
    response = client.get(f"{API}/avatars")
    assert response.status_code == 200
    listed = response.get_json()
    assert 10 <= len(listed) <= 16
    assert [a["id"] for a in listed] == list(avatars.avatar_ids())
    assert len({a["id"] for a in listed}) == len(listed)
    for avatar in listed:
        assert set(avatar) == {"id", "label_ja", "label_en", "image_url"}
        assert re.fullmatch(r"[a-z]+", avatar["id"])
        assert avatar["label_ja"] and avatar["label_en"]
        assert avatar["image_url"] == f"http://localhost/static/avatars/{avatar['id']}.svg"


def test_every_avatar_picture_is_served_as_svg_with_a_title(client):
    for avatar in client.get(f"{API}/avatars").get_json():
        picture = client.get(avatar["image_url"].removeprefix("http://localhost"))
        assert picture.status_code == 200
        assert picture.mimetype == "image/svg+xml"
        svg = picture.get_data(as_text=True)
        assert "<script" not in svg and "style=" not in svg  # the strict CSP would block them anyway
        title = re.search(r"<title[^>]*>([^<]+)</title>", svg)
        assert title and avatar["label_ja"] in title.group(1) and avatar["label_en"] in title.group(1)


def test_check_in_code_can_look_avatars_up_by_id():
    assert avatars.get("cat").label("ja") == "ねこ" and avatars.get("cat").label("en") == "Cat"
    assert avatars.get("tea").static_path == "avatars/tea.svg"
    assert avatars.get("person") is None and avatars.get(None) is None and avatars.get(["cat"]) is None
    assert "cat" in avatars.avatar_ids()
