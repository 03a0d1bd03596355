"""The web app tells the relays what it changed outside them (a form posted by a browser without
JavaScript, a visitor recorded over HTTP), so staff consoles show it at once rather than at the
relay's next upkeep.

With REDIS_URL set, the envelopes go through Redis in the relays' own wire format and every relay
of the deployment delivers them. Without Redis, a relay running in this process (`flask serve`)
gets them directly. With neither (a separate relay process and no Redis), nothing is sent here and
the relay's upkeep (every RELAY_MAINTENANCE_S) still brings the change. Stored first, told second:
a failure to tell loses nothing.
"""
from __future__ import annotations

import asyncio
import json
import logging
import threading
from collections.abc import Mapping

import redis
from redis.exceptions import RedisError

from realtime.broker import Broker

log = logging.getLogger(__name__)

#: What a Redis envelope carries as its origin; no relay has this id, so every relay delivers it.
WEB_ORIGIN = "web"

_local: set[tuple[asyncio.AbstractEventLoop, Broker]] = set()
_clients: dict[str, redis.Redis] = {}
_lock = threading.Lock()


def attach(loop: asyncio.AbstractEventLoop, broker: Broker) -> None:
    """A relay in this process starts taking the web app's envelopes."""
    with _lock:
        _local.add((loop, broker))


def detach(loop: asyncio.AbstractEventLoop, broker: Broker) -> None:
    with _lock:
        _local.discard((loop, broker))


def _redis(url: str) -> redis.Redis:
    with _lock:
        if url not in _clients:
            # Short timeouts: a missing Redis must not hold up the resident's page.
            _clients[url] = redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1)
        return _clients[url]


def publish(config: Mapping, events: list[tuple[str, dict]]) -> None:
    """Send (channel, envelope) pairs from realtime.events to the relays; never raises."""
    if not events:
        return
    if config.get("REDIS_URL"):
        prefix = config.get("RELAY_CHANNEL_PREFIX") or "ikomaru:relay:"
        try:
            with _redis(config["REDIS_URL"]).pipeline(transaction=False) as pipe:
                for channel, envelope in events:
                    pipe.publish(prefix + channel, json.dumps({"o": WEB_ORIGIN, "m": envelope}, ensure_ascii=False))
                pipe.execute()
        except (RedisError, OSError) as err:
            log.warning("could not tell the relays through Redis (%s); they catch up at their upkeep", err)
        return
    with _lock:
        relays = list(_local)
    for loop, broker in relays:
        for channel, envelope in events:
            try:
                loop.call_soon_threadsafe(broker.deliver, channel, envelope)
            except RuntimeError:  # that relay's loop has just closed
                break
