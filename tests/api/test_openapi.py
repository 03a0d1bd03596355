"""GET /api/v1/openapi.json describes the whole contract, validly, and matches what the API answers."""
from __future__ import annotations

import re

import pytest
from openapi_schema_validator import OAS30Validator
from openapi_spec_validator import validate
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

from tests.api.helpers import API

#: CONTRACT.md section 3, as (method, path).
CONTRACT_ROUTES = {
    ("get", "/sessions"), ("get", "/sessions/{session_id}"), ("post", "/sessions"),
    ("patch", "/sessions/{session_id}"), ("post", "/slots/{slot_id}/reservations"),
    ("get", "/reservations/{code}"), ("delete", "/reservations/{code}"), ("get", "/reservations/{code}.ics"),
    ("get", "/avatars"), ("post", "/sessions/{session_id}/checkins"), ("get", "/sessions/{session_id}/counts"),
    ("get", "/realtime/token"), ("get", "/stats"), ("get", "/stats.csv"), ("get", "/openapi.json"),
    ("get", "/audit"),  # section 7
}


@pytest.fixture
def document(client):
    response = client.get(f"{API}/openapi.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    return response.get_json()


def _operations(document) -> set[tuple[str, str]]:
    return {(method, path) for path, item in document["paths"].items() for method in item if method != "parameters"}


def _schema_validator(document, name: str) -> OAS30Validator:
    registry = Registry().with_resource("urn:api", Resource.from_contents(document, default_specification=DRAFT4))
    return OAS30Validator({"$ref": f"urn:api#/components/schemas/{name}"}, registry=registry)


def test_the_document_is_valid_openapi(document):
    validate(document)
    assert document["openapi"].startswith("3.")


def test_the_document_describes_every_route_of_the_contract(document):
    assert CONTRACT_ROUTES <= _operations(document)


def test_every_api_route_the_app_serves_is_described(app, document):
    served = set()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith(API + "/"):
            continue
        path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule.removeprefix(API))
        served |= {(method.lower(), path) for method in rule.methods - {"HEAD", "OPTIONS"}}
    assert served - _operations(document) == set()


def test_staff_routes_require_bearer_auth_and_resident_routes_do_not(document):
    assert document["components"]["securitySchemes"]["bearerAuth"] == {
        **document["components"]["securitySchemes"]["bearerAuth"], "type": "http", "scheme": "bearer"}
    paths = document["paths"]
    for method, path in [("post", "/sessions"), ("patch", "/sessions/{session_id}"), ("get", "/realtime/token"),
                         ("get", "/stats"), ("get", "/stats.csv"), ("get", "/audit")]:
        assert {"bearerAuth": []} in paths[path][method]["security"]
        assert {} not in paths[path][method]["security"]
    assert "security" not in paths["/slots/{slot_id}/reservations"]["post"]


def test_our_answers_match_the_documented_schemas(client, document, admin_headers, session_body):
    created = client.post(f"{API}/sessions", json=session_body(), headers=admin_headers).get_json()
    _schema_validator(document, "Session").validate(created)
    reservation = client.post(f"{API}/slots/{created['slots'][0]['id']}/reservations",
                              json={"nickname": "さくら"}).get_json()
    _schema_validator(document, "Reservation").validate(reservation)
    client.delete(f"{API}/reservations/{reservation['code']}")
    _schema_validator(document, "Reservation").validate(
        client.get(f"{API}/reservations/{reservation['code']}").get_json())
    for avatar in client.get(f"{API}/avatars").get_json():
        _schema_validator(document, "Avatar").validate(avatar)
    _schema_validator(document, "Error").validate(client.get(f"{API}/sessions/999").get_json())
    events = client.get(f"{API}/audit", headers=admin_headers).get_json()
    assert events
    for event in events:
        _schema_validator(document, "AuditEvent").validate(event)
