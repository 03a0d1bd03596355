"""The Redis broker (REDIS_URL set): several relay processes serve one deployment.

Every message is delivered to this process's own subscribers at once, and also published on
Redis for the other relays (each message carries this process's id, so it is not delivered
twice here). When Redis goes away the relay keeps serving its own connections, logs it, and
reconnects with backoff; `on_reconnect` then lets the relay resend what may have been missed.
"""
from __future__ import annotations

import asyncio
import json
import logging
import uuid
from collections.abc import Callable

import redis.asyncio as aioredis
from redis.backoff import ExponentialBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError
from redis.retry import Retry

from realtime.broker import Broker, BrokerUnavailable, Handler

log = logging.getLogger(__name__)

#: Channel names on Redis start with this (RELAY_CHANNEL_PREFIX), so deployments can share a Redis.
PREFIX = "ikomaru:relay:"
#: Always subscribed, so the listener has a subscription even before the first client.
CONTROL = "_control"
MAX_BACKOFF_S = 30.0
OUTBOX_LIMIT = 10_000
#: The most queued messages published in one pipeline.
SEND_BATCH = 500
CLOSE_WAIT_S = 2.0  # for each step of closing; Redis gone or slow must not hold a stopping relay


def safe_url(url: str) -> str:
    """The URL without a password, for log lines."""
    if "@" not in url:
        return url
    scheme, _, rest = url.partition("://")
    return f"{scheme}://***@{rest.rpartition('@')[2]}"


class RedisBroker(Broker):
    """Pub/sub over Redis with local delivery that survives a Redis outage."""

    def __init__(self, url: str, on_reconnect: Callable[[], None] | None = None, prefix: str = PREFIX):
        super().__init__()
        self.url = url
        self.prefix = prefix
        self.origin = uuid.uuid4().hex
        self.on_reconnect = on_reconnect
        self.connected = False
        self._client = aioredis.from_url(
            url, socket_connect_timeout=3, socket_timeout=10, health_check_interval=15,
            retry=Retry(ExponentialBackoff(cap=1.0, base=0.1), 1),
        )
        self._pubsub = None
        self._outbox: asyncio.Queue[tuple[str, str]] = asyncio.Queue(maxsize=OUTBOX_LIMIT)
        self._tasks: list[asyncio.Task] = []
        self._closing = False

    async def start(self, handler: Handler) -> None:
        """Check Redis is there (else BrokerUnavailable), then listen and send in the background."""
        await super().start(handler)
        try:
            await asyncio.wait_for(self._client.ping(), timeout=5)
        except (RedisError, OSError, asyncio.TimeoutError) as err:
            await self._client.aclose()
            reason = err or type(err).__name__
            raise BrokerUnavailable(f"Redis at {safe_url(self.url)} is not reachable ({reason})") from err
        await self._open_pubsub()
        self.connected = True
        self._tasks = [asyncio.create_task(self._listen(), name="redis-listen"),
                       asyncio.create_task(self._send(), name="redis-send")]

    async def close(self) -> None:
        """Stop listening and sending, within a few seconds whatever Redis does.

        redis-py may turn a cancellation that lands mid-command into a RedisError, which the loops would
        take for an outage and carry on: `_closing` ends them, and the waits are bounded so a relay told to
        stop (SIGTERM) stops in seconds, not when its supervisor loses patience."""
        self._closing = True
        for task in self._tasks:
            task.cancel()
        if self._tasks:
            await asyncio.wait(self._tasks, timeout=CLOSE_WAIT_S)
        for closing in (self._close_pubsub(), self._client.aclose()):
            try:
                await asyncio.wait_for(closing, timeout=CLOSE_WAIT_S)
            except (RedisError, OSError, asyncio.TimeoutError):
                log.warning("Redis did not close cleanly; stopping anyway")

    async def publish(self, channel: str, message: dict) -> None:
        self.deliver(channel, message)
        if not self.connected:
            return  # the other relays resynchronise when Redis is back
        try:
            self._outbox.put_nowait((self.prefix + channel, json.dumps({"o": self.origin, "m": message})))
        except asyncio.QueueFull:
            log.warning("Redis outbox full; a message for %s reaches only this relay", channel)

    async def subscribe(self, channel: str) -> None:
        await super().subscribe(channel)
        await self._pubsub_call("subscribe", channel)

    async def unsubscribe(self, channel: str) -> None:
        await super().unsubscribe(channel)
        await self._pubsub_call("unsubscribe", channel)

    async def _pubsub_call(self, method: str, channel: str) -> None:
        if self._pubsub is None or not self.connected:
            return  # _listen subscribes to every current channel when it reconnects
        try:
            await getattr(self._pubsub, method)(self.prefix + channel)
        except (RedisError, OSError) as err:
            log.warning("Redis %s %s failed (%s); retried on reconnect", method, channel, err)

    async def _open_pubsub(self) -> None:
        self._pubsub = self._client.pubsub(ignore_subscribe_messages=True)
        await self._pubsub.subscribe(self.prefix + CONTROL, *(self.prefix + c for c in self.channels))

    async def _close_pubsub(self) -> None:
        if self._pubsub is not None:
            try:
                await self._pubsub.aclose()
            except (RedisError, OSError):
                pass
            self._pubsub = None

    async def _listen(self) -> None:
        """Deliver what other relays publish; on a lost connection, back off and reconnect."""
        backoff = 0.5
        while not self._closing:
            try:
                if self._pubsub is None:
                    await self._open_pubsub()
                    self.connected = True
                    backoff = 0.5
                    log.info("Redis at %s is back; resynchronising", safe_url(self.url))
                    if self.on_reconnect is not None:
                        self.on_reconnect()
                # listen() reads each message with no timeout of its own to set up (get_message's per call).
                async for item in self._pubsub.listen():
                    if item.get("type") == "message":
                        self._receive(item)
                    if self._closing:
                        return
            except (RedisError, OSError) as err:
                if self.connected:
                    log.error("lost Redis at %s (%s); serving local connections, reconnecting", safe_url(self.url), err)
                self.connected = False
                await self._close_pubsub()
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, MAX_BACKOFF_S)

    def _receive(self, item: dict) -> None:
        channel = item["channel"].decode() if isinstance(item["channel"], bytes) else item["channel"]
        try:
            envelope = json.loads(item["data"])
        except (TypeError, ValueError):
            log.warning("ignored a malformed message on %s", channel)
            return
        if not isinstance(envelope, dict) or envelope.get("o") == self.origin:
            return
        if channel.startswith(self.prefix) and isinstance(envelope.get("m"), dict):
            self.deliver(channel[len(self.prefix):], envelope["m"])

    async def _publish_all(self, batch: list[tuple[str, str]]) -> None:
        pipe = self._client.pipeline(transaction=False)
        for channel, payload in batch:
            pipe.publish(channel, payload)
        await pipe.execute()

    async def _send(self) -> None:
        """Publish queued messages in order; while Redis is away they are dropped (local delivery went on).

        What queued up while the last publish was on its way goes in one pipeline: one round trip and
        one reply to parse for many messages (a chat line is two messages, bench/relay_redis.py)."""
        while not self._closing:
            batch = [await self._outbox.get()]
            while len(batch) < SEND_BATCH and not self._outbox.empty():
                batch.append(self._outbox.get_nowait())
            if not self.connected:
                continue
            try:
                if len(batch) == 1:
                    await self._client.publish(*batch[0])
                    continue
                try:
                    await self._publish_all(batch)
                except (RedisConnectionError, OSError):
                    # A connection Redis dropped while it was away: a new one, once, as `publish` retries.
                    await self._publish_all(batch)
            except (RedisError, OSError) as err:
                log.warning("Redis publish failed (%s); the listener will reconnect", err)
