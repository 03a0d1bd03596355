"""The in-process broker: the default when REDIS_URL is not set (one relay process)."""
from __future__ import annotations

from realtime.broker import Broker


class MemoryBroker(Broker):
    """Delivers published messages straight to this process's subscribers."""

    async def publish(self, channel: str, message: dict) -> None:
        self.deliver(channel, message)
