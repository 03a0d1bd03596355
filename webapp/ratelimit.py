"""Rate limits on the doors people could hammer: staff login, reservations, check-ins, chat lines and
every look-up by reservation code.

Buckets are keyed by an HMAC of the client address (`request.remote_addr`: behind `TRUST_PROXY`
proxies, the address they forwarded; webapp/security.py), so neither memory nor Redis ever
holds a resident's IP address in the clear. `RATELIMIT_ENABLED=false` turns them off.
Caps per account, per session and per client and session live beside them (webapp/caps.py).
With `REDIS_URL` the buckets live in Redis (shared by every worker); while Redis is away
each worker falls back to buckets in its own memory, logs it, and goes back once Redis answers.
"""
from __future__ import annotations

import hashlib
import hmac

from flask import Flask, current_app, request
from flask_limiter import Limiter


def anonymous_client_key() -> str:
    """A stable, non-reversible key for the caller's address."""
    address = (request.remote_addr or "unknown").encode()
    return hmac.new(current_app.config["SECRET_KEY"].encode(), address, hashlib.sha256).hexdigest()[:24]


#: endpoint -> limit, applied to POST only; one table so the rules live in one place.
LIMITS = {
    "staff.login": "10 per minute; 50 per hour",
    "twofactor.verify": "10 per minute; 50 per hour",
    "api.create_reservation": "20 per minute; 200 per hour",
    "reservations.reserve": "20 per minute; 200 per hour",
    "reservations.lookup": "20 per minute; 200 per hour",
    "checkins_api.create_checkin": "20 per minute",
    "checkins.start": "20 per minute",
    "checkins.send_message": "30 per minute",
    "rooms_api.practice": "10 per minute; 60 per hour",
}

#: Endpoints that look a reservation up by its code, whatever the method (GET, DELETE, POST): one budget
#: per client shared by all of them, so spreading guesses over pages and API gains nothing.
LOOKUPS = ("reservations.show", "reservations.cancel", "reservations.move", "reservations.lookup",
           "api.get_reservation", "api.cancel_reservation", "calendars.reservation_ics")
LOOKUP_LIMIT = "30 per minute; 300 per hour"
#: Check-ins that may carry a reservation code: those that do spend the same budget.
CODE_CHECKINS = ("checkins.start", "checkins_api.create_checkin")
#: Bodies larger than this are refused by the API (413) before anyone reads them; not read here either.
_BODY_PEEK_MAX = 16 * 1024


def _carries_no_code() -> bool:
    """A check-in without a reservation code looks nothing up (exempt from the look-up budget)."""
    if request.form:
        return not request.form.get("reservation_code", "").strip()
    if (request.content_length or 0) > _BODY_PEEK_MAX:
        return True
    try:
        sent = request.get_json(silent=True)
    except RecursionError:  # "[" * 4000: the view answers 400 invalid_json
        return True
    return not (isinstance(sent, dict) and sent.get("reservation_code"))


def init_app(app: Flask) -> Limiter:
    """A limiter of this app's own (Redis when REDIS_URL is set) wrapping the listed endpoints."""
    redis_url = app.config.get("REDIS_URL")
    app.config.setdefault("RATELIMIT_STORAGE_URI", redis_url or "memory://")
    app.config.setdefault("RATELIMIT_KEY_PREFIX", "ikomaru-limits")
    if redis_url:
        app.config.setdefault("RATELIMIT_IN_MEMORY_FALLBACK_ENABLED", True)
        # A Redis that does not answer must cost a request one second, not hang it.
        app.config.setdefault("RATELIMIT_STORAGE_OPTIONS", {"socket_connect_timeout": 1, "socket_timeout": 1})
    # One limiter per app: a module-wide one would keep the settings of whichever app was made last.
    limiter = Limiter(key_func=anonymous_client_key, headers_enabled=True)
    limiter.init_app(app)
    for endpoint, spec in LIMITS.items():
        if endpoint not in app.view_functions:
            raise RuntimeError(f"LIMITS names an endpoint the app does not have: {endpoint}")
        app.view_functions[endpoint] = limiter.limit(spec, methods=["POST"])(app.view_functions[endpoint])
    lookups = limiter.shared_limit(LOOKUP_LIMIT, scope="code-lookups")
    for endpoint in LOOKUPS:
        if endpoint not in app.view_functions:
            raise RuntimeError(f"LOOKUPS names an endpoint the app does not have: {endpoint}")
        app.view_functions[endpoint] = lookups(app.view_functions[endpoint])
    code_checkins = limiter.shared_limit(LOOKUP_LIMIT, scope="code-lookups", methods=["POST"],
                                         exempt_when=_carries_no_code)
    for endpoint in CODE_CHECKINS:
        app.view_functions[endpoint] = code_checkins(app.view_functions[endpoint])
    app.extensions["ikomaru.limiter"] = limiter
    return limiter
