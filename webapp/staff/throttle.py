"""Password guessing against one account is throttled, from however many addresses it comes.

At most `LOGIN_FAILURES_PER_ACCOUNT` failed logins per login name in a fixed window of
`LOGIN_FAILURE_WINDOW_MINUTES`; past them that login is refused with 429 (even with the right
password) until the window ends. Counted in the rate-limit storage (webapp/caps.py) under a keyed
hash of the name, for names that exist and names that do not alike (a 429 tells nothing about
which logins exist). An attempt is counted before the password is checked and given back when it
was right, so parallel guesses cannot slip past; a refused attempt is never counted.
"""
from __future__ import annotations

import hashlib
import hmac

from flask import current_app

from webapp import caps

DEFAULT_FAILURES = 10
DEFAULT_WINDOW_MINUTES = 15


def window_minutes() -> int:
    return int(current_app.config.get("LOGIN_FAILURE_WINDOW_MINUTES", DEFAULT_WINDOW_MINUTES))


def account_cap(login: str) -> caps.Cap:
    """The failure counter of this login name (lower-cased, trimmed) in the current window."""
    name = (login or "").strip().lower().encode()
    hashed = hmac.new(current_app.config["SECRET_KEY"].encode(), name, hashlib.sha256).hexdigest()[:24]
    seconds = max(60, window_minutes() * 60)
    return caps.Cap(caps.key("login", hashed, caps.window(seconds)),
                    int(current_app.config.get("LOGIN_FAILURES_PER_ACCOUNT", DEFAULT_FAILURES)), seconds + 60,
                    "login_throttled", "Too many failed logins for this account; please wait and try again.")
