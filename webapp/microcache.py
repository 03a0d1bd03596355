"""A micro-cache for public, anonymous reads: built answers kept for at most PUBLIC_CACHE_SECONDS.

A busy public endpoint (the session list, the public feed's fingerprint) answers the same thing
to everyone until a session or reservation changes. Keeping the answer for a second spares the
queries and the building. This process forgets everything at once when a change is committed here
(the `session_changed` and `reservation_changed` signals); other worker processes see it after at
most PUBLIC_CACHE_SECONDS. Never put anything in it that depends on the user or a token.
"""
from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from typing import Any

from flask import Flask, current_app

from webapp import signals

#: Entries kept at most; keys come from validated query args, so this only bounds odd traffic.
MAX_ENTRIES = 256


class MicroCache:
    """Answers by key, each kept `seconds` from when it was built; `clear()` drops them all."""

    def __init__(self, seconds: float, clock: Callable[[], float] = time.monotonic):
        self.seconds, self.clock = seconds, clock
        self.builds = 0
        self._entries: dict[Hashable, tuple[float, Any]] = {}
        self._lock = threading.Lock()
        #: Bumped by clear(): an answer built while a change was committed is not kept.
        self._generation = 0

    def get(self, key: Hashable, build: Callable[[], Any]) -> Any:
        """The answer for `key`, built (outside the lock) when missing or older than the window."""
        if self.seconds <= 0:
            return build()
        now = self.clock()
        with self._lock:
            held = self._entries.get(key)
            if held is not None and now < held[0]:
                return held[1]
            generation = self._generation
        value = build()
        with self._lock:
            self.builds += 1
            if generation == self._generation:
                if len(self._entries) >= MAX_ENTRIES:
                    self._entries.clear()
                self._entries[key] = (now + self.seconds, value)
        return value

    def clear(self, *_args, **_kwargs) -> None:
        """Forget every answer (also a signal receiver, hence the ignored arguments)."""
        with self._lock:
            self._entries.clear()
            self._generation += 1


def _init(app: Flask) -> MicroCache:
    """One cache per app, cleared whenever this process commits a session or reservation change."""
    made = MicroCache(float(app.config.get("PUBLIC_CACHE_SECONDS", 1.0)))
    cache = app.extensions.setdefault("microcache", made)  # atomic: two first requests share one cache
    if cache is made:
        # Held weakly: the receivers go with the cache, i.e. with the app that holds it.
        signals.session_changed.connect(cache.clear)
        signals.reservation_changed.connect(cache.clear)
    return cache


def public_cache() -> MicroCache:
    """The current app's micro-cache, made on first use (nothing is cached before, so no change is missed)."""
    return current_app.extensions.get("microcache") or _init(current_app)
