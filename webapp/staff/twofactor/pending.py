"""What the browser carries between sign-in steps, in the signed Flask session: "password right for
account X at time T" (with the step that follows) and the secret of an enrolment under way."""
from __future__ import annotations

import hmac
import time

from flask import session

from webapp.db import db_session
from webapp.staff.models import User
from webapp.staff.twofactor import codes
from webapp.staff.twofactor.operations import ATTEMPTS, PENDING_S, wrong_codes

SIGN_IN = "two_factor_pending"
SETUP = "two_factor_setup"


def start(user: User, step: str, next_url: str | None) -> None:
    """Remember the right password; `step` is "verify" or "enrol"."""
    session[SIGN_IN] = {"uid": user.id, "stamp": user.session_stamp, "at": time.time(), "step": step,
                        "next": next_url or "", "wrong_before": wrong_codes(user)}


def _data() -> dict | None:
    data = session.get(SIGN_IN)
    return data if isinstance(data, dict) else None


def expired() -> bool:
    """A pending sign-in is there but older than PENDING_S."""
    data = _data()
    return data is not None and time.time() - float(data.get("at", 0)) > PENDING_S


def user(step: str) -> User | None:
    """The account whose password was right moments ago, waiting for `step`; None when there is none,
    it is too old, the account was deactivated or its password changed since."""
    data = _data()
    if data is None or data.get("step") != step or expired():
        return None
    uid = data.get("uid")
    account = db_session.get(User, uid) if isinstance(uid, int) else None
    if account is None or not account.active or not hmac.compare_digest(str(data.get("stamp")),
                                                                         account.session_stamp):
        return None
    return account


def attempts_used(account: User) -> bool:
    """ATTEMPTS wrong codes since this sign-in began: it is over."""
    data = _data() or {}
    return wrong_codes(account) - int(data.get("wrong_before", 0)) >= ATTEMPTS


def next_url() -> str:
    return str((_data() or {}).get("next", ""))


def clear() -> None:
    session.pop(SIGN_IN, None)


def setup_secret(account: User, secret_key: str) -> str:
    """The secret shown for enrolment: the same one until it is confirmed, so a reload keeps the QR code."""
    held = session.get(SETUP)
    if isinstance(held, dict) and held.get("uid") == account.id:
        secret = codes.decrypt(str(held.get("secret", "")), secret_key)
        if secret:
            return secret
    secret = codes.new_secret()
    session[SETUP] = {"uid": account.id, "secret": codes.encrypt(secret, secret_key)}
    return secret


def forget_setup() -> None:
    session.pop(SETUP, None)
