"""Relay tokens, signed by the web app with SECRET_KEY and checked by the relay in the handshake.

A resident token names one check-in and the check-in's `token_version` (bumping the version,
as `remove` does, voids every token issued before). A staff token names the staff account and
its `auth_version` (raised by a password change, a deactivation or "sign out everywhere", which
voids every staff token issued before); the relay checks both, and that the account is active,
in the handshake and on every staff action. Both carry their time of issue, so a reader
refuses them after `max_age_s`. No Flask here: the relay reads tokens without the web app.
"""
from __future__ import annotations

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

SALT = "ikomaru-relay-v1"


class TokenError(Exception):
    """The token is unreadable, forged or too old; `expired` tells the last case apart."""

    def __init__(self, message: str, expired: bool = False):
        super().__init__(message)
        self.expired = expired


def _serializer(secret_key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt=SALT)


def issue_resident_token(secret_key: str, checkin) -> str:
    """A token for the resident of `checkin` (a CheckIn)."""
    return _serializer(secret_key).dumps({"k": "r", "c": checkin.id, "v": checkin.token_version})


def issue_staff_token(secret_key: str, user) -> str:
    """A token for the staff member `user` (a User), valid until the account's `auth_version` moves on."""
    return _serializer(secret_key).dumps({"k": "s", "u": user.id, "a": getattr(user, "auth_version", 0) or 0})


def issue_practice_token(secret_key: str, practice) -> str:
    """A token for one 見学 (practice) visit (a RoomPractice): a room of one, no check-in, no staff."""
    return _serializer(secret_key).dumps({"k": "p", "s": practice.session_id, "p": practice.id})


def read_token(secret_key: str, token: str, max_age_s: int) -> dict:
    """The claims of a valid token.

    Returns `{"kind": "resident", "checkin_id", "version"}`, `{"kind": "staff", "user_id", "auth_version"}`
    or `{"kind": "practice", "session_id", "practice_id"}`
    (a staff token from before `auth_version` existed counts as version 0);
    raises TokenError otherwise.
    """
    if not token or not isinstance(token, str) or len(token) > 1000:
        raise TokenError("missing or malformed token")
    try:
        data = _serializer(secret_key).loads(token, max_age=max_age_s)
    except SignatureExpired as err:
        raise TokenError("token expired", expired=True) from err
    except BadSignature as err:
        raise TokenError("bad token") from err
    if not isinstance(data, dict):
        raise TokenError("bad token")
    if data.get("k") == "r" and isinstance(data.get("c"), int) and isinstance(data.get("v"), int):
        return {"kind": "resident", "checkin_id": data["c"], "version": data["v"]}
    if data.get("k") == "s" and isinstance(data.get("u"), int) and isinstance(data.get("a", 0), int):
        return {"kind": "staff", "user_id": data["u"], "auth_version": data.get("a", 0)}
    if data.get("k") == "p" and isinstance(data.get("s"), int) and isinstance(data.get("p"), int):
        return {"kind": "practice", "session_id": data["s"], "practice_id": data["p"]}
    raise TokenError("bad token")
