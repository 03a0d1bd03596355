"""Rate limits on the doors people could hammer: staff login, reservations, check-ins and chat lines.

Buckets are keyed by an HMAC of the client address, so neither memory nor Redis ever
holds a resident's IP address in the clear. `RATELIMIT_ENABLED=false` turns them off.
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
}


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
    app.extensions["ikomaru.limiter"] = limiter
    return limiter
