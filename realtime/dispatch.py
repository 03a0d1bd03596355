"""One incoming text frame: parsed, handed to the handler for its sender and `"type"`, errors answered."""
from __future__ import annotations

import json
import logging

from pydantic_core import PydanticCustomError
from websockets.exceptions import ConnectionClosed

from realtime import frames, handlers
from realtime.client import Client
from realtime.relay import UNAVAILABLE, Relay
from realtime.room import handlers as room_handlers
from webapp.exceptions import DomainError, database_unreachable
from webapp.schemas.fields import json_is_text, refuse_bad_text

log = logging.getLogger("realtime")


#: The handler of each frame type, by sender.
TABLES = {"resident": {**handlers.RESIDENT, **room_handlers.RESIDENT},
          "staff": {**handlers.STAFF, **room_handlers.STAFF},
          "practice": {"ping": handlers.ping, **room_handlers.PRACTICE}}


def parse(client: Client, raw) -> dict | None:
    """The frame as a dict with a text "type", or None after telling the sender what was wrong."""
    if isinstance(raw, bytes):
        client.send_frame(frames.error("bad_frame", "Send JSON text frames."))
        return None
    try:
        frame = json.loads(raw)
    except ValueError:
        client.send_frame(frames.error("bad_json", "The frame is not valid JSON."))
        return None
    except RecursionError:  # "[" * 4000: deeper than the parser goes; the sender's fault, not ours
        client.send_frame(frames.error("bad_json", "The frame is nested too deep."))
        return None
    if not isinstance(frame, dict) or not isinstance(frame.get("type"), str):
        client.send_frame(frames.error("bad_frame", 'Each frame is a JSON object with a "type".'))
        return None
    try:
        if not json_is_text(raw):  # most frames: one search of the raw text, no walk of the parsed frame
            refuse_bad_text(frame)
    except PydanticCustomError as err:  # text no database could store (NUL, a lone surrogate)
        client.send_frame(frames.error("bad_frame", str(err)))
        return None
    return frame


async def dispatch(relay: Relay, client: Client, frame: dict) -> None:
    """Run the handler for the frame; a broken rule or a bad field becomes an error frame with its context."""
    handler = TABLES[client.kind].get(frame["type"])
    context = {k: frame[k] for k in ("ref", "checkin_id", "session_id")
               if isinstance(frame.get(k), (int, str)) and not isinstance(frame.get(k), bool)}
    if handler is None:
        client.send_frame(frames.error("unknown_type", f"Unknown message type: {frame['type'][:40]}", **context))
        return
    try:
        await handler(relay, client, frame)
    except DomainError as err:
        client.send_frame(frames.error(err.code, err.message, **err.details(), **context))
    except handlers.FrameError as err:
        client.send_frame(frames.error(err.code, err.message, **context))
    except ConnectionClosed:
        raise
    except Exception as err:  # noqa: BLE001  (our fault, not the sender's: log it, keep the connection)
        if database_unreachable(err):
            log.error("database unreachable while handling a %s %r frame: %s", client.kind, frame["type"],
                      getattr(err, "orig", err))
            client.send_frame(frames.error("service_unavailable", UNAVAILABLE, **context))
            return
        log.exception("handling a %s %r frame failed", client.kind, frame["type"])
        client.send_frame(frames.error("internal_error", "Something went wrong on our side; please try again.",
                                       **context))
