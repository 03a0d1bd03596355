"""The relay benchmark's baseline: a bare `websockets` server that only routes the same frames.

    python -m bench._bare_ws [--deflate]   (prints "PORT <n>" once listening; SIGTERM stops it)

Clients connect to /ws?token=r<checkin_id>.<session_id> (residents) or s<user_id> (staff). It parses
each JSON frame as the relay does and sends the same frames to the same peers, with no database,
no broker and no checks: a resident's `message` is echoed to them and forwarded to the staff
connection that sent `take` for them; a staff `message` goes to the resident and is echoed; an
`announce` is broadcast() to the session's residents and echoed. Compression off, like the relay.
"""
from __future__ import annotations

import asyncio
import json
import resource
import signal
import sys
from collections import defaultdict
from urllib.parse import parse_qs, urlsplit

from websockets.asyncio.server import ServerConnection, broadcast, serve

residents: dict[int, ServerConnection] = {}
by_session: dict[int, set[ServerConnection]] = defaultdict(set)
taker: dict[int, ServerConnection] = {}


def dump(frame: dict) -> str:
    return json.dumps(frame, ensure_ascii=False, separators=(",", ":"))


async def handler(ws: ServerConnection) -> None:
    token = (parse_qs(urlsplit(ws.request.path).query).get("token") or [""])[0]
    resident = token.startswith("r")
    if resident:
        checkin_id, session_id = (int(part) for part in token[1:].split("."))
        residents[checkin_id] = ws
        by_session[session_id].add(ws)
    broadcast([ws], dump({"type": "welcome"}))
    try:
        async for raw in ws:
            frame = json.loads(raw)
            kind = frame.get("type")
            if resident and kind == "message":
                broadcast([ws], dump({"type": "message", "from": "resident", "text": frame["text"]}))
                if checkin_id in taker:
                    broadcast([taker[checkin_id]], dump({"type": "message", "from": "resident", "text": frame["text"],
                                                         "checkin_id": checkin_id, "session_id": session_id}))
            elif kind == "take":
                taker[frame["checkin_id"]] = ws
                broadcast([ws], dump({"type": "taken", "checkin_id": frame["checkin_id"]}))
            elif kind == "message":
                target = residents.get(frame["checkin_id"])
                if target is not None:
                    broadcast([target], dump({"type": "message", "from": "staff", "text": frame["text"]}))
                broadcast([ws], dump({"type": "message", "from": "staff", "text": frame["text"],
                                      "checkin_id": frame["checkin_id"]}))
            elif kind == "announce":
                notice = dump({"type": "announcement", "session_id": frame["session_id"], "text": frame["text"]})
                broadcast(by_session.get(frame["session_id"], ()), notice)
                broadcast([ws], notice)
    finally:
        if resident:
            residents.pop(checkin_id, None)
            by_session[session_id].discard(ws)


async def main() -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    stop = asyncio.get_running_loop().create_future()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, lambda: stop.done() or stop.set_result(None))
    compression = "deflate" if "--deflate" in sys.argv else None
    async with serve(handler, "127.0.0.1", 0, compression=compression, max_size=4096, ping_interval=20,
                     ping_timeout=20, server_header=None) as server:
        print(f"PORT {server.sockets[0].getsockname()[1]}", flush=True)
        await stop


if __name__ == "__main__":
    asyncio.run(main())
