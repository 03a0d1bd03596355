"""The realtime relay: a websockets asyncio server, Flask-free (CONTRACT.md section 5, docs/realtime.md).

`run(config, host, port, stop)` serves until `stop` resolves; `main(...)` adds SIGINT/SIGTERM
handling for the `serve` and `relay` commands. The jobs live in their own modules: the handshake
(realtime.handshake), a connection's life (realtime.connection), dispatch by `"type"`
(realtime.dispatch), presence (realtime.presence), upkeep (realtime.upkeep) and which
sessions a staff connection follows (realtime.following).
"""
from __future__ import annotations

import asyncio
import functools
import gc
import logging
import signal
import sys
from collections.abc import Callable, Mapping

from websockets.asyncio.server import serve

from realtime import collector, connection, following, handshake, notify, upkeep
from realtime.origins import default_origins
from realtime.relay import Relay
from webapp.audit import receivers as audit_receivers
from webapp.checkins import operations
from webapp.db import bind

#: The GIL's switch interval in the relay process (Python's default is 5 ms; see main).
SWITCH_INTERVAL_S = 0.0005

__all__ = ["Relay", "default_origins", "main", "run"]

log = logging.getLogger("realtime")

MAX_FRAME_BYTES = 4096


async def run(config: Mapping, host: str, port: int, stop: asyncio.Future | None = None, *,
              bind_database: bool = True, on_ready: Callable[[int], None] | None = None) -> None:
    """Serve the relay on host:port until `stop` resolves (forever when None).

    Raises BrokerUnavailable when REDIS_URL is set but Redis cannot be reached.
    """
    import webapp.models  # noqa: F401  (every table known to SQLAlchemy)

    if bind_database:
        bind(config["DATABASE_URL"])
    operations.configure(config)
    audit_receivers.connect()  # takes, closes and extensions made here are audited (no web request here)
    logging.getLogger("websockets").setLevel(logging.WARNING)  # its INFO lines would name clients
    relay = Relay(config)
    relay.hub.follow = functools.partial(following.follow, relay)  # "follow" envelopes from the broker
    await relay.broker.start(relay.hub.on_message)
    notify.attach(asyncio.get_running_loop(), relay.broker)  # the web app in this process can tell us
    try:
        async with serve(functools.partial(connection.handle, relay), host, port,
                         process_request=functools.partial(handshake.process_request, relay),
                         max_size=MAX_FRAME_BYTES, ping_interval=20, ping_timeout=20, close_timeout=5,
                         # Short chat lines gain nothing from deflate, which roughly triples memory per connection.
                         compression=None, server_header=None) as server:
            bound = server.sockets[0].getsockname()[1]
            log.info("relay: ws://%s:%s%s (%s broker)", host, bound, relay.path, type(relay.broker).__name__)
            if on_ready is not None:
                on_ready(bound)
            maintenance = asyncio.create_task(upkeep.maintain(relay), name="relay-upkeep")
            ticker = asyncio.create_task(relay.rooms.run(float(relay.config["ROOM_TICK_S"]),
                                                             float(relay.config["ROOM_HERE_S"])), name="relay-rooms")
            heartbeat = asyncio.create_task(relay.presence.beat(float(relay.config["RELAY_PRESENCE_HEARTBEAT_S"])),
                                            name="relay-presence")
            try:
                await (stop if stop is not None else asyncio.get_running_loop().create_future())
            finally:
                maintenance.cancel()
                ticker.cancel()
                heartbeat.cancel()
                server.close()  # every open connection gets 1001 (going away)
    finally:
        notify.detach(asyncio.get_running_loop(), relay.broker)
        await relay.broker.close()
        relay.workers.shutdown()


def main(config: Mapping, host: str, port: int, *, bind_database: bool = True,
         on_ready: Callable[[int], None] | None = None) -> None:
    """Run the relay until SIGINT or SIGTERM (both close connections with 1001)."""
    # What the imports built lives as long as the process: out of the collector's sight, a full
    # collection no longer walks it (it paused the event loop, and so the room tick, for tens of ms).
    gc.collect()
    gc.freeze()
    # The database threads let go of the GIL at every SQLite call and every analysed line, and at
    # Python's default 5 ms switch interval each one then waited for the busy event loop to hand it
    # back: a 30 µs analysis took 0.4 ms under load (docs/performance.md). A shorter interval hands
    # it back sooner; the loop loses little, as its own work comes in short pieces.
    sys.setswitchinterval(float(config.get("RELAY_SWITCH_INTERVAL_S") or SWITCH_INTERVAL_S))

    async def guarded():
        loop = asyncio.get_running_loop()
        stop = loop.create_future()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, functools.partial(_resolve, stop))
        # A process of its own: what lives on is set aside as it settles (realtime.collector). Not in
        # `run`, which tests also start in a thread of their own process.
        collections = asyncio.create_task(collector.keep_collections_short(), name="relay-gc")
        try:
            await run(config, host, port, stop, bind_database=bind_database, on_ready=on_ready)
        finally:
            collections.cancel()

    asyncio.run(guarded())


def _resolve(future: asyncio.Future) -> None:
    if not future.done():
        future.set_result(None)
