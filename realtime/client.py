"""One open relay connection (`Client`) and how frames reach connections: encoded once, sent to many."""
from __future__ import annotations

import dataclasses
import json

from websockets.asyncio.server import ServerConnection, broadcast

from realtime.limits import TokenBucket


@dataclasses.dataclass(eq=False)
class Client:
    """One open connection: a resident (one check-in) or a staff member."""

    ws: ServerConnection
    kind: str
    identity: str
    bucket: TokenBucket
    checkin_id: int | None = None
    session_id: int | None = None
    user_id: int | None = None
    #: The staff account's `auth_version` when its relay token was issued (realtime.tokens).
    auth_version: int | None = None
    sessions: set[int] = dataclasses.field(default_factory=set)
    #: Sessions this staff member was taken off: no frame about them reaches this connection.
    dropped: set[int] = dataclasses.field(default_factory=set)
    channels: set[str] = dataclasses.field(default_factory=set)
    #: Until the welcome is sent, frames wait here so the welcome always comes first.
    backlog: list[str] | None = dataclasses.field(default_factory=list)
    last_queue: str | None = None
    #: A resident's connection counted as present (realtime.presence) since its welcome went out.
    present: bool = False
    #: When this connection's last `typing` went out (time.monotonic), for the throttle.
    typing_at: float = float("-inf")
    #: The metaverse room this connection is in (realtime/room/rooms.py key) and its occupant id there.
    room: str | None = None
    oid: str | None = None
    #: A 見学 (practice) connection's RoomPractice id.
    practice_id: int | None = None
    #: Moves far beyond this bucket for long are a flood (realtime/room/handlers.py); others are coalesced.
    move_bucket: TokenBucket | None = None
    #: When this connection's last stamp went out (time.monotonic), for the throttle.
    emote_at: float = float("-inf")

    def send(self, text: str) -> None:
        if self.backlog is not None:
            self.backlog.append(text)
        else:
            broadcast([self.ws], text)

    def send_frame(self, frame: dict) -> None:
        self.send(dump(frame))

    def ready(self) -> None:
        """The welcome went out: flush what arrived meanwhile."""
        backlog, self.backlog = self.backlog or [], None
        for text in backlog:
            broadcast([self.ws], text)


def dump(frame: dict) -> str:
    return json.dumps(frame, ensure_ascii=False, separators=(",", ":"))


def send_all(clients, text: str) -> None:
    """The same frame to many clients: one broadcast() (the text encoded once) for those past their welcome."""
    waiting = [c for c in clients if c.backlog is not None]
    for client in waiting:
        client.send(text)
    broadcast([c.ws for c in clients if c.backlog is None], text)
