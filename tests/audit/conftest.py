"""Helpers for the audit log's tests: an admin's token, reading the log over the API, every row in the table."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import text

from tests.realtime import conftest as realtime
from webapp.db import db_session

#: The realtime folder's fixtures: takes and closes are made over a real relay here too.
peers, relay, relay_config, world = realtime.peers, realtime.relay, realtime.relay_config, realtime.world

API = "/api/v1/audit"


def csrf(client, page: str) -> str:
    found = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', client.get(page).get_data(as_text=True))
    assert found, f"no CSRF token on {page}"
    return found.group(1)


def table() -> str:
    """Every row of audit_events, as one string to search."""
    db_session.remove()
    try:
        return repr(db_session.execute(text("SELECT * FROM audit_events ORDER BY id")).all())
    finally:
        db_session.remove()


@pytest.fixture
def read_log(client, make_user):
    """read_log(**query) -> the events an admin reads from GET /api/v1/audit, as (actor, action, target)."""
    from webapp.staff.operations import issue_api_token

    token = issue_api_token(make_user("auditor", role="admin"))
    db_session.remove()

    def read(**query) -> list[tuple[str, str, str]]:
        response = client.get(API, query_string=query, headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 200, response.get_data(as_text=True)
        return [(e["actor"], e["action"], e["target"]) for e in response.get_json()]

    return read
