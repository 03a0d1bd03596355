"""The relay's incoming frames, one model per `"type"`, for residents and for staff (CONTRACT.md section 5).

Extra keys (such as a client's `ref`) are allowed: the relay echoes some back and ignores the rest.
What a frame may do (who may take, which outcome words exist) is the operations' rule.
"""
from __future__ import annotations

from typing import Annotated, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from webapp.schemas.base import Input
from webapp.schemas.fields import Between, Id, MaxChars, Nickname


class Frame(Input):
    model_config = ConfigDict(strict=True, extra="allow")


class ResidentMessage(Frame):
    type: Literal["message"]
    text: str  # its length is a setting (MESSAGE_MAX_CHARS), checked by the operation


class Leave(Frame):
    type: Literal["leave"]


class Erase(Frame):
    type: Literal["erase"]


class Ping(Frame):
    type: Literal["ping"]


class Announce(Frame):
    type: Literal["announce"]
    session_id: Id
    text: str


class Take(Frame):
    type: Literal["take"]
    checkin_id: Id
    mode: str | None = None


class StaffMessage(Frame):
    type: Literal["message"]
    checkin_id: Id
    text: str


class Close(Frame):
    type: Literal["close"]
    checkin_id: Id
    outcome: dict = Field(description="{kind, topics, result, referred_to}")


class Walkin(Frame):
    type: Literal["walkin"]
    session_id: Id
    avatar: str
    nickname: Nickname | None = None
    outcome: dict | None = None


class Transfer(Frame):
    type: Literal["transfer"]
    checkin_id: Id
    to_login: str
    note: Annotated[str, MaxChars("TRANSFER_NOTE_MAX")] | None = Field(
        None, description="for the new promoter (in their `taken` frame); not stored")


class ResidentTyping(Frame):
    """The resident is writing (never any text); at most one every TYPING_INTERVAL_S is passed on."""

    type: Literal["typing"]


class StaffTyping(Frame):
    """The promoter is writing to a resident they took (never any text)."""

    type: Literal["typing"]
    checkin_id: Id


class Remove(Frame):
    """By check-in (the console), or in a metaverse room by the occupant's `oid` with its `session_id`."""

    type: Literal["remove"]
    checkin_id: Id | None = None
    session_id: Id | None = None
    oid: Annotated[str, Field(min_length=1, max_length=32)] | None = None


class History(Frame):
    type: Literal["history"]
    checkin_id: Id


class QueueSnapshot(Frame):
    """A console asks for the full `queue` (and `counts`) of a session it follows, e.g. after a gap."""

    type: Literal["queue"]
    session_id: Id


class Extend(Frame):
    """Move the session's end later: 1-120 minutes (webapp/limits.py EXTEND_MINUTES_*)."""

    type: Literal["extend"]
    session_id: Id
    minutes: Annotated[int, Between("EXTEND_MINUTES_MIN", "EXTEND_MINUTES_MAX", "invalid_minutes")]


class Move(Frame):
    """Walk to (x, y) in the metaverse room (CONTRACT §9): integers, clamped into the map."""

    type: Literal["move"]
    x: int
    y: int


class Emote(Frame):
    """A stamp for everyone in the room: one of the room's `emotes`."""

    type: Literal["emote"]
    emote: Annotated[str, Field(max_length=32)]


class Ask(Frame):
    """A visitor of the room asks to talk: they join the line."""

    type: Literal["ask"]


class Enter(Frame):
    """Staff walk into a metaverse session's room."""

    type: Literal["enter"]
    session_id: Id


class Exit(Frame):
    """Staff walk out of the room they are in."""

    type: Literal["exit"]


class Mute(Frame):
    """Staff mute (or unmute) a resident's stamps, by the occupant id the room shows."""

    type: Literal["mute"]
    session_id: Id
    oid: Annotated[str, Field(min_length=1, max_length=32)]
    muted: bool = True


ResidentFrame = Annotated[ResidentMessage | Leave | Erase | ResidentTyping | Ping | Move | Emote | Ask,
                          Field(discriminator="type")]
StaffFrame = Annotated[Announce | Take | StaffMessage | Close | Walkin | Transfer | Remove | History | Extend
                       | StaffTyping | QueueSnapshot | Ping | Move | Emote | Enter | Exit | Mute,
                       Field(discriminator="type")]
RESIDENT_FRAMES = TypeAdapter(ResidentFrame)
STAFF_FRAMES = TypeAdapter(StaffFrame)


def _by_type(union) -> dict[str, type[BaseModel]]:
    return {get_args(model.model_fields["type"].annotation)[0]: model for model in get_args(get_args(union)[0])}


MODELS = {"resident": _by_type(ResidentFrame), "staff": _by_type(StaffFrame)}


def read_frame(frame: dict, sender: str, text_checked: bool = False) -> BaseModel:
    """The frame as its model (`sender` is "resident" or "staff"); raises pydantic's ValidationError.
    `text_checked`: the relay checked every string of the frame already (realtime/dispatch.py `parse`)."""
    return (STAFF_FRAMES if sender == "staff" else RESIDENT_FRAMES).validate_python(
        frame, context={"text_checked": True} if text_checked else None)
