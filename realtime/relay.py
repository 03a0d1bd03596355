"""One relay process's state: settings, database workers, broker, hub and presence (docs/realtime.md)."""
from __future__ import annotations

from collections.abc import Callable, Mapping

from realtime.broker import Broker
from realtime.broker_memory import MemoryBroker
from realtime.gathering import Gathering
from realtime.group_commit import GroupCommit
from realtime.hub import Hub
from realtime.origins import default_origins
from realtime.presence import Presence
from realtime.room.rooms import Rooms
from realtime.workers import Workers

#: Relay settings and their defaults; any of them may be given in the config mapping.
DEFAULTS = {
    "RELAY_PATH": "/ws",
    "RELAY_TOKEN_MAX_AGE_S": 12 * 3600,
    "RELAY_MAX_CONNECTIONS_PER_TOKEN": 3,
    "RELAY_MESSAGES_PER_S": 5,
    "RELAY_BURST": 10,
    "RELAY_FLOOD_CLOSE_AFTER": 20,
    "RELAY_MAINTENANCE_S": 30,
    "RELAY_PRESENCE_HEARTBEAT_S": 2,
    "RELAY_DB_THREADS": None,  # see realtime.workers.db_threads()
    "ROOM_TICK_S": 0.1,  # one `moves` frame per room per tick (realtime/room/rooms.py)
    "ROOM_HERE_S": 5.0,  # the rooms' roll call between relays (realtime/room/rooms.py HERE_S)
    "ROOM_MOVES_PER_S": 30,  # moves a second one connection may keep up (coalesced per tick); far beyond: flood
    "RATELIMIT_ENABLED": True,
}
UNAVAILABLE = "The service is briefly unavailable; nothing was saved. Please try again in a moment."


def make_broker(config: Mapping, on_reconnect: Callable[[], None]) -> Broker:
    """Redis when REDIS_URL is set, else the in-process broker."""
    if config.get("REDIS_URL"):
        from realtime.broker_redis import RedisBroker

        return RedisBroker(config["REDIS_URL"], on_reconnect=on_reconnect,
                           prefix=config.get("RELAY_CHANNEL_PREFIX") or "ikomaru:relay:")
    return MemoryBroker()


class Relay:
    """What the handshake, the connections, the handlers and upkeep share (realtime.services.RelayServices)."""

    def __init__(self, config: Mapping):
        self.config = {**DEFAULTS, **{k: v for k, v in config.items() if v is not None}}
        self.secret = self.config["SECRET_KEY"]
        self.path = self.config["RELAY_PATH"]
        self.origins = set(self.config.get("ALLOWED_ORIGINS") or default_origins(self.config.get("RELAY_PUBLIC_URL")))
        self.workers = Workers(self.config)
        self.broker = make_broker(self.config, on_reconnect=lambda: self.hub.refresh_everything())
        self.hub = Hub(self.broker, self.read)  # the hub only reads (queue frames)
        self.presence = Presence(self.hub, self.db, self.publish)
        self.rooms = Rooms(self)
        self.hub.room = self.rooms.on_envelope
        self.chat = GroupCommit(self.db)
        self._readings: dict[Callable, Gathering] = {}

    async def db(self, fn, *args):
        """Run a unit of database work off the event loop."""
        return await self.workers.db(fn, *args)

    async def read(self, fn, *args):
        """Run a unit that only reads (webapp.db.reading: on SQLite it never waits for a writer)."""
        return await self.workers.read(fn, *args)

    async def read_gathered(self, unit: Callable[[list], list], item):
        """`item`'s answer from `unit`, a read over the items that arrive together (realtime.gathering):
        one reading unit of work for every handshake, or every welcome, of the moment."""
        gathering = self._readings.get(unit)
        if gathering is None:
            gathering = self._readings[unit] = Gathering(self.read, unit)
        return await gathering.ask(item)

    async def store_line(self, line):
        """Store a chat line in the next group commit (realtime.group_commit); whom to tell about it."""
        return await self.chat.store(line)

    async def publish(self, channel: str, envelope: dict) -> None:
        await self.broker.publish(channel, envelope)
