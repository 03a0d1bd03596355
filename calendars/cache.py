"""Built feeds kept in memory per fingerprint, so an unchanged feed is never rebuilt."""
from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable

#: Bump when the feed layout changes, so clients holding an old ETag get the new bytes.
FEED_VERSION = 1


def etag_for(key: Hashable, values: tuple) -> str:
    """A strong ETag from what the feed is (key) and the state it shows; equal in every worker process."""
    return hashlib.sha256(repr((FEED_VERSION, key, values)).encode()).hexdigest()[:32]


class FeedCache:
    """A small LRU of feed bytes; an entry is used only while its fingerprint still matches.

    Building happens outside the lock: two threads may build the same feed at
    once, which costs a little time but never serves a wrong feed.
    """

    def __init__(self, size: int = 256):
        self.size = size
        self.builds = 0
        self._entries: OrderedDict[Hashable, tuple[str, bytes]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, etag: str, build: Callable[[], bytes]) -> bytes:
        """The bytes for `key` at `etag`, built only if not already held."""
        with self._lock:
            held = self._entries.get(key)
            if held is not None and held[0] == etag:
                self._entries.move_to_end(key)
                return held[1]
        body = build()
        with self._lock:
            self.builds += 1
            self._entries[key] = (etag, body)
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)
        return body

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
