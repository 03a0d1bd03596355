"""Small helpers shared by the /api/v1 tests."""
from __future__ import annotations

import datetime as dt

from webapp.clock import now_tokyo

API = "/api/v1"


def future_day(days: int = 30) -> dt.date:
    """A date `days` ahead in Ikoma."""
    return now_tokyo().date() + dt.timedelta(days=days)


def error_code(response) -> str:
    """The contract's error code, after checking the whole error shape."""
    body = response.get_json()
    assert set(body) == {"error"}, body
    assert set(body["error"]) == {"code", "message"}, body
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    return body["error"]["code"]
