"""A limit changed in webapp/limits.py is the limit the OpenAPI document, the API and the relay all apply."""
from __future__ import annotations

import pytest

from webapp import limits

SHORTER = 10


@pytest.fixture
def shorter_nicknames(monkeypatch):
    monkeypatch.setattr(limits, "NICKNAME_MAX", SHORTER)


def test_the_document_shows_the_changed_nickname_limit(client, shorter_nicknames):
    schemas = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]
    assert schemas["CheckinRequest"]["properties"]["nickname"]["maxLength"] == SHORTER
    assert schemas["ReservationRequest"]["properties"]["nickname"]["maxLength"] == SHORTER


def test_the_api_refuses_a_nickname_one_over_the_changed_limit(client, world, shorter_nicknames):
    url = f"/api/v1/sessions/{world.session_id}/checkins"
    refused = client.post(url, json={"avatar": "cat", "nickname": "あ" * (SHORTER + 1)})
    assert refused.status_code == 400 and refused.get_json()["error"]["code"] == "too_long"
    assert client.post(url, json={"avatar": "cat", "nickname": "あ" * SHORTER}).status_code == 201


def test_the_relay_refuses_a_nickname_one_over_the_changed_limit(world, relay, peers, shorter_nicknames):
    sato = peers(relay.url(world.staff_token("sato")))
    sato.next("welcome")
    sato.send(type="walkin", session_id=world.session_id, avatar="tea", nickname="あ" * (SHORTER + 1))
    assert sato.next("error")["code"] == "too_long"
    sato.send(type="walkin", session_id=world.session_id, avatar="tea", nickname="あ" * SHORTER)
    assert sato.next("walkin")["session_id"] == world.session_id
