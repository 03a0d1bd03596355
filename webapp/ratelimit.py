"""Rate limits on the doors people could hammer: staff login and anonymous reservations.

Buckets are keyed by an HMAC of the client address, so neither memory nor Redis ever
holds a resident's IP address in the clear. `RATELIMIT_ENABLED=false` turns them off.
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


limiter = Limiter(key_func=anonymous_client_key, headers_enabled=True)

#: endpoint -> limit, applied to POST only; one table so the rules live in one place.
LIMITS = {
    "staff.login": "10 per minute; 50 per hour",
    "api.create_reservation": "20 per minute; 200 per hour",
    "reservations.reserve": "20 per minute; 200 per hour",
    "checkins_api.create_checkin": "20 per minute",
    "checkins.start": "20 per minute",
}


def init_app(app: Flask) -> None:
    """Bind the limiter (Redis when REDIS_URL is set) and wrap the listed endpoints."""
    app.config.setdefault("RATELIMIT_STORAGE_URI", app.config.get("REDIS_URL") or "memory://")
    limiter.init_app(app)
    for endpoint, spec in LIMITS.items():
        view = app.view_functions.get(endpoint)
        if view is not None:
            app.view_functions[endpoint] = limiter.limit(spec, methods=["POST"])(view)
