"""What a message handler may use of the relay it runs in (realtime.relay.Relay provides it)."""
from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Protocol


class RelayServices(Protocol):
    """The relay as handlers see it: its settings, its database workers and the broker."""

    config: Mapping[str, Any]
    #: The metaverse rooms with someone here (realtime/room/rooms.py Rooms).
    rooms: Any

    async def db(self, fn: Callable[..., Any], *args: Any) -> Any:
        """Run a unit of database work in a worker thread."""

    async def read(self, fn: Callable[..., Any], *args: Any) -> Any:
        """Run a unit that only reads in a worker thread."""

    async def read_gathered(self, unit: Callable[[list], list], item: Any) -> Any:
        """`item`'s answer from `unit` run over every item of the moment in one reading unit of work."""

    async def store_line(self, line: Any) -> list[tuple[str, dict]]:
        """Store a chat line (webapp.checkins.operations.chat_lines.Line) with the others of the moment;
        whom to tell, once committed."""

    async def publish(self, channel: str, envelope: dict) -> None:
        """Send an envelope to every relay's connections on `channel`."""
