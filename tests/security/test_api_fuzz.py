"""schemathesis against /api/v1/openapi.json, in process: no 5xx, and every response matches the document.

Each operation is fuzzed with valid and with invalid input (30 examples each), anonymously and
as an admin with a bearer token, on a database holding a running session, a future one, a
reservation and staff accounts, so that real ids and logins turn up next to random ones.
(schemathesis' own pytest plugin does not run under pytest 9, so hypothesis drives its strategies.)
"""
from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from webapp.api.openapi import document
from webapp.db import db_session

DOCUMENT = document()
CHECKS = [not_a_server_error, response_schema_conformance]
OPERATIONS = [(method.upper(), path) for path, item in DOCUMENT["paths"].items()
              for method in item if method in ("get", "post", "patch", "put", "delete")]
#: Invalid input needs something to be invalid: a parameter or a body.
CASES = [(method, path, mode) for method, path in OPERATIONS
         for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
         if mode is GenerationMode.POSITIVE or "parameters" in DOCUMENT["paths"][path]
         or {"parameters", "requestBody"} & set(DOCUMENT["paths"][path][method.lower()])]
IDS = [f"{method} {path} {'valid' if mode is GenerationMode.POSITIVE else 'invalid'}" for method, path, mode in CASES]
SETTINGS = settings(max_examples=30, deadline=None, derandomize=True, database=None,
                    suppress_health_check=list(HealthCheck))


@pytest.fixture
def api_schema(app, roles):
    from webapp.reservations.operations import reserve

    reserve(roles.F_slot, "さくら", "相談したいこと")
    db_session.remove()
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)


def fuzz(schema, method: str, path: str, mode: GenerationMode, headers: dict) -> None:
    operation = schema[path][method]

    @SETTINGS
    @given(case=operation.as_strategy(generation_mode=mode))
    def run(case):
        try:
            case.call_and_validate(checks=CHECKS, headers=headers)
        finally:
            db_session.remove()

    run()


@pytest.mark.parametrize(("method", "path", "mode"), CASES, ids=IDS)
def test_anyone_fuzzing_an_operation_gets_no_server_error_and_documented_answers(api_schema, method, path, mode):
    fuzz(api_schema, method, path, mode, {})


@pytest.mark.parametrize(("method", "path", "mode"), CASES, ids=IDS)
def test_an_admin_fuzzing_an_operation_gets_no_server_error_and_documented_answers(api_schema, roles, method,
                                                                                   path, mode):
    fuzz(api_schema, method, path, mode, {"Authorization": f"Bearer {roles.bearer['admin']}"})
