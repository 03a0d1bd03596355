"""Every mistake under /api/v1 answers in the contract's error shape, never with a page or a traceback."""
from __future__ import annotations

import pytest

from tests.api.helpers import API, error_code


@pytest.mark.parametrize("path", ["/nope", "/sessions/1/nope", "/slots/1", "/reservations", "/sessions/"])
def test_an_unknown_path_is_404_in_the_error_shape(client, path):
    response = client.get(API + path)
    assert response.status_code == 404 and response.mimetype == "application/json"
    assert error_code(response) == "not_found"


@pytest.mark.parametrize("method, path, allowed", [
    ("put", "/sessions", {"GET", "POST"}),
    ("delete", "/sessions", {"GET", "POST"}),
    ("delete", "/sessions/1", {"GET", "PATCH"}),
    ("get", "/slots/1/reservations", {"POST"}),
    ("post", "/reservations/KX7P3-MQ9HT-4WZ2R", {"GET", "DELETE"}),
    ("post", "/avatars", {"GET"}),
    ("delete", "/openapi.json", {"GET"}),
])
def test_a_wrong_method_is_405_naming_the_methods_that_work(client, method, path, allowed):
    response = getattr(client, method)(API + path)
    assert response.status_code == 405
    assert error_code(response) == "method_not_allowed"
    assert allowed <= {m.strip() for m in response.headers["Allow"].split(",")}


@pytest.mark.parametrize("method", ["patch", "delete"])
def test_a_number_past_the_id_range_is_404_for_every_method_not_405(client, admin_headers, method):
    response = getattr(client, method)(f"{API}/sessions/29743100805247", json={}, headers=admin_headers)
    assert response.status_code == 404 and error_code(response) == "not_found"


def test_anonymous_writes_need_no_csrf_token_even_with_csrf_protection_on(app, client, make_session):
    assert app.config["WTF_CSRF_ENABLED"] is True
    slot = make_session(capacity=1).slots[0]
    response = client.post(f"{API}/slots/{slot.id}/reservations", json={})
    assert response.status_code == 201
    assert client.delete(f"{API}/reservations/{response.get_json()['code']}").status_code == 204


def test_bearer_writes_need_no_csrf_token(client, admin_headers, session_body):
    assert client.post(f"{API}/sessions", json=session_body(), headers=admin_headers).status_code == 201


def test_api_answers_carry_the_security_headers(client):
    response = client.get(f"{API}/sessions")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
