"""Python's cyclic garbage collector kept from pausing the relay: what lives on is set aside as it settles.

With 10,000 connections, a full collection walks every object of every connection and held the event
loop, and so every chat line, for 0.5-0.7 s, several times a minute (bench/relay.py: the round trip's
p99 at 1,000 lines a second went from under 100 ms to 0.7-1.4 s whenever one fell in it;
docs/performance.md). Connections live for minutes to hours, so every FREEZE_S this moves whatever is
alive then out of the collector's sight (`gc.freeze`, which costs nothing whatever the count): later
collections walk only what is newer. Objects set aside are still freed by reference counting the
moment nothing uses them; only garbage in reference cycles among them waits, until the full
collection every FULL_COLLECTION_S gives everything back to the collector (`gc.unfreeze`) and
collects it. That one pause, once an hour, is the price of not having several a minute.
"""
from __future__ import annotations

import asyncio
import gc
import logging
import time

log = logging.getLogger("realtime")

#: How often what is alive is set aside (connections opened since then among it).
FREEZE_S = 5.0
#: How often everything set aside is collected again (cycles among closed connections, say).
FULL_COLLECTION_S = 3600.0


async def keep_collections_short(freeze_s: float = FREEZE_S, full_s: float = FULL_COLLECTION_S) -> None:
    """Set aside what is alive every `freeze_s`; collect everything every `full_s` (a background task)."""
    last_full = time.monotonic()
    while True:
        await asyncio.sleep(freeze_s)
        if time.monotonic() - last_full >= full_s:
            last_full = time.monotonic()
            full_collection()
        gc.freeze()


def full_collection() -> int:
    """Give everything set aside back to the collector and collect it all; how many objects were freed."""
    started = time.perf_counter()
    gc.unfreeze()
    freed = gc.collect()
    log.info("relay: full garbage collection, %d objects freed in %.0f ms", freed,
             (time.perf_counter() - started) * 1000)
    return freed
