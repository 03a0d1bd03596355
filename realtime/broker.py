"""Fan-out between relay processes: publish a message on a channel, receive what others publish.

Channels (see channel names below) are per session (its staff, its residents), per check-in
(that resident's connections) and per staff account (that person's connections). A broker
delivers every message published on a channel this process subscribed to, including its own,
exactly once, to the handler given to `start`; the database stays the source of truth.
"""
from __future__ import annotations

import abc
from collections.abc import Callable

#: handler(channel, message) called on the event loop for each delivered message.
Handler = Callable[[str, dict], None]


def session_staff(session_id: int) -> str:
    return f"s{session_id}.staff"


def session_residents(session_id: int) -> str:
    return f"s{session_id}.residents"


def checkin_channel(checkin_id: int) -> str:
    return f"c{checkin_id}"


def user_channel(user_id: int) -> str:
    return f"u{user_id}"


class BrokerUnavailable(Exception):
    """The broker cannot be reached at start; the relay should not start half-working."""


class Broker(abc.ABC):
    """What the relay needs from a pub/sub: publish, subscribe, unsubscribe."""

    def __init__(self) -> None:
        self.handler: Handler | None = None
        self.channels: set[str] = set()

    async def start(self, handler: Handler) -> None:
        """Begin delivering messages to `handler`."""
        self.handler = handler

    async def close(self) -> None:  # noqa: B027  (optional: a broker holding nothing has nothing to close)
        """Stop delivering and let go of connections."""

    @abc.abstractmethod
    async def publish(self, channel: str, message: dict) -> None:
        """Send `message` (a JSON-able dict) to every subscriber of `channel`, in every process."""

    async def subscribe(self, channel: str) -> None:
        """Receive what is published on `channel`."""
        self.channels.add(channel)

    async def unsubscribe(self, channel: str) -> None:
        """Stop receiving `channel`."""
        self.channels.discard(channel)

    def deliver(self, channel: str, message: dict) -> None:
        """Hand a message to the handler when this process follows the channel."""
        if self.handler is not None and channel in self.channels:
            self.handler(channel, message)
