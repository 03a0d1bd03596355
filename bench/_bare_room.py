"""The room benchmark's baseline: a bare `websockets` server relaying each move at once with broadcast().

    python -m bench._bare_room        (prints "PORT <n>" once listening; SIGTERM stops it)

Clients connect to /ws?token=r<checkin_id>.<session_id>. Each gets `room {you}`; each `move` is
sent at once to everyone else in the same session's room as a `moves` frame of one item. No
database, no broker, no clamping, no coalescing. Compression off, like the relay.
"""
from __future__ import annotations

import asyncio
import json
import resource
import signal
from collections import defaultdict
from urllib.parse import parse_qs, urlsplit

from websockets.asyncio.server import ServerConnection, broadcast, serve

rooms: dict[int, set[ServerConnection]] = defaultdict(set)


async def handler(ws: ServerConnection) -> None:
    token = (parse_qs(urlsplit(ws.request.path).query).get("token") or [""])[0]
    checkin_id, session_id = (int(part) for part in token[1:].split("."))
    oid = f"o{checkin_id}"
    room = rooms[session_id]
    room.add(ws)
    broadcast([ws], json.dumps({"type": "welcome"}))
    broadcast([ws], json.dumps({"type": "room", "you": oid, "occupants": []}))
    try:
        async for raw in ws:
            frame = json.loads(raw)
            if frame.get("type") == "move":
                text = json.dumps({"type": "moves", "items": [{"oid": oid, "x": frame["x"], "y": frame["y"]}]},
                                  separators=(",", ":"))
                broadcast([peer for peer in room if peer is not ws], text)
    finally:
        room.discard(ws)


async def main() -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    stop = asyncio.get_running_loop().create_future()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, lambda: stop.done() or stop.set_result(None))
    async with serve(handler, "127.0.0.1", 0, compression=None, max_size=4096, ping_interval=20, ping_timeout=20,
                     server_header=None) as server:
        print(f"PORT {server.sockets[0].getsockname()[1]}", flush=True)
        await stop


if __name__ == "__main__":
    asyncio.run(main())
