"""Caps counted in the rate-limit storage (memory, or Redis with REDIS_URL): at most N of something.

Used for what one client, one session or one account may do within a window (webapp/checkins/cap.py,
webapp/reservations/cap.py, webapp/staff/throttle.py). The count is taken first, atomically, and given
back when the caller is refused or its work fails, so quick presses in parallel cannot all slip under
a cap and a refusal is never counted. Keys hold ids and keyed hashes only, never an address or a login.
Like every rate limit, caps are off with `RATELIMIT_ENABLED=false`, and a storage that does not answer
lets the request through (logged): the service matters more than the cap.
"""
from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager

from flask import current_app

from webapp.exceptions import DomainError

log = logging.getLogger(__name__)


@dataclasses.dataclass(frozen=True)
class Cap:
    """At most `limit` (0: no cap) under `key`, forgotten `expiry_s` after the first count; past it a 429
    DomainError with `code` and `message`."""

    key: str
    limit: int
    expiry_s: int
    code: str
    message: str


def key(*parts) -> str:
    """A storage key under this app's rate-limit prefix (so deployments and tests sharing a Redis stay apart)."""
    return "/".join([current_app.config.get("RATELIMIT_KEY_PREFIX", "ikomaru-limits"), "cap", *map(str, parts)])


def window(seconds: int) -> int:
    """The number of the fixed window of `seconds` we are in (part of a key)."""
    return int(time.time() // seconds)


def _storage():
    limiter = current_app.extensions.get("ikomaru.limiter")
    return limiter.storage if limiter is not None and limiter.enabled else None


@contextmanager
def counted(*caps: Cap) -> Iterator[None]:
    """Count one against each cap around the block; past one, its 429 DomainError (every count given back)."""
    storage = _storage()
    caps = tuple(c for c in caps if c.limit > 0)
    taken: list[Cap] = []
    if storage is not None:
        try:
            for cap in caps:
                taken.append(cap)
                if storage.incr(cap.key, cap.expiry_s) > cap.limit:
                    give_back(*taken)
                    raise DomainError(cap.code, cap.message, 429)
        except DomainError:
            raise
        except Exception:  # noqa: BLE001  (Redis away)
            log.warning("caps not checked: the rate-limit storage did not answer", exc_info=True)
            taken = []
    try:
        yield
    except BaseException:
        give_back(*taken)
        raise


def give_back(*caps: Cap) -> None:
    """Undo one count of each cap (a cancelled reservation, a refused or failed attempt, a good password)."""
    storage = _storage()
    if storage is None:
        return
    for cap in caps:
        try:
            if storage.get(cap.key) > 0:
                storage.incr(cap.key, cap.expiry_s, amount=-1)  # Redis storage has no decr
        except Exception:  # noqa: BLE001
            log.warning("cap not given back: the rate-limit storage did not answer", exc_info=True)
