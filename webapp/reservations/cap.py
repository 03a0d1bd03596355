"""One phone cannot book out a session: at most N reservations per client per session.

Counted in the rate-limit storage (memory, or Redis with REDIS_URL) under the keyed hash of the
client address that webapp/ratelimit.py uses, so no address is stored anywhere and nothing of it
reaches the database. `RESERVATIONS_PER_CLIENT_PER_SESSION` sets N (0: no cap); like every rate
limit it is off with `RATELIMIT_ENABLED=false` (load tests reserve from one address).
"""
from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from flask import current_app

from webapp.db import utcnow
from webapp.exceptions import DomainError
from webapp.ratelimit import anonymous_client_key
from webapp.sessions.models import Session

log = logging.getLogger(__name__)

DEFAULT_CAP = 2
#: Kept a day past the session's end, then the storage forgets it by itself.
KEEP_AFTER_END_S = 24 * 3600


def limit() -> int:
    """Reservations one client may hold in one session (0: no cap)."""
    return int(current_app.config.get("RESERVATIONS_PER_CLIENT_PER_SESSION", DEFAULT_CAP))


def _storage():
    limiter = current_app.extensions.get("ikomaru.limiter")
    return limiter.storage if limiter is not None and limiter.enabled and limit() > 0 else None


def _key(session: Session) -> str:
    return f"ikomaru-reservation-cap/{session.id}/{anonymous_client_key()}"


@contextmanager
def counted(session: Session) -> Iterator[None]:
    """Count one reservation of this client in this session around the block; refuse one past the cap (429).

    The count is taken first and given back when the block fails (a full slot, say), so two quick
    presses cannot both slip under the cap. A storage that does not answer never stops a reservation.
    """
    storage = _storage()
    if storage is None:
        yield
        return
    key = _key(session)
    expiry = int(max(60, (session.ends_at - utcnow()).total_seconds() + KEEP_AFTER_END_S))
    try:
        held = storage.incr(key, expiry)
    except Exception:  # noqa: BLE001  (Redis away: the seat matters more than the cap)
        log.warning("reservation cap not checked: the rate-limit storage did not answer", exc_info=True)
        yield
        return
    if held > limit():
        _give_back(storage, key)
        raise DomainError("too_many_reservations",
                          f"One device can hold at most {limit()} reservations in a session.", 429)
    try:
        yield
    except BaseException:
        _give_back(storage, key)
        raise


def released(session: Session) -> None:
    """This client cancelled one of its reservations in the session: it may book another."""
    storage = _storage()
    if storage is not None:
        _give_back(storage, _key(session))


def _give_back(storage, key: str) -> None:
    try:
        if storage.get(key) > 0:
            storage.decr(key)
    except Exception:  # noqa: BLE001
        log.warning("reservation cap not updated: the rate-limit storage did not answer", exc_info=True)
